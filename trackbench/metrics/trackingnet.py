"""TrackingNet's official scores, as its evaluation server computes them.

Rules of the TrackingNet-devkit ``metrics.py`` (function ``evaluate``, its latest version), restated:

* every number of the ground truth and of the result is rounded to an integer (half to even,
  as pandas / numpy round), then the result of frame 1 is replaced by the ground truth;
* boxes are pixel-inclusive: right = x + w - 1; the intersection width is
  ``min(right) - max(x) + 1`` clipped at 0; IoU = inter / (area_gt + area_result - inter);
* centres are ``x + (w + 1) / 2``; the normalised distance divides the x and y offsets by the
  ground truth's (rounded) width and height;
* per sequence, 21 thresholds each: success = fraction of frames with IoU >= t (not the
  strict test of OTB) for t = 0, 0.05 .. 1; precision = fraction with distance <= t for t = 0, 2.5 .. 50 px; normalised
  precision = fraction with normalised distance <= t for t = 0, 0.025 .. 0.5; frames whose
  numbers give NaN (0 / 0) fail every threshold; the denominator is every frame;
* curves are averaged over sequences; each score is the trapezoidal area under its averaged
  curve with the thresholds rescaled to [0, 1] (``np.trapz(curve, x=linspace(0, 1, 21))``, ``np.trapezoid`` in NumPy 2),
  so success is an AUC and precision / normalised precision are areas, not values at 20 px
  or 0.2. (The devkit multiplies by 100; we keep fractions.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trackbench.errors import TrackbenchError

POINTS = 21
SUCCESS_THRESHOLDS = np.linspace(0, 1, POINTS)
PRECISION_THRESHOLDS = np.linspace(0, 50, POINTS)
NORM_PRECISION_THRESHOLDS = np.linspace(0, 0.5, POINTS)


@dataclass
class TrackingNetScores:
    """Scores (fractions) and the sequence-averaged 21-point curves."""

    success: float
    precision: float
    norm_precision: float
    success_curve: np.ndarray
    precision_curve: np.ndarray
    norm_precision_curve: np.ndarray
    per_sequence: dict[str, np.ndarray]


def _area(curve: np.ndarray) -> float:
    """Trapezoidal area of a 21-point curve over [0, 1] (numpy's ``trapz`` rule)."""
    step = 1.0 / (POINTS - 1)
    return float(step * (curve.sum(axis=-1) - 0.5 * (curve[..., 0] + curve[..., -1])))


def sequence_curves(gt: np.ndarray, result: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three 21-point curves of one sequence (``gt`` and ``result``: ``(N, 4)`` x,y,w,h)."""
    gt = np.round(np.asarray(gt, dtype=np.float64)[:, :4])
    res = np.round(np.asarray(result, dtype=np.float64)[:, :4])
    if gt.shape != res.shape:
        raise TrackbenchError(f"{len(res)} result rows for {len(gt)} ground-truth rows")
    if not len(gt):
        raise TrackbenchError("empty sequence")
    res[0] = gt[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.maximum(gt[:, 0], res[:, 0])
        top = np.maximum(gt[:, 1], res[:, 1])
        right = np.minimum(gt[:, 0] + gt[:, 2] - 1, res[:, 0] + res[:, 2] - 1)
        bottom = np.minimum(gt[:, 1] + gt[:, 3] - 1, res[:, 1] + res[:, 3] - 1)
        inter = np.clip(np.round(right - left + 1), 0, None) * np.clip(np.round(bottom - top + 1), 0, None)
        iou = inter / (gt[:, 2] * gt[:, 3] + res[:, 2] * res[:, 3] - inter)
        offset = (res[:, :2] + (res[:, 2:4] + 1) / 2) - (gt[:, :2] + (gt[:, 2:4] + 1) / 2)
        distance = np.sqrt((offset**2).sum(axis=1))
        norm_distance = np.sqrt(((offset / gt[:, 2:4]) ** 2).sum(axis=1))
    n = len(gt)
    success = (iou[None, :] >= SUCCESS_THRESHOLDS[:, None]).sum(axis=1) / n
    precision = (distance[None, :] <= PRECISION_THRESHOLDS[:, None]).sum(axis=1) / n
    norm_precision = (norm_distance[None, :] <= NORM_PRECISION_THRESHOLDS[:, None]).sum(axis=1) / n
    return success, precision, norm_precision


def evaluate_trackingnet(gt: list[np.ndarray], results: list[np.ndarray], names: list[str]) -> TrackingNetScores:
    """TrackingNet scores of a whole set (equal weight per sequence)."""
    if not gt:
        raise TrackbenchError("no sequences to evaluate")
    curves = [sequence_curves(g, r) for g, r in zip(gt, results)]
    success, precision, norm = (np.mean([c[k] for c in curves], axis=0) for k in range(3))
    per_sequence = {
        "success_auc": np.array([_area(c[0]) for c in curves]),
        "precision": np.array([_area(c[1]) for c in curves]),
        "norm_precision": np.array([_area(c[2]) for c in curves]),
    }
    return TrackingNetScores(_area(success), _area(precision), _area(norm), success, precision, norm, per_sequence)
