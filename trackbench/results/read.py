"""Read a tracker's raw results in any layout in the wild.

Layouts recognised under a tracker's folder (or archive, see :mod:`.source`):

* one-pass: ``<seq>.txt`` (ours, pysot, got10k OTB, LaSOT MATLAB toolkit
  ``<tracker>_tracking_result/<seq>.txt``, pytracking tab-separated integers);
* repeated runs: ``<seq>/<seq>_001.txt`` ... (got10k, pysot GOT-10k);
* VOT baseline: ``baseline/<seq>/<seq>_001.txt`` ... (codes 1/2/0 or regions), or the
  same without the ``baseline/`` level;
* times: ``times/<seq>_time.txt`` (got10k OTB, ours), ``<seq>_time.txt`` (pytracking),
  ``<seq>/<seq>_time.txt`` (got10k), ``baseline/<seq>/<seq>_time.txt`` (VOT).

Any delimiter (comma, tab, space). Sequence names are matched with
:func:`trackbench.sequence.normalize_name` (``Jogging-1`` = ``jogging_1``); when two files
match one sequence, the one named exactly like the sequence wins, otherwise it is an
error naming both. Results longer than the ground truth are truncated to it (as every
toolkit does); shorter one-pass results are kept for the rule profile's policy (see
:mod:`trackbench.results.lengths`), shorter repeated or VOT runs raise
:class:`TrackbenchError` naming the file. A result
that starts at image 1 of a sequence evaluated from a later image (``start_frame > 1``,
e.g. Tiger1 from frame 6) has exactly ``len(seq) + start_frame - 1`` rows: its first
``start_frame - 1`` rows are dropped so that the rows line up with the ground truth.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from trackbench.errors import TrackbenchError, TrackbenchWarning
from trackbench.results.lengths import LengthMismatch, fit_rows
from trackbench.results.source import ResultSource
from trackbench.results.layout import parse_vot_trajectory
from trackbench.sequence import Dataset, Sequence, normalize_name
from trackbench.trajectory import SupervisedTrajectory

_RUN_FILE = re.compile(r"^(?P<seq>.+)_(?P<run>\d{3})\.txt$", re.IGNORECASE)
_TIME_FILE = re.compile(r"^(?P<seq>.+)_time\.txt$", re.IGNORECASE)


@dataclass
class ResultIndex:
    """Where each sequence's files are, keyed by normalised sequence name."""

    source: ResultSource
    #: every top-level ``<seq>.txt`` (several when names differ only in style): see :meth:`single_file`
    single: dict[str, list[str]] = field(default_factory=dict)
    runs: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    vot_runs: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    times: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, location: str | Path | ResultSource) -> "ResultIndex":
        source = location if isinstance(location, ResultSource) else ResultSource(location)
        index = cls(source)
        for rel in source.paths:
            parts = PurePosixPath(rel).parts
            name = parts[-1]
            folder = parts[-2] if len(parts) > 1 else None
            time_match = _TIME_FILE.match(name)
            if time_match:
                index._add_time(parts, time_match.group("seq"), rel)
                continue
            run_match = _RUN_FILE.match(name)
            if run_match and folder is not None and normalize_name(run_match.group("seq")) == normalize_name(folder):
                key = normalize_name(folder)
                target = index.vot_runs if len(parts) >= 3 and parts[-3].lower() == "baseline" else index.runs
                target.setdefault(key, []).append((int(run_match.group("run")), rel))
                continue
            if len(parts) == 1 and name.lower().endswith(".txt"):
                index.single.setdefault(normalize_name(name[:-4]), []).append(rel)
        for table in (index.runs, index.vot_runs):
            for runs in table.values():
                runs.sort()
        return index

    def _add_time(self, parts: tuple[str, ...], seq: str, rel: str) -> None:
        key = normalize_name(seq)
        depth_ok = len(parts) == 1 or (len(parts) >= 2 and (parts[-2].lower() == "times" or normalize_name(parts[-2]) == key))
        if depth_ok and key not in self.times:
            self.times[key] = rel

    def single_file(self, seq: Sequence) -> str | None:
        """The ``<seq>.txt`` of ``seq``: the only file whose name matches it, else the one
        named exactly ``<seq.name>.txt``; several matches without an exact one -> error."""
        rels = next((self.single[k] for k in result_keys(seq) if self.single.get(k)), None)
        if not rels:
            return None
        if len(rels) == 1:
            return rels[0]
        exact = [rel for rel in rels if rel == f"{seq.name}.txt"]
        if len(exact) == 1:
            return exact[0]
        names = " and ".join(self.source.display_path(rel) for rel in rels)
        both = "both" if len(rels) == 2 else "all"
        raise TrackbenchError(f"{names} {both} match sequence {seq.name!r}: keep one", self.source.location)

    def describe_missing(self, seq: Sequence, layout: str) -> TrackbenchError:
        where = {
            "ope": f"{seq.name}.txt",
            "runs": f"{seq.name}/{seq.name}_001.txt",
            "vot": f"baseline/{seq.name}/{seq.name}_001.txt",
        }[layout]
        return TrackbenchError(f"no results for sequence {seq.name!r} (expected {where})", self.source.location)


