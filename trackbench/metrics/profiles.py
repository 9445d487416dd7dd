"""Named rule profiles: where the official toolkits and the popular ports disagree.

Each profile is an explicit, frozen record of the choices listed in docs/metrics.md §6.
``official`` (the default) follows the OTB and LaSOT MATLAB toolkits, the got10k API for
GOT-10k and the VOT MATLAB toolkit for VOT; ``pysot``, ``got10k`` and ``pytracking``
follow those code bases, ``vot-toolkit`` the Python VOT toolkit on VOT suites (each
written as its differences from ``official``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from trackbench.errors import TrackbenchError


@dataclass(frozen=True)
class RuleProfile:
    """One toolkit's evaluation rules.

    One-pass (OTB / LaSOT):
        first_frame_gt: the result of frame 0 is replaced by the ground truth.
        sanitize: ``"none"``; ``"previous"`` (a result with NaN, w <= 0 or h <= 0 takes the
            previous frame's box, MATLAB toolkits); ``"strict"`` (NaN or negative numbers
            are an error, w or h == 0 takes the previous box, pytracking).
        success_validity: frames whose ground truth counts for success: ``"all_positive"``
            (all four numbers > 0), ``"wh_positive"`` (w, h > 0) or ``"none"``.
            Invalid frames get IoU -1 (a failure at every threshold).
        precision_validity: ``"all_positive"``, ``"center_positive"`` (both GT centre
            coordinates > 0, pysot) or ``"none"``.
        invalid_error: centre error given to invalid frames: -1 (passes every
            threshold, MATLAB/pysot) or ``inf`` (fails, pytracking).
        absent: ``"fail"`` (absent frames leave the numerator, stay in the denominator)
            or ``"ignore"`` (no absent handling).
        drop_nan_gt: frames whose ground truth has NaN leave numerator and denominator
            (got10k).
        iou_form: ``"plus_one"`` (MATLAB ``right = x + w - 1``), ``"continuous"``
            (clipped to [0, 1], pysot/pytracking) or ``"continuous_eps"`` (got10k: eps
            added to the union, clipped).
        overlap_grid: ``"matlab"`` (``0:0.05:1`` as MATLAB's colon builds it) or
            ``"numpy"`` (``arange(0, 1.05, 0.05)``).
        norm_divisor: ``"gt"`` (w, h of the ground truth), ``"gt_eps"`` (+1e-16, pysot) or
            ``"gt_min1"`` (max(1, w), got10k).
        norm_precision_score: ``"at_020"`` (curve value at 0.20) or ``"mean"`` (mean of
            the 51-point curve, got10k).
        invalid_norm_error: normalised error of visible frames with invalid ground truth.
        short_results: a result shorter than the ground truth: ``"fail"`` (the missing
            frames fail, the denominator stays the GT length: OTB/LaSOT MATLAB, pysot),
            ``"zero_pad"`` (0,0,0,0 boxes after sanitation, pytracking) or ``"truncate"``
            (both cut to the shorter length, got10k); see :mod:`trackbench.results.lengths`.
    VOT (supervised):
        vot_corner_rule: ``None`` (the suite's: x+w for 2016-2018, x+w-1 for 2019) or a
            fixed rule (pysot always uses x+w).
        vot_accuracy: ``"pooled"`` (all frames of all sequences, pysot / VM "Pooled") or
            ``"weighted"`` (tag-weighted mean, VM summary / got10k). ``official`` uses
            pooled: it is what the published A numbers match (LightTrack VOT2018: pooled
            0.529, weighted 0.519); the weighted value is in the per-tag table.
        eao_reinit_limit: a failure at 0-based frame f starts a new fragment if
            ``f + 5 <= N - 1`` (``"vm"``) or ``f + 5 <= N`` (``"pysot"``).
        vot_analysis: ``"legacy"`` (the VOT MATLAB toolkit / pysot computation of
            :mod:`trackbench.metrics.vot`, tuned by the fields above) or
            ``"vot-toolkit"`` (the Python VOT toolkit 0.9.0, :mod:`trackbench.metrics.vot_toolkit`;
            the ``vot-toolkit`` profile, for VOT suites only).

    (VOT failures are detected during the run by :mod:`trackbench.protocols.supervised`,
    with bounds ``(W - 1, H - 1)``: no profile field.) The
    other profiles are built from :data:`OFFICIAL` with ``dataclasses.replace``, so each
    states only where it differs.
    """

    name: str
    first_frame_gt: bool
    sanitize: str
    success_validity: str
    precision_validity: str
    invalid_error: float
    absent: str
    drop_nan_gt: bool
    iou_form: str
    overlap_grid: str
    norm_divisor: str
    norm_precision_score: str
    invalid_norm_error: float
    short_results: str
    vot_corner_rule: str | None
    vot_accuracy: str
    eao_reinit_limit: str
    vot_analysis: str = "legacy"


OFFICIAL = RuleProfile(
    name="official",
    first_frame_gt=True,
    sanitize="previous",
    success_validity="all_positive",
    precision_validity="all_positive",
    invalid_error=-1.0,
    absent="fail",
    drop_nan_gt=False,
    iou_form="plus_one",
    overlap_grid="matlab",
    norm_divisor="gt",
    norm_precision_score="at_020",
    invalid_norm_error=-1.0,
    short_results="fail",
    vot_corner_rule=None,
    vot_accuracy="pooled",
    eao_reinit_limit="vm",
)

PYSOT = replace(
    OFFICIAL,
    name="pysot",
    first_frame_gt=False,
    sanitize="none",
    success_validity="wh_positive",
    precision_validity="center_positive",
    iou_form="continuous",
    overlap_grid="numpy",
    norm_divisor="gt_eps",
    vot_corner_rule="x+w",
    eao_reinit_limit="pysot",
)

GOT10K = replace(
    OFFICIAL,
    name="got10k",
    sanitize="none",
    success_validity="none",
    precision_validity="none",
    absent="ignore",
    drop_nan_gt=True,
    iou_form="continuous_eps",
    overlap_grid="numpy",
    norm_divisor="gt_min1",
    norm_precision_score="mean",
    short_results="truncate",
    vot_accuracy="weighted",
)

PYTRACKING = replace(
    OFFICIAL,
    name="pytracking",
    sanitize="strict",
    invalid_error=float("inf"),
    short_results="zero_pad",
    iou_form="continuous",
    overlap_grid="numpy",
)

VOT_TOOLKIT = replace(OFFICIAL, name="vot-toolkit", vot_analysis="vot-toolkit")
"""The Python VOT toolkit (PyPI ``vot-toolkit`` 0.9.0) supervised analysis; VOT suites only."""

PROFILES: dict[str, RuleProfile] = {p.name: p for p in (OFFICIAL, PYSOT, GOT10K, PYTRACKING, VOT_TOOLKIT)}


def get_profile(name: str | RuleProfile) -> RuleProfile:
    """The profile called ``name`` (a :class:`RuleProfile` is returned unchanged)."""
    if isinstance(name, RuleProfile):
        return name
    try:
        return PROFILES[name]
    except KeyError:
        raise TrackbenchError(f"unknown rules {name!r} (expected one of {', '.join(PROFILES)})") from None
