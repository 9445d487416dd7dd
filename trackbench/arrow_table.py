"""Numeric tables parsed by Apache Arrow's C++ CSV reader, exactly as ``float()`` reads
each number.

:func:`prepare_table` prepares a table file's bytes (a UTF-8 byte-order mark dropped,
``\\r\\n`` made ``\\n``, trailing whitespace cut, each separator -- comma, tab, semicolon,
space -- made a comma) or declines a file with any byte outside ``0-9 . + - e E``,
separators and newlines (letters such as ``nan``, a lone ``\\r``); :func:`parse_arrow_table`
reads a prepared table (or several joined by line ends) with ``pyarrow.csv.read_csv`` into
a ``(rows, width)`` float64 array, or returns ``None`` (the caller then runs its other
readers, which decide and word any error). It declines, because Arrow refuses them:

* a run of separators (``1, 2``, ``1  2``) or a separator at a line's start or end: an
  empty field, which converts to no number (no string counts as null here);
* a row with another count of numbers than the first, a blank line inside the table;
* a token that is not one whole number (``1-2``, ``1.2.3``, a lone ``.`` or ``-``).

Why the values equal ``float()``'s, bit for bit: Arrow converts a field only when the
whole field is one decimal number (``arrow/util/value_parsing.cc``, ``StringToFloat``:
the vendored fast_float ``from_chars`` must consume every byte), and fast_float rounds
correctly (round-half-even, as CPython's ``dtoa.c``), exponents and more than 19 digits
included; quoting is off, so no field is read as text. The alphabet leaves no token that
Arrow and ``float()`` read differently (no ``_``, no ``nan``/``inf``, no spaces inside a
field). ``tests/core/test_arrow_table.py`` checks this against ``float()`` on random and
adversarial numbers, ties included, and on the real annotation and result files.

pyarrow is imported on the first call (about 0.03-0.07 s), so a run whose tables all come
from the cache does not load it; where it cannot be imported, every table goes to the
other exact readers (slower, same values). Arrow parses blocks of a large table on its CPU thread
pool, whose size follows ``$OMP_NUM_THREADS`` (set by
:func:`trackbench.execution.threads.apply_threads`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

_BOM = b"\xef\xbb\xbf"
#: Bytes a prepared table may hold as they are, and the map of separators to commas.
_ALPHABET = b"0123456789.+-eE\n,"
_TO_COMMAS = bytes.maketrans(b" \t;", b",,,")
_TRAILING = frozenset(b" \t\n\r\x0b\x0c")  # what ``bytes.rstrip()`` cuts


@dataclass(frozen=True)
class PreparedTable:
    """A table file's bytes ready for Arrow: ``data[:end]`` (no copy of a file that needs
    no change: most are comma-separated already)."""

    data: bytes
    end: int

    @property
    def buffer(self) -> bytes | memoryview:
        return self.data if self.end == len(self.data) else memoryview(self.data)[:self.end]

    def rows(self) -> int:
        return self.data.count(b"\n", 0, self.end) + 1

    def width(self) -> int:
        """Numbers in the first row (its separators plus one)."""
        line_end = self.data.find(b"\n", 0, self.end)
        return self.data.count(b",", 0, self.end if line_end < 0 else line_end) + 1


def unify_line_ends(data: bytes) -> bytes:
    """A text file's bytes without a UTF-8 byte-order mark, with ``\\r\\n`` made ``\\n``."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    return data.replace(b"\r\n", b"\n") if b"\r" in data else data


def prepare_table(data: bytes) -> PreparedTable | None:
    """A table file's bytes as :func:`parse_arrow_table` takes them, or ``None`` when the
    file holds no number or a byte outside the alphabet (see the module docstring)."""
    data = unify_line_ends(data)
    end = len(data)
    while end and data[end - 1] in _TRAILING:
        end -= 1
    if not end:
        return None
    if data.translate(None, _ALPHABET):  # spaces, tabs, semicolons, or bytes no number holds
        data = data[:end]
        if data.translate(None, _ALPHABET + b" \t;"):
            return None
        data = data.translate(_TO_COMMAS)
    return PreparedTable(data, end)


def parse_arrow_table(buffer: bytes | memoryview, width: int) -> np.ndarray | None:
    """The ``(rows, width)`` float64 table of a prepared table's buffer (or of several
    joined by line ends), or ``None`` when Arrow cannot read every field as one number
    (see the module docstring)."""
    try:
        pa, csv, (read, parse, convert) = _arrow(width)
    except ImportError:  # pyarrow missing or broken (a --no-deps install): the other exact readers
        return None
    try:
        table = csv.read_csv(pa.py_buffer(buffer), read_options=read, parse_options=parse,
                             convert_options=convert, memory_pool=pa.system_memory_pool())
    except pa.ArrowException:  # a bad token or row, a line longer than a block: the other readers decide
        return None
    values = np.empty((table.num_rows, width), dtype=np.float64)
    for column_index, column in enumerate(table.columns):
        if column.null_count:
            return None
        row = 0
        for chunk in column.chunks:  # the values buffer, without pyarrow's numpy conversion (it imports pandas)
            values[row:row + len(chunk), column_index] = np.frombuffer(
                chunk.buffers()[1], dtype=np.float64, count=len(chunk), offset=chunk.offset * 8)
            row += len(chunk)
    return values


@lru_cache(maxsize=None)
def _arrow(width: int) -> tuple[Any, Any, tuple[Any, Any, Any]]:
    """pyarrow, its CSV module and the reader's options for tables of ``width`` columns."""
    import pyarrow as pa
    import pyarrow.csv as csv

    names = [f"c{k}" for k in range(width)]
    read = csv.ReadOptions(column_names=names, use_threads=True)
    parse = csv.ParseOptions(delimiter=",", quote_char=False, double_quote=False, escape_char=False,
                             newlines_in_values=False, ignore_empty_lines=False)
    convert = csv.ConvertOptions(column_types={name: pa.float64() for name in names}, null_values=[],
                                 strings_can_be_null=False, quoted_strings_can_be_null=False,
                                 include_missing_columns=False)
    return pa, csv, (read, parse, convert)
