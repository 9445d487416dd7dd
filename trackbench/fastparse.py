"""Whole-file parsing of numeric tables at C speed (one file, or many files as one group).

:func:`parse_numeric` turns the bytes of a table file (rows of numbers separated by commas,
tabs, semicolons or spaces; runs count as one) into a float64 array, or returns ``None``
when it cannot be sure to give exactly what the careful line-by-line readers
(:func:`trackbench.textio.read_table`, :func:`trackbench.results.source.parse_boxes`)
give. Callers then run the careful reader, which either returns the same array or raises
the exact ``<file>:<line>: ...`` error. The fast paths never decide anything about
malformed input; they only decline. In order:

1. files of at least :data:`ARROW_MIN_BYTES`: :func:`trackbench.arrow_table.parse_arrow_table`,
   Apache Arrow's C++ CSV reader, whose conversion is exactly ``float()`` (correctly
   rounded; see that module). LaSOT's 63 MB of annotations and 17-digit results take it,
   exponents such as SiamRPN++'s ``5.399880340917207e-05`` included;
2. anything it declines (runs of separators such as ``1, 2``, a separator ending a line):
   below :data:`C_PARSER_MIN_BYTES` by splitting the text, else one
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

The content-hashed cache of parsed tables is :mod:`trackbench.table_cache`.
"""

from __future__ import annotations

import io
import sys

import numpy as np

from trackbench.arrow_table import parse_arrow_table, prepare_table, unify_line_ends

#: Bump when the parsing rules change: old cache entries then no longer match.
PARSER_VERSION = b"trackbench-table-1"
#: Files smaller than this are parsed by splitting (faster than starting pandas' parser).
C_PARSER_MIN_BYTES = 8192
#: Tables at least this large are read by pandas' tokenizer (faster per byte than
#: ``np.loadtxt``, but importing pandas costs as much as reading a few MB: OTB result files
#: stay below this, LaSOT has a few above).
PANDAS_MIN_BYTES = 512 * 1024
#: Files at least this large are parsed by :mod:`trackbench.arrow_table` first (smaller
#: ones cost less to split than Arrow's fixed cost of about 0.2 ms a call).
ARROW_MIN_BYTES = 4096

_ALLOWED = b"0123456789.+-eE \t,;\n"
_SEPARATORS = bytes.maketrans(b"\t,;", b"   ")


def _clean(data: bytes) -> bytes | None:
    """The table's bytes with separators as spaces and trailing blank lines removed, or
    ``None`` when the file holds anything but plain decimal numbers."""
    data = unify_line_ends(data)
    if data.translate(None, _ALLOWED):
        return None  # letters (nan, inf), lone carriage returns, other characters
    return data.translate(_SEPARATORS).rstrip()


def parse_numeric(data: bytes) -> np.ndarray | None:
    """``(rows, width)`` float64 array of a table's bytes, or ``None`` when unsure (see the
    module docstring). An empty table gives ``None`` (callers report it)."""
    if len(data) >= ARROW_MIN_BYTES:
        table = prepare_table(data)
        values = None if table is None else parse_arrow_table(table.buffer, table.width())
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


#: At most this many bytes of files are parsed in one :func:`parse_numeric_group` call by
#: the batching readers (the joined text and its temporaries stay a few times this size).
MANY_MAX_BYTES = 4 << 20


def parse_numeric_group(datas: list[bytes]) -> tuple[np.ndarray, list[int]] | None:
    """The tables of several files parsed as one (one
    :func:`trackbench.arrow_table.parse_arrow_table` call on their prepared texts joined by
    line ends): all rows in file order, and each file's row count; ``None`` unless every
    file is a non-empty table that Arrow reads, all of one width (the caller then parses
    the files one by one, which decides each and words any error).

    Why each file's rows equal ``parse_numeric(data)``: Arrow reads each row on its own,
    exactly as ``float()``; each prepared text ends in a number or a separator (trailing
    whitespace is cut), so joining adds no blank line and no number spans two files (a
    trailing separator makes an empty field, which declines), and a file that starts with
    a blank line puts one inside the joined table, which declines. OTB's result files
    (20 KB each) would pay Arrow's fixed cost per call (~0.2 ms) one hundred times per
    tracker one by one.
    """
    tables = [prepare_table(data) for data in datas]
    if not tables or None in tables:
        return None  # an empty file, letters: decided file by file
    width = tables[0].width()
    if any(table.width() != width for table in tables[1:]):
        return None  # widths differ (boxes and polygons): no joined table
    rows = [table.rows() for table in tables]
    values = parse_arrow_table(b"\n".join(table.buffer for table in tables), width)
    if values is None or len(values) != sum(rows):
        return None
    return values, rows
