"""Boxes and polygons: conversions, continuous IoU and centre errors (vectorised numpy).

Boxes are ``[..., 4]`` arrays ``[x, y, w, h]``; polygons ``[..., 8]`` arrays
``[x1, y1, ..., x4, y4]``. Centres follow every official toolkit:
``(x + (w - 1) / 2, y + (h - 1) / 2)``.
"""

from __future__ import annotations

import numpy as np


def xywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    """``[x, y, w, h]`` -> ``[x1, y1, x2, y2]`` with ``x2 = x + w`` (continuous corners)."""
    boxes = np.asarray(boxes, dtype=np.float64)
    return np.concatenate([boxes[..., :2], boxes[..., :2] + boxes[..., 2:4]], axis=-1)


def xyxy_to_xywh(boxes: np.ndarray) -> np.ndarray:
    """``[x1, y1, x2, y2]`` -> ``[x, y, w, h]`` (inverse of :func:`xywh_to_xyxy`)."""
    boxes = np.asarray(boxes, dtype=np.float64)
    return np.concatenate([boxes[..., :2], boxes[..., 2:4] - boxes[..., :2]], axis=-1)


def box_to_polygon(boxes: np.ndarray) -> np.ndarray:
    """``[x, y, w, h]`` -> the 4 corners ``(x,y), (x+w,y), (x+w,y+h), (x,y+h)`` as 8 numbers."""
    b = np.asarray(boxes, dtype=np.float64)
    x, y, w, h = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    return np.stack([x, y, x + w, y, x + w, y + h, x, y + h], axis=-1)


def polygon_to_bbox(polygons: np.ndarray) -> np.ndarray:
    """Axis-aligned bounding box ``[x, y, w, h]`` (min/max of the corners) of polygons."""
    p = np.asarray(polygons, dtype=np.float64)
    xs, ys = p[..., 0::2], p[..., 1::2]
    x1, y1 = xs.min(axis=-1), ys.min(axis=-1)
    return np.stack([x1, y1, xs.max(axis=-1) - x1, ys.max(axis=-1) - y1], axis=-1)


def polygon_to_box_area_preserving(polygons: np.ndarray) -> np.ndarray:
    """The pysot/got10k rule for initialising from a rotated VOT polygon.

    Centre = mean of the four corners; the bounding box is shrunk by
    ``s = sqrt(A1 / A2)`` with ``A1 = |p1p2| * |p2p3|`` and ``A2`` the bounding-box area;
    ``w = s * (x2 - x1) + 1``, ``h = s * (y2 - y1) + 1``; returns ``[cx - (w-1)/2,
    cy - (h-1)/2, w, h]`` (pysot ``get_axis_aligned_bbox`` followed by its conversion to
    a top-left box). 4-number inputs are returned unchanged.
    """
    p = np.asarray(polygons, dtype=np.float64)
    if p.shape[-1] == 4:
        return p.copy()
    xs, ys = p[..., 0::2], p[..., 1::2]
    cx, cy = xs.mean(axis=-1), ys.mean(axis=-1)
    x1, x2 = xs.min(axis=-1), xs.max(axis=-1)
    y1, y2 = ys.min(axis=-1), ys.max(axis=-1)
    a1 = np.hypot(p[..., 0] - p[..., 2], p[..., 1] - p[..., 3]) * np.hypot(p[..., 2] - p[..., 4], p[..., 3] - p[..., 5])
    a2 = (x2 - x1) * (y2 - y1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(a1 / a2)
    w = s * (x2 - x1) + 1
    h = s * (y2 - y1) + 1
    return np.stack([cx - (w - 1) / 2, cy - (h - 1) / 2, w, h], axis=-1)


def centers(boxes: np.ndarray) -> np.ndarray:
    """Box centres ``(x + (w-1)/2, y + (h-1)/2)``, as every official toolkit defines them."""
    b = np.asarray(boxes, dtype=np.float64)
    return b[..., :2] + (b[..., 2:4] - 1) / 2


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Continuous IoU of ``[x, y, w, h]`` boxes, element-wise over leading dimensions.

    Equal to the toolkits' "+1 pixel" form with ``right = x + w - 1``. Returns NaN where
    the union is zero or an input is NaN; callers apply their toolkit's validity rules.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    iw = np.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    ih = np.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    union = a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return inter / union


def center_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance between box centres, in pixels."""
    return np.linalg.norm(centers(a) - centers(b), axis=-1)
