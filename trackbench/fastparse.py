"""Whole-file parsing of numeric tables at C speed, with a content-hashed cache.

:func:`parse_numeric` turns the bytes of a table file (rows of numbers separated by commas,
tabs, semicolons or spaces; runs count as one) into a float64 array, or returns ``None``
when it cannot be sure to give exactly what the careful line-by-line readers
(:func:`trackbench.textio.read_table`, :func:`trackbench.results.source.parse_boxes`)
give. Callers then run the careful reader, which either returns the same array or raises
the exact ``<file>:<line>: ...`` error. The fast paths never decide anything about
malformed input; they only decline. In order:

1. files of at least :data:`VECTOR_MIN_BYTES`: :func:`trackbench.decimal_table.parse_decimal_table`,
   a vectorised numpy parser of plain decimal numbers (no exponents, no letters) that is
   exactly ``float()`` (correctly rounded: Clinger's fast path below ``2**53``, an exact
   uint64 rounding check above, ``float()`` itself for the rare undecided number; see that
   module). LaSOT's 63 MB of annotations and 17-digit results take it (all but two
   SiamRPN++ files, which hold an exponent such as ``5.399880340917207e-05``);
2. anything it declines: below :data:`C_PARSER_MIN_BYTES` by splitting the text, else one
   call to a C reader (pandas' tokenizer for large tables once pandas is loaded,
   ``np.loadtxt``'s otherwise, see :func:`_c_parse`), both converting as ``float()``;
3. tables with letters (``nan`` rows): :func:`parse_tokens`, which splits the text and
   converts every token the way ``float()`` does.

The same values are guaranteed because: only the bytes ``0-9 . + - e E``, separators and
newlines are allowed on paths 1 and 2 (so no ``nan``/``inf``/``NA`` token can be read
differently); numbers are converted as ``float()`` converts them; a row with too many or
too few numbers, a blank line inside the table, a sign or point that belongs to no number
(``1-2``, ``1.2.3``, a lone ``.``) make the parser decline (pandas fails, or its row count
differs from the line count).

Cache (:func:`cached_parse`): parsed arrays of files of at least :data:`CACHE_MIN_BYTES`
are kept as ``<sha256>.npy`` under :func:`trackbench.cachedir.cache_dir`
(``$TRACKBENCH_CACHE_DIR``; else ``$XDG_CACHE_HOME/trackbench`` or
``~/.cache/trackbench``; the value ``off`` disables it). The key is the hash of the file's
bytes and of this parser's version, so an entry is never stale: an edited file has a new
key. Entries are written atomically, at once (a background writer thread was tried: its
share of the GIL slowed the parsing thread more than the 0.1-0.2 ms of creating each file
costs) and loaded with ``allow_pickle=False``; deleting the folder at any time is safe.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import sys
from pathlib import Path
from typing import Callable

import numpy as np

from trackbench.cachedir import cache_dir
from trackbench.decimal_table import parse_decimal_table

#: Bump when the parsing rules change: old cache entries then no longer match.
PARSER_VERSION = b"trackbench-table-1"
#: Files smaller than this are parsed by splitting (faster than starting pandas' parser).
C_PARSER_MIN_BYTES = 8192
#: Tables at least this large are read by pandas' tokenizer (faster per byte than
#: ``np.loadtxt``, but importing pandas costs as much as reading a few MB: OTB result files
#: stay below this, LaSOT has a few above).
PANDAS_MIN_BYTES = 512 * 1024
#: Files at least this large are parsed by :mod:`trackbench.decimal_table` first (smaller
#: ones cost less to split than that parser's fixed cost of some hundred numpy calls).
VECTOR_MIN_BYTES = 4096
#: Files smaller than this are not cached (parsing them costs less than a cache lookup).
CACHE_MIN_BYTES = VECTOR_MIN_BYTES

_ALLOWED = b"0123456789.+-eE \t,;\n"
_SEPARATORS = bytes.maketrans(b"\t,;", b"   ")
_BOM = b"\xef\xbb\xbf"
_VECTOR_BYTES = bytes(c if c in b"0123456789.+-\n" else 32 if c in b" \t,;" else 255 for c in range(256))


def _clean(data: bytes) -> bytes | None:
    """The table's bytes with separators as spaces and trailing blank lines removed, or
    ``None`` when the file holds anything but plain decimal numbers."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if data.translate(None, _ALLOWED):
        return None  # letters (nan, inf), lone carriage returns, other characters
    return data.translate(_SEPARATORS).rstrip()


