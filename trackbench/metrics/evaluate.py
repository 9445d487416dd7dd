"""Glue: suite + dataset + one tracker's result folder -> :class:`TrackerEvaluation`.

The suite's family record names the evaluator (:func:`evaluate_one_pass` for OTB / LaSOT,
:func:`evaluate_repeated` for GOT-10k, :func:`evaluate_supervised` for VOT; see
:mod:`trackbench.suites`), the rule profile picks the toolkit's conventions (``official`` by default, see
:mod:`trackbench.metrics.profiles`). No images are read: image sizes come from the
dataset (VOT JSON / GOT-10k ``meta_info.ini``) where they are needed.

The per-sequence / per-attribute / per-tag tables of a :class:`TrackerEvaluation` are
pandas DataFrames built on first access (an evaluator may hand over a function returning
one): ``trackbench eval`` prints the headline scores only, and then never imports pandas.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from trackbench.errors import TrackbenchError, TrackbenchWarning
from trackbench.geometry import polygon_to_bbox
from trackbench.metrics.bootstrap import RatioMetric
from trackbench.metrics.got10k import GOT10K_THRESHOLDS, evaluate_got10k
from trackbench.metrics.ope import (
    NORM_PRECISION_THRESHOLDS,
    PRECISION_THRESHOLDS,
    fps,
    ope_curves_in_chunks,
    ope_scores,
)
from trackbench.metrics.profiles import RuleProfile, get_profile
from trackbench.metrics.vot import AR_SENSITIVITY, BURNIN, evaluate_vot
from trackbench.results.lengths import LengthMismatch
from trackbench.results.read import (
    ResultIndex,
    read_ope_results,
    read_repeated_results,
    read_times,
    read_vot_results,
)
from trackbench.sequence import Dataset

if TYPE_CHECKING:
    import pandas as pd

    from trackbench.suites import Suite

#: Metric keys, in display order; ``higher_is_better`` for ranking.
METRIC_KEYS = ("success_auc", "precision", "norm_precision", "success_50", "success_75", "ao", "sr50", "sr75",
               "eao", "accuracy", "robustness", "failures", "f_score", "lt_precision", "lt_recall", "lt_threshold",
               "fps", "fps_got10k")
LOWER_IS_BETTER = {"robustness", "failures"}


@dataclass
class TrackerEvaluation:
    """One tracker's scores on one suite.

    ``metrics``: keys among :data:`METRIC_KEYS`; ``curves`` / ``thresholds``: ``success``
    (21 points), ``precision`` (51, px), ``norm_precision`` (51), ``got10k_success``
    (101), ``expected_overlap`` (Phi(Ns), Ns = 1..L); ``per_sequence``: DataFrame indexed
    by sequence name (one-pass evaluations also carry the per-attribute success curves as
    ``curves["success/<attribute>"]``, for the report's per-attribute plots); ``per_attribute`` (OTB/LaSOT attributes) and ``per_tag`` (VOT tags,
    including ``all``) DataFrames or None; ``ar``: (accuracy, exp(-30 x failures /
    frames)) for VOT AR plots, else None. The three tables may be given as functions
    returning the DataFrame: they are called on first access (see the module docstring).
    """

    tracker: str
    suite: str
    rules: str
    sequences: int
    metrics: dict[str, float]
    curves: dict[str, np.ndarray] = field(default_factory=dict)
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)
    per_sequence: "pd.DataFrame | Callable[[], pd.DataFrame] | None" = None
    per_attribute: "pd.DataFrame | Callable[[], pd.DataFrame] | None" = None
    per_tag: "pd.DataFrame | Callable[[], pd.DataFrame] | None" = None
    ar: tuple[float, float] | None = None
    length_mismatches: int = 0
    warnings: list[str] = field(default_factory=list)
    #: OTB: ``{"TRE": evaluation, "SRE": evaluation}`` when the folder also holds those runs.
    robustness: dict[str, "TrackerEvaluation"] = field(default_factory=dict)
    #: headline metrics as per-sequence ratios (:class:`~trackbench.metrics.bootstrap.RatioMetric`),
    #: for bootstrap intervals and paired tests over sequences
    resampling: dict[str, RatioMetric] = field(default_factory=dict)

    def to_json(self, per_sequence: bool = False) -> dict[str, Any]:
        """The ``trackbench eval --json`` object (NaN becomes null). ``length_mismatches``:
        sequences whose result length was adjusted (:mod:`trackbench.results.lengths`);
        ``warnings``: every warning line of this evaluation; ``per_sequence`` (when asked):
        ``{sequence: {metric: value}}``."""
        document = {
            "tracker": self.tracker,
            "suite": self.suite,
            "rules": self.rules,
            "sequences": self.sequences,
            "metrics": {k: _json_number(v) for k, v in self.metrics.items()},
            "length_mismatches": self.length_mismatches,
            "warnings": list(self.warnings),
        }
        if per_sequence and self.per_sequence is not None:
            document["per_sequence"] = {
                str(name): {str(k): _json_number(v) for k, v in row.items()}
                for name, row in self.per_sequence.to_dict(orient="index").items()
            }
        return document


def _table_on_first_use(name: str) -> property:
    """The attribute ``name`` of :class:`TrackerEvaluation`: a stored function is replaced
    by the DataFrame it returns when the attribute is first read."""
    key = f"_{name}"

    def get(self: TrackerEvaluation) -> Any:
        value = self.__dict__.get(key)
        if callable(value):
            value = self.__dict__[key] = value()
        return value

    def set(self: TrackerEvaluation, value: Any) -> None:
        self.__dict__[key] = value

    return property(get, set)


for _name in ("per_sequence", "per_attribute", "per_tag"):
    setattr(TrackerEvaluation, _name, _table_on_first_use(_name))


def frame(columns: Any, index: list[str] | None = None, orient: str | None = None) -> "pd.DataFrame":
    """``pd.DataFrame(columns, index=index)`` (``orient="index"``: ``from_dict`` of rows);
    pandas is imported here, on first use."""
    import pandas as pd

    if orient == "index":
        return pd.DataFrame.from_dict(columns, orient="index")
    return pd.DataFrame(columns, index=index)


def _json_number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


def evaluate(suite: "Suite", dataset: Dataset, result_dir: str | Path | ResultIndex,
             rules: str | RuleProfile = "official", *, strict: bool = False) -> TrackerEvaluation:
    """Evaluate the results in ``result_dir`` (a folder or archive, any layout, or an
    already built :class:`ResultIndex`) on ``dataset`` with the suite family's evaluator.

    Result files longer or shorter than the ground truth are handled by the profile's
    policy with one warning line each (:mod:`trackbench.results.lengths`); ``strict``: any
    such mismatch (and an unreadable optional times file) is an error. Every warning line of
    the evaluation is also kept in ``TrackerEvaluation.warnings``.
    """
    profile = get_profile(rules)
    if profile.vot_analysis == "vot-toolkit" and suite.family.protocol != "supervised":
        raise TrackbenchError(f"rules {profile.name!r} apply to VOT suites only, not {suite.name!r}")
    index = result_dir if isinstance(result_dir, ResultIndex) else ResultIndex.build(result_dir)
    mismatches: list[LengthMismatch] = []
    with warnings.catch_warnings(record=True) as caught:  # the readers' warnings go into the record too
        warnings.simplefilter("always")
        evaluation = suite.family.evaluate(suite, dataset, index, profile, strict=strict, mismatches=mismatches)
    evaluation.length_mismatches = len({m.sequence for m in mismatches})
    evaluation.warnings = [m.message(profile.short_results) for m in mismatches]
    for record in caught:
        if issubclass(record.category, TrackbenchWarning):
            evaluation.warnings.append(str(record.message))
        else:
            warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
    for line in evaluation.warnings:
        warnings.warn(line, TrackbenchWarning, stacklevel=2)
    return evaluation


def ope_ground_truth(sequence) -> np.ndarray:
    """``(N, 4)`` boxes a one-pass run is scored against: the annotation, or for polygon
    ground truth (a VOT sequence run one-pass) each polygon's axis-aligned bounds
    (:func:`trackbench.geometry.polygon_to_bbox`, the VOT toolkit's polygon-to-rectangle
    conversion), never the polygon's first four numbers."""
    gt = np.asarray(sequence.ground_truth, dtype=np.float64)
    return polygon_to_bbox(gt) if gt.shape[-1] == 8 else gt[:, :4]


