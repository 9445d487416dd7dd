"""vot_overlap against the worked numbers of metrics.md, a scalar transcription of the
trax scan-line loop, and exact geometry (shapely) for large polygons."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.metrics.region_overlap import vot_overlap

F32 = np.float32


def _scalar_fill(xs, ys, width, height):
    """Pixel set of trax's non-legacy rasteriser, written as the plain loops of region.c."""
    pixels = set()
    n = len(xs)
    for row in range(height):
        nodes = []
        j = n - 1
        for i in range(n):
            yi, yj = int(ys[i]), int(ys[j])
            if min(yi, yj) <= row <= max(yi, yj):
                r = ys[j] - ys[i]
                if r != 0:
                    nodes.append(int(xs[i] + (row - ys[i]) / r * (xs[j] - xs[i])))
            j = i
        nodes.sort()
        i = 0
        while i < len(nodes) - 1:
            if nodes[i] == nodes[i + 1]:
                i += 1
                continue
            if nodes[i] >= width:
                break
            if nodes[i + 1] >= 0:
                a, b = max(nodes[i], 0), min(nodes[i + 1], width - 1)
                pixels.update((row, c) for c in range(a, b + 1))
            i += 2
    return pixels


def _scalar_overlap(p1, p2, bounds):
    """Scalar reference of compute_polygon_overlap (non-legacy) on float32 polygons."""
    def box(p):
        xs, ys = p[0::2], p[1::2]
        b = [math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys))]
        if bounds is not None:
            b = [max(b[0], 0), max(b[1], 0), min(b[2], bounds[0]), min(b[3], bounds[1])]
        return b

    b1, b2 = box(p1), box(p2)
    x0, y0 = min(b1[0], b2[0]), min(b1[1], b2[1])
    width = int(max(b1[2], b2[2]) - x0) + 1
    height = int(max(b1[3], b2[3]) - y0) + 1
    il, it, ir, ib = max(b1[0], b2[0]), max(b1[1], b2[1]), min(b1[2], b2[2]), min(b1[3], b2[3])
    if ir - il <= 0 or ib - it <= 0:
        return 0.0

    def cround(v):
        return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)

    def pix(p):
        xs = [cround(float(F32(v) - F32(x0))) for v in p[0::2]]
        ys = [cround(float(F32(v) - F32(y0))) for v in p[1::2]]
        return _scalar_fill(xs, ys, width, height)

    m1, m2 = pix(p1), pix(p2)
    return len(m1 & m2) / len(m1 | m2)


def _rect_poly(r):
    x, y, w, h = r
    return [x, y, x + w, y, x + w, y + h, x, y + h]


def test_worked_numbers_both_corner_rules():
    a, b = [10, 10, 20, 20], [15, 15, 20, 20]
    assert vot_overlap(a, b) == pytest.approx(0.408946, abs=1e-6)
    assert vot_overlap(a, b, corner_rule="x+w-1") == pytest.approx(0.391304, abs=1e-6)
    # the same rectangles given as polygons: the corner rule no longer applies
    assert vot_overlap(_rect_poly(a), _rect_poly(b), corner_rule="x+w-1") == pytest.approx(0.408946, abs=1e-6)


def test_special_rows_give_nan_and_shapes_checked():
    a = np.array([[10, 10, 20, 20], [np.nan] * 4])
    b = np.array([[10, 10, 20, 20], [1, 1, 5, 5]])
    out = vot_overlap(a, b)
    assert out[0] == 1.0 and np.isnan(out[1])
    with pytest.raises(TrackbenchError):
        vot_overlap(np.zeros((2, 4)), np.zeros((3, 4)))
    with pytest.raises(TrackbenchError):
        vot_overlap(np.zeros((2, 5)), np.zeros((2, 5)))
    with pytest.raises(TrackbenchError):
        vot_overlap([0, 0, 1, 1], [0, 0, 1, 1], corner_rule="x+w+1")


