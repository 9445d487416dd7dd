"""Files of the VOT baseline (supervised) experiment: one repetition and its times.

Layout (the VOT toolkit's, pysot's and got10k's; interface 4)::

    <tracker_dir>/baseline/<seq>/<seq>_001.txt ... _015.txt
        one line per frame: ``1`` (initialisation), ``2`` (failure), ``0`` (skipped),
        or the region as comma-separated ``%.4f`` numbers (``x,y,w,h`` or ``x1,y1,...,y4``;
        imported results keep their exact values, see :func:`format_repetition`)
    <tracker_dir>/baseline/<seq>/<seq>_time.txt
        one row per frame, one comma-separated column per repetition (column ``r - 1`` is
        repetition ``r``), seconds ``%.8f``, ``NaN`` for frames the tracker did not process

Both files are written atomically; the times column is written *before* the repetition
file, so an existing ``<seq>_NNN.txt`` means the repetition is complete (with times).
Several processes may write repetitions of the same sequence at once: the read-modify-
write of the times file holds an exclusive ``flock`` on the sequence's folder (no lock
file is left behind).

Frames are 0-based in the API, lines are 1-based in error messages.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.results.vot_trajectory import FAILURE, INIT, REGION, SKIPPED, VotTrajectory, parse_vot_trajectory
from trackbench.textio import atomic_write_text, format_exact, read_table

__all__ = [
    "SupervisedTrajectory",
    "INIT",
    "FAILURE",
    "SKIPPED",
    "REGION",
    "repetition_path",
    "times_path",
    "format_repetition",
    "write_repetition",
    "read_repetition",
    "read_repetition_file",
    "read_times",
    "write_times_column",
    "list_repetitions",
]


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
            frames (and everywhere when read from a file without times).
    """

    codes: np.ndarray
    regions: np.ndarray
    is_rect: np.ndarray
    times: np.ndarray

    def __post_init__(self) -> None:
        self.codes = np.asarray(self.codes, dtype=np.int64)
        self.regions = np.asarray(self.regions, dtype=np.float64)
        self.is_rect = np.asarray(self.is_rect, dtype=bool)
        self.times = np.asarray(self.times, dtype=np.float64)
        n = len(self.codes)
        if self.regions.shape != (n, 8) or self.is_rect.shape != (n,) or self.times.shape != (n,):
            raise TrackbenchError(
                f"supervised trajectory: inconsistent shapes codes {self.codes.shape}, regions "
                f"{self.regions.shape}, is_rect {self.is_rect.shape}, times {self.times.shape}"
            )

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_vot_trajectory(cls, trajectory: VotTrajectory, times: np.ndarray | None = None) -> "SupervisedTrajectory":
        n = len(trajectory.codes)
        times = np.full(n, np.nan) if times is None else np.asarray(times, dtype=np.float64)
        return cls(trajectory.codes.copy(), trajectory.regions.copy(), trajectory.is_rect.copy(), times)

    def to_vot_trajectory(self) -> VotTrajectory:
        """The same frames as the metrics' :class:`VotTrajectory` (times dropped)."""
        return VotTrajectory(self.codes.copy(), self.regions.copy(), self.is_rect.copy())

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


def repetition_path(tracker_dir: str | Path, sequence_name: str, repetition: int) -> Path:
    """``<tracker_dir>/baseline/<seq>/<seq>_NNN.txt`` for the 1-based ``repetition``."""
    if repetition < 1:
        raise TrackbenchError(f"repetition numbers start at 1, got {repetition}")
    return Path(tracker_dir) / "baseline" / sequence_name / f"{sequence_name}_{repetition:03d}.txt"


def times_path(tracker_dir: str | Path, sequence_name: str) -> Path:
    """``<tracker_dir>/baseline/<seq>/<seq>_time.txt``."""
    return Path(tracker_dir) / "baseline" / sequence_name / f"{sequence_name}_time.txt"


