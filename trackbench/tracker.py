"""The tracker contract: two methods, as in the got10k toolkit.

A tracker is any object with

* ``name: str`` and ``is_deterministic: bool | None`` (see "Repetitions" below);
* ``init(image, box) -> None``: ``image`` is RGB uint8 ``(H, W, 3)``; ``box`` is the
  initial ``[x, y, w, h]`` float array (see :mod:`trackbench` for conventions);
* ``update(image) -> box`` or ``(box, score)``: the box for the new frame, ``[x, y, w, h]``
  (or an 8-number polygon), and optionally a confidence score. On the long-term suites
  (``vot2018-lt`` ...) the score is the confidence the measures threshold, and a box of NaN
  (or with a non-positive size) reports the target as gone (an empty prediction).

Optionally, ``init_batch(images, boxes)`` / ``update_batch(images) -> list`` let the
harness step several sequences in lockstep (a batch-aware tracker, e.g. for a GPU).
In ``update_batch`` a slot whose sequence has ended gets ``None`` instead of an image
(full contract in :mod:`trackbench.execution.batched`).

Optionally, ``accepts_image_paths = True`` makes the protocols call
``init(image, box, path=...)`` and ``update(image, path=...)`` with the frame's image file
(a ``pathlib.Path``, when the file exists), e.g. for a TraX tracker that hands files to an
external process; the decoded ``image`` is passed as well.

Optionally, ``init_box_convention`` names the init-box convention of the tracker's code base
(``"exact"``, the default; ``"pysot"``; ``"pyvis"``): the box ``init`` receives is computed
from the first ground-truth region by that rule (:mod:`trackbench.initbox`, formulas there).

Repetitions. Protocols that repeat runs (GOT-10k: 3, VOT: 15) read ``is_deterministic``:

* ``True`` (declared deterministic; the default of :class:`Tracker`): one run;
* ``False`` (declared stochastic; the default of got10k's ``Tracker`` base) or ``None``
  (undeclared: an object without the attribute, wrapped by
  :func:`trackbench.adapters.as_tracker`): treated as the VOT toolkit treats any tracker
  not declared deterministic. On VOT, runs 1..3, then stops if the three are identical
  (``vot_runs_identical`` in :mod:`trackbench.protocols.supervised`), otherwise runs all
  15 (so a stochastic tracker, whose runs differ, runs all 15); on GOT-10k all 3 runs.
  One-pass suites (OTB, LaSOT) always run once.

Subclassing :class:`Tracker` is not required; adapters in :mod:`trackbench.adapters`
wrap trackers written for pysot, pytracking or the got10k toolkit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from trackbench.errors import TrackbenchError


class Tracker:
    """Base class for trackers (subclassing is optional; the protocol is duck-typed)."""

    name: str = "tracker"
    is_deterministic: bool = True

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        raise NotImplementedError

    def update(self, image: np.ndarray) -> np.ndarray | tuple[np.ndarray, float]:
        raise NotImplementedError


def split_output(output: Any) -> tuple[np.ndarray, float | None]:
    """Normalise what ``update`` returned into ``(region, score)``.

    Accepts a 4-number box or 8-number polygon (list, tuple or array; see
    :func:`check_region`), a pair ``(region, score)``, or a dict with
    ``"target_bbox"``/``"bbox"``/``"box"`` and an optional ``"score"``/``"best_score"``.
    Raises :class:`TrackbenchError` otherwise.
    """
    score: float | None = None
    if isinstance(output, dict):
        region = None
        for key in ("target_bbox", "bbox", "box", "polygon"):
            if key in output:
                region = output[key]
                break
        if region is None:
            raise TrackbenchError(f"tracker returned a dict without a box: keys {sorted(output)}")
        for key in ("score", "best_score", "confidence"):
            if key in output and output[key] is not None:
                score = float(np.asarray(output[key]).max())
                break
    elif isinstance(output, tuple) and len(output) == 2 and np.ndim(output[1]) == 0:
        region, score = output[0], (None if output[1] is None else float(output[1]))
    else:
        region = output
    return check_region(region), score


def check_region(region: Any) -> np.ndarray:
    """``region`` as a float64 ``(4,)`` box or ``(8,)`` polygon, if it is exactly 4 or 8
    numbers, each finite or NaN (NaN: no prediction). Shapes ``(4,)``, ``(8,)``, ``(1, 4)``
    and ``(1, 8)`` are accepted (the got10k toolkit assigns a ``(1, 4)`` output to its box
    row, and refuses anything else); strings, booleans, other shapes and infinities raise
    :class:`TrackbenchError`."""
    if type(region) is np.ndarray and region.dtype == np.float64 and region.shape == (4,):
        x, y, w, h = values = region.tolist()  # the common case, checked without temporary arrays
        if not (math.isinf(x) or math.isinf(y) or math.isinf(w) or math.isinf(h)):
            return np.array(values)
    array = np.asarray(region)
    if array.dtype.kind not in "iuf":
        kind = "text" if array.dtype.kind in "US" else ("booleans" if array.dtype.kind == "b" else f"{array.dtype} values")
        raise TrackbenchError(f"expected 4 numbers [x, y, w, h] or an 8-number polygon, got {kind}: {_short(region)}")
    if array.shape not in ((4,), (8,), (1, 4), (1, 8)):
        raise TrackbenchError(
            f"expected 4 numbers [x, y, w, h] or an 8-number polygon, got an array of shape {array.shape}: {_short(region)}"
        )
    array = array.astype(np.float64).reshape(-1)
    if np.isinf(array).any():
        raise TrackbenchError(f"infinite coordinate in {_short(region)} (NaN means no prediction; inf is not allowed)")
    return array


def _short(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 80 else text[:77] + "..."

