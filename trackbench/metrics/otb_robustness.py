"""Success and precision of OTB TRE / SRE runs, aggregated as the OTB MATLAB toolkit does.

The toolkit's ``genPerfMat.m`` (with ``calcSeqErrRobust.m`` per run), in our words: each
run (a TRE segment, or an SRE perturbation) is scored like a one-pass result against the
ground truth from its start frame on - its first box replaced by that ground truth, a
box with NaN or a non-positive size replaced by the previous one, frames with invalid
ground truth failing success and passing precision (the ``official`` rule profile of
:mod:`trackbench.metrics.profiles`); then, per sequence, the successes at each threshold
are *summed over all runs* and divided by the summed run lengths (TRE: pooled over every
segment's frames; SRE: all runs have the same length, so this is the mean over the 12
perturbations); the dataset curve is the mean of the sequence curves. Scores: AUC = mean
of the 21-point success curve, precision at 20 px.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.metrics.ope import PRECISION_THRESHOLDS, ope_frame_scores, overlap_thresholds, precision_curves, success_curves
from trackbench.metrics.profiles import RuleProfile


@dataclass
class RobustnessCurves:
    """Per-sequence pooled curves (``success (S, 21)``, ``precision (S, 51)``) and the
    dataset means with their scores."""

    names: list[str]
    success: np.ndarray
    precision: np.ndarray
    success_thresholds: np.ndarray

    @property
    def scores(self) -> dict[str, float]:
        return {"success_auc": float(self.success.mean(axis=0).mean()),
                "precision": float(self.precision.mean(axis=0)[20])}


def sequence_curves(ground_truth: np.ndarray, runs: list[tuple[int, np.ndarray]], profile: RuleProfile
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Pooled ``(success (21,), precision (51,))`` of one sequence from its runs
    ``(start row, boxes)``; each run's boxes cover rows ``start..`` of ``ground_truth``."""
    if not runs:
        raise TrackbenchError("a TRE/SRE result needs at least one run")
    gt = np.asarray(ground_truth, dtype=np.float64)
    parts_gt = [gt[start:] for start, _ in runs]
    parts_pred = []
    for (start, boxes), part in zip(runs, parts_gt):
        boxes = np.asarray(boxes, dtype=np.float64)
        if len(boxes) < len(part):
            raise TrackbenchError(f"run starting at row {start}: {len(boxes)} boxes for {len(part)} frames")
        parts_pred.append(boxes[: len(part), :4])
    scores = ope_frame_scores(parts_gt, parts_pred, profile)
    thresholds = overlap_thresholds(profile.overlap_grid)
    args = (scores.seq_index, scores.counted, scores.denominators)
    lengths = scores.denominators[:, None]
    success = (success_curves(scores.ious, *args, thresholds) * lengths).sum(axis=0) / lengths.sum()
    precision = (precision_curves(scores.errors, *args, PRECISION_THRESHOLDS) * lengths).sum(axis=0) / lengths.sum()
    return success, precision


def evaluate_robustness(
    ground_truth: dict[str, np.ndarray], runs: dict[str, list[tuple[int, np.ndarray]]], profile: RuleProfile
) -> RobustnessCurves:
    """Curves over a dataset: ``ground_truth`` and ``runs`` by sequence name (same keys)."""
    missing = [name for name in ground_truth if name not in runs]
    if missing:
        raise TrackbenchError(f"no TRE/SRE result for {len(missing)} sequence(s): {', '.join(missing[:5])}")
    names = list(ground_truth)
    curves = [sequence_curves(ground_truth[name], runs[name], profile) for name in names]
    return RobustnessCurves(names, np.array([s for s, _ in curves]), np.array([p for _, p in curves]),
                            overlap_thresholds(profile.overlap_grid))
