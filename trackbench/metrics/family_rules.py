"""Evaluators of the one-pass families whose rules differ from OTB / LaSOT's.

* :func:`evaluate_invalid_gt` (UAV123, UAV20L, UAV123@10fps): absent frames are the NaN
  ground-truth rows, and every toolkit scores them as invalid ground truth, not as absent:
  they fail success and pass precision. The UAV123 toolkit (OTB-derived
  ``calcSeqErrRobust``: invalid rows get error -1), pysot (``OPEBenchmark``: -1 for invalid
  rows) and pytracking (``calc_seq_err_robust``: ``err_center[~valid] = -1`` when
  ``dataset == 'uav'``, where other datasets get inf) agree; got10k's ``ExperimentUAV123``
  drops the NaN rows from numerator and denominator (the ``got10k`` profile already does).
* :func:`evaluate_trackingnet_server` (TrackingNet): the ``official`` profile follows the
  TrackingNet evaluation server (:mod:`trackbench.metrics.trackingnet`); the other profiles
  score like LaSOT (pysot, pytracking and got10k have no TrackingNet rules of their own).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from trackbench.metrics import evaluate as _evaluate
from trackbench.metrics.ope import fps as speed
from trackbench.metrics.profiles import RuleProfile
from trackbench.metrics.trackingnet import (
    NORM_PRECISION_THRESHOLDS,
    PRECISION_THRESHOLDS,
    SUCCESS_THRESHOLDS,
    evaluate_trackingnet,
)
from trackbench.results.read import ResultIndex, read_ope_results, read_times
from trackbench.sequence import Dataset

if TYPE_CHECKING:
    from trackbench.metrics.evaluate import TrackerEvaluation
    from trackbench.suites import Suite


def invalid_gt_rules(profile: RuleProfile) -> RuleProfile:
    """``profile`` with absent flags not scored and invalid ground truth passing precision."""
    return replace(profile, absent="ignore", invalid_error=-1.0)


def evaluate_invalid_gt(suite: "Suite", dataset: Dataset, index: ResultIndex, profile: RuleProfile, *,
                        strict: bool = False, mismatches: list | None = None) -> "TrackerEvaluation":
    """One-pass evaluation under :func:`invalid_gt_rules` (the UAV family)."""
    return _evaluate.evaluate_one_pass(suite, dataset, index, invalid_gt_rules(profile), strict=strict,
                                       mismatches=mismatches)


def evaluate_trackingnet_server(suite: "Suite", dataset: Dataset, index: ResultIndex, profile: RuleProfile, *,
                                strict: bool = False, mismatches: list | None = None) -> "TrackerEvaluation":
    """TrackingNet: the server's rules under ``official``, else LaSOT-style one-pass scores."""
    if profile.name != "official":
        return _evaluate.evaluate_one_pass(suite, dataset, index, profile, strict=strict, mismatches=mismatches)
    results = read_ope_results(index, dataset, strict=strict, mismatches=mismatches)
    times = read_times(index, dataset, strict=strict)
    seqs = list(dataset)
    scores = evaluate_trackingnet([s.ground_truth for s in seqs], [results[s.name] for s in seqs],
                                  [s.name for s in seqs])
    fps_values = [times.get(s.name) for s in seqs]
    per_seq = _evaluate.frame(scores.per_sequence, index=[s.name for s in seqs])
    per_seq["fps"] = [speed([t]) for t in fps_values]
    return _evaluate.TrackerEvaluation(
        tracker=index.source.name, suite=suite.name, rules=profile.name, sequences=len(seqs),
        metrics={"success_auc": scores.success, "precision": scores.precision,
                 "norm_precision": scores.norm_precision, "fps": speed(fps_values)},
        curves={"success": scores.success_curve, "precision": scores.precision_curve,
                "norm_precision": scores.norm_precision_curve},
        thresholds={"success": SUCCESS_THRESHOLDS, "precision": PRECISION_THRESHOLDS,
                    "norm_precision": NORM_PRECISION_THRESHOLDS},
        per_sequence=per_seq,
    )
