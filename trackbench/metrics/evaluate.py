"""Glue: suite + dataset + one tracker's result folder -> :class:`TrackerEvaluation`.

The suite's family record names the evaluator (:func:`evaluate_one_pass` for OTB / LaSOT,
:func:`evaluate_repeated` for GOT-10k, :func:`evaluate_supervised` for VOT; see
:mod:`trackbench.suites`), the rule profile picks the toolkit's conventions (``official`` by default, see
:mod:`trackbench.metrics.profiles`). No images are read: image sizes come from the
dataset (VOT JSON / GOT-10k ``meta_info.ini``) where they are needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from trackbench.metrics.bootstrap import RatioMetric
from trackbench.metrics.got10k import GOT10K_THRESHOLDS, evaluate_got10k
from trackbench.metrics.ope import (
    NORM_PRECISION_THRESHOLDS,
    PRECISION_THRESHOLDS,
    fps,
    ope_curves,
    ope_frame_scores,
    ope_scores,
)
from trackbench.metrics.profiles import RuleProfile, get_profile
from trackbench.metrics.vot import AR_SENSITIVITY, BURNIN, evaluate_vot
from trackbench.results.read import (
    ResultIndex,
    read_ope_results,
    read_repeated_results,
    read_times,
    read_vot_results,
)
from trackbench.sequence import Dataset

if TYPE_CHECKING:
    from trackbench.suites import Suite

#: Metric keys, in display order; ``higher_is_better`` for ranking.
METRIC_KEYS = ("success_auc", "precision", "norm_precision", "success_50", "success_75", "ao", "sr50", "sr75",
               "eao", "accuracy", "robustness", "failures", "fps", "fps_got10k")
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
    frames)) for VOT AR plots, else None.
    """

    tracker: str
    suite: str
    rules: str
    sequences: int
    metrics: dict[str, float]
    curves: dict[str, np.ndarray] = field(default_factory=dict)
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)
    per_sequence: pd.DataFrame | None = None
    per_attribute: pd.DataFrame | None = None
    per_tag: pd.DataFrame | None = None
    ar: tuple[float, float] | None = None
    #: headline metrics as per-sequence ratios (:class:`~trackbench.metrics.bootstrap.RatioMetric`),
    #: for bootstrap intervals and paired tests over sequences
    resampling: dict[str, RatioMetric] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``trackbench eval --json`` object (NaN becomes null)."""
        return {
            "tracker": self.tracker,
            "suite": self.suite,
            "rules": self.rules,
            "sequences": self.sequences,
            "metrics": {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
                        for k, v in self.metrics.items()},
        }


def evaluate(suite: "Suite", dataset: Dataset, result_dir: str | Path | ResultIndex,
             rules: str | RuleProfile = "official") -> TrackerEvaluation:
    """Evaluate the results in ``result_dir`` (a folder or archive, any layout, or an
    already built :class:`ResultIndex`) on ``dataset`` with the suite family's evaluator."""
    profile = get_profile(rules)
    index = result_dir if isinstance(result_dir, ResultIndex) else ResultIndex.build(result_dir)
    return suite.family.evaluate(suite, dataset, index, profile)


def evaluate_one_pass(suite: "Suite", dataset: Dataset, index: ResultIndex, profile: RuleProfile) -> TrackerEvaluation:
    """One-pass scores (OTB / LaSOT rules of ``profile``; docs/metrics.md), per sequence and per attribute."""
    results = read_ope_results(index, dataset)
    times = read_times(index, dataset)
    seqs = list(dataset)
    scores = ope_frame_scores([s.ground_truth[:, :4] for s in seqs], [results[s.name] for s in seqs], profile,
                              [s.absent for s in seqs])
    curves = ope_curves(scores, profile)
    success, precision, norm = (curves.success.mean(axis=0), curves.precision.mean(axis=0),
                                curves.norm_precision.mean(axis=0))
    metrics = {k: float(v) for k, v in ope_scores(success, precision, norm, profile).items()}
    fps_values = [times.get(s.name) for s in seqs]
    metrics["fps"] = fps(fps_values)
    per_seq = pd.DataFrame(ope_scores(curves.success, curves.precision, curves.norm_precision, profile),
                           index=[s.name for s in seqs])
    per_seq["fps"] = [fps([t]) for t in fps_values]
    masks = attribute_masks(seqs)
    evaluation = TrackerEvaluation(
        tracker=index.source.name, suite=suite.name, rules=profile.name, sequences=len(seqs), metrics=metrics,
        curves={"success": success, "precision": precision, "norm_precision": norm},
        thresholds={"success": curves.success_thresholds, "precision": PRECISION_THRESHOLDS,
                    "norm_precision": NORM_PRECISION_THRESHOLDS},
        per_sequence=per_seq, per_attribute=_per_attribute(masks, curves, profile),
    )
    thresholds = {"success": np.asarray(curves.success_thresholds, dtype=np.float64),
                  "precision": PRECISION_THRESHOLDS, "norm_precision": NORM_PRECISION_THRESHOLDS}
    for name, mask in masks.items():
        for kind, per_sequence_curves in (("success", curves.success), ("precision", curves.precision),
                                          ("norm_precision", curves.norm_precision)):
            evaluation.curves[f"{kind}/{name}"] = per_sequence_curves[mask].mean(axis=0)
            evaluation.thresholds[f"{kind}/{name}"] = thresholds[kind]
    # Every one-pass score is a mean over sequences of the sequence's score.
    evaluation.resampling = {key: RatioMetric.mean_of(per_seq[key].to_numpy())
                             for key in ("success_auc", "precision", "norm_precision", "success_50", "success_75")
                             if key in per_seq.columns}
    return evaluation


