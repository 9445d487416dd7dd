"""Vectorised parsing of plain decimal tables, exactly as ``float()`` converts each number.

:func:`parse_decimal_table` reads a table whose bytes :mod:`trackbench.fastparse` has
prepared (separators made spaces, ``\r\n`` made ``\n``, trailing blank lines removed, every
byte outside ``0-9 . + -``, separators and newlines made 0xFF) with a few dozen numpy
operations per chunk of about :data:`CHUNK_BYTES`, and returns the ``(rows, width)``
float64 array, or ``None`` (the caller then runs its other readers, which decide, and word
any error). It accepts the numbers ``float()`` accepts in this alphabet: an optional sign,
digits with at most one ``.`` and at least one digit (``5``, ``-0.0``, ``+.5``, ``5.``);
anything else (``1-2``, ``1.2.3``, a lone ``.`` or ``-``), a byte above ``9`` (letters,
exponents: ``e``/``E`` are left to the other readers), a row with another count of numbers
than the first and a blank line inside make it decline.

Exactness (every value bit-for-bit ``float(token)``, i.e. correctly rounded, IEEE 754
round-half-even). A number with ``n <= 19`` digits and ``k`` of them after the point is
the integer ``m < 10**19`` (exact in uint64) over ``10**k``:

* ``m < 2**53``: ``float(m) / 10.0**k`` (Clinger's fast path: both operands exact for
  ``k <= 22``, and one IEEE division is correctly rounded);
* ``m >= 2**53``: ``m / 10**k = (m / 5**k) * 2**-k`` with ``5**k < 2**52``. The estimate
  ``float(m) / 10.0**k``, i.e. ``f * 2**-k`` with ``f = float(m) / 5**k`` (a power of two
  scales exactly), has ``f`` within 2 units in the last place of ``u = m / 5**k``; with
  ``Y`` its 53-bit integer mantissa at scale ``2**s``, the difference
  ``m * 2**s - Y * 5**k`` is an integer of magnitude below ``2**54``, so uint64 arithmetic
  modulo ``2**64`` gives it exactly, and comparing twice it with ``5**k`` and ``3 * 5**k``
  rounds ``u * 2**s`` to the nearest integer ``N`` exactly; the value is ``N * 2**-(s+k)``.

Numbers this cannot decide without error (more than 19 digits, an exact tie, a result at a
power of two's edge, ``m / 5**k >= 2**53``) are converted one by one with ``float()``.
Digits are read eight at a time: each run of digits is loaded as little-endian uint64 words
ending at its last digit (unaligned loads from a strided view of the bytes), the bytes
before the run masked off, and the eight digits combined with three multiplications
(the SWAR method of simdjson and fast_float).
"""

from __future__ import annotations

import numpy as np

#: Bytes parsed per numpy pass (cut at line ends): temporaries stay in the cache and are
#: about ten times this size at most.
CHUNK_BYTES = 1 << 18

_SPACES = b" " * 24  # before and after a chunk: a run's three words never start before it
_U = np.uint64
_NIBBLES = 0x0F0F0F0F0F0F0F0F
# _KEEP[l]: mask of the low nibbles of the last l bytes of a little-endian word (l = 0..8).
_KEEP = np.array([0] + [(_NIBBLES << (8 * (8 - l))) & 0xFFFFFFFFFFFFFFFF for l in range(1, 9)], dtype=np.uint64)
_POW10_INT = np.array([10**k for k in range(20)], dtype=np.uint64)
_POW10_FLOAT = np.array([10.0**k for k in range(23)])  # exact: 10**22 < 2**53 * 2**22
_POW5 = np.array([5**k for k in range(23)], dtype=np.uint64)  # 5**22 < 2**52
_TWO53 = 1 << 53
_MANTISSA_BITS = np.int64((1 << 52) - 1)
_HIDDEN_BIT = np.int64(1 << 52)
_EXPONENT_BIAS = 1075  # a float64 with biased exponent E and integer mantissa Y is Y * 2**(E - 1075)
_DOT, _PLUS, _MINUS, _NEWLINE, _DIGIT0, _DIGIT9 = 46, 43, 45, 10, 48, 57  # bytes below '+': separators


