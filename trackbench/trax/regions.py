"""TraX region text, as libtrax 4 writes and reads it (``src/region.c``).

Kinds, with their text:

* ``rectangle`` ``left,top,width,height`` -- the ``[x, y, w, h]`` box of :mod:`trackbench`;
* ``polygon`` ``x1,y1,x2,y2,...`` (at least three points);
* ``mask`` (version 3+) ``mask:x,y,width,height,r0,r1,r2,...``: a ``width`` x ``height``
  binary image placed at ``(x, y)``, row by row, run-length encoded as alternating
  counts of 0s and 1s starting with 0s (a mask whose first pixel is set starts ``,0``);
  the final run of 0s is left out, and missing pixels are 0;
* ``special`` a single integer, a code instead of a region (VOT: 0 = no region / the
  tracker failed; the toolkit also uses 1 for "initialise here", 2 for a failure).

Numbers are written ``%.4f`` after rounding to a 32-bit float (libtrax keeps regions
as ``float``); rectangles and polygons are told apart by their count (4 vs >= 6 and
even) unless a ``rect:``/``poly:``/``mask:``/``special:`` prefix names the kind. A
region with any NaN number reads as ``special`` 0 -- or, for four numbers whose fourth
is not NaN, as ``special -fourth`` (libtrax's legacy rule). Each number is read like
C's ``atof`` (leading number of the piece, 0 if none).

Conversions when the server does not take the kind the client has
(``region_autoconvert``: mask first, then polygon, then rectangle): a rectangle becomes
the polygon ``(x, y), (x+w-1, y), (x+w-1, y+h-1), (x, y+h-1)`` (libtrax's default,
non-legacy rule) or a filled mask at ``(int(x), int(y))`` of ``int(w)`` x ``int(h)``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

SPECIAL, RECTANGLE, POLYGON, MASK = "special", "rectangle", "polygon", "mask"
DEFAULT_CODE = 0  # libtrax TRAX_DEFAULT_CODE
_PREFIXES = {"rect": RECTANGLE, "poly": POLYGON, "mask": MASK, "special": SPECIAL}
_ATOF = re.compile(r"\s*([+-]?(?:nan|inf(?:inity)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))", re.IGNORECASE)


@dataclass(frozen=True)
class Region:
    """One TraX region. ``values``: the rectangle's 4 numbers, the polygon's ``2n``
    numbers, or the mask's ``x, y, width, height``; ``code`` for ``special``; ``mask``:
    the ``(height, width)`` 0/1 ``uint8`` pixels of a mask."""

    kind: str
    values: tuple[float, ...] = ()
    code: int = DEFAULT_CODE
    mask: np.ndarray | None = None

    @classmethod
    def special(cls, code: int = DEFAULT_CODE) -> "Region":
        return cls(SPECIAL, code=int(code))

    @classmethod
    def from_array(cls, region: np.ndarray) -> "Region":
        """A 4-number box (rectangle) or ``2n``-number polygon; any NaN -> ``special`` 0."""
        values = np.asarray(region, dtype=np.float64).reshape(-1)
        if np.isnan(values).any():
            return cls.special()
        if values.shape[0] == 4:
            return cls(RECTANGLE, tuple(float(v) for v in values))
        if values.shape[0] >= 6 and values.shape[0] % 2 == 0:
            return cls(POLYGON, tuple(float(v) for v in values))
        raise ValueError(f"a region needs 4 numbers or an even number >= 6, got {values.shape[0]}")

    @classmethod
    def from_mask(cls, mask: np.ndarray, x: int = 0, y: int = 0) -> "Region":
        pixels = (np.asarray(mask) != 0).astype(np.uint8)
        return cls(MASK, (int(x), int(y), pixels.shape[1], pixels.shape[0]), mask=pixels)

    def to_array(self) -> np.ndarray | None:
        """As trackbench keeps results: a rectangle's box, a 4-point polygon's 8 numbers,
        any other polygon's or a mask's bounding box (for a mask: the set pixels' extent,
        ``right - left + 1``, as libtrax converts a mask to a rectangle); ``None`` for a
        special region or an empty mask."""
        if self.kind == RECTANGLE:
            return np.array(self.values, dtype=np.float64)
        if self.kind == POLYGON:
            values = np.array(self.values, dtype=np.float64)
            if values.shape[0] == 8:
                return values
            xs, ys = values[0::2], values[1::2]
            return np.array([xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()])
        if self.kind == MASK and self.mask is not None and self.mask.any():
            rows, cols = np.nonzero(self.mask)
            x, y = self.values[0], self.values[1]
            return np.array([x + cols.min(), y + rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1],
                            dtype=np.float64)
        return None


def _number(value: float) -> str:
    return "%.4f" % float(np.float32(value))


def format_region(region: Region) -> str:
    """The text libtrax writes for ``region`` (``region_string``)."""
    if region.kind == SPECIAL:
        return str(int(region.code))
    if region.kind in (RECTANGLE, POLYGON):
        return ",".join(_number(v) for v in region.values)
    if region.kind == MASK:
        assert region.mask is not None
        x, y, width, height = (int(v) for v in region.values)
        flat = region.mask.reshape(-1) != 0
        parts = [f"mask:{x},{y},{width},{height}"]
        if flat.size and flat[0]:
            parts.append("0")
        # runs of equal pixels; the trailing run is written only if it is foreground
        edges = np.flatnonzero(np.diff(flat.astype(np.int8))) + 1
        bounds = np.concatenate([[0], edges, [flat.size]])
        runs = np.diff(bounds)
        if flat.size and not flat[-1]:
            runs = runs[:-1]
        parts.extend(str(int(r)) for r in runs)
        return ",".join(parts)
    raise ValueError(f"unknown region kind {region.kind!r}")


def _atof(piece: str) -> float:
    match = _ATOF.match(piece)
    return float(np.float32(float(match.group(1)))) if match else 0.0


def _prefix(text: str) -> tuple[str | None, str]:
    """The kind a ``name:`` prefix gives (``__parse_uri_prefix``) and the rest of the text.

    The name is up to 15 of ``a-z+.-`` before a ``:``; libtrax compares all but its last
    character with ``rect``, ``poly``, ``mask``, ``special`` in that order."""
    head = re.match(r"([a-z+.\-]{0,15}):", text)
    if not head:
        return None, text
    name = head.group(1)
    n = len(name) - 1
    kind = next((k for p, k in _PREFIXES.items() if n >= 0 and n <= len(p) and name[:n] == p[:n]), None)
    return kind, text[head.end():]


def parse_region(text: str) -> Region:
    """Read region text as libtrax does (``region_parse``; see the module docstring).

    Raises ``ValueError`` for text libtrax refuses (e.g. 3 or 5 bare numbers)."""
    if not text:
        return Region.special()
    kind, body = _prefix(text)
    numbers = [_atof(piece) for piece in body.split(",")]
    if not numbers or any(math.isnan(v) for v in numbers):
        if len(numbers) == 4 and not math.isnan(numbers[3]):
            return Region.special(-int(numbers[3]))
        return Region.special()
    count = len(numbers)
    if kind is None:
        kind = SPECIAL if count == 1 else RECTANGLE if count == 4 else POLYGON if count >= 6 and count % 2 == 0 else None
    if kind == SPECIAL and count == 1:
        return Region.special(int(numbers[0]))
    if kind == RECTANGLE and count == 4:
        return Region(RECTANGLE, tuple(numbers))
    if kind == POLYGON and count >= 6 and count % 2 == 0:
        return Region(POLYGON, tuple(numbers))
    if kind == MASK and count >= 4:  # libtrax writes an empty mask as its header alone
        x, y, width, height = (int(v) for v in numbers[:4])
        flat = np.zeros(max(width, 0) * max(height, 0), dtype=np.uint8)
        position, value = 0, 0
        for run in numbers[4:]:
            run = max(int(run), 0)
            flat[position:position + run] = value
            position = min(position + run, flat.size)
            value = 1 - value
        return Region(MASK, (x, y, width, height), mask=flat.reshape(max(height, 0), max(width, 0)))
    raise ValueError(f"region {text!r} is not a rectangle, polygon, mask or special code")


def convert_for(region: Region, accepted: tuple[str, ...]) -> Region:
    """``region`` in a kind the server accepts, converted as libtrax's client does."""
    if region.kind in accepted or region.kind == SPECIAL:
        return region
    if region.kind != RECTANGLE:
        raise ValueError(f"cannot send a {region.kind} to a server that takes {', '.join(accepted)}")
    x, y, w, h = region.values
    if MASK in accepted:
        return Region.from_mask(np.ones((max(int(h), 0), max(int(w), 0)), dtype=np.uint8), int(x), int(y))
    if POLYGON in accepted:
        right, bottom = x + w - 1, y + h - 1
        return Region(POLYGON, (x, y, right, y, right, bottom, x, bottom))
    raise ValueError(f"the server takes no region kind this client can send ({', '.join(accepted) or 'none'})")
