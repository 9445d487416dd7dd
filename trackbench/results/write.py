"""Writing raw results in the layouts the field uses (every file written atomically).

Layouts, inside one tracker directory ``<out>/<suite>/<tracker>/``:

* OPE (OTB, LaSOT, demo; pysot-compatible): ``<seq>.txt`` with one ``x,y,w,h`` line
  per frame (comma separated, ``%.4f``; line 1 = the initialisation box) and
  ``times/<seq>_time.txt`` with one ``%.8f`` number of seconds per line.
* GOT-10k (got10k-toolkit-compatible): ``<seq>/<seq>_001.txt`` ... one file per
  repetition, and ``<seq>/<seq>_time.txt`` with one row per frame and one
  comma-separated column per repetition (``nan`` in a column whose run has not
  finished yet).
* ``run.json``: what produced the results (tracker spec, options, suite, version).

A result is complete iff its box file exists: the times are always written first.
Boxes are never shifted by one (see :mod:`trackbench`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_bbox
from trackbench.protocols.ope import Trajectory
from trackbench.textio import atomic_write_text, format_rows, read_table

BOX_FORMAT = "%.4f"
TIME_FORMAT = "%.8f"


def ope_result_path(tracker_dir: str | Path, sequence: str) -> Path:
    return Path(tracker_dir) / f"{sequence}.txt"


def ope_times_path(tracker_dir: str | Path, sequence: str) -> Path:
    return Path(tracker_dir) / "times" / f"{sequence}_time.txt"


def got10k_result_path(tracker_dir: str | Path, sequence: str, repetition: int) -> Path:
    """``<tracker_dir>/<seq>/<seq>_%03d.txt`` for the 1-based ``repetition``."""
    return Path(tracker_dir) / sequence / f"{sequence}_{repetition:03d}.txt"


def got10k_times_path(tracker_dir: str | Path, sequence: str) -> Path:
    return Path(tracker_dir) / sequence / f"{sequence}_time.txt"


def _boxes_xywh(trajectory: Trajectory) -> np.ndarray:
    boxes = np.asarray(trajectory.boxes, dtype=np.float64)
    return polygon_to_bbox(boxes) if boxes.shape[1] == 8 else boxes


def write_ope_result(tracker_dir: str | Path, sequence: str, trajectory: Trajectory) -> Path:
    """Write one sequence's OPE result (times first, then boxes); returns the box file.

    Polygons reported by a tracker are written as their axis-aligned bounding boxes.
    """
    times_path = ope_times_path(tracker_dir, sequence)
    atomic_write_text(times_path, format_rows(np.asarray(trajectory.times).reshape(-1, 1), TIME_FORMAT))
    result_path = ope_result_path(tracker_dir, sequence)
    atomic_write_text(result_path, format_rows(_boxes_xywh(trajectory), BOX_FORMAT))
    return result_path


def write_got10k_result(
    tracker_dir: str | Path, sequence: str, repetition: int, runs: int, trajectory: Trajectory
) -> Path:
    """Write repetition ``repetition`` (1-based, of ``runs``) of a GOT-10k sequence.

    The times file gets (or replaces) column ``repetition``; the other columns are kept
    from the existing file when it has the same shape, else ``nan``.
    """
    if not 1 <= repetition <= runs:
        raise ValueError(f"repetition {repetition} outside 1..{runs}")
    frames = len(trajectory)
    times_path = got10k_times_path(tracker_dir, sequence)
    table = np.full((frames, runs), np.nan)
    if times_path.is_file():
        try:
            existing = read_table(times_path, allow_nan=True)
        except TrackbenchError:
            existing = None
        if existing is not None and existing.shape == table.shape:
            table = existing
    table[:, repetition - 1] = trajectory.times
    atomic_write_text(times_path, format_rows(table, TIME_FORMAT))
    result_path = got10k_result_path(tracker_dir, sequence, repetition)
    atomic_write_text(result_path, format_rows(_boxes_xywh(trajectory), BOX_FORMAT))
    return result_path


def write_run_info(tracker_dir: str | Path, info: dict[str, Any]) -> Path:
    """Write ``run.json`` (sorted keys, indented) atomically."""
    path = Path(tracker_dir) / "run.json"
    atomic_write_text(path, json.dumps(info, indent=2, sort_keys=True, default=_json_default) + "\n")
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    return repr(value)