def result_keys(seq: Sequence) -> list[str]:
    """Normalised names a result file of ``seq`` may have: its name, then its aliases
    (pytracking's ``uav_bird1_2``, ``nfs_Gymnastics``, ``tpl_Skating2``)."""
    return [normalize_name(n) for n in (seq.name, *seq.aliases)]


def _lookup(table: dict, seq: Sequence):
    """The entry of ``table`` under the first of :func:`result_keys` present (else None)."""
    return next((table[k] for k in result_keys(seq) if table.get(k)), None)


def _leading_rows(rows: int, seq: Sequence) -> int:
    """Rows to drop from the start of a result with ``rows`` rows: ``start_frame - 1`` when it
    covers the video from image 1 (exactly ``len(seq) + start_frame - 1`` rows), else 0."""
    skip = seq.start_frame - 1
    return skip if skip > 0 and rows == len(seq) + skip else 0


def _fit_length(boxes: np.ndarray, seq: Sequence, where: str, strict: bool, allow_short: bool,
                mismatches: list[LengthMismatch] | None) -> np.ndarray:
    return fit_rows(boxes, _leading_rows(len(boxes), seq), len(seq), seq.name, where, strict=strict,
                    allow_short=allow_short, mismatches=mismatches)


def _as_index(tracker_dir: str | Path | ResultIndex) -> ResultIndex:
    return tracker_dir if isinstance(tracker_dir, ResultIndex) else ResultIndex.build(tracker_dir)


def read_ope_results(tracker_dir: str | Path | ResultIndex, dataset: Dataset, *, strict: bool = False,
                     mismatches: list[LengthMismatch] | None = None) -> dict[str, np.ndarray]:
    """One ``(n, 4)`` box array per sequence (``[x, y, w, h]``), cut to the GT length ``N``.

    A shorter result (``n < N``) is returned as it is: the evaluation applies the rule
    profile's policy (:mod:`trackbench.results.lengths`). Every mismatch is appended to
    ``mismatches``; ``strict``: any mismatch raises. Falls back to the first run of a
    repeated-run layout (``<seq>/<seq>_001.txt``).
    """
    index = _as_index(tracker_dir)
    files = [_ope_file(index, seq) for seq in dataset]
    index.source.preparse_boxes(rel for rel in files if rel is not None)
    results: dict[str, np.ndarray] = {}
    for seq, rel in zip(dataset, files):
        if rel is None:
            raise index.describe_missing(seq, "ope")
        where = index.source.display_path(rel)
        boxes = index.source.read_boxes(rel, widths=(4,))
        results[seq.name] = _fit_length(boxes, seq, where, strict, True, mismatches)
    return results


def _ope_file(index: ResultIndex, seq: Sequence) -> str | None:
    """The one-pass result file of ``seq``: ``<seq>.txt``, else the first run of a
    repeated-run layout; ``None`` when there is neither."""
    rel = index.single_file(seq)
    if rel is None and _lookup(index.runs, seq):
        rel = _lookup(index.runs, seq)[0][1]
    return rel