def _vector_text(data: bytes) -> bytes:
    """The table's bytes as :func:`trackbench.decimal_table.parse_decimal_table` takes them:
    separators as spaces, ``\r\n`` as ``\n``, trailing blank lines removed, and every
    byte outside ``0-9 . + -``, separators and newlines (letters, a lone ``\r``) made 0xFF,
    which that parser declines."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    return data.translate(_VECTOR_BYTES).rstrip()


def parse_numeric(data: bytes) -> np.ndarray | None:
    """``(rows, width)`` float64 array of a table's bytes, or ``None`` when unsure (see the
    module docstring). An empty table gives ``None`` (callers report it)."""
    if len(data) >= VECTOR_MIN_BYTES:
        values = parse_decimal_table(_vector_text(data))
        if values is not None:
            return values
    text = _clean(data)
    if not text:
        return None
    lines = text.count(b"\n") + 1
    if len(text) < C_PARSER_MIN_BYTES:
        return _split_rows(text.decode("ascii").splitlines())
    try:
        values = _c_parse(text)
    except ValueError:  # a bad token, a short or long row
        return None
    if values.shape[0] != lines or np.isnan(values).any():
        return None
    return np.ascontiguousarray(values)


def _c_parse(text: bytes) -> np.ndarray:
    """Whitespace-separated numbers by a C reader with Python's correctly rounded
    conversion: pandas' C tokenizer with ``round_trip`` (the only pandas converter
    documented to give ``float()``'s value) for large tables or once pandas is loaded
    anyway, else ``np.loadtxt``, whose C reader converts with the same function
    (``PyOS_string_to_double``) and costs no pandas import (0.2 s; an OTB evaluation's
    tables are small). Where pandas no longer accepts ``float_precision`` (pandas 3
    deprecates it) ``np.loadtxt`` takes over. Raises ValueError on anything unexpected."""
    if "pandas" not in sys.modules and len(text) < PANDAS_MIN_BYTES:
        return np.loadtxt(io.BytesIO(text), dtype=np.float64, ndmin=2)
    import warnings

    import pandas as pd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            frame = pd.read_csv(io.BytesIO(text), sep=r"\s+", header=None, engine="c", dtype=np.float64,
                                float_precision="round_trip", na_filter=False)
    except pd.errors.ParserError as exc:
        raise ValueError(str(exc)) from None
    except TypeError:  # float_precision no longer accepted
        return np.loadtxt(io.BytesIO(text), dtype=np.float64, ndmin=2)
    return frame.to_numpy(dtype=np.float64)


def parse_tokens(text: str) -> np.ndarray | None:
    """Like :func:`parse_numeric` for any text (``nan``/``inf`` tokens included), converting
    each token as ``float()`` does; ``None`` when a row's width differs, a line inside is
    blank, a token is not a number or the text holds anything but printable ASCII, tabs
    and line ends (other whitespace would split tokens the careful reader keeps whole)."""
    if not text.isascii() or text.encode("ascii").translate(None, _PRINTABLE):
        return None
    lines = text.translate(_STR_SEPARATORS).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return None
    return _split_rows(lines)


_STR_SEPARATORS = str.maketrans("\t,;", "   ")
_PRINTABLE = bytes(range(32, 127)) + b"\t\n\r"


def _split_rows(lines: list[str]) -> np.ndarray | None:
    counts = list(map(len, map(str.split, lines)))
    width = counts[0]
    if width == 0 or counts.count(width) != len(counts):
        return None
    try:
        values = np.array(" ".join(lines).split(), dtype=np.float64)
    except ValueError:
        return None
    return values.reshape(len(lines), width)


def parse_any(data: bytes) -> np.ndarray | None:
    """:func:`parse_numeric`, then :func:`parse_tokens` for tables with letters."""
    values = parse_numeric(data)
    if values is None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        values = parse_tokens(text)
    return values


def cached_parse(data: bytes, parse: Callable[[bytes], np.ndarray | None] = parse_any) -> np.ndarray | None:
    """``parse(data)`` through the content-hashed cache (see the module docstring)."""
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


# The header ``np.save`` writes for a C-ordered little-endian float64 table (format 1.0),
# and its length (with the padding, so that the data start at byte 128).
_NPY_HEADER_LENGTH = 118
_NPY_HEADER = re.compile(rb"\{'descr': '<f8', 'fortran_order': False, 'shape': \((\d+), (\d+)\), \} *\n")


def _load_entry(path: Path) -> np.ndarray:
    """A cache entry: the table of an ``.npy`` file as :func:`_store` writes it, read
    directly (``np.load`` parses each header with ``ast.literal_eval``: a third of the time
    of loading LaSOT's 560 tables); any other ``.npy`` through ``np.load``."""
    with open(path, "rb") as handle:
        head = handle.read(128)
        match = _NPY_HEADER.fullmatch(head, 10) if head[:8] == b"\x93NUMPY\x01\x00" else None
        if match is None or int.from_bytes(head[8:10], "little") != _NPY_HEADER_LENGTH:
            return np.load(path, allow_pickle=False)
        rows, width = int(match.group(1)), int(match.group(2))
        values = np.fromfile(handle, dtype="<f8", count=rows * width)
    if values.size != rows * width:
        raise ValueError(f"{path}: truncated cache entry")
    return values.reshape(rows, width)


def _store(path: Path, values: np.ndarray) -> None:
    """Write the entry atomically (a temporary file in the same folder, then
    ``os.replace``; never partial, not flushed to disk: a cache); a cache that cannot be
    written is skipped silently. The bytes are what ``np.save`` writes for a C-ordered
    float64 table (format 1.0, a 128-byte header), built directly: LaSOT's 560 entries
    spend most of their time creating files, and ``np.save`` plus the general atomic
    writer (:func:`trackbench.textio.atomic_write_bytes`: ``mkstemp``, ``fchmod``, the
    folder made each time) added a third to that."""
    values = np.ascontiguousarray(values, dtype="<f8")
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % values.shape
    if values.ndim != 2 or len(header) > _NPY_HEADER_LENGTH - 1:
        return
    data = b"".join((b"\x93NUMPY\x01\x00", _NPY_HEADER_LENGTH.to_bytes(2, "little"),
                     header.ljust(_NPY_HEADER_LENGTH - 1).encode("ascii"), b"\n", memoryview(values).cast("B")))
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        try:
            fd = os.open(temporary, flags, 0o666)  # the usual mode (the umask applies)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
            fd = os.open(temporary, flags, 0o666)
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
