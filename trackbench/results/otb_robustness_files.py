"""TRE / SRE result files in the OTB MATLAB toolkit's layout::

    <tracker_dir>/results_TRE/<seq>_<tracker>.mat     results{1..20}
    <tracker_dir>/results_SRE/<seq>_<tracker>.mat     results{1..12}

Each ``results{k}`` is the struct ``main_running.m`` saves: ``res`` (frames x 4
``[x y w h]``, row 1 = the initial box), ``type`` ``'rect'``, ``fps``, ``len``,
``annoBegin`` (image number of the sequence's row 0), ``startFrame`` (image number of the
run's first frame) and, for SRE, ``shiftType``. ``results{1}`` of a TRE file is the
one-pass run, so :func:`trackbench.results.otb_mat.read_mat_result` (the OPE importer)
reads these files as they are. Written atomically with :mod:`scipy.io`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.textio import atomic_write_bytes

FOLDERS = {"tre": "results_TRE", "sre": "results_SRE"}


@dataclass
class RobustnessRun:
    """One TRE segment or SRE perturbation.

    ``label``: ``"segment_K"`` (1-based) or the shift name; ``start``: 0-based row of the
    sequence where it starts; ``boxes`` ``(len - start, 4)`` with row 0 the initial box;
    ``times`` seconds per frame inside the tracker calls.
    """

    label: str
    start: int
    boxes: np.ndarray
    times: np.ndarray


@dataclass
class RobustnessResult:
    """All runs of one sequence for one protocol (``"tre"`` or ``"sre"``); ``start_frame``:
    image number of the sequence's row 0 (run starts are rows)."""

    protocol: str
    runs: list[RobustnessRun]
    start_frame: int = 1

    @property
    def times(self) -> np.ndarray:
        return np.concatenate([r.times for r in self.runs]) if self.runs else np.zeros(0)


def robustness_path(tracker_dir: str | Path, protocol: str, sequence: str, tracker: str | None = None) -> Path:
    """``<tracker_dir>/results_TRE|SRE/<seq>_<tracker>.mat`` (tracker: the folder's name)."""
    tracker_dir = Path(tracker_dir)
    if protocol not in FOLDERS:
        raise TrackbenchError(f"unknown robustness protocol {protocol!r} (expected tre or sre)")
    return tracker_dir / FOLDERS[protocol] / f"{sequence}_{tracker or tracker_dir.name}.mat"


def write_robustness(path: str | Path, result: RobustnessResult) -> Path:
    """Write every run as ``results{k}`` (image numbers from ``result.start_frame``)."""
    start_frame = result.start_frame
    import scipy.io

    cell = np.empty((1, len(result.runs)), dtype=object)
    for k, run in enumerate(result.runs):
        times = np.asarray(run.times, dtype=np.float64)
        total = float(np.nansum(times))
        record = {
            "res": np.asarray(run.boxes, dtype=np.float64),
            "type": "rect",
            "fps": float(len(times) / total) if total > 0 else float("nan"),
            "len": float(len(run.boxes)),
            "annoBegin": float(start_frame),
            "startFrame": float(start_frame + run.start),
        }
        if result.protocol == "sre":
            record["shiftType"] = run.label
        cell[0, k] = record
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"results": cell})
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


def read_robustness(path: str | Path, protocol: str, start_frame: int) -> RobustnessResult:
    """Read every ``results{k}`` of a TRE/SRE file (ours or the toolkit's) as runs whose
    ``start`` is relative to the sequence row whose image number is ``start_frame``."""
    import scipy.io

    path = Path(path)
    try:
        data = scipy.io.loadmat(str(path), squeeze_me=False)
    except (ValueError, TypeError, OSError, NotImplementedError) as exc:
        raise TrackbenchError(f"cannot read MATLAB file ({exc})", path) from None
    if "results" not in data:
        raise TrackbenchError("no 'results' variable", path)
    runs = []
    for k, item in enumerate(np.asarray(data["results"]).ravel(), 1):
        record = item
        while isinstance(record, np.ndarray) and record.dtype == object and record.size == 1:
            record = record.flat[0]
        names = record.dtype.names or ()
        if "res" not in names:
            raise TrackbenchError(f"results{{{k}}} has no field 'res'", path)
        value = lambda name, default: (np.asarray(record[name].flat[0]).ravel() if name in names else np.array([default]))  # noqa: E731
        kind = str(value("type", "rect")[0])
        if kind != "rect":
            raise TrackbenchError(f"results{{{k}}}: result type {kind!r} is not supported (only 'rect')", path)
        boxes = np.asarray(record["res"].flat[0], dtype=np.float64)
        if boxes.ndim != 2 or boxes.shape[1] != 4:
            raise TrackbenchError(f"results{{{k}}}.res must be N x 4, got {boxes.shape}", path)
        first = int(float(value("startFrame", start_frame)[0]))
        if first < start_frame:
            raise TrackbenchError(f"results{{{k}}} starts at frame {first}, before the sequence (frame {start_frame})", path)
        label = str(value("shiftType", f"segment_{k}")[0]) if protocol == "sre" else f"segment_{k}"
        runs.append(RobustnessRun(label, first - start_frame, boxes, np.full(len(boxes), np.nan)))
    return RobustnessResult(protocol, runs, start_frame)