def evaluate_one_pass(suite: "Suite", dataset: Dataset, index: ResultIndex, profile: RuleProfile, *,
                      strict: bool = False, mismatches: list[LengthMismatch] | None = None) -> TrackerEvaluation:
    """One-pass scores (OTB / LaSOT rules of ``profile``; docs/metrics.md), per sequence and per attribute."""
    times = read_times(index, dataset, strict=strict)
    seqs = list(dataset)

    def results(part: slice) -> list[np.ndarray]:  # read one group of sequences at a time
        chunk = Dataset(dataset.name, seqs[part], dataset.root)
        read = read_ope_results(index, chunk, strict=strict, mismatches=mismatches)
        return [read[s.name] for s in chunk]

    curves = ope_curves_in_chunks([ope_ground_truth(s) for s in seqs], results, profile, [s.absent for s in seqs],
                                  names=[s.name for s in seqs])
    success, precision, norm = (curves.success.mean(axis=0), curves.precision.mean(axis=0),
                                curves.norm_precision.mean(axis=0))
    metrics = {k: float(v) for k, v in ope_scores(success, precision, norm, profile).items()}
    fps_values = [times.get(s.name) for s in seqs]
    metrics["fps"] = fps(fps_values)
    per_seq = {key: np.array(values, dtype=np.float64) for key, values in
               ope_scores(curves.success, curves.precision, curves.norm_precision, profile).items()}
    per_seq["fps"] = [fps([t]) for t in fps_values]
    names = [s.name for s in seqs]
    masks = attribute_masks(seqs)
    evaluation = TrackerEvaluation(
        tracker=index.source.name, suite=suite.name, rules=profile.name, sequences=len(seqs), metrics=metrics,
        curves={"success": success, "precision": precision, "norm_precision": norm},
        thresholds={"success": curves.success_thresholds, "precision": PRECISION_THRESHOLDS,
                    "norm_precision": NORM_PRECISION_THRESHOLDS},
        per_sequence=lambda: frame(per_seq, names), per_attribute=_per_attribute(masks, curves, profile),
    )
    thresholds = {"success": np.asarray(curves.success_thresholds, dtype=np.float64),
                  "precision": PRECISION_THRESHOLDS, "norm_precision": NORM_PRECISION_THRESHOLDS}
    for name, mask in masks.items():
        for kind, per_sequence_curves in (("success", curves.success), ("precision", curves.precision),
                                          ("norm_precision", curves.norm_precision)):
            evaluation.curves[f"{kind}/{name}"] = per_sequence_curves[mask].mean(axis=0)
            evaluation.thresholds[f"{kind}/{name}"] = thresholds[kind]
    # Every one-pass score is a mean over sequences of the sequence's score.
    evaluation.resampling = {key: RatioMetric.mean_of(per_seq[key])
                             for key in ("success_auc", "precision", "norm_precision", "success_50", "success_75")
                             if key in per_seq}
    return evaluation


