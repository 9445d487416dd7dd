"""Our result layouts: for each kind, where a result goes, how it is written and read back.

Seven kinds, inside one tracker directory ``<out>/<suite>/<tracker>/`` (a suite family
names its kind: :attr:`trackbench.suites.Family.layout`):

* ``ope`` (OTB, LaSOT, demo; pysot-compatible): ``<seq>.txt`` with one ``x,y,w,h`` line
  per frame (comma separated, ``%.4f``; line 1 = the initialisation box) and
  ``times/<seq>_time.txt`` with one ``%.8f`` number of seconds per line.
* ``got10k`` (got10k-toolkit-compatible): ``<seq>/<seq>_001.txt`` ... one file per
  repetition, and ``<seq>/<seq>_time.txt`` with one row per frame and one
  comma-separated column per repetition (``nan`` in a column whose run has not
  finished yet).
* ``vot`` (the VOT toolkit's, pysot's and got10k's baseline layout)::

      <tracker_dir>/baseline/<seq>/<seq>_001.txt ... _015.txt
          one line per frame: ``1`` (initialisation), ``2`` (failure), ``0`` (skipped),
          or the region as comma-separated ``%.4f`` numbers (``x,y,w,h`` or ``x1,y1,...,y4``;
          imported results keep their exact values, see :func:`format_repetition`)
      <tracker_dir>/baseline/<seq>/<seq>_time.txt
          one row per frame, one comma-separated column per repetition (column ``r - 1`` is
          repetition ``r``), seconds ``%.8f``, ``NaN`` for frames the tracker did not process

  Several processes may write repetitions of the same sequence at once: the read-modify-
  write of the times file holds an exclusive ``flock`` on the sequence's folder (no lock
  file is left behind).
* ``vot-realtime``: the same files under ``realtime/`` instead of ``baseline/``.
* ``vot-longterm``: ``longterm/<seq>/<seq>_001.txt`` + ``_confidence.value`` +
  ``_time.value`` (:mod:`trackbench.results.vot_longterm`).
* ``otb-tre`` / ``otb-sre``: ``results_TRE|SRE/<seq>_<tracker>.mat`` with ``results{k}``
  (:mod:`trackbench.results.otb_robustness_files`).

Plus ``run.json``: what produced the results (tracker spec, options, suite, version).

Every file is written atomically and the times before the result, so a result is
complete iff its box / repetition file exists (the OPE and GOT-10k pairs are fsynced
together, then renamed times first: :func:`~trackbench.textio.atomic_write_files`).
Boxes are never shifted by one. Frames are 0-based in the API, lines 1-based in error
messages. Reading other tools' layouts
(pysot, pytracking, LaSOT toolkit, archives) is :mod:`trackbench.results.read`.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_bbox
from trackbench.results import otb_robustness_files as robustness
from trackbench.results import vot_longterm
from trackbench.textio import atomic_write_files, atomic_write_text, format_exact, format_rows, is_float, read_table
from trackbench.trajectory import FAILURE, INIT, REGION, SKIPPED, SupervisedTrajectory, Trajectory

LAYOUTS = ("ope", "got10k", "vot", "vot-longterm", "vot-realtime", "otb-tre", "otb-sre")
__all__ = ["INIT", "FAILURE", "SKIPPED", "REGION"]  # re-exported with the file formats they name


def result_path(layout: str, tracker_dir: str | Path, sequence: str, repetition: int = 1) -> Path:
    """The file whose existence means the run ``repetition`` (1-based) of ``sequence`` is
    finished, in the ``layout`` kind."""
    return _kind(layout)[0](tracker_dir, sequence, repetition)


def write_result(layout: str, tracker_dir: str | Path, sequence: str, repetition: int, runs: int,
                 trajectory: Trajectory | SupervisedTrajectory) -> Path:
    """Write one run (times first, the result file last); returns the result file.

    ``runs``: the planned repetitions (the GOT-10k times file has one column per run; the
    VOT one gets as many columns as the highest repetition written)."""
    return _kind(layout)[1](tracker_dir, sequence, repetition, runs, trajectory)


def _kind(layout: str):
    if layout not in _KINDS:
        raise TrackbenchError(f"unknown result layout {layout!r} (known: {', '.join(LAYOUTS)})")
    return _KINDS[layout]


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
    result_path = ope_result_path(tracker_dir, sequence)
    atomic_write_files([(times_path, format_rows(np.asarray(trajectory.times).reshape(-1, 1), TIME_FORMAT).encode()),
                        (result_path, format_rows(_boxes_xywh(trajectory), BOX_FORMAT).encode())])
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
    result_path = got10k_result_path(tracker_dir, sequence, repetition)
    atomic_write_files([(times_path, format_rows(table, TIME_FORMAT).encode()),
                        (result_path, format_rows(_boxes_xywh(trajectory), BOX_FORMAT).encode())])
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


def repetition_path(tracker_dir: str | Path, sequence_name: str, repetition: int, experiment: str = "baseline") -> Path:
    """``<tracker_dir>/baseline/<seq>/<seq>_NNN.txt`` for the 1-based ``repetition``
    (``experiment``: the folder level, ``realtime`` for the VOT real-time experiment)."""
    if repetition < 1:
        raise TrackbenchError(f"repetition numbers start at 1, got {repetition}")
    return Path(tracker_dir) / experiment / sequence_name / f"{sequence_name}_{repetition:03d}.txt"


def vot_times_path(tracker_dir: str | Path, sequence_name: str, experiment: str = "baseline") -> Path:
    """``<tracker_dir>/baseline/<seq>/<seq>_time.txt``."""
    return Path(tracker_dir) / experiment / sequence_name / f"{sequence_name}_time.txt"


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
    experiment: str = "baseline",
) -> Path:
    """Write one repetition: its times column, then (atomically) ``<seq>_NNN.txt``
    (see :func:`format_repetition` for ``exact``). Returns the repetition file."""
    write_times_column(tracker_dir, sequence_name, repetition, trajectory.times, experiment)
    path = repetition_path(tracker_dir, sequence_name, repetition, experiment)
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
    return parse_vot_trajectory(text, str(path))


def read_repetition(
    tracker_dir: str | Path, sequence_name: str, repetition: int, experiment: str = "baseline"
) -> SupervisedTrajectory:
    """Read repetition ``repetition`` of a sequence with its times column (NaN if the
    times file or the column is missing)."""
    trajectory = read_repetition_file(repetition_path(tracker_dir, sequence_name, repetition, experiment))
    times = read_repetition_times(tracker_dir, sequence_name, experiment)
    if times is not None and times.shape[1] >= repetition:
        column = times[:, repetition - 1]
        if len(column) != len(trajectory):
            raise TrackbenchError(
                f"{len(column)} rows but the repetition file has {len(trajectory)} lines",
                vot_times_path(tracker_dir, sequence_name, experiment),
            )
        trajectory.times = column.copy()
    return trajectory


def read_repetition_times(tracker_dir: str | Path, sequence_name: str, experiment: str = "baseline") -> np.ndarray | None:
    """The ``(N, repetitions)`` times matrix (NaN allowed), or ``None`` if there is no file."""
    path = vot_times_path(tracker_dir, sequence_name, experiment)
    if not path.is_file():
        return None
    return read_table(path, allow_nan=True, what="per-frame times")


def write_times_column(
    tracker_dir: str | Path, sequence_name: str, repetition: int, times: np.ndarray, experiment: str = "baseline"
) -> Path:
    """Set column ``repetition - 1`` of ``<seq>_time.txt`` (adding NaN columns as needed),
    under a lock so concurrent writers of other repetitions are not lost."""
    path = vot_times_path(tracker_dir, sequence_name, experiment)
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.parent):
        matrix = read_repetition_times(tracker_dir, sequence_name, experiment) if path.is_file() else None
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


_SEPARATORS = str.maketrans(",\t;", "   ")


def parse_vot_trajectory(text: str, where: str) -> SupervisedTrajectory:
    """Parse a VOT baseline result file (lines ``1``/``2``/``0`` or 4/8 comma numbers); times NaN."""
    lines = text.translate(_SEPARATORS).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise TrackbenchError("file is empty (VOT result lines expected)", where)
    n = len(lines)
    counts = np.fromiter(map(len, map(str.split, lines)), dtype=np.int64, count=n)  # no Python loop per line
    bad = np.flatnonzero(~np.isin(counts, (1, 4, 8)))
    if len(bad):
        number = int(bad[0]) + 1
        if counts[bad[0]] == 0:
            raise TrackbenchError("blank line inside the file", where, number)
        raise TrackbenchError(f"expected 1, 4 or 8 numbers, found {counts[bad[0]]}", where, number)
    try:
        flat = np.array(" ".join(lines).split(), dtype=np.float64)
    except ValueError:
        for number, line in enumerate(lines, start=1):
            for tok in line.split():
                if not is_float(tok):
                    raise TrackbenchError(f"not a number: {tok!r}", where, number) from None
        raise
    starts = np.cumsum(counts) - counts
    codes = np.full(n, REGION, dtype=np.int64)
    regions = np.full((n, 8), np.nan)
    special = counts == 1
    values = flat[starts[special]]
    unknown = np.flatnonzero(~np.isin(values, (0.0, 1.0, 2.0)))
    if len(unknown):
        number = int(np.flatnonzero(special)[unknown[0]]) + 1
        raise TrackbenchError(f"unknown VOT code {lines[number - 1].split()[0]!r} (expected 0, 1 or 2)", where, number)
    codes[special] = values.astype(np.int64)
    is_rect = counts == 4
    for width, mask in ((4, is_rect), (8, counts == 8)):
        rows = np.flatnonzero(mask)
        if len(rows):
            regions[rows, :width] = flat[starts[rows, None] + np.arange(width)]
    # trax turns a region with NaN into a special (default) code
    has_nan = ~special & np.isnan(regions[:, :4]).any(axis=1) | (counts == 8) & np.isnan(regions).any(axis=1)
    codes[has_nan] = SKIPPED
    regions[has_nan] = np.nan
    is_rect = is_rect & ~has_nan
    return SupervisedTrajectory(codes, regions, is_rect)


#: Layout kind -> (path of a finished run, writer of a run). The long-term, real-time,
#: TRE and SRE kinds: :mod:`trackbench.results.vot_longterm` (``longterm/``), the baseline
#: files under ``realtime/``, :mod:`trackbench.results.otb_robustness_files` (``results_TRE|SRE``).
_KINDS = {
    "ope": (lambda d, s, r: ope_result_path(d, s), lambda d, s, r, n, t: write_ope_result(d, s, t)),
    "got10k": (got10k_result_path, write_got10k_result),
    "vot": (repetition_path, lambda d, s, r, n, t: write_repetition(d, s, r, t)),
    "vot-longterm": (vot_longterm.trajectory_path, lambda d, s, r, n, t: vot_longterm.write_longterm(d, s, t, r)),
    "vot-realtime": (lambda d, s, r: repetition_path(d, s, r, "realtime"),
                     lambda d, s, r, n, t: write_repetition(d, s, r, t, experiment="realtime")),
    "otb-tre": (lambda d, s, r: robustness.robustness_path(d, "tre", s),
                lambda d, s, r, n, t: robustness.write_robustness(robustness.robustness_path(d, "tre", s), t)),
    "otb-sre": (lambda d, s, r: robustness.robustness_path(d, "sre", s),
                lambda d, s, r, n, t: robustness.write_robustness(robustness.robustness_path(d, "sre", s), t)),
}
