"""A content-hashed cache of parsed tables, so that an evaluation reads each annotation
and result file's numbers once.

:func:`cached_parse` keeps the parsed array of one file of at least
:data:`CACHE_MIN_BYTES`; :func:`cached_parse_many` the arrays of a group of files parsed
together (:func:`trackbench.fastparse.parse_numeric_group`: a tracker's small result files)
in one entry. Entries live under ``<cache>/tables/`` (:func:`trackbench.cachedir.cache_dir`:
``$TRACKBENCH_CACHE_DIR``; else ``$XDG_CACHE_HOME/trackbench`` or ``~/.cache/trackbench``;
the value ``off`` disables it). The key is the SHA-256 of the files' bytes (for a group:
each file's length, then its bytes, in order) and of the parser's version
(:data:`trackbench.fastparse.PARSER_VERSION`), so an entry is never stale: an edited file
has a new key. Entries are written atomically, by the parsing thread, or inside a
:func:`background_writes` block (``trackbench eval`` and ``report``) by one writer thread,
so that writing LaSOT's 44 MB of entries (0.1-0.2 s on a disk-backed page cache) overlaps
Arrow's parsing of the next files. They are read without evaluating anything
(``allow_pickle=False`` where ``np.load`` reads one); a missing, damaged or unreadable
entry is parsed again, and deleting the folder at any time is safe.

Entry format: ``<sha256>.npy`` is exactly what ``np.save`` writes for a C-ordered float64
table (format 1.0, a 128-byte header); ``<sha256>.tables`` (a group) is two such blocks
back to back, the row count of each file as an ``(n, 1)`` float64 table, then all rows.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Callable, Hashable, Iterable, Iterator, TypeVar

import numpy as np

from trackbench.cachedir import cache_dir
from trackbench.fastparse import ARROW_MIN_BYTES, MANY_MAX_BYTES, PARSER_VERSION, parse_any, parse_numeric_group
from trackbench.tempfiles import create_temporary

#: Files smaller than this are not cached one by one (parsing them costs less than a cache
#: lookup); groups of them are (:func:`cached_parse_many`).
CACHE_MIN_BYTES = ARROW_MIN_BYTES
_GROUP_KEY = b"|group|"
K = TypeVar("K", bound=Hashable)


def cached_parse(data: bytes, parse: Callable[[bytes], np.ndarray | None] = parse_any) -> np.ndarray | None:
    """``parse(data)`` through the cache (see the module docstring)."""
    folder = cache_dir()
    if folder is None or len(data) < CACHE_MIN_BYTES:
        return parse(data)
    key = hashlib.sha256(PARSER_VERSION)
    key.update(data)  # (hashing ``PARSER_VERSION + data`` would copy the file first)
    path = Path(os.path.join(folder, "tables", f"{key.hexdigest()}.npy"))
    try:
        values = _load_entry(path)
        if values.dtype == np.float64 and values.ndim == 2:
            return values
    except (OSError, ValueError, EOFError):
        pass  # missing or damaged entry: parse again and rewrite it
    values = parse(data)
    if values is not None:
        _store(path, values)
    return values


def cached_parse_many(datas: list[bytes]) -> list[np.ndarray | None]:
    """``parse_any`` of each file's bytes: parsed as one group
    (:func:`trackbench.fastparse.parse_numeric_group`) and cached as one entry when the
    group allows it, else file by file through :func:`cached_parse` (where letters, runs of
    separators or another width in one file, or a malformed one, are decided and worded)."""
    if len(datas) < 2:
        return [cached_parse(data) for data in datas]
    folder = cache_dir()
    path = None
    if folder is not None:
        key = hashlib.sha256(PARSER_VERSION + _GROUP_KEY)
        for data in datas:
            key.update(len(data).to_bytes(8, "little"))
            key.update(data)
        path = Path(os.path.join(folder, "tables", f"{key.hexdigest()}.tables"))
        try:
            counts, values = _load_blocks(path, 2)
            rows = counts[:, 0].astype(np.int64)
            if len(rows) == len(datas) and values.dtype == np.float64 and rows.sum() == len(values):
                return np.split(values, np.cumsum(rows[:-1]))
        except (OSError, ValueError, EOFError):
            pass  # missing or damaged entry: parse again and rewrite it
    group = parse_numeric_group(datas)
    if group is None:
        return [cached_parse(data) for data in datas]
    values, rows = group
    if path is not None:
        _store(path, np.array(rows, dtype=np.float64)[:, None], values)
    return np.split(values, np.cumsum(rows[:-1]))


def parse_in_groups(files: Iterable[tuple[K, bytes]]) -> dict[K, np.ndarray]:
    """The tables of many files, parsed in groups of up to
    :data:`trackbench.fastparse.MANY_MAX_BYTES` through :func:`cached_parse_many` (a
    tracker's 100 OTB result files: one parser call and one cache entry instead of a
    hundred). ``files`` yields ``(key, bytes)`` and is consumed lazily, so that only one
    group's bytes are held at a time. Files of an eighth of that size or more are left out
    (their parse outweighs the fixed cost; the caller reads them one by one), and so are
    files that none of the fast parsers reads: the caller's careful reader decides those
    and words their errors, in its own order."""
    parsed: dict[K, np.ndarray] = {}
    group: list[tuple[K, bytes]] = []
    size = 0

    def flush() -> None:
        tables = cached_parse_many([data for _, data in group])
        parsed.update((key, values) for (key, _), values in zip(group, tables) if values is not None)

    for key, data in files:
        if len(data) >= MANY_MAX_BYTES // 8:
            continue
        group.append((key, data))
        size += len(data)
        if size >= MANY_MAX_BYTES:
            flush()
            group, size = [], 0
    flush()
    return parsed


# The header ``np.save`` writes for a C-ordered little-endian float64 table (format 1.0),
# and its length (with the padding, so that the data start at byte 128).
_NPY_HEADER_LENGTH = 118
_NPY_HEADER = re.compile(rb"\{'descr': '<f8', 'fortran_order': False, 'shape': \((\d+), (\d+)\), \} *\n")


def _load_entry(path: Path) -> np.ndarray:
    """A one-table entry as :func:`_store` writes it, read directly (``np.load`` parses each
    header with ``ast.literal_eval``: a third of the time of loading LaSOT's 560 tables);
    any other ``.npy`` through ``np.load``."""
    with open(path, "rb") as handle:
        head = handle.read(128)
        shape = _block_shape(head)
        if shape is None:
            return np.load(path, allow_pickle=False)
        return _block_values(handle, shape, path)


def _load_blocks(path: Path, count: int) -> list[np.ndarray]:
    """The ``count`` tables of an entry written by :func:`_store`; ValueError for anything else."""
    blocks = []
    with open(path, "rb") as handle:
        for _ in range(count):
            shape = _block_shape(handle.read(128))
            if shape is None:
                raise ValueError(f"{path}: not a cache entry")
            blocks.append(_block_values(handle, shape, path))
    return blocks


def _block_shape(head: bytes) -> tuple[int, int] | None:
    """``(rows, width)`` of a 128-byte header as :func:`_block` writes it, else ``None``."""
    match = _NPY_HEADER.fullmatch(head, 10) if head[:8] == b"\x93NUMPY\x01\x00" else None
    if match is None or int.from_bytes(head[8:10], "little") != _NPY_HEADER_LENGTH:
        return None
    return int(match.group(1)), int(match.group(2))


def _block_values(handle, shape: tuple[int, int], path: Path) -> np.ndarray:
    rows, width = shape
    values = np.fromfile(handle, dtype="<f8", count=rows * width)
    if values.size != rows * width:
        raise ValueError(f"{path}: truncated cache entry")
    return values.reshape(rows, width)


def _block(values: np.ndarray) -> list | None:
    """The bytes ``np.save`` writes for a C-ordered float64 table (format 1.0, a 128-byte
    header), built directly, as parts to join; ``None`` for what that header cannot hold."""
    values = np.ascontiguousarray(values, dtype="<f8")
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % values.shape
    if values.ndim != 2 or len(header) > _NPY_HEADER_LENGTH - 1:
        return None
    return [b"\x93NUMPY\x01\x00", _NPY_HEADER_LENGTH.to_bytes(2, "little"),
            header.ljust(_NPY_HEADER_LENGTH - 1).encode("ascii"), b"\n", memoryview(values).cast("B")]


class _EntryWriter:
    """One thread writing cache entries handed to it, in order (at most a few queued)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Path, bytes] | None] = queue.Queue(maxsize=4)
        self._thread: threading.Thread | None = None

    def put(self, path: Path, data: bytes) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="trackbench-cache-writer", daemon=True)
            self._thread.start()
        self._queue.put((path, data))

    def close(self) -> None:
        """Wait until every entry handed over is written."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                _write_entry(*item)
            except Exception:  # a cache: an entry that cannot be written is parsed again next time
                pass


_WRITER: ContextVar[_EntryWriter | None] = ContextVar("trackbench_cache_writer", default=None)


@contextmanager
def background_writes() -> Iterator[None]:
    """Within the block, the cache entries this thread creates are written by one writer
    thread while parsing goes on; all are written when the block ends (also on an error).
    Other threads, and code outside any block, write their entries themselves."""
    writer = _EntryWriter()
    token = _WRITER.set(writer)
    try:
        yield
    finally:
        _WRITER.reset(token)
        writer.close()


def _store(path: Path, *tables: np.ndarray) -> None:
    """Write the entry (the tables' blocks back to back) atomically: a temporary file in
    the same folder, then ``os.replace``; never partial, not flushed to disk (a cache); a
    cache that cannot be written is skipped silently. Its bytes are built here, by the
    caller's thread (the arrays it goes on to use are never read by the writer thread), and
    written here or, inside :func:`background_writes`, by that block's writer thread."""
    parts = []
    for table in tables:
        block = _block(table)
        if block is None:
            return
        parts += block
    data = b"".join(parts)
    writer = _WRITER.get()
    if writer is not None:
        writer.put(path, data)
    else:
        _write_entry(path, data)


def _write_entry(path: Path, data: bytes) -> None:
    """One ``os.open`` / ``write`` / ``os.replace``: LaSOT's 560 entries spend most of their
    time creating files (:func:`trackbench.tempfiles.create_temporary`: one ``open``)."""
    try:
        fd, temporary = create_temporary(path)
        try:
            with open(fd, "wb", closefd=True) as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
    except OSError:
        pass