def format_repetition(trajectory: SupervisedTrajectory, *, exact: bool = False) -> str:
    """The text of a ``<seq>_NNN.txt`` file: codes as integers, regions ``%.4f`` (or, with
    ``exact``, the shortest text that reads back to the same floats: imported results)."""
    lines = []
    for code, region, is_rect in zip(trajectory.codes, trajectory.regions, trajectory.is_rect):
        if code == REGION:
            values = region[:4] if is_rect else region
            lines.append(",".join(format_exact(v) if exact else "%.4f" % v for v in values))
        else:
            lines.append("%d" % code)
    return "\n".join(lines) + "\n"


def write_repetition(
    tracker_dir: str | Path,
    sequence_name: str,
    repetition: int,
    trajectory: SupervisedTrajectory,
    *,
    exact: bool = False,
) -> Path:
    """Write one repetition: its times column, then (atomically) ``<seq>_NNN.txt``
    (see :func:`format_repetition` for ``exact``). Returns the repetition file."""
    write_times_column(tracker_dir, sequence_name, repetition, trajectory.times)
    path = repetition_path(tracker_dir, sequence_name, repetition)
    atomic_write_text(path, format_repetition(trajectory, exact=exact))
    return path


def read_repetition_file(path: str | Path) -> SupervisedTrajectory:
    """Parse any ``<seq>_NNN.txt`` (ours or published ones; any delimiter); times NaN."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TrackbenchError("file not found (VOT baseline result expected here)", path) from None
    except UnicodeDecodeError:
        raise TrackbenchError("not a text file", path) from None
    return SupervisedTrajectory.from_vot_trajectory(parse_vot_trajectory(text, str(path)))


def read_repetition(tracker_dir: str | Path, sequence_name: str, repetition: int) -> SupervisedTrajectory:
    """Read repetition ``repetition`` of a sequence with its times column (NaN if the
    times file or the column is missing)."""
    trajectory = read_repetition_file(repetition_path(tracker_dir, sequence_name, repetition))
    times = read_times(tracker_dir, sequence_name)
    if times is not None and times.shape[1] >= repetition:
        column = times[:, repetition - 1]
        if len(column) != len(trajectory):
            raise TrackbenchError(
                f"{len(column)} rows but the repetition file has {len(trajectory)} lines",
                times_path(tracker_dir, sequence_name),
            )
        trajectory.times = column.copy()
    return trajectory


def read_times(tracker_dir: str | Path, sequence_name: str) -> np.ndarray | None:
    """The ``(N, repetitions)`` times matrix (NaN allowed), or ``None`` if there is no file."""
    path = times_path(tracker_dir, sequence_name)
    if not path.is_file():
        return None
    return read_table(path, allow_nan=True, what="per-frame times")


def write_times_column(tracker_dir: str | Path, sequence_name: str, repetition: int, times: np.ndarray) -> Path:
    """Set column ``repetition - 1`` of ``<seq>_time.txt`` (adding NaN columns as needed),
    under a lock so concurrent writers of other repetitions are not lost."""
    path = times_path(tracker_dir, sequence_name)
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.parent):
        matrix = read_times(tracker_dir, sequence_name) if path.is_file() else None
        if matrix is None or matrix.shape[0] != len(times):
            matrix = np.full((len(times), 0), np.nan)  # a stale file of another length is replaced
        if matrix.shape[1] < repetition:
            matrix = np.hstack([matrix, np.full((len(times), repetition - matrix.shape[1]), np.nan)])
        matrix[:, repetition - 1] = times
        atomic_write_text(path, "".join(",".join(_format_time(v) for v in row) + "\n" for row in matrix))
    return path


def _format_time(value: float) -> str:
    return "NaN" if value != value else "%.8f" % value


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def list_repetitions(tracker_dir: str | Path, sequence_name: str) -> list[int]:
    """The 1-based repetition numbers whose files exist, sorted."""
    folder = Path(tracker_dir) / "baseline" / sequence_name
    prefix = f"{sequence_name}_"
    found = []
    if folder.is_dir():
        for path in folder.glob(f"{sequence_name}_*.txt"):
            suffix = path.stem[len(prefix) :]
            if suffix.isdigit():
                found.append(int(suffix))
    return sorted(found)
