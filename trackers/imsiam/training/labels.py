"""Per-location training targets of IMSiam (spec section 4, ``PointTarget`` of the authors' code).

Conventions:

* The score map is ``size x size`` (29 for a 255 search crop). Location ``(i, j)``
  (row ``i``, column ``j``) sits at search-crop pixel ``(x, y) = (offset + stride * j,
  offset + stride * i)`` with ``offset = 15``, ``stride = 8`` (so the centre cell 14 is at 127).
* The target box is given as corners ``[x1, y1, x2, y2]`` in search-crop pixels.
* Class labels: ``1`` positive (strictly inside the central ``radius * w x radius * h``
  region), ``-1`` ignored (inside the box but outside that region), ``0`` negative
  (not strictly inside the box: ``min(l, t, r, b) <= 0``).
* Negative pairs (the search crop is centred on an unrelated object): the central region
  becomes ``0`` as well; the ring (inside the box, outside the centre) stays ``-1``.
* Regression target at every location: ``l = x - x1, t = y - y1, r = x2 - x, b = y2 - y``
  in pixels. Centre-ness: ``sqrt(min(l,r)/max(l,r) * min(t,b)/max(t,b))``, 0 where the
  label is 0.
* ``zero_center_no_gt`` (the authors' code, ``datasets/point_target.py:
  get_sample_region``): a box whose centre ``(x1 + x2) / 2`` is exactly 0 is read as
  "no ground truth": no location is positive (inside the box stays -1, outside 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PointTargets:
    """Targets for one search crop: ``cls`` (S,S) int64 in {-1,0,1}; ``reg`` (4,S,S) float32
    l,t,r,b in pixels; ``cen`` (S,S) float32 centre-ness."""

    cls: np.ndarray
    reg: np.ndarray
    cen: np.ndarray


def location_grid(size: int = 29, stride: int = 8, offset: int = 15) -> tuple[np.ndarray, np.ndarray]:
    """``(xs, ys)``: two ``(size, size)`` arrays of the search-pixel coordinates of each location."""
    coords = offset + stride * np.arange(size, dtype=np.float64)
    ys, xs = np.meshgrid(coords, coords, indexing="ij")
    return xs, ys


def point_targets(
    box_xyxy: np.ndarray,
    negative: bool = False,
    *,
    size: int = 29,
    stride: int = 8,
    offset: int = 15,
    radius: float = 0.75,
    zero_center_no_gt: bool = False,
) -> PointTargets:
    """Label, regression and centre-ness maps for one target box (see module docstring)."""
    x1, y1, x2, y2 = (float(v) for v in np.asarray(box_xyxy, dtype=np.float64).reshape(4))
    xs, ys = location_grid(size, stride, offset)
    left, top, right, bottom = xs - x1, ys - y1, x2 - xs, y2 - ys
    inside = np.minimum.reduce([left, top, right, bottom]) > 0

    cx, cy = (x1 + x2) / 2.0, (y1 + y2) / 2.0
    half_w, half_h = radius * (x2 - x1) / 2.0, radius * (y2 - y1) / 2.0
    cx1, cy1 = max(cx - half_w, x1), max(cy - half_h, y1)
    cx2, cy2 = min(cx + half_w, x2), min(cy + half_h, y2)
    central = (xs > cx1) & (xs < cx2) & (ys > cy1) & (ys < cy2)
    if zero_center_no_gt and cx == 0.0:
        central = np.zeros_like(central)

    cls = np.zeros((size, size), dtype=np.int64)
    cls[inside] = -1
    cls[central & inside] = 0 if negative else 1

    reg = np.stack([left, top, right, bottom]).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.minimum(left, right) / np.maximum(left, right)
        tb = np.minimum(top, bottom) / np.maximum(top, bottom)
        cen = np.sqrt(np.clip(lr * tb, 0.0, None))
    cen = np.where(cls == 0, 0.0, np.nan_to_num(cen, nan=0.0)).astype(np.float32)
    return PointTargets(cls=cls, reg=reg, cen=cen)
