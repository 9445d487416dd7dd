"""`VotTrajectory`: one repetition of the VOT supervised (reset-based) experiment as read from
a ``<seq>_NNN.txt`` file: per frame either a special code or a region."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.textio import is_float

#: ``codes`` value of a frame that holds a region.
REGION = -1
INIT, FAILURE, SKIPPED = 1, 2, 0


@dataclass
class VotTrajectory:
    """Per-frame VOT codes and regions (0-based frames).

    Attributes:
        codes: ``(N,)`` int: 1 initialisation, 2 failure, 0 skipped, -1 (``REGION``) a region.
        regions: ``(N, 8)`` float: polygons, or rectangles ``[x, y, w, h]`` in columns 0..3
            (columns 4..7 NaN) where ``is_rect``; NaN rows at special codes.
        is_rect: ``(N,)`` bool, True where the frame's region was written as a rectangle.
    """

    codes: np.ndarray
    regions: np.ndarray
    is_rect: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def failures(self) -> np.ndarray:
        """0-based frames with a failure code."""
        return np.flatnonzero(self.codes == FAILURE)

    def truncated(self, length: int) -> "VotTrajectory":
        return VotTrajectory(self.codes[:length], self.regions[:length], self.is_rect[:length])


def parse_vot_trajectory(text: str, where: str) -> VotTrajectory:
    """Parse a VOT baseline result file (lines ``1``/``2``/``0`` or 4/8 comma numbers)."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise TrackbenchError("file is empty (VOT result lines expected)", where)
    n = len(lines)
    tokens = [line.replace(",", " ").replace("\t", " ").replace(";", " ").split() for line in lines]
    counts = np.array([len(t) for t in tokens])
    bad = np.flatnonzero(~np.isin(counts, (1, 4, 8)))
    if len(bad):
        number = int(bad[0]) + 1
        if counts[bad[0]] == 0:
            raise TrackbenchError("blank line inside the file", where, number)
        raise TrackbenchError(f"expected 1, 4 or 8 numbers, found {counts[bad[0]]}", where, number)
    try:
        flat = np.array([tok for t in tokens for tok in t], dtype=np.float64)
    except ValueError:
        for number, t in enumerate(tokens, start=1):
            for tok in t:
                if not is_float(tok):
                    raise TrackbenchError(f"not a number: {tok!r}", where, number) from None
        raise
    starts = np.cumsum(counts) - counts
    codes = np.full(n, REGION, dtype=np.int64)
    regions = np.full((n, 8), np.nan)
    special = counts == 1
    values = flat[starts[special]]
    unknown = np.flatnonzero(~np.isin(values, (0.0, 1.0, 2.0)))
    if len(unknown):
        number = int(np.flatnonzero(special)[unknown[0]]) + 1
        raise TrackbenchError(f"unknown VOT code {tokens[number - 1][0]!r} (expected 0, 1 or 2)", where, number)
    codes[special] = values.astype(np.int64)
    is_rect = counts == 4
    for width, mask in ((4, is_rect), (8, counts == 8)):
        rows = np.flatnonzero(mask)
        if len(rows):
            regions[rows, :width] = flat[starts[rows, None] + np.arange(width)]
    # trax turns a region with NaN into a special (default) code
    has_nan = ~special & np.isnan(regions[:, :4]).any(axis=1) | (counts == 8) & np.isnan(regions).any(axis=1)
    codes[has_nan] = SKIPPED
    regions[has_nan] = np.nan
    is_rect = is_rect & ~has_nan
    return VotTrajectory(codes, regions, is_rect)
