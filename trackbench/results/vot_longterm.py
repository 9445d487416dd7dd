"""Files of the VOT long-term experiment (the VOT toolkit's layout, read by pysot too)::

    <tracker_dir>/longterm/<seq>/<seq>_001.txt
        line 1: ``1`` (initialisation); then one line per frame: the box ``x,y,w,h``
        (``%.4f``), or ``0`` when the tracker reported no target (an empty region)
    <tracker_dir>/longterm/<seq>/<seq>_001_confidence.value
        one line per frame: the confidence, an empty line where none was given (frame 1)
    <tracker_dir>/longterm/<seq>/<seq>_001_time.value
        one line per frame: seconds in the tracker call (``init`` on line 1)

This is what the VOT toolkit's ``Trajectory.write`` produces (``vot/tracker/results.py``:
regions as text, one ``<name>_<property>.value`` file per frame property) and what
pysot's ``VOTLTVideo.load_tracker`` reads (``toolkit/datasets/vot.py``). Every file is
written atomically; the ``.txt`` last, so its existence marks the run complete. Reading
accepts ``0``, ``nan,nan,nan,nan`` or any special code as an empty prediction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_bbox
from trackbench.trajectory import Trajectory
from trackbench.textio import atomic_write_text, split_numbers

EXPERIMENT = "longterm"


def from_one_pass(boxes: np.ndarray, scores: np.ndarray, times: np.ndarray) -> Trajectory:
    """A one-pass run as a long-term run (the one trajectory type, with these conventions:
    ``boxes`` ``(N, 4)`` with NaN rows on frame 0 - the initialisation - and where the
    prediction is empty; ``scores`` NaN where no confidence was given). A box with a NaN or a
    non-positive size is an empty prediction; polygons are reduced to their bounding boxes."""
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.shape[1] == 8:
        boxes = polygon_to_bbox(boxes)
    boxes = boxes.copy()
    empty = np.isnan(boxes).any(axis=1) | (boxes[:, 2] <= 0) | (boxes[:, 3] <= 0)
    boxes[empty] = np.nan
    boxes[0] = np.nan
    return Trajectory(boxes, np.asarray(times, dtype=np.float64), np.asarray(scores, dtype=np.float64).copy())


def run_folder(tracker_dir: str | Path, sequence: str) -> Path:
    return Path(tracker_dir) / EXPERIMENT / sequence


def trajectory_path(tracker_dir: str | Path, sequence: str, repetition: int = 1) -> Path:
    """``<tracker_dir>/longterm/<seq>/<seq>_NNN.txt``."""
    return run_folder(tracker_dir, sequence) / f"{sequence}_{repetition:03d}.txt"


def property_path(tracker_dir: str | Path, sequence: str, name: str, repetition: int = 1) -> Path:
    """``<tracker_dir>/longterm/<seq>/<seq>_NNN_<name>.value``."""
    return run_folder(tracker_dir, sequence) / f"{sequence}_{repetition:03d}_{name}.value"


def _value_lines(values: np.ndarray, fmt: str) -> str:
    return "".join(("" if v != v else fmt % v) + "\n" for v in np.asarray(values, dtype=np.float64))


def write_longterm(tracker_dir: str | Path, sequence: str, trajectory: Trajectory, repetition: int = 1) -> Path:
    """Write times, confidences, then the trajectory file (returned)."""
    atomic_write_text(property_path(tracker_dir, sequence, "time", repetition), _value_lines(trajectory.times, "%.8f"))
    atomic_write_text(property_path(tracker_dir, sequence, "confidence", repetition), _value_lines(trajectory.scores, "%.6f"))
    lines = ["1"]
    for box in trajectory.boxes[1:]:
        lines.append("0" if np.isnan(box).any() else ",".join("%.4f" % v for v in box))
    path = trajectory_path(tracker_dir, sequence, repetition)
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise TrackbenchError("file not found (VOT long-term result expected here)", path) from None
    except UnicodeDecodeError:
        raise TrackbenchError("not a text file", path) from None


def _parse_values(path: Path, lines: list[str]) -> np.ndarray:
    values = np.full(len(lines), np.nan)
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text:
            continue
        try:
            values[number - 1] = float(text)
        except ValueError:
            raise TrackbenchError(f"not a number: {text!r}", path, number) from None
    return values


def read_longterm(tracker_dir: str | Path, sequence: str, repetition: int = 1) -> Trajectory:
    """Read one run; a missing confidence file is an error, a missing time file gives NaN."""
    path = trajectory_path(tracker_dir, sequence, repetition)
    lines = _read_lines(path)
    boxes = np.full((len(lines), 4), np.nan)
    for number, line in enumerate(lines, 1):
        tokens = split_numbers(line.strip())
        try:
            values = [float(t) for t in tokens]
        except ValueError:
            raise TrackbenchError(f"not a region: {line.strip()!r}", path, number) from None
        if len(values) == 4:
            boxes[number - 1] = values
        elif len(values) == 8:
            boxes[number - 1] = polygon_to_bbox(np.asarray(values)[None])[0]
        elif len(values) != 1:
            raise TrackbenchError(f"expected a special code or 4 numbers, got {len(values)}", path, number)
    scores_path = property_path(tracker_dir, sequence, "confidence", repetition)
    scores = _parse_values(scores_path, _read_lines(scores_path))
    if len(scores) < len(boxes):
        scores = np.concatenate([scores, np.full(len(boxes) - len(scores), np.nan)])
    times_file = property_path(tracker_dir, sequence, "time", repetition)
    times = _parse_values(times_file, _read_lines(times_file)) if times_file.is_file() else np.full(len(boxes), np.nan)
    if len(times) != len(boxes):
        times = np.full(len(boxes), np.nan)
    return Trajectory(boxes, times, scores[: len(boxes)])