def attribute_masks(seqs) -> dict[str, np.ndarray]:
    """``{attribute: sequences flagged with it}`` in first-seen order; attributes no
    sequence has are left out."""
    names: list[str] = []
    for s in seqs:
        names.extend(a for a in s.attributes if a not in names)
    masks = {attr: np.array([bool(s.attributes.get(attr, False)) for s in seqs]) for attr in names}
    return {attr: mask for attr, mask in masks.items() if mask.any()}


def _per_attribute(masks: dict[str, np.ndarray], curves,
                   profile: RuleProfile) -> "Callable[[], pd.DataFrame] | None":
    if not masks:
        return None
    rows = {}
    for attr, mask in masks.items():
        row = ope_scores(curves.success[mask].mean(axis=0), curves.precision[mask].mean(axis=0),
                         curves.norm_precision[mask].mean(axis=0), profile)
        row = {k: float(v) for k, v in row.items()}
        row["sequences"] = int(mask.sum())
        rows[attr] = row
    return lambda: frame(rows, orient="index")


def evaluate_repeated(suite: "Suite", dataset: Dataset, index: ResultIndex, profile: RuleProfile, *,
                      strict: bool = False, mismatches: list[LengthMismatch] | None = None) -> TrackerEvaluation:
    """GOT-10k scores over repeated one-pass runs (docs/metrics.md, GOT-10k)."""
    runs = read_repeated_results(index, dataset, strict=strict, mismatches=mismatches)
    times = read_times(index, dataset, strict=strict)
    seqs = list(dataset)
    names = [s.name for s in seqs]
    result = evaluate_got10k(
        [s.ground_truth[:, :4] for s in seqs], [runs[s.name] for s in seqs], [s.cover for s in seqs],
        [s.image_size for s in seqs], [times.get(s.name) for s in seqs], names,
    )
    rows = result.per_sequence
    frames = np.array([row["frames"] for row in rows], dtype=np.float64)
    # GOT-10k pools frames: each score is (sum over a sequence's frames) / (its frames), pooled.
    resampling = {key: RatioMetric(np.nan_to_num(np.array([row[key] for row in rows], dtype=np.float64)) * frames,
                                   frames)
                  for key in ("ao", "sr50", "sr75")}
    columns = [{key: value for key, value in row.items() if key != "frames"} for row in rows]
    return TrackerEvaluation(
        tracker=index.source.name, suite=suite.name, rules=profile.name, sequences=len(seqs),
        metrics=dict(result.scores), curves={"got10k_success": result.curve},
        thresholds={"got10k_success": GOT10K_THRESHOLDS},
        per_sequence=lambda: frame(columns, names), resampling=resampling,
    )


