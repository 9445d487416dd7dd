"""Reading numeric text tables and writing files atomically.

The field's annotation and result files are rows of numbers separated by commas, tabs
or spaces (sometimes mixed within one dataset). ``read_table`` accepts all of them and
reports any bad line as ``<file>:<line>: <what is wrong>``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.table_cache import cached_parse, parse_in_groups
from trackbench.tempfiles import create_temporary

_SPLIT = re.compile(r"[,\t; ]+")


def split_numbers(line: str) -> list[str]:
    """Split one line on commas, tabs, semicolons or spaces (runs count as one)."""
    return [tok for tok in _SPLIT.split(line.strip()) if tok]


def read_table(
    path: str | Path,
    columns: int | Iterable[int] | None = None,
    *,
    allow_nan: bool = False,
    allow_empty: bool = False,
    what: str = "rows",
    preparsed: Mapping[Path, np.ndarray] | None = None,
) -> np.ndarray:
    """Read a numeric table (one row per non-empty line) into a float64 array.

    ``columns``: the accepted column count(s); ``None`` accepts any constant count.
    ``allow_nan``: whether ``nan``/``NaN`` tokens are accepted. Blank lines at the end
    are ignored; a blank line in the middle is an error (a truncated or edited file).
    Raises :class:`TrackbenchError` naming the file and 1-based line number.

    Good files are parsed whole at C speed (:mod:`trackbench.fastparse`; cached by
    content, :mod:`trackbench.table_cache`); the line-by-line reader runs only when that declines,
    and it alone words the errors. ``preparsed``: tables parsed ahead by
    :func:`preparse_tables`, by path (a path found there is not read again).
    """
    path = Path(path)
    accepted = None if columns is None else ({columns} if isinstance(columns, int) else set(columns))
    values = preparsed.get(path) if preparsed is not None else None
    data = None
    if values is None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise TrackbenchError(f"file not found ({what} expected here)", path) from None
        values = cached_parse(data)
    if values is not None and (accepted is None or values.shape[1] in accepted) and (allow_nan or not np.isnan(values).any()):
        return values
    if data is None:
        data = path.read_bytes()
    return _read_table_carefully(data, path, accepted, allow_nan=allow_nan, allow_empty=allow_empty, what=what,
                                 columns=columns)


def preparse_tables(paths: Iterable[str | Path]) -> dict[Path, np.ndarray]:
    """The tables of many files parsed ahead, many at a time
    (:func:`trackbench.table_cache.parse_in_groups`: LaSOT's 280 annotation files in a
    dozen parser calls and cache entries), for :func:`read_table`'s ``preparsed``. Files
    it leaves out (large, unreadable, missing, or not plain numbers) ``read_table`` reads
    itself, and words their errors."""
    def files() -> Iterable[tuple[Path, bytes]]:
        for path in map(Path, paths):
            try:
                yield path, path.read_bytes()
            except OSError:
                continue
    return parse_in_groups(files())


def _read_table_carefully(
    data: bytes,
    path: Path,
    accepted: set[int] | None,
    *,
    allow_nan: bool,
    allow_empty: bool,
    what: str,
    columns: int | Iterable[int] | None,
) -> np.ndarray:
    """The line-by-line reader behind :func:`read_table`: the same array as the fast path
    (:mod:`trackbench.fastparse`) for good files, and the exact error for bad ones."""
    try:
        text = data.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError:
        raise TrackbenchError("not a text file", path) from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        if allow_empty:
            return np.zeros((0, 0 if columns is None else _first(columns)), dtype=np.float64)
        raise TrackbenchError(f"file is empty ({what} expected)", path)
    rows: list[list[float]] = []
    width = None
    for number, line in enumerate(lines, start=1):
        tokens = split_numbers(line)
        if not tokens:
            raise TrackbenchError("blank line inside the table", path, number)
        try:
            values = [float(tok) for tok in tokens]
        except ValueError:
            bad = next(tok for tok in tokens if not is_float(tok))
            raise TrackbenchError(f"not a number: {bad!r}", path, number) from None
        if accepted is not None and len(values) not in accepted:
            want = " or ".join(str(c) for c in sorted(accepted))
            raise TrackbenchError(f"expected {want} numbers, found {len(values)}", path, number)
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise TrackbenchError(f"expected {width} numbers like the first line, found {len(values)}", path, number)
        if not allow_nan and any(v != v for v in values):
            raise TrackbenchError("NaN value", path, number)
        rows.append(values)
    return np.asarray(rows, dtype=np.float64)


def _first(columns: int | Iterable[int]) -> int:
    return columns if isinstance(columns, int) else sorted(columns)[0]


def is_float(token: str) -> bool:
    """Whether ``float(token)`` succeeds (``"1e-3"``, ``"nan"``, ``" 2 "``)."""
    try:
        float(token)
    except ValueError:
        return False
    return True


_is_float = is_float  # the former private name, kept working


def read_flags(path: str | Path, length: int | None = None, *, what: str = "flags") -> np.ndarray:
    """Read per-frame integer flags (one per line, or all on one comma-separated line).

    Shorter files are padded with zeros up to ``length`` (VOT tag files may end early).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TrackbenchError(f"file not found ({what} expected here)", path) from None
    values: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for tok in split_numbers(line):
            try:
                values.append(int(float(tok)))
            except ValueError:
                raise TrackbenchError(f"not an integer flag: {tok!r}", path, number) from None
    flags = np.asarray(values, dtype=np.int64)
    if length is not None:
        if len(flags) > length:
            flags = flags[:length]
        elif len(flags) < length:
            flags = np.concatenate([flags, np.zeros(length - len(flags), dtype=np.int64)])
    return flags


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file in the same folder, fsync,
    then ``os.replace``. A reader (or a resumed run) never sees a partial file. UTF-8,
    ``\n`` line endings (written as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _read_umask() -> int:
    """The process's umask (read by setting it and putting it back: not thread-safe; new
    files get ``0o666 & ~umask``, see :func:`trackbench.tempfiles.create_temporary`)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


class naming_file:
    """Context manager: an ``OSError`` raised inside that names no file (a failed
    ``write``: "No space left on device", "File too large") gets ``path`` as its
    ``filename``, so the one-line error says which file could not be written."""

    def __init__(self, path: str | Path):
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, OSError) and not exc.filename:
            exc.filename = str(self.path)
        return False


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write_text`). An OSError
    names ``path``. ``durable=False`` skips the fsync (for caches: still never partial, but
    may be lost in a power cut)."""
    path = Path(path)
    with naming_file(path):
        _atomic_write(path, data, durable)


def _atomic_write(path: Path, data: bytes, durable: bool) -> None:
    fd, tmp = create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_files(files: list[tuple[Path, bytes]]) -> None:
    """Write several files atomically, in one step: every file to its temporary, each one
    fsynced, then the renames in the given order. (The fsyncs run one after the other in
    this thread: issued together from helper threads they were no faster, and beside
    parallel frame decoding a 260-frame run took 10 ms longer with them.) So, as with one
    :func:`atomic_write_bytes` after the other, each file is on disk before its name
    appears, and a file's name never appears before those of the files listed before it
    (results list their times file first). An OSError names its file; temporaries are
    removed on any failure."""
    temporaries: list[tuple[Path, str]] = []
    handles: list[Any] = []
    try:
        for path, data in files:
            with naming_file(path):
                fd, tmp = create_temporary(path)
                temporaries.append((path, tmp))
                handle = os.fdopen(fd, "wb")
                handles.append(handle)
                handle.write(data)
                handle.flush()
        for (path, _), handle in zip(temporaries, handles):
            with naming_file(path):
                os.fsync(handle.fileno())
        while handles:
            handles.pop().close()
        for path, tmp in temporaries:
            with naming_file(path):
                os.replace(tmp, path)
    except BaseException:
        for handle in handles:
            handle.close()
        for _, tmp in temporaries:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise


def format_rows(rows: np.ndarray, fmt: str = "%.4f", delimiter: str = ",") -> str:
    """Format a 2-D array as text lines (``fmt`` per number), ending with a newline."""
    rows = np.atleast_2d(np.asarray(rows, dtype=np.float64))
    if rows.size == 0:
        return "".join("\n" for _ in rows)
    line = delimiter.join([fmt] * rows.shape[1]) + "\n"
    return (line * rows.shape[0]) % tuple(rows.ravel().tolist())  # one C-level formatting call


def format_exact(value: float) -> str:
    """The shortest text that parses back to exactly ``value`` (Python's ``repr``: ``10.5``,
    ``282.5706919186197``, ``nan``, ``1e-05``)."""
    return repr(float(value))


def format_rows_exact(rows: np.ndarray, delimiter: str = ",") -> str:
    """:func:`format_rows` with :func:`format_exact` numbers: ``read_table`` gives back the
    very same float64 values (used where imported numbers must not be rounded)."""
    rows = np.atleast_2d(np.asarray(rows, dtype=np.float64))
    return "".join(delimiter.join(map(repr, row)) + "\n" for row in rows.tolist())
