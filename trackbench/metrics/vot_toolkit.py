"""VOT supervised (baseline) analysis as the Python VOT toolkit computes it (rule profile ``vot-toolkit``).

Follows PyPI ``vot-toolkit`` 0.9.0, written from its rules (no code copied):

* overlap (``vot/region/raster.py``: ``calculate_overlap``): regions are rounded to
  integers first (numpy/Python rounding, half to even); a rectangle ``[x, y, w, h]``
  covers the pixels ``x .. x+w-1`` and ``y .. y+h-1``; a polygon is scan-line filled
  (every integer row ``p`` with ``min(yi, yj) <= p <= max(yi, yj)`` crosses edge ``i-j``,
  horizontal edges included, at ``trunc(xi + (p - yi) / (yj - yi) * (xj - xi))``; sorted
  crossings fill inclusive spans, a repeated crossing is skipped unless it is the
  last pair). The raster covers the union of the two regions' integer boxes, clipped to
  the image ``0 .. W-1``, ``0 .. H-1`` (``bounded``); a degenerate union gives 1, a
  degenerate clipped raster 0. Special frames (codes 0/1/2) are empty regions;
* accuracy (``vot/analysis/supervised.py``: ``compute_accuracy``,
  ``AccuracyRobustness``, ``AverageAccuracyRobustness``): per run the mean overlap of the
  frames that are not unknown (code 0), failures (2) or within ``burnin`` frames from an
  initialisation (1, the init frame included; 0 when no frame is left); per sequence the
  mean over runs; the dataset accuracy is the length-weighted mean of the sequences';
* robustness: per sequence the mean number of failures over runs, the dataset value its
  length-weighted mean (a number of failures, not a rate); the AR point is
  ``exp(-30 x R / mean length)``;
* EAO (``EAOCurve``, ``compute_eao_curve``, ``EAOScore``): fragments pair the k-th
  initialisation with the k-th failure (``overlaps[init_k : fail_k]``, failure frame
  excluded) and are *failed*: zero-padded to the longest fragment, even after a final
  failure with no re-initialisation; the part after the last initialisation (or the
  whole run without failures) is a successful fragment, counted only over its length.
  All fragments weigh 1. ``Phi[j]`` = weighted mean over usable fragments of the mean of
  columns ``1 .. j`` (column 0, the init frame, is left as it is); single-precision
  arrays as the toolkit's. EAO = mean of ``Phi[low : high + 1]`` on the 0-based curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from trackbench.trajectory import FAILURE, INIT, REGION, SKIPPED, SupervisedTrajectory

AR_SENSITIVITY = 30.0
_EMPTY = None  # a special frame's region


def _round(values: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(values, dtype=np.float64))  # half to even, as numpy/Python round


def _box(region: np.ndarray | None, is_rect: bool) -> tuple[int, int, int, int]:
    """Integer ``(left, top, right, bottom)`` of a rounded region (empty: zeros)."""
    if region is None:
        return (0, 0, 0, 0)
    if is_rect:
        x, y, w, h = region
        return (int(round(x)), int(round(y)), int(round(x + w - 1)), int(round(y + h - 1)))
    xs, ys = region[0::2], region[1::2]
    return (int(round(xs.min())), int(round(ys.min())), int(round(xs.max())), int(round(ys.max())))


def _rect_mask(region: np.ndarray, raster: tuple[int, int, int, int]) -> np.ndarray:
    left_b, top_b, right_b, bottom_b = raster
    mask = np.zeros((bottom_b - top_b + 1, right_b - left_b + 1), dtype=bool)
    x, y, w, h = (int(v) for v in region)
    if x > right_b or x + w - 1 < left_b or y > bottom_b or y + h - 1 < top_b:
        return mask
    # the toolkit clips right/bottom against the absolute bounds (a quirk kept as is)
    left, top = max(0, x - left_b), max(0, y - top_b)
    right, bottom = min(right_b, x + w - 1 - left_b), min(bottom_b, y + h - 1 - top_b)
    mask[top:bottom + 1, left:right + 1] = True
    return mask


def _polygon_mask(region: np.ndarray, raster: tuple[int, int, int, int]) -> np.ndarray:
    left_b, top_b, right_b, bottom_b = raster
    width, height = right_b - left_b + 1, bottom_b - top_b + 1
    xs, ys = region[0::2] - left_b, region[1::2] - top_b
    xj, yj = np.roll(xs, 1), np.roll(ys, 1)  # edge from vertex i to vertex j = i - 1
    rows = np.arange(height, dtype=np.float64)[:, None]
    crosses = (np.minimum(ys, yj) <= rows) & (rows <= np.maximum(ys, yj))
    dy, dx = yj - ys, xj - xs
    with np.errstate(divide="ignore", invalid="ignore"):
        nodes = np.where(dy != 0, xs + (rows - ys) / dy * dx, xs)
    nodes = np.trunc(np.where(crosses, nodes, np.inf))
    nodes.sort(axis=1)
    counts = crosses.sum(axis=1)
    mask = np.zeros((height, width), dtype=bool)
    columns = np.arange(width)
    two = np.flatnonzero(counts == 2)
    if len(two):
        a, b = nodes[two, 0], nodes[two, 1]
        ok = (a < width) & (b >= 0)
        lo, hi = np.maximum(a, 0)[:, None], np.minimum(b, width - 1)[:, None]
        mask[two] = ok[:, None] & (columns >= lo) & (columns <= hi)
    for row in np.flatnonzero(counts > 2):
        row_nodes, count, i = nodes[row, : counts[row]].astype(np.int64), counts[row], 0
        while i < count - 1:
            if row_nodes[i] >= width:
                break
            if row_nodes[i] == row_nodes[i + 1] and i < count - 2:
                i += 1
                continue
            if row_nodes[i + 1] >= 0:
                mask[row, max(row_nodes[i], 0): min(row_nodes[i + 1], width - 1) + 1] = True
            i += 2
    return mask


def toolkit_overlap(a: np.ndarray | None, a_rect: bool, b: np.ndarray | None, b_rect: bool,
                    bounds: tuple[int, int] | None) -> float:
    """Overlap of two regions (``None`` = a special frame's empty region) under ``bounds = (W, H)``."""
    a = None if a is None else _round(a)
    b = None if b is None else _round(b)
    box_a, box_b = _box(a, a_rect), _box(b, b_rect)
    union = (min(box_a[0], box_b[0]), min(box_a[1], box_b[1]), max(box_a[2], box_b[2]), max(box_a[3], box_b[3]))
    if union[0] >= union[2] or union[1] >= union[3]:
        return 1.0
    raster = union
    if bounds is not None:
        raster = (max(0, union[0]), max(0, union[1]), min(bounds[0] - 1, union[2]), min(bounds[1] - 1, union[3]))
    if raster[0] >= raster[2] or raster[1] >= raster[3]:
        return 0.0
    masks = []
    for region, is_rect in ((a, a_rect), (b, b_rect)):
        if region is None:
            masks.append(np.zeros((raster[3] - raster[1] + 1, raster[2] - raster[0] + 1), dtype=bool))
        else:
            masks.append(_rect_mask(region, raster) if is_rect else _polygon_mask(region, raster))
    union_px = int(np.count_nonzero(masks[0] | masks[1]))
    return float(np.count_nonzero(masks[0] & masks[1])) / float(union_px) if union_px > 0 else 0.0


def run_overlaps(trajectory: SupervisedTrajectory, gt: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """Per-frame overlaps of one run with the ground truth (``gt`` rows: 4 = rectangle, 8 = polygon)."""
    gt_rect = gt.shape[1] == 4
    out = np.empty(len(trajectory))
    for f in range(len(trajectory)):
        special = trajectory.codes[f] != REGION
        region = None if special else trajectory.regions[f, :4] if trajectory.is_rect[f] else trajectory.regions[f]
        out[f] = toolkit_overlap(region, bool(trajectory.is_rect[f]), gt[f], gt_rect, size)
    return out


def run_accuracy(codes: np.ndarray, overlaps: np.ndarray, burnin: int) -> float:
    """Mean overlap outside unknown and failure frames and the ``burnin`` frames from each init."""
    keep = (codes != SKIPPED) & (codes != FAILURE)
    for start in np.flatnonzero(codes == INIT):
        keep[start: start + burnin] = False
    return float(np.mean(overlaps[keep])) if keep.any() else 0.0


def run_fragments(codes: np.ndarray, overlaps: np.ndarray) -> list[tuple[np.ndarray, bool]]:
    """EAO fragments ``(overlaps, succeeded)`` of one run (see the module docstring)."""
    failures, inits = np.flatnonzero(codes == FAILURE), np.flatnonzero(codes == INIT)
    if not len(failures):
        return [(overlaps, True)]
    fragments = [(overlaps[inits[k]: failures[k]], False) for k in range(len(failures))]
    if len(inits) > len(failures):
        fragments.append((overlaps[inits[-1]:], True))
    return fragments


def expected_overlap_curve(fragments: list[tuple[np.ndarray, bool]]) -> np.ndarray:
    """Phi over 0-based lengths, in the toolkit's single precision (NaN where nothing is usable)."""
    width = max(len(o) for o, _ in fragments)
    values = np.zeros((len(fragments), width), dtype=np.float32)
    usable = np.zeros((len(fragments), width), dtype=np.float32)
    for k, (overlaps, succeeded) in enumerate(fragments):
        values[k, : len(overlaps)] = overlaps
        usable[k, : len(overlaps) if succeeded else width] = 1
    running = values.copy()
    for j in range(1, width):
        running[:, j] = np.mean(values[:, 1: j + 1], axis=1)
    weights = np.ones((len(fragments), 1), dtype=np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(weights * running * usable, axis=0) / np.sum(usable * weights, axis=0).astype(np.float64)


@dataclass
class VotToolkitResult:
    """``accuracy``, ``robustness`` (length-weighted mean failures), ``eao``; ``failures``:
    the sum over sequences of the mean failures per run; ``ar``: the AR point
    ``(accuracy, exp(-30 R / mean length))``; ``per_sequence``: accuracy, failures, frames."""

    accuracy: float
    robustness: float
    eao: float
    failures: float
    frames: int
    ar: tuple[float, float]
    expected_overlap: np.ndarray
    per_sequence: dict[str, np.ndarray]


def evaluate_vot_toolkit(gt: list[np.ndarray], trajectories: list[list[SupervisedTrajectory]],
                         sizes: list[tuple[int, int] | None], eao_interval: tuple[int, int], *,
                         burnin: int = 10) -> VotToolkitResult:
    """The vot-toolkit supervised analysis of one tracker (see the module docstring)."""
    accuracy, failures, lengths, fragments = [], [], [], []
    for g, runs, size in zip(gt, trajectories, sizes):
        g = np.asarray(g, dtype=np.float64)
        per_run_acc, per_run_fail = [], []
        for run in runs:
            overlaps = run_overlaps(run, g, size)
            per_run_acc.append(run_accuracy(run.codes, overlaps, burnin))
            per_run_fail.append(int(np.count_nonzero(run.codes == FAILURE)))
            fragments.extend(run_fragments(run.codes, overlaps))
        accuracy.append(sum(per_run_acc) / len(runs))
        failures.append(sum(per_run_fail) / len(runs))
        lengths.append(len(g))
    weights = np.asarray(lengths, dtype=np.float64)
    total = float(weights.sum())
    mean_accuracy = float(sum(a * w for a, w in zip(accuracy, lengths)) / total)
    robustness = float(sum(f * w for f, w in zip(failures, lengths)) / total)
    curve = expected_overlap_curve(fragments)
    low, high = eao_interval
    eao = float(np.mean(curve[low: high + 1]))
    point = (mean_accuracy, math.exp(-robustness / (total / len(lengths)) * AR_SENSITIVITY))
    return VotToolkitResult(
        accuracy=mean_accuracy, robustness=robustness, eao=eao, failures=float(sum(failures)),
        frames=int(total), ar=point, expected_overlap=curve,
        per_sequence={"accuracy": np.asarray(accuracy), "failures": np.asarray(failures), "frames": weights},
    )