def read_repeated_results(tracker_dir: str | Path | ResultIndex, dataset: Dataset, *, strict: bool = False,
                          mismatches: list[LengthMismatch] | None = None) -> dict[str, list[np.ndarray]]:
    """All runs per sequence (got10k ``<seq>/<seq>_NNN.txt``), run order, truncated to the GT
    (recorded in ``mismatches``); shorter runs, or with ``strict`` any mismatch, raise.

    A one-pass ``<seq>.txt`` counts as a single run.
    """
    index = _as_index(tracker_dir)
    files = [_run_files(index, seq) for seq in dataset]
    index.source.preparse_boxes(rel for rels in files for rel in rels)
    results: dict[str, list[np.ndarray]] = {}
    for seq, rels in zip(dataset, files):
        if not rels:
            raise index.describe_missing(seq, "runs")
        runs = []
        for rel in rels:
            where = index.source.display_path(rel)
            boxes = index.source.read_boxes(rel, widths=(4,))
            runs.append(_fit_length(boxes, seq, where, strict, False, mismatches))
        results[seq.name] = runs
    return results


def _run_files(index: ResultIndex, seq: Sequence) -> list[str]:
    """The run files of ``seq`` in run order (``<seq>/<seq>_NNN.txt``), else its one-pass
    ``<seq>.txt`` as a single run; empty when there is neither."""
    rels = [rel for _, rel in _lookup(index.runs, seq) or []]
    if not rels and _lookup(index.single, seq):
        rels = [index.single_file(seq)]
    return rels


def read_vot_results(tracker_dir: str | Path | ResultIndex, dataset: Dataset, *, strict: bool = False,
                     mismatches: list[LengthMismatch] | None = None) -> dict[str, list[SupervisedTrajectory]]:
    """All repetitions per sequence of a VOT baseline experiment, truncated to the GT
    (recorded in ``mismatches``); shorter ones, or with ``strict`` any mismatch, raise."""
    index = _as_index(tracker_dir)
    results: dict[str, list[SupervisedTrajectory]] = {}
    for seq in dataset:
        runs = _lookup(index.vot_runs, seq) or _lookup(index.runs, seq)
        if not runs:
            raise index.describe_missing(seq, "vot")
        trajectories = []
        for _, rel in runs:
            where = index.source.display_path(rel)
            trajectory = parse_vot_trajectory(index.source.read_text(rel), where)
            if len(trajectory) < len(seq) or (strict and len(trajectory) != len(seq)):
                raise TrackbenchError(
                    f"{len(trajectory)} result lines but the ground truth of {seq.name!r} has {len(seq)} frames", where
                )
            if len(trajectory) > len(seq) and mismatches is not None:
                mismatches.append(LengthMismatch(where, seq.name, len(trajectory), len(seq)))
            trajectories.append(trajectory.truncated(len(seq)))
        results[seq.name] = trajectories
    return results


def read_times(tracker_dir: str | Path | ResultIndex, dataset: Dataset, *,
               strict: bool = False) -> dict[str, np.ndarray]:
    """Per-frame times in seconds: ``(N,)`` or ``(N, runs)`` (NaN where skipped).

    Sequences without a time file are left out; rows beyond the GT length are dropped.
    Times are optional: an unreadable time file is left out with one warning line naming it
    (the boxes are still evaluated), unless ``strict``.
    """
    index = _as_index(tracker_dir)
    times: dict[str, np.ndarray] = {}
    for seq in dataset:
        rel = _lookup(index.times, seq)
        if rel is None:
            continue
        try:
            table = index.source.read_boxes(rel, widths=None)
        except TrackbenchError as exc:
            if strict:
                raise
            warnings.warn(f"{exc}: times of {seq.name!r} left out", TrackbenchWarning, stacklevel=2)
            continue
        skip = _leading_rows(len(table), seq)
        table = table[skip : skip + len(seq)]
        times[seq.name] = table[:, 0] if table.shape[1] == 1 else table
    return times