def evaluate_supervised(suite: "Suite", dataset: Dataset, index: ResultIndex, profile: RuleProfile, *,
                        strict: bool = False, mismatches: list[LengthMismatch] | None = None) -> TrackerEvaluation:
    """VOT baseline scores of supervised runs (docs/metrics.md, VOT)."""
    trajectories = read_vot_results(index, dataset, strict=strict, mismatches=mismatches)
    times = read_times(index, dataset, strict=strict)
    seqs = list(dataset)
    if profile.vot_analysis == "vot-toolkit":
        return _evaluate_vot_toolkit(suite, seqs, trajectories, times, index, profile)
    corner_rule = profile.vot_corner_rule or suite.corner_rule or "x+w"
    interval = suite.eao_interval
    result = evaluate_vot(
        [s.ground_truth for s in seqs], [trajectories[s.name] for s in seqs], [s.image_size for s in seqs],
        [s.tags for s in seqs], corner_rule=corner_rule, eao_interval=interval,
        accuracy_rule=profile.vot_accuracy, reinit_limit=profile.eao_reinit_limit,
        burnin=BURNIN if suite.burnin is None else suite.burnin,
    )
    metrics = {"eao": result.eao, "accuracy": result.accuracy, "robustness": result.robustness,
               "failures": result.failures, "fps": fps([times.get(s.name) for s in seqs])}

    def per_tag() -> "pd.DataFrame":
        table = frame(result.per_tag, orient="index")
        table.loc["weighted"] = {"accuracy": result.accuracy_weighted, "failures": float("nan"),
                                 "frames": float(result.frames)}
        table.loc["pooled"] = {"accuracy": result.accuracy_pooled, "failures": result.failures,
                               "frames": float(result.frames)}
        return table

    names = [s.name for s in seqs]
    ar_robustness = math.exp(-AR_SENSITIVITY * result.failures / result.frames) if result.frames else float("nan")
    curve = result.expected_overlap
    return TrackerEvaluation(
        tracker=index.source.name, suite=suite.name, rules=profile.name, sequences=len(seqs), metrics=metrics,
        curves={"expected_overlap": curve}, thresholds={"expected_overlap": np.arange(1, len(curve) + 1)},
        per_sequence=lambda: frame(result.per_sequence, names),
        per_tag=per_tag, ar=(result.accuracy, ar_robustness), resampling=dict(result.resampling),
    )


def _evaluate_vot_toolkit(suite, seqs, trajectories, times, index: ResultIndex,
                          profile: RuleProfile) -> TrackerEvaluation:
    from trackbench.metrics.vot_toolkit import evaluate_vot_toolkit

    result = evaluate_vot_toolkit([s.ground_truth for s in seqs], [trajectories[s.name] for s in seqs],
                                  [s.image_size for s in seqs], suite.eao_interval,
                                  burnin=BURNIN if suite.burnin is None else suite.burnin)
    metrics = {"eao": result.eao, "accuracy": result.accuracy, "robustness": result.robustness,
               "failures": result.failures, "fps": fps([times.get(s.name) for s in seqs])}
    curve = result.expected_overlap
    return TrackerEvaluation(
        tracker=index.source.name, suite=suite.name, rules=profile.name, sequences=len(seqs), metrics=metrics,
        curves={"expected_overlap": curve}, thresholds={"expected_overlap": np.arange(1, len(curve) + 1)},
        per_sequence=frame(result.per_sequence, [s.name for s in seqs]), ar=result.ar,
    )


def rank(evaluations: list[TrackerEvaluation], key: str) -> list[TrackerEvaluation]:
    """Evaluations best first by the metric ``key`` (a family's ``rank_key``; NaN last)."""

    def sort_key(e: TrackerEvaluation):
        value = e.metrics.get(key, float("nan"))
        if value is None or math.isnan(value):
            return (1, 0.0)
        return (0, value if key in LOWER_IS_BETTER else -value)

    return sorted(evaluations, key=sort_key)
