"""What a protocol returns for one sequence, in the harness's one place for it.

* :class:`Trajectory`: a one-pass run (OTB / LaSOT / GOT-10k): a box per frame, per-frame
  tracker times and scores.
* :class:`SupervisedTrajectory`: one repetition of the VOT supervised (reset-based) run:
  per frame a code (``INIT`` 1, ``FAILURE`` 2, ``SKIPPED`` 0) or a region (``REGION``).

Frames are 0-based; boxes are ``[x, y, w, h]`` in 0-based pixels (docs/conventions.md).
Both are plain data: protocols build them, :mod:`trackbench.results.layout` writes and
reads them, metrics score them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trackbench.errors import TrackbenchError

#: ``codes`` value of a frame that holds a region.
REGION = -1
INIT, FAILURE, SKIPPED = 1, 2, 0


@dataclass
class Trajectory:
    """What a tracker produced over one sequence in one pass (one-pass protocol, the
    OPE and GOT-10k layouts).

    Attributes:
        boxes: ``(N, 4)`` ``[x, y, w, h]`` boxes (row 0 = the initialisation box), or
            ``(N, 8)`` polygons if the tracker reported polygons.
        times: ``(N,)`` seconds spent inside the tracker call of each frame (``init``
            for row 0); image decoding excluded.
        scores: ``(N,)`` confidence per frame, NaN where the tracker gave none (row 0).
    """

    boxes: np.ndarray
    times: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.boxes)


@dataclass
class SupervisedTrajectory:
    """One repetition of the supervised protocol on one sequence (0-based frames).

    Attributes:
        codes: ``(N,)`` int: 1 initialisation, 2 failure, 0 skipped, -1 (``REGION``) where
            the tracker's region was kept.
        regions: ``(N, 8)`` float: the region at ``REGION`` frames - a polygon, or a
            rectangle ``[x, y, w, h]`` in columns 0..3 (columns 4..7 NaN) where
            ``is_rect``; NaN rows at special frames.
        is_rect: ``(N,)`` bool, True where the region is a 4-number rectangle.
        times: ``(N,)`` seconds spent in the tracker call of each frame (``init`` on code-1
            frames, ``update`` on the others, the failure frame included); NaN on skipped
            frames (and everywhere when read from a file without times; the default).

    The same record is what the protocol returns, what the VOT layout writes and reads
    back, and what :mod:`trackbench.metrics.vot` scores.
    """

    codes: np.ndarray
    regions: np.ndarray
    is_rect: np.ndarray
    times: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.codes = np.asarray(self.codes, dtype=np.int64)
        self.regions = np.asarray(self.regions, dtype=np.float64)
        self.is_rect = np.asarray(self.is_rect, dtype=bool)
        self.times = np.full(len(self.codes), np.nan) if self.times is None else np.asarray(self.times, dtype=np.float64)
        n = len(self.codes)
        if self.regions.shape != (n, 8) or self.is_rect.shape != (n,) or self.times.shape != (n,):
            raise TrackbenchError(
                f"supervised trajectory: inconsistent shapes codes {self.codes.shape}, regions "
                f"{self.regions.shape}, is_rect {self.is_rect.shape}, times {self.times.shape}"
            )

    def __len__(self) -> int:
        return len(self.codes)

    def with_times(self, times: np.ndarray | None) -> "SupervisedTrajectory":
        """A copy with ``times`` (None: NaN)."""
        return SupervisedTrajectory(self.codes.copy(), self.regions.copy(), self.is_rect.copy(), times)

    def truncated(self, length: int) -> "SupervisedTrajectory":
        """The first ``length`` frames."""
        return SupervisedTrajectory(self.codes[:length], self.regions[:length], self.is_rect[:length],
                                    self.times[:length])

    def region(self, frame: int) -> np.ndarray | None:
        """The 4- or 8-number region of ``frame``, or ``None`` at a special frame."""
        if self.codes[frame] != REGION:
            return None
        return self.regions[frame, :4].copy() if self.is_rect[frame] else self.regions[frame].copy()

    @property
    def failures(self) -> np.ndarray:
        """0-based frames with a failure (code 2)."""
        return np.flatnonzero(self.codes == FAILURE)

    @property
    def initializations(self) -> np.ndarray:
        """0-based frames where the tracker was (re-)initialised (code 1)."""
        return np.flatnonzero(self.codes == INIT)

    @property
    def skipped(self) -> np.ndarray:
        """0-based frames the tracker did not see (code 0)."""
        return np.flatnonzero(self.codes == SKIPPED)

    def same_frames(self, other: "SupervisedTrajectory") -> bool:
        """Exactly the same codes and the same regions as written with ``%.4f``."""
        return (
            np.array_equal(self.codes, other.codes)
            and np.array_equal(self.is_rect, other.is_rect)
            and np.array_equal(np.round(self.regions, 4), np.round(other.regions, 4), equal_nan=True)
        )
