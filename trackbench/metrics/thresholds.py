"""Counting thresholds below values, for the per-sequence curves of :mod:`trackbench.metrics.ope`."""

from __future__ import annotations

import numpy as np


def count_below(thresholds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.searchsorted(thresholds, values, side="left")`` (how many thresholds are below
    each value), exactly, for sorted thresholds. On an evenly spaced grid from 0 (every grid of
    :mod:`trackbench.metrics.ope`) the index is guessed arithmetically, corrected by one step and checked
    against the thresholds themselves (a binary search costs several times more); anything
    the check does not confirm, NaN values, or another grid take ``searchsorted``."""
    n = len(thresholds)
    step = thresholds[-1] / (n - 1) if n > 1 else 0.0
    if n < 2 or thresholds[0] != 0 or not step > 0 or np.isnan(values).any():
        return np.searchsorted(thresholds, values, side="left")
    bounds = np.concatenate(([-np.inf], thresholds, [np.inf]))  # bounds[i] = thresholds[i - 1]
    index = np.clip(np.ceil(values / step), 0, n).astype(np.intp)
    index += (bounds[index + 1] < values).view(np.int8)
    index -= (bounds[index] >= values).view(np.int8)
    if not ((bounds[index] < values) & (bounds[index + 1] >= values)).all():
        return np.searchsorted(thresholds, values, side="left")
    return index
