"""Converting raw results between the field's layouts and ours; packing for GOT-10k.

* :func:`import_results`: published results in any layout the readers of
  :mod:`trackbench.results.read` recognise (pysot, pytracking, got10k, VOT, LaSOT
  toolkit; any delimiter; archives) or OTB MATLAB ``.mat`` files
  (:mod:`trackbench.results.otb_mat`) -> our layout for one suite, written
  by :mod:`trackbench.results.layout`. Boxes written ``x1,y1,x2,y2`` are detected from the
  first line when that is unambiguous (see :func:`detect_corners`).
* :func:`export_results`: our layout -> one of :data:`EXPORT_FORMATS`.
* :func:`pack_got10k`: the zip the GOT-10k evaluation server expects (from results alone);
  :func:`pack_trackingnet`: the zip the TrackingNet evaluation server expects.

Boxes are ``[x, y, w, h]``, never shifted by one. Converted boxes and regions are written
with the shortest text that reads back to the same float64 values
(:func:`trackbench.textio.format_rows_exact`: ``10.5``, ``282.5706919186197``), so
import -> eval gives exactly the numbers of the original files and export -> import is
exact; seconds are written ``%.8f`` as in our own files. (Our runner's own results keep
``%.4f``, see :mod:`trackbench.results.layout`.)
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from trackbench import __version__
from trackbench.errors import TrackbenchError
from trackbench.geometry import xyxy_to_xywh
from trackbench.names import check_name
from trackbench.results.layout import TIME_FORMAT, write_got10k_result, write_ope_result, write_repetition, write_run_info
from trackbench.results.lengths import LengthMismatch, warn_mismatches
from trackbench.results.otb_mat import find_mat_results, write_mat_result
from trackbench.results.read import ResultIndex, read_ope_results, read_repeated_results, read_times, read_vot_results
from trackbench.results.source import parse_boxes
from trackbench.sequence import Dataset, Sequence, normalize_name
from trackbench.textio import atomic_write_bytes, atomic_write_text, format_rows, format_rows_exact
from trackbench.trajectory import SupervisedTrajectory, Trajectory

EXPORT_FORMATS = ("pysot", "pytracking", "got10k", "lasot", "vot", "otb-mat")
"""``pysot``/``lasot``: ``<seq>.txt`` comma separated (GOT-10k suites: ``<seq>/<seq>_001.txt``);
``pytracking``: ``<seq>.txt`` tab separated + ``<seq>_time.txt`` (pytracking itself writes
integers; we keep every decimal, which its loaders read, so that nothing is lost); ``got10k``: ``<seq>.txt``
+ ``times/<seq>_time.txt`` (GOT-10k suites: ``<seq>/<seq>_NNN.txt`` + ``<seq>_time.txt``);
``vot``: ``baseline/<seq>/<seq>_NNN.txt`` + ``_time.txt``; ``otb-mat``: ``<seq>_<tracker>.mat``.
For the LaSOT toolkit, name the destination ``<Tracker>_tracking_result``."""

CORNER_TOLERANCE = 1.0
"""Pixels within which a first result line counts as equal to the first ground-truth box."""


@dataclass
class ConversionSummary:
    """What a conversion wrote."""

    tracker: str
    destination: Path
    sequences: int
    files: list[Path] = field(default_factory=list)
    corner_sequences: list[str] = field(default_factory=list)  # imported as x1,y1,x2,y2


# -- import -----------------------------------------------------------------------------------
def detect_corners(first_row: np.ndarray, first_gt: np.ndarray, tol: float = CORNER_TOLERANCE) -> int | None:
    """Whether a result's first row is the first GT box written as corners ``x1,y1,x2,y2``.

    Returns ``None`` (read the file as ``x,y,w,h``), ``0`` (corners with ``x2 = x + w``)
    or ``1`` (inclusive corners, ``x2 = x + w - 1``). Comparisons are within ``tol``
    pixels. Ambiguous rows (both readings fit, e.g. a box at the origin) and rows that
    fit neither give ``None``: the file is then taken as it is.
    """
    row = np.asarray(first_row, dtype=np.float64)[:4]
    gt = np.asarray(first_gt, dtype=np.float64)
    if gt.shape[0] != 4 or not np.all(np.isfinite(gt)) or not np.all(np.isfinite(row)):
        return None
    if np.all(np.abs(row - gt) <= tol) or not np.all(np.abs(row[:2] - gt[:2]) <= tol):
        return None
    size = row[2:] - row[:2]
    errors = [float(np.max(np.abs(size + offset - gt[2:]))) for offset in (0, 1)]
    offset = int(np.argmin(errors))  # the closer convention (x + w on a tie)
    return offset if errors[offset] <= tol else None


def _fix_corners(boxes: np.ndarray, seq: Sequence) -> tuple[np.ndarray, bool]:
    if not len(boxes) or seq.is_polygon:
        return boxes, False
    offset = detect_corners(boxes[0], seq.ground_truth[0])
    if offset is None:
        return boxes, False
    converted = xyxy_to_xywh(boxes)
    converted[:, 2:] += offset
    return converted, True


def _column(times: np.ndarray | None, run: int, frames: int) -> np.ndarray:
    if times is None:
        return np.full(frames, np.nan)
    table = times.reshape(len(times), -1)
    column = table[:, run] if run < table.shape[1] else np.full(len(table), np.nan)
    out = np.full(frames, np.nan)
    out[: min(frames, len(column))] = column[:frames]
    return out


def import_results(source: str | Path, suite: Any, dataset: Dataset, out: str | Path,
                   tracker_name: str | None = None, *, strict: bool = False) -> ConversionSummary:
    """Convert the results at ``source`` (folder or archive) into ``<out>/<suite>/<tracker>/``.

    ``tracker_name`` defaults to the folder (archive) name, or the ``<tracker>`` part of
    ``.mat`` file names. Raises :class:`TrackbenchError` for missing or malformed files.
    Longer results are cut to the ground truth, shorter one-pass results written as they
    are (``eval`` applies its profile's policy), one warning line each; ``strict``: any
    length mismatch is an error (:mod:`trackbench.results.lengths`).
    """
    source = Path(source)
    if tracker_name is not None:
        check_name(tracker_name, "tracker name", "--tracker-name")
    mismatches: list[LengthMismatch] = []
    try:
        if source.is_dir() and any(source.glob("*.mat")) and not any(source.glob("*.txt")):
            return _import_mat(source, suite, dataset, Path(out), tracker_name, strict, mismatches)
        return _import_text(source, suite, dataset, Path(out), tracker_name, strict, mismatches)
    finally:
        warn_mismatches(mismatches)


def _import_text(source: Path, suite: Any, dataset: Dataset, out: Path, tracker_name: str | None, strict: bool,
                 mismatches: list[LengthMismatch]) -> ConversionSummary:
    index = ResultIndex.build(source)
    name = check_name(tracker_name or index.source.name, "tracker name (from the source's name)", source)
    tracker_dir = Path(out) / suite.name / name
    summary = ConversionSummary(name, tracker_dir, len(dataset))
    layout = suite.layout
    times = read_times(index, dataset)
    options = {"strict": strict, "mismatches": mismatches}
    if layout == "vot":
        for seq_name, runs in read_vot_results(index, dataset, **options).items():
            summary.files += write_vot_runs(tracker_dir, seq_name, runs, times.get(seq_name))
    elif layout == "got10k":
        for seq_name, runs in read_repeated_results(index, dataset, **options).items():
            for number, boxes in enumerate(runs, start=1):
                boxes, corners = _fix_corners(boxes, dataset[seq_name])
                if corners and seq_name not in summary.corner_sequences:
                    summary.corner_sequences.append(seq_name)
                trajectory = Trajectory(boxes, _column(times.get(seq_name), number - 1, len(boxes)),
                                        np.full(len(boxes), np.nan))
                path = write_got10k_result(tracker_dir, seq_name, number, len(runs), trajectory)
                summary.files.append(_keep_exact_boxes(path, boxes))
    else:
        for seq_name, boxes in read_ope_results(index, dataset, **options).items():
            boxes, corners = _fix_corners(boxes, dataset[seq_name])
            if corners:
                summary.corner_sequences.append(seq_name)
            trajectory = Trajectory(boxes, _column(times.get(seq_name), 0, len(boxes)), np.full(len(boxes), np.nan))
            summary.files.append(_keep_exact_boxes(write_ope_result(tracker_dir, seq_name, trajectory), boxes))
    _write_import_info(tracker_dir, suite, name, source, layout)
    return summary


def _keep_exact_boxes(path: Path, boxes: np.ndarray) -> Path:
    """Rewrite the box file ``path`` that :mod:`trackbench.results.layout` wrote (``%.4f``,
    the runner's precision; times already written) with the exact values of ``boxes``."""
    atomic_write_text(path, format_rows_exact(boxes))
    return path


def _import_mat(folder: Path, suite: Any, dataset: Dataset, out: Path, tracker_name: str | None, strict: bool,
                mismatches: list[LengthMismatch]) -> ConversionSummary:
    if suite.layout != "ope":
        raise TrackbenchError(f"OTB .mat results can only be imported into a one-pass suite, not {suite.name!r}", folder)
    results = find_mat_results(folder, dataset, tracker_name, strict=strict, mismatches=mismatches)
    name = check_name(tracker_name or next(iter(results.values())).tracker, "tracker name (from the .mat file names)", folder)
    tracker_dir = out / suite.name / name
    summary = ConversionSummary(name, tracker_dir, len(dataset))
    for seq_name, result in results.items():
        frames = len(result.boxes)
        seconds = 1.0 / result.fps if result.fps and np.isfinite(result.fps) and result.fps > 0 else np.nan
        trajectory = Trajectory(result.boxes, np.full(frames, seconds), np.full(frames, np.nan))
        summary.files.append(_keep_exact_boxes(write_ope_result(tracker_dir, seq_name, trajectory), result.boxes))
    _write_import_info(tracker_dir, suite, name, folder, "otb-mat")
    return summary


def _write_import_info(tracker_dir: Path, suite: Any, name: str, source: Path, layout: str) -> None:
    write_run_info(tracker_dir, {
        "tracker": name,
        "options": {},
        "suite": suite.name,
        "trackbench": __version__,
        "imported_from": str(source.resolve()),
        "layout": layout,
    })


# -- VOT files --------------------------------------------------------------------------------
def write_vot_runs(tracker_dir: Path, seq_name: str, runs: list[SupervisedTrajectory],
                   times: np.ndarray | None) -> list[Path]:
    """``<tracker_dir>/baseline/<seq>/<seq>_NNN.txt`` per run and the times columns, with
    the supervised protocol's writer (:func:`trackbench.results.layout.write_repetition`)."""
    paths = []
    for number, run in enumerate(runs, start=1):
        trajectory = run.with_times(_column(times, number - 1, len(run)))
        paths.append(write_repetition(tracker_dir, seq_name, number, trajectory, exact=True))
    return paths


# -- export -----------------------------------------------------------------------------------
def export_results(tracker_dir: str | Path, suite: Any, dataset: Dataset, dest: str | Path,
                   fmt: str) -> ConversionSummary:
    """Write our results in ``tracker_dir`` into ``dest`` (the tracker folder of the target
    toolkit) in format ``fmt`` (one of :data:`EXPORT_FORMATS`)."""
    if fmt not in EXPORT_FORMATS:
        raise TrackbenchError(f"unknown export format {fmt!r} (formats: {', '.join(EXPORT_FORMATS)})")
    tracker_dir, dest = Path(tracker_dir), Path(dest)
    if not tracker_dir.is_dir():
        raise TrackbenchError("result folder not found", tracker_dir)
    layout = suite.layout
    summary = ConversionSummary(tracker_dir.name, dest, len(dataset))
    times = read_times(tracker_dir, dataset)
    if layout == "vot":
        if fmt not in ("vot", "pysot"):
            raise TrackbenchError(f"supervised (VOT) results export only as 'vot' or 'pysot', not {fmt!r}")
        for seq_name, runs in read_vot_results(tracker_dir, dataset).items():
            summary.files += write_vot_runs(dest, seq_name, runs, times.get(seq_name))
    elif layout == "got10k":
        if fmt not in ("got10k", "pysot"):
            raise TrackbenchError(f"GOT-10k results export only as 'got10k' or 'pysot', not {fmt!r}")
        for seq_name, runs in read_repeated_results(tracker_dir, dataset).items():
            for number, boxes in enumerate(runs, start=1):
                trajectory = Trajectory(boxes, _column(times.get(seq_name), number - 1, len(boxes)),
                                        np.full(len(boxes), np.nan))
                path = write_got10k_result(dest, seq_name, number, len(runs), trajectory)
                summary.files.append(_keep_exact_boxes(path, boxes))
    else:
        if fmt == "vot":
            raise TrackbenchError(f"one-pass results of {suite.name!r} cannot be exported in the VOT layout")
        for seq_name, boxes in read_ope_results(tracker_dir, dataset).items():
            summary.files += _export_ope(dest, dataset[seq_name], boxes, times.get(seq_name), fmt, tracker_dir.name)
    return summary


def _export_ope(dest: Path, seq: Sequence, boxes: np.ndarray, times: np.ndarray | None, fmt: str,
                tracker: str) -> list[Path]:
    seq_name = seq.name
    seconds = _column(times, 0, len(boxes))
    if fmt == "otb-mat":
        finite = seconds[np.isfinite(seconds) & (seconds > 0)]
        fps = float(np.mean(1.0 / finite)) if len(finite) else None
        return [write_mat_result(dest / f"{seq_name}_{tracker}.mat", boxes, fps=fps, start_frame=seq.start_frame)]
    delimiter = "\t" if fmt == "pytracking" else ","
    box_path = dest / f"{seq_name}.txt"
    atomic_write_text(box_path, format_rows_exact(boxes, delimiter))
    paths = [box_path]
    if fmt in ("pytracking", "got10k") and times is not None:
        time_path = dest / (f"{seq_name}_time.txt" if fmt == "pytracking" else f"times/{seq_name}_time.txt")
        atomic_write_text(time_path, format_rows(seconds.reshape(-1, 1), TIME_FORMAT))
        paths.append(time_path)
    return paths


# -- GOT-10k submission -----------------------------------------------------------------------
GOT10K_RUNS = 3


def results_only_dataset(index: ResultIndex, names: tuple[str, ...] | list[str], name: str) -> Dataset:
    """A dataset of ``names`` whose lengths are those of each sequence's first result run (no
    ground truth: NaN rows), for packing a submission without the dataset on disk."""
    sequences = []
    for seq_name in names:
        probe = Sequence(seq_name, np.full((1, 4), np.nan))
        runs = index.runs.get(normalize_name(seq_name))
        rel = runs[0][1] if runs else index.single_file(probe)
        if rel is None:
            raise index.describe_missing(probe, "runs")
        rows = len(parse_boxes(index.source.read_text(rel), index.source.display_path(rel), widths=(4,)))
        sequences.append(Sequence(seq_name, np.full((rows, 4), np.nan)))
    return Dataset(name, sequences)


def pack_got10k(tracker_dir: str | Path, dataset: Dataset | None, output: str | Path) -> Path:
    """Zip ``<seq>/<seq>_001.txt`` [.. ``_003.txt``] and ``<seq>/<seq>_time.txt`` for every
    sequence of ``dataset`` (the GOT-10k test set) at the root of ``output``: the layout the
    got10k toolkit's own submission writer produces (``ExperimentGOT10k.run`` records,
    zipped by ``report`` from inside the tracker's folder), which the evaluation server reads.

    ``dataset=None``: the 180 fixed test sequences
    (:data:`trackbench.data.got10k.GOT10K_TEST_SEQUENCES`), each as long as its first run:
    no dataset is needed. A sequence has 3 runs, or 1 for a deterministic tracker (as
    got10k records it, ``is_deterministic``). Missing sequences, 2 runs or runs of
    different lengths raise :class:`TrackbenchError`; times are ``%.8f``, one column per run.
    """
    from trackbench.data.got10k import GOT10K_TEST_SEQUENCES

    tracker_dir = Path(tracker_dir)
    index = ResultIndex.build(tracker_dir)
    if dataset is None:
        dataset = results_only_dataset(index, GOT10K_TEST_SEQUENCES, "got10k-test")
    runs_by_seq = read_repeated_results(index, dataset)
    times = read_times(index, dataset)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for seq in dataset:
            runs = runs_by_seq[seq.name]
            if len(runs) not in (1, GOT10K_RUNS):
                raise TrackbenchError(
                    f"sequence {seq.name!r} has {len(runs)} runs; GOT-10k needs {GOT10K_RUNS} (or 1 for a deterministic tracker)",
                    tracker_dir / seq.name,
                )
            for number, boxes in enumerate(runs, start=1):
                archive.writestr(f"{seq.name}/{seq.name}_{number:03d}.txt", format_rows_exact(boxes))
            table = times.get(seq.name)
            if table is None:
                table = np.full((len(seq), len(runs)), np.nan)
            archive.writestr(f"{seq.name}/{seq.name}_time.txt", format_rows(table.reshape(len(table), -1), TIME_FORMAT))
    output = Path(output)
    atomic_write_bytes(output, buffer.getvalue())
    return output


# -- TrackingNet submission -------------------------------------------------------------------
def pack_trackingnet(tracker_dir: str | Path, dataset: Dataset | None, output: str | Path) -> Path:
    """Zip one ``<seq>.txt`` per sequence of ``dataset`` (the TrackingNet TEST set) at the root
    of ``output``: comma-separated ``x,y,w,h``, one line per frame, the first line the initial
    box, as the TrackingNet server reads submissions (TrackingNet-devkit ``metrics.py`` matches
    each ``<seq>.txt`` by name and reads it with ``pandas.read_csv(sep=",")``; pytracking's
    ``pack_trackingnet_results`` writes the same). A missing sequence or a result shorter than
    its sequence raises :class:`TrackbenchError`; longer results are cut to the frames.
    ``dataset=None``: every top-level ``<seq>.txt`` of the results, as it is (the results alone).
    """
    index = ResultIndex.build(Path(tracker_dir))
    if dataset is None:
        files = sorted(rel for rels in index.single.values() for rel in rels)
        if not files:
            raise TrackbenchError("no <seq>.txt result files to pack", tracker_dir)
        boxes = {PurePosixPath(rel).stem: parse_boxes(index.source.read_text(rel), index.source.display_path(rel),
                                                      widths=(4,)) for rel in files}
    else:
        results = read_ope_results(index, dataset)
        boxes = {seq.name: results[seq.name] for seq in dataset}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in boxes.items():
            archive.writestr(f"{check_name(name, 'sequence name', tracker_dir)}.txt", format_rows_exact(rows))
    output = Path(output)
    atomic_write_bytes(output, buffer.getvalue())
    return output
