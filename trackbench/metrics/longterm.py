"""VOT long-term measures: tracking precision, recall and F-score over confidence thresholds.

The measures of Lukežič et al., "Now you see me: evaluating performance in long-term
visual tracking" (VOT2018-LT / VOT2019-LT). Every frame has a prediction (a region, or
empty when the tracker reports the target gone) and a confidence. For a threshold ``t``
the frames whose confidence is ``>= t`` are the frames the tracker "reports":

* precision ``Pr(t)`` = mean overlap over the reported frames (1 when none is reported);
* recall ``Re(t)`` = sum of the overlaps of the reported frames / number of frames in
  which the target is visible (ground truth not empty);
* ``F(t) = 2 Pr Re / (Pr + Re)`` (0 where ``Pr + Re = 0``);
* over a dataset, ``Pr`` and ``Re`` are averaged over sequences at each threshold (one
  threshold set per tracker, from all its confidences), ``F`` is computed from the averages;
  the reported score is the maximum of ``F`` with ``Pr`` / ``Re`` at its (first) argmax.

The thresholds are ~100 quantiles of the tracker's confidences plus ``+inf`` and ``-inf``.
Two code bases compute this and differ in five places, captured as :class:`LongTermRules`:

============================  ===========================================  ==========================================
rule                          ``vot`` (vot-toolkit 0.9, ``analysis/longterm.py``)  ``pysot`` (``toolkit/evaluation/f1_benchmark.py``, ``utils/statistics.py``)
============================  ===========================================  ==========================================
thresholds                    scores sorted descending; more than 98:       scores sorted ascending; indices
                              indices ``round(linspace(d, n - d, 98))``,   ``floor(linspace(d - 1, n - d, 98) + 0.5)``,
                              ``d = floor(n / 98)``; else every score      ``d = floor(n / 98)``; pysot fails below 98
                              (``determine_thresholds``)                   scores (an error here); then reversed
confidence of frame 0         what the file says, missing = 0, and it      always NaN: not a threshold, counted as 0
                              takes part in the thresholds
lowest threshold ``-inf``     every frame is reported                      only frames with confidence > 0
empty prediction, target gone overlap 1 (two empty regions are equal)      overlap 0 (special regions give NaN -> 0)
overlap                       VOT raster, rectangles ``x..x+w-1``, bounded  trax raster, corners at ``x + w``, bounded
                              to ``(W - 1, H - 1)`` (``calculate_overlaps``) to ``(W, H)`` (``vot_overlap``)
============================  ===========================================  ==========================================

A missing confidence (an empty line) counts as 0 in both. All functions are pure and take
arrays: ``regions`` ``(N, 4)`` ``[x, y, w, h]`` with NaN rows for an empty prediction (and
for frame 0, the initialisation), ``ground_truth`` ``(N, 4)`` with NaN rows where the
target is absent, ``scores`` ``(N,)`` with NaN where no confidence was given (polygon
ground truth is reduced to its bounding box by the caller; VOT-LT annotations are boxes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.metrics.region_overlap import vot_overlap

RESOLUTION = 100  # thresholds per curve, the two infinities included (both toolkits)


@dataclass(frozen=True)
class LongTermRules:
    """One code base's long-term rules (see the module table).

    Attributes:
        name: ``"vot"`` or ``"pysot"``.
        thresholds: ``"vot"`` or ``"pysot"`` threshold selection.
        first_score: ``"file"`` (frame 0's confidence as written, missing = 0) or ``"nan"``.
        lowest_reports_all: at ``-inf`` every frame is reported (else confidence > 0 only).
        both_empty_overlap: overlap of an empty prediction on a frame without the target.
        corner_rule: rectangle corners for the rasteriser (``"x+w-1"`` or ``"x+w"``).
        bounds_offset: overlaps bounded to ``(W - offset, H - offset)``.
    """

    name: str
    thresholds: str
    first_score: str
    lowest_reports_all: bool
    both_empty_overlap: float
    corner_rule: str
    bounds_offset: int


VOT_RULES = LongTermRules("vot", "vot", "file", True, 1.0, "x+w-1", 1)
PYSOT_RULES = LongTermRules("pysot", "pysot", "nan", False, 0.0, "x+w", 0)
LONGTERM_RULES = {r.name: r for r in (VOT_RULES, PYSOT_RULES)}


def get_longterm_rules(name: str) -> LongTermRules:
    """The rules called ``name`` (``official`` is the VOT toolkit's)."""
    key = "vot" if name == "official" else name
    if key not in LONGTERM_RULES:
        raise TrackbenchError(f"unknown long-term rules {name!r} (expected official, vot or pysot)")
    return LONGTERM_RULES[key]


def frame_overlaps(
    regions: np.ndarray, ground_truth: np.ndarray, image_size: tuple[int, int] | None, rules: LongTermRules
) -> np.ndarray:
    """Per-frame overlap of predictions with the ground truth under ``rules``.

    Empty on both sides -> ``rules.both_empty_overlap``; empty on one side -> 0.
    """
    regions = np.asarray(regions, dtype=np.float64)
    ground_truth = np.asarray(ground_truth, dtype=np.float64)
    if len(regions) != len(ground_truth):
        raise TrackbenchError(f"{len(regions)} predictions for {len(ground_truth)} ground-truth frames")
    pred_empty = np.isnan(regions).any(axis=1)
    gt_empty = np.isnan(ground_truth).any(axis=1)
    out = np.zeros(len(regions))
    out[pred_empty & gt_empty] = rules.both_empty_overlap
    both = ~pred_empty & ~gt_empty
    if both.any():
        bounds = None
        if image_size is not None:
            bounds = (image_size[0] - rules.bounds_offset, image_size[1] - rules.bounds_offset)
        out[both] = vot_overlap(regions[both], ground_truth[both], bounds, rules.corner_rule)
    return np.nan_to_num(out, nan=0.0)


def effective_scores(scores: np.ndarray, rules: LongTermRules) -> np.ndarray:
    """Scores as the rules read them: frame 0 NaN under ``first_score="nan"``; the VOT
    toolkit's missing values are 0 (pysot's frame 0 stays NaN so it is no threshold)."""
    scores = np.asarray(scores, dtype=np.float64).copy()
    if rules.first_score == "nan" and len(scores):
        scores[0] = np.nan
    elif rules.first_score == "file":
        scores[np.isnan(scores)] = 0.0
    return scores


def determine_thresholds(scores: np.ndarray, rules: LongTermRules, resolution: int = RESOLUTION) -> np.ndarray:
    """Descending thresholds, ``+inf`` first and ``-inf`` last, from all of a tracker's
    effective scores (NaN dropped) by the rules' selection (module table)."""
    values = np.asarray(scores, dtype=np.float64)
    values = values[~np.isnan(values)]
    inner = resolution - 2
    if rules.thresholds == "vot":
        ordered = np.sort(values)[::-1]
        if len(ordered) > inner:
            delta = len(ordered) // inner
            picked = ordered[np.round(np.linspace(delta, len(ordered) - delta, inner)).astype(int)]
        else:
            picked = ordered
    elif rules.thresholds == "pysot":
        ordered = np.sort(values)
        if len(ordered) < inner:
            raise TrackbenchError(f"pysot's threshold rule needs at least {inner} confidences, got {len(ordered)}")
        delta = len(ordered) // inner
        index = np.floor(np.linspace(delta - 1, len(ordered) - delta, inner) + 0.5).astype(np.int64)
        picked = ordered[index][::-1] if len(ordered) else np.zeros(0)
    else:
        raise TrackbenchError(f"unknown threshold rule {rules.thresholds!r}")
    return np.concatenate([[np.inf], picked, [-np.inf]])


def precision_recall(
    overlaps: np.ndarray, scores: np.ndarray, visible: int, thresholds: np.ndarray, rules: LongTermRules
) -> tuple[np.ndarray, np.ndarray]:
    """``(precision, recall)`` of one sequence at every threshold (effective ``scores``;
    NaN scores count as 0). ``visible``: frames whose ground truth is not empty."""
    overlaps = np.asarray(overlaps, dtype=np.float64)
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=0.0)
    reported = scores[None, :] >= thresholds[:, None]
    if not rules.lowest_reports_all:
        lowest = np.isneginf(thresholds)
        reported[lowest] = scores[None, :] > 0
    count = reported.sum(axis=1)
    total = (reported * overlaps[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(count > 0, total / np.maximum(count, 1), 1.0)
        recall = np.where(count > 0, total / visible if visible else 0.0, 0.0)
    return precision, recall


def f_score(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """``2 Pr Re / (Pr + Re)``, 0 where both are 0."""
    total = precision + recall
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 2 * precision * recall / np.where(total > 0, total, 1), 0.0)


@dataclass
class LongTermSequence:
    """What one sequence contributes: its frames' overlaps and effective scores."""

    name: str
    overlaps: np.ndarray
    scores: np.ndarray
    visible: int


@dataclass
class LongTermResult:
    """Curves and scores of one tracker over a dataset.

    ``thresholds`` ``(T,)`` descending; ``precision`` / ``recall`` / ``f`` ``(T,)`` dataset
    curves; ``per_sequence``: name -> ``(precision (T,), recall (T,))``; ``best``: index
    of the maximum F; ``scores``: ``precision``, ``recall``, ``f_score``, ``threshold``.
    """

    thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f: np.ndarray
    per_sequence: dict[str, tuple[np.ndarray, np.ndarray]]
    best: int

    @property
    def scores(self) -> dict[str, float]:
        i = self.best
        return {
            "precision": float(self.precision[i]),
            "recall": float(self.recall[i]),
            "f_score": float(self.f[i]),
            "threshold": float(self.thresholds[i]),
        }

    def sequence_scores(self, name: str) -> dict[str, float]:
        """Maximum F of one sequence's own curve, with its precision, recall, threshold."""
        precision, recall = self.per_sequence[name]
        f = f_score(precision, recall)
        i = int(np.argmax(f))
        return {"precision": float(precision[i]), "recall": float(recall[i]), "f_score": float(f[i]),
                "threshold": float(self.thresholds[i])}


def longterm_sequence(
    name: str,
    regions: np.ndarray,
    scores: np.ndarray,
    ground_truth: np.ndarray,
    image_size: tuple[int, int] | None,
    rules: LongTermRules,
) -> LongTermSequence:
    """Overlaps and effective scores of one sequence (see the module docstring for arrays)."""
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) != len(ground_truth):
        raise TrackbenchError(f"sequence {name!r}: {len(scores)} confidences for {len(ground_truth)} frames")
    overlaps = frame_overlaps(regions, ground_truth, image_size, rules)
    visible = int((~np.isnan(np.asarray(ground_truth, dtype=np.float64)).any(axis=1)).sum())
    return LongTermSequence(name, overlaps, effective_scores(scores, rules), visible)


def evaluate_longterm(sequences: list[LongTermSequence], rules: LongTermRules,
                      resolution: int = RESOLUTION) -> LongTermResult:
    """Dataset curves and the maximum F-score (rules in the module docstring)."""
    if not sequences:
        raise TrackbenchError("no sequences to evaluate")
    thresholds = determine_thresholds(np.concatenate([s.scores for s in sequences]), rules, resolution)
    per_sequence = {s.name: precision_recall(s.overlaps, s.scores, s.visible, thresholds, rules) for s in sequences}
    precision = np.mean([pr for pr, _ in per_sequence.values()], axis=0)
    recall = np.mean([re for _, re in per_sequence.values()], axis=0)
    f = f_score(precision, recall)
    return LongTermResult(thresholds, precision, recall, f, per_sequence, int(np.argmax(f)))
