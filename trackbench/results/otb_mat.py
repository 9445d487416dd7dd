"""The OTB MATLAB toolkit's result files: ``<seq>_<tracker>.mat``.

Each file holds a cell array ``results``; ``results{1}`` (the full-sequence run, the
only one for OPE) is a struct with ``res`` (frames x 4 ``[x y w h]`` for ``type``
``'rect'``, in the toolkit's 1-based pixel coordinates, which are also the annotation
files' coordinates: nothing is shifted), ``type``, ``fps``, ``len``, ``annoBegin`` and
``startFrame`` (1-based number of the first frame of ``res`` in the original video).
Other result types (``ivtAff``, ``L1Aff``, ``4corner``, ``SIMILARITY``) are refused.
Files are read and written with :mod:`scipy.io`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.results.lengths import LengthMismatch, fit_rows
from trackbench.sequence import Dataset, Sequence, normalize_name
from trackbench.textio import atomic_write_bytes


@dataclass
class MatResult:
    """One ``.mat`` result: the boxes of ``results{1}`` and its metadata."""

    sequence: str  # the dataset's sequence name it matched
    tracker: str  # the ``<tracker>`` part of the file name
    boxes: np.ndarray  # (N, 4) [x, y, w, h]
    fps: float | None
    start_frame: int  # the file's ``startFrame`` (1-based; informational, never used to shift rows)
    path: Path


def _unwrap(value: Any) -> Any:
    """Strip MATLAB's 1x1 cell / struct array wrappers."""
    while isinstance(value, np.ndarray) and value.dtype == object and value.size == 1:
        value = value.flat[0]
    if isinstance(value, np.ndarray) and value.dtype.names is not None and value.size >= 1:
        return value.flat[0]
    return value


def _field(struct: Any, name: str, path: Path) -> Any:
    names = getattr(getattr(struct, "dtype", None), "names", None) or ()
    if name not in names:
        raise TrackbenchError(f"results{{1}} has no field {name!r} (fields: {', '.join(names)})", path)
    return _unwrap(struct[name])


def _scalar(struct: Any, name: str, default: float | None) -> float | None:
    names = getattr(getattr(struct, "dtype", None), "names", None) or ()
    if name not in names:
        return default
    value = np.asarray(_unwrap(struct[name]), dtype=np.float64).reshape(-1)
    return float(value[0]) if value.size else default


def split_mat_name(path: Path, dataset: Dataset) -> tuple[Sequence, str]:
    """``Jogging-1_KCF.mat`` -> (the dataset's ``Jogging-1``, ``"KCF"``).

    The sequence part is the longest prefix, ending at an ``_``, that names a sequence of
    ``dataset`` (names compared with :func:`normalize_name`); tracker names may contain ``_``.
    """
    stem = path.stem
    cuts = [i for i, ch in enumerate(stem) if ch == "_"]
    for cut in reversed(cuts):
        seq = dataset.get(stem[:cut])
        if seq is not None and cut + 1 < len(stem):
            return seq, stem[cut + 1:]
    raise TrackbenchError(f"file name is not <sequence>_<tracker>.mat for a sequence of {dataset.name!r}", path)