def test_disjoint_and_degenerate_are_zero():
    assert vot_overlap([0, 0, 10, 10], [50, 50, 10, 10]) == 0.0
    # a zero-area box: its bounding-box area ratio is < 1e-10
    assert vot_overlap([0, 0, 10, 10], [2, 2, 0, 0]) == 0.0


def test_bounds_clip_the_raster():
    # Box half outside a 20x20 image: with bounds only the inside pixels count.
    a, b = [10, 10, 20, 20], [10, 10, 10, 10]
    unbounded = vot_overlap(a, b)
    bounded = vot_overlap(a, b, bounds=(20, 20))
    assert unbounded == pytest.approx(121 / 441, abs=1e-6)
    assert bounded == pytest.approx(121 / 121, abs=1e-6)
    assert vot_overlap(a, b, bounds=(19, 19)) == pytest.approx(1.0)
    per_pair = vot_overlap(np.array([a, a]), np.array([b, b]), bounds=np.array([[20, 20], [1000, 1000]]))
    assert per_pair[0] == pytest.approx(1.0) and per_pair[1] == pytest.approx(unbounded)


def test_matches_scalar_transcription_on_random_regions():
    rng = np.random.default_rng(7)
    n = 150
    centres = rng.uniform(20, 80, size=(n, 2))
    sizes = rng.uniform(3, 40, size=(n, 2))
    angles = rng.uniform(0, np.pi, size=n)
    polys = []
    for (cx, cy), (w, h), t in zip(centres, sizes, angles):
        c, s = np.cos(t), np.sin(t)
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        polys.append([v for dx, dy in corners for v in (cx + c * dx - s * dy, cy + s * dx + c * dy)])
    polys = np.round(np.array(polys), 2)
    rects = np.column_stack([centres + rng.uniform(-8, 8, (n, 2)) - sizes / 2, sizes * rng.uniform(0.7, 1.3, (n, 2))])
    rects = np.round(rects, 3)
    rect_polys = np.array([_rect_poly(r) for r in rects])
    shifted = polys[::-1] * 0.5 + polys * 0.5  # other general polygons
    rects2 = np.round(rects + rng.uniform(-5, 5, rects.shape), 2)
    rect_polys2 = np.array([_rect_poly(r) for r in rects2])
    cases = [(rects, polys, rect_polys, polys), (polys, shifted, polys, shifted), (rects, rects2, rect_polys, rect_polys2)]
    for a, b, a_poly, b_poly in cases:  # rectangle/polygon, polygon/polygon, rectangle/rectangle
        for bounds in (None, (90, 70)):
            fast = vot_overlap(a, b, bounds=bounds)
            for k in range(n):
                want = _scalar_overlap(a_poly[k].astype(F32).tolist(), b_poly[k].astype(F32).tolist(), bounds)
                assert fast[k] == pytest.approx(want, abs=1e-6), (k, bounds)


def test_close_to_exact_geometry_for_large_polygons():
    shapely = pytest.importorskip("shapely")
    rng = np.random.default_rng(3)
    for _ in range(20):
        cx, cy = rng.uniform(400, 600, 2)
        w, h = rng.uniform(150, 300, 2)
        t = rng.uniform(0, np.pi)
        c, s = np.cos(t), np.sin(t)
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        poly = np.array([v for dx, dy in corners for v in (cx + c * dx - s * dy, cy + s * dx + c * dy)])
        rect = np.array([cx - 100 + rng.uniform(-40, 40), cy - 100 + rng.uniform(-40, 40), 200, 200])
        raster = vot_overlap(rect, poly, corner_rule="x+w-1")
        exact = shapely.Polygon(poly.reshape(4, 2)).intersection(shapely.box(*rect[:2], *(rect[:2] + rect[2:]))).area
        union = shapely.Polygon(poly.reshape(4, 2)).area + 200 * 200 - exact
        # one pixel of dilation around a ~200 px region changes the IoU by ~1-2 %
        assert raster == pytest.approx(exact / union, abs=0.02)