def parse_decimal_table(text: bytes) -> np.ndarray | None:
    """The ``(rows, width)`` float64 table of cleaned bytes ``text`` (see the module
    docstring), or ``None`` when it is not a table of plain decimal numbers."""
    if not text:
        return None
    parts = []
    start = 0
    view = memoryview(text)  # chunks without a copy (the padding join copies them once)
    while start < len(text):
        stop = len(text) if len(text) - start <= CHUNK_BYTES else text.rfind(b"\n", start, start + CHUNK_BYTES)
        if stop <= start:  # a line longer than a chunk
            stop = len(text)
        values = _parse_chunk(view[start:stop])
        if values is None or (parts and values.shape[1] != parts[0].shape[1]):
            return None
        parts.append(values)
        start = stop + 1
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _eight_digits(words: np.ndarray) -> np.ndarray:
    """The value of eight digits 0-9, one per byte, the first (most significant) in the
    lowest byte of each uint64 word."""
    words = (words * _U(2561)) >> _U(8)
    words = ((words & _U(0x00FF00FF00FF00FF)) * _U(6553601)) >> _U(16)
    return ((words & _U(0x0000FFFF0000FFFF)) * _U(42949672960001)) >> _U(32)


def _run_values(words: np.ndarray, last: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The integers of the runs of digits whose last digit is at ``last`` (runs of more
    than 19 digits give garbage: the caller redoes them)."""
    value = _eight_digits(words[last - 7] & _KEEP[np.minimum(lengths, 8)])
    if len(lengths) and lengths.max() > 8:
        long = np.flatnonzero(lengths > 8)
        rest, at = lengths[long] - 8, last[long] - 15
        value[long] += _eight_digits(words[at] & _KEEP[np.minimum(rest, 8)]) * _U(10**8)
        if rest.max() > 8:
            longer = np.flatnonzero(rest > 8)
            value[long[longer]] += _eight_digits(words[at[longer] - 8] & _KEEP[np.minimum(rest[longer] - 8, 8)]) * _U(10**16)
    return value


def _parse_chunk(chunk: memoryview) -> np.ndarray | None:
    padded = b"".join((_SPACES, chunk, _SPACES))
    data = np.frombuffer(padded, dtype=np.uint8)
    if data.max() > _DIGIT9:
        return None  # a letter or another byte outside the alphabet
    digit = data >= _DIGIT0
    edges = np.flatnonzero(digit[1:] != digit[:-1])
    if len(edges) == 0:
        return None
    before = edges[0::2]  # runs of digits: the byte before each, and each one's last digit
    last = edges[1::2]
    lengths = last - before
    pre = data[before]
    post = data[last + 1]
    pre_dot = pre == _DOT
    post_dot = post == _DOT
    tail = pre_dot & (data[before - 1] >= _DIGIT0)  # the digits after a point that follows digits
    # After a run of digits: a separator or a point; after the digits that follow a point: a separator.
    if (((post - _PLUS) & 0xFD == 0) | (tail & post_dot)).any():
        return None
    runs = len(last)
    if not tail.any():
        heads = has_tail = None
    elif runs % 2 == 0 and tail[1::2].all() and not tail[0::2].any():
        heads, has_tail = slice(0, None, 2), None  # every number has a fractional part
    else:
        heads = np.flatnonzero(~tail)
        has_tail = np.zeros(runs, dtype=bool)
        has_tail[:-1] = tail[1:]
        has_tail = has_tail[heads]
    if heads is None:
        h_before, h_last, h_len, h_pre_dot, h_post_dot = before, last, lengths, pre_dot, post_dot
    else:
        h_before, h_last, h_len = before[heads], last[heads], lengths[heads]
        h_pre_dot, h_post_dot = pre_dot[heads], post_dot[heads]
    # Before a number (or its leading point): a separator, or a sign after a separator.
    lead = h_before - h_pre_dot
    lead_byte = data[lead]
    signed = ((lead_byte - _PLUS) & 0xFD) == 0
    any_signed = bool(signed.any())
    if not ((lead_byte < _PLUS) | signed).all() or (h_pre_dot & h_post_dot).any():
        return None  # "1.-5", "..5", ".5."
    if any_signed and not (~signed | (data[lead - 1] < _PLUS)).all():
        return None  # "+-1", "1+2" (after a point)
    dots_after = int(np.count_nonzero(h_post_dot))
    if heads is None or has_tail is not None:  # "5.": a separator must follow its point
        trailing = h_post_dot if has_tail is None else h_post_dot & ~has_tail
        if dots_after and trailing.any() and (data[h_last[trailing] + 2] >= _PLUS).any():
            return None
    specials = len(data) - int(np.count_nonzero(digit)) - int(np.count_nonzero(data < _PLUS))
    if int(np.count_nonzero(signed)) + int(np.count_nonzero(h_pre_dot)) + dots_after != specials:
        return None  # a sign or point that belongs to no number
    fields = len(h_last)
    newlines = np.flatnonzero(data == _NEWLINE)
    rows = len(newlines) + 1
    width = fields // rows
    if width == 0 or width * rows != fields:
        return None
    if rows > 1:
        cut = np.arange(width, fields, width)
        if not ((h_last[cut - 1] < newlines) & (newlines < h_last[cut])).all():
            return None  # a row with another count of numbers, or a blank line
    words = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    values = _run_values(words, last, lengths)
    if heads is None:
        mantissa, digits = values, lengths
        scale = np.where(pre_dot, np.minimum(lengths, 19), 0) if h_pre_dot.any() else np.zeros(fields, np.intp)
    elif has_tail is None:
        t_len = lengths[1::2]
        digits = h_len + t_len
        scale = np.minimum(t_len, 19)
        mantissa = values[0::2] * _POW10_INT[scale] + values[1::2]
    else:
        following = np.minimum(heads + 1, runs - 1)
        t_len = np.where(has_tail, lengths[following], 0)
        digits = h_len + t_len
        t_len = np.minimum(t_len, 19)
        mantissa = values[heads] * _POW10_INT[t_len] + np.where(has_tail, values[following], _U(0))
        scale = np.where(h_pre_dot, np.minimum(h_len, 19), t_len)
    result = _to_float(mantissa, scale, digits > 19)
    if any_signed:
        negative = lead_byte == _MINUS
        result[negative] = -result[negative]
    redo = np.flatnonzero(np.isnan(result))
    if len(redo):  # one by one: first byte of the number (sign, point or digit) to its last
        first = lead + 1 - signed
        end = h_last + 1 + h_post_dot
        if has_tail is not None:
            end = np.where(has_tail, last[np.minimum(heads + 1, runs - 1)] + 1, end)
        elif heads is not None:
            end = last[1::2] + 1
        for i in redo.tolist():
            result[i] = float(padded[first[i]:end[i]])
    return result.reshape(rows, width)


def _to_float(mantissa: np.ndarray, scale: np.ndarray, slow: np.ndarray) -> np.ndarray:
    """``mantissa / 10**scale`` correctly rounded; NaN where it must be redone by ``float()``."""
    values = mantissa.astype(np.float64) / _POW10_FLOAT[scale]
    hard = mantissa >= _U(_TWO53)
    count = int(np.count_nonzero(hard))
    if count:
        if 4 * count < len(mantissa):
            where = np.flatnonzero(hard)
            values[where] = _correct(values[where], mantissa[where], scale[where])
        else:
            values = np.where(hard, _correct(values, mantissa, scale), values)
    values[slow] = np.nan
    return values


def _correct(estimate: np.ndarray, mantissa: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The correctly rounded ``mantissa / 10**scale`` (``mantissa >= 2**53``) from
    ``estimate = float(mantissa) / 10.0**scale`` (see the module docstring), NaN where
    undecided. ``estimate = Y * 2**(e - scale)`` with ``Y`` its integer mantissa; at scale
    ``2**s``, ``s = -e``, ``mantissa / 5**scale`` is ``Y + delta / 5**scale``."""
    bits = estimate.view(np.int64)
    y = (bits & _MANTISSA_BITS) | _HIDDEN_BIT
    shift = _EXPONENT_BIAS - (bits >> 52) - scale  # s; a negative one shifts by >= 64 bits (gives 0): undecided
    power = _POW5[scale]
    delta = ((mantissa << shift.view(np.uint64)) - y.view(np.uint64) * power).view(np.int64)
    twice = delta * 2  # |delta| < 2**54 (exact modulo 2**64)
    limit = power.view(np.int64)
    size = np.abs(twice)
    step = np.where(size > limit, np.sign(twice), 0)
    undecided = (size >= 3 * limit) | (size == limit) | (shift < 0) | (y == _HIDDEN_BIT)
    result = (bits + step).view(np.float64)
    result[undecided] = np.nan
    return result