def attribute_masks(seqs) -> dict[str, np.ndarray]:
    """``{attribute: sequences flagged with it}`` in first-seen order; attributes no
    sequence has are left out."""
    names: list[str] = []
    for s in seqs:
        names.extend(a for a in s.attributes if a not in names)
    masks = {attr: np.array([bool(s.attributes.get(attr, False)) for s in seqs]) for attr in names}
    return {attr: mask for attr, mask in masks.items() if mask.any()}


def _per_attribute(masks: dict[str, np.ndarray], curves, profile: RuleProfile) -> pd.DataFrame | None:
    if not masks:
        return None
    rows = {}
    for attr, mask in masks.items():
        row = ope_scores(curves.success[mask].mean(axis=0), curves.precision[mask].mean(axis=0),
                         curves.norm_precision[mask].mean(axis=0), profile)
        row = {k: float(v) for k, v in row.items()}
        row["sequences"] = int(mask.sum())
        rows[attr] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def evaluate_repeated(suite: "Suite", dataset: Dataset, index: ResultIndex, profile: RuleProfile) -> TrackerEvaluation:
    """GOT-10k scores over repeated one-pass runs (docs/metrics.md, GOT-10k)."""
    runs = read_repeated_results(index, dataset)
    times = read_times(index, dataset)
    seqs = list(dataset)
    result = evaluate_got10k(
        [s.ground_truth[:, :4] for s in seqs], [runs[s.name] for s in seqs], [s.cover for s in seqs],
        [s.image_size for s in seqs], [times.get(s.name) for s in seqs], [s.name for s in seqs],
    )
    per_sequence = pd.DataFrame(result.per_sequence, index=[s.name for s in seqs])
    frames = per_sequence["frames"].to_numpy(dtype=np.float64)
    # GOT-10k pools frames: each score is (sum over a sequence's frames) / (its frames), pooled.
    resampling = {key: RatioMetric(np.nan_to_num(per_sequence[key].to_numpy(dtype=np.float64)) * frames, frames)
                  for key in ("ao", "sr50", "sr75")}
    return TrackerEvaluation(
        tracker=index.source.name, suite=suite.name, rules=profile.name, sequences=len(seqs),
        metrics=dict(result.scores), curves={"got10k_success": result.curve},
        thresholds={"got10k_success": GOT10K_THRESHOLDS},
        per_sequence=per_sequence.drop(columns="frames"), resampling=resampling,
    )


def evaluate_supervised(suite: "Suite", dataset: Dataset, index: ResultIndex, profile: RuleProfile) -> TrackerEvaluation:
    """VOT baseline scores of supervised runs (docs/metrics.md, VOT)."""
    trajectories = read_vot_results(index, dataset)
    times = read_times(index, dataset)
    seqs = list(dataset)
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
    per_tag = pd.DataFrame.from_dict(result.per_tag, orient="index")
    per_tag.loc["weighted"] = {"accuracy": result.accuracy_weighted, "failures": float("nan"),
                               "frames": float(result.frames)}
    per_tag.loc["pooled"] = {"accuracy": result.accuracy_pooled, "failures": result.failures,
                             "frames": float(result.frames)}
    ar_robustness = math.exp(-AR_SENSITIVITY * result.failures / result.frames) if result.frames else float("nan")
    curve = result.expected_overlap
    return TrackerEvaluation(
        tracker=index.source.name, suite=suite.name, rules=profile.name, sequences=len(seqs), metrics=metrics,
        curves={"expected_overlap": curve}, thresholds={"expected_overlap": np.arange(1, len(curve) + 1)},
        per_sequence=pd.DataFrame(result.per_sequence, index=[s.name for s in seqs]),
        per_tag=per_tag, ar=(result.accuracy, ar_robustness), resampling=dict(result.resampling),
    )


def rank(evaluations: list[TrackerEvaluation], key: str) -> list[TrackerEvaluation]:
    """Evaluations best first by the metric ``key`` (a family's ``rank_key``; NaN last)."""

    def sort_key(e: TrackerEvaluation):
        value = e.metrics.get(key, float("nan"))
        if value is None or math.isnan(value):
            return (1, 0.0)
        return (0, value if key in LOWER_IS_BETTER else -value)

    return sorted(evaluations, key=sort_key)
