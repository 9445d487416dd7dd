"""GOT-10k: average overlap (AO), success rates SR0.5 / SR0.75, success curve, speed.

The rules of the official got10k API (``ExperimentGOT10k.report``, docs/metrics.md §4):

* frame 0 (the initialisation) is excluded;
* both boxes are clipped to the image (``x <- clip(x, 0, W)``, ``w <- clip(w, 0, W - x)``,
  same for y/h) and the IoU is the continuous one with float eps added to the union,
  clipped to [0, 1];
* only frames with ``cover > 0`` (any part of the target visible) count;
* the IoUs of all runs of all sequences are pooled: AO = mean, SR_t = mean(IoU > t)
  (strict), success curve on ``linspace(0, 1, 101)``;
* speed: ``fps`` = timed frames / summed time (:func:`trackbench.metrics.ope.fps`, as for
  every suite); ``fps_got10k`` = mean(1 / t) over all positive frame times, the got10k
  toolkit's and server's speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.metrics.ope import fps

GOT10K_THRESHOLDS = np.linspace(0, 1, 101)


def bounded_iou(boxes: np.ndarray, gt: np.ndarray, resolution: tuple[float, float] | None) -> np.ndarray:
    """got10k ``rect_iou`` with the image bound: ``(N, 4)`` boxes vs ``(N, 4)`` GT."""
    a = np.array(boxes, dtype=np.float64)
    b = np.array(gt, dtype=np.float64)
    if resolution is not None:
        width, height = resolution
        for r in (a, b):
            r[:, 0] = np.clip(r[:, 0], 0, width)
            r[:, 1] = np.clip(r[:, 1], 0, height)
            r[:, 2] = np.clip(r[:, 2], 0, width - r[:, 0])
            r[:, 3] = np.clip(r[:, 3], 0, height - r[:, 1])
    iw = np.maximum(np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0)
    ih = np.maximum(np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0)
    inter = iw * ih
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    return np.clip(inter / (union + np.finfo(float).eps), 0.0, 1.0)


def sequence_ious(gt: np.ndarray, runs: list[np.ndarray], cover: np.ndarray | None,
                  resolution: tuple[float, float] | None, name: str = "") -> np.ndarray:
    """Pooled IoUs of all runs of one sequence over its valid frames (frame 0 excluded)."""
    gt = np.asarray(gt, dtype=np.float64)
    if np.isnan(gt[1:]).any():
        raise TrackbenchError(f"sequence {name!r}: ground truth withheld (NaN rows); GOT-10k test results are "
                              "scored by the evaluation server")
    valid = np.ones(len(gt) - 1, dtype=bool) if cover is None else np.asarray(cover)[1:len(gt)] > 0
    return np.concatenate([bounded_iou(np.asarray(r, dtype=np.float64)[1:len(gt)], gt[1:], resolution)[valid]
                           for r in runs])


def scores_from_ious(ious: np.ndarray) -> dict[str, float]:
    """AO, SR0.5, SR0.75 of pooled IoUs."""
    if len(ious) == 0:
        return {"ao": float("nan"), "sr50": float("nan"), "sr75": float("nan")}
    curve = success_curve(ious)
    return {"ao": float(np.mean(ious)), "sr50": float(np.mean(ious > 0.5)), "sr75": float(curve[75])}


def success_curve(ious: np.ndarray) -> np.ndarray:
    """101-point success curve: fraction of IoUs > t for t in ``linspace(0, 1, 101)``."""
    ious = np.asarray(ious, dtype=np.float64)
    if len(ious) == 0:
        return np.full(len(GOT10K_THRESHOLDS), np.nan)
    above = np.searchsorted(GOT10K_THRESHOLDS, ious, side="left")
    hist = np.bincount(above, minlength=len(GOT10K_THRESHOLDS) + 1)
    return np.cumsum(hist[::-1])[::-1][1:] / len(ious)


def pooled_fps(times: list[np.ndarray | None]) -> float:
    """GOT-10k's speed (``fps_got10k``; the got10k toolkit's ``speed_fps``): mean(1 / t)
    over all positive, non-NaN frame times of all sequences and runs."""
    pooled = [np.asarray(t, dtype=np.float64).ravel() for t in times if t is not None]
    if not pooled:
        return float("nan")
    t = np.concatenate(pooled)
    t = t[~np.isnan(t) & (t > 0)]
    return float(np.mean(1.0 / t)) if len(t) else float("nan")


@dataclass
class Got10kResult:
    """Overall scores, the 101-point curve and per-sequence scores."""

    scores: dict[str, float]
    curve: np.ndarray
    per_sequence: list[dict[str, float]]


def evaluate_got10k(
    gt: list[np.ndarray],
    runs: list[list[np.ndarray]],
    covers: list[np.ndarray | None],
    resolutions: list[tuple[float, float] | None],
    times: list[np.ndarray | None] | None = None,
    names: list[str] | None = None,
) -> Got10kResult:
    """GOT-10k scores of one tracker (sequence ``s``: GT ``gt[s]``, run boxes ``runs[s]``)."""
    names = names or [str(i) for i in range(len(gt))]
    times = times or [None] * len(gt)
    per_seq_ious = [sequence_ious(g, r, c, res, n) for g, r, c, res, n in zip(gt, runs, covers, resolutions, names)]
    pooled = np.concatenate(per_seq_ious) if per_seq_ious else np.zeros(0)
    scores = scores_from_ious(pooled)
    scores["fps"] = fps(times)
    scores["fps_got10k"] = pooled_fps(times)
    per_sequence = []
    for ious, t in zip(per_seq_ious, times):
        row = scores_from_ious(ious)
        row["fps"] = fps([t])
        row["frames"] = float(len(ious))
        per_sequence.append(row)
    return Got10kResult(scores, success_curve(pooled), per_sequence)
