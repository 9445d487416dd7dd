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

    Accepts a 4-number box or 8-number polygon (list, tuple or array), a pair
    ``(region, score)``, or a dict with ``"target_bbox"``/``"bbox"``/``"box"`` and an
    optional ``"score"``/``"best_score"``. Raises :class:`TrackbenchError` otherwise.
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
    region = np.asarray(region, dtype=np.float64).reshape(-1)
    if region.shape[0] not in (4, 8):
        raise TrackbenchError(f"tracker returned {region.shape[0]} numbers; expected a 4-number box or 8-number polygon")
    return region, score