def read_mat_result(path: str | Path, dataset: Dataset, *, strict: bool = False,
                    mismatches: list[LengthMismatch] | None = None) -> MatResult:
    """Read one OTB ``.mat`` result file, aligned as the MATLAB toolkit aligns it.

    ``genPerfMat.m`` never shifts an OPE result by its ``startFrame``: row 1 of ``res``
    is compared with the first *evaluated* annotation row (after init-omit, e.g. Tiger1's
    frame 6; BlurCar1's 742 rows with ``startFrame = 1`` are its frames 247-988) for
    ``len`` rows (``calcSeqErrRobust.m``), and the success/precision denominator is the
    annotation length. So rows are taken as they are: longer results are cut to the ground
    truth, shorter ones kept for the rule profile's policy, and either is recorded in
    ``mismatches`` (``strict``: an error naming the file; see
    :mod:`trackbench.results.lengths`).
    """
    import scipy.io

    path = Path(path)
    seq, tracker = split_mat_name(path, dataset)
    try:
        data = scipy.io.loadmat(str(path))
    except (ValueError, TypeError, OSError, NotImplementedError) as exc:
        raise TrackbenchError(f"cannot read MATLAB file ({exc})", path) from None
    if "results" not in data:
        raise TrackbenchError(f"no 'results' variable (variables: {', '.join(k for k in data if not k.startswith('__'))})", path)
    cells = data["results"]
    if isinstance(cells, np.ndarray) and cells.dtype == object and cells.size > 1:
        cells = cells.ravel()[0]  # results{1} of a TRE / SRE file (results{1..20|12})
    first = _unwrap(cells)
    kind = _field(first, "type", path)
    kind = str(np.asarray(kind).reshape(-1)[0]) if np.asarray(kind).size else ""
    if kind != "rect":
        raise TrackbenchError(f"result type {kind!r} is not supported (only 'rect')", path)
    boxes = np.asarray(_field(first, "res", path), dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise TrackbenchError(f"results{{1}}.res must be N x 4 for type 'rect', got {boxes.shape}", path)
    start = int(_scalar(first, "startFrame", 1) or 1)
    fps = _scalar(first, "fps", None)
    boxes = fit_rows(boxes, 0, len(seq), seq.name, str(path), strict=strict, allow_short=True, mismatches=mismatches)
    return MatResult(seq.name, tracker, boxes, fps, start, path)


def find_mat_results(folder: str | Path, dataset: Dataset, tracker: str | None = None, *, strict: bool = False,
                     mismatches: list[LengthMismatch] | None = None) -> dict[str, MatResult]:
    """All ``<seq>_<tracker>.mat`` files of ``folder`` for ``dataset``, by sequence name.

    A folder holding several trackers' files needs ``tracker`` to choose one (with a
    single tracker's files, ``tracker`` may be any name). Every sequence of the dataset
    must have a file.
    """
    folder = Path(folder)
    by_tracker: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.mat")):
        try:
            _, name = split_mat_name(path, dataset)
        except TrackbenchError:
            continue  # a file for another dataset's sequence
        by_tracker.setdefault(name, []).append(path)
    if tracker is not None:  # choose that tracker's files; a single tracker's files may be renamed
        chosen = {n: p for n, p in by_tracker.items() if normalize_name(n) == normalize_name(tracker)}
        by_tracker = chosen or by_tracker
    if not by_tracker:
        raise TrackbenchError(f"no <sequence>_<tracker>.mat files for {dataset.name!r}", folder)
    if len(by_tracker) > 1:
        names = ", ".join(sorted(by_tracker))
        raise TrackbenchError(f"results of several trackers ({names}); choose one with --tracker-name", folder)
    read = [read_mat_result(path, dataset, strict=strict, mismatches=mismatches)
            for path in next(iter(by_tracker.values()))]
    results = {r.sequence: r for r in read}
    missing = [s.name for s in dataset if s.name not in results]
    if missing:
        raise TrackbenchError(f"no .mat result for {len(missing)} sequence(s): {', '.join(missing[:5])}", folder)
    return results


def write_mat_result(path: str | Path, boxes: np.ndarray, *, fps: float | None = None, start_frame: int = 1) -> Path:
    """Write ``results{1}`` with ``res``, ``type='rect'``, ``fps``, ``len``, ``annoBegin``,
    ``startFrame`` as the OTB MATLAB toolkit does (atomically)."""
    import scipy.io

    boxes = np.asarray(boxes, dtype=np.float64)
    record = {
        "res": boxes,
        "type": "rect",
        "fps": float("nan") if fps is None else float(fps),
        "len": float(len(boxes)),
        "annoBegin": float(start_frame),
        "startFrame": float(start_frame),
    }
    cell = np.empty((1, 1), dtype=object)
    cell[0, 0] = record
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"results": cell})
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)
