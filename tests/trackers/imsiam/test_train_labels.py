"""IMSiam training targets against hand-computed label maps (spec section 4)."""

from __future__ import annotations

import math

import numpy as np

from trackbench.trackers.imsiam.training.labels import location_grid, point_targets


def test_location_grid_maps_cells_to_search_pixels():
    xs, ys = location_grid()
    assert xs.shape == (29, 29)
    assert xs[0, 0] == 15 and ys[0, 0] == 15
    assert xs[14, 14] == 127 and ys[14, 14] == 127  # centre cell at the crop centre
    assert xs[3, 28] == 239 and ys[28, 3] == 239
    assert xs[5, 7] == 15 + 8 * 7 and ys[5, 7] == 15 + 8 * 5  # row-major: (row i, col j)


def test_labels_for_a_60x40_box():
    # Box corners (100, 100)-(160, 140). Location x = 15 + 8 j.
    # Strictly inside: x in {103..159} -> j = 11..18 (8 columns); y in {103..135} -> i = 11..15 (5 rows): 40.
    # Central 0.75 region: x in (107.5, 152.5) -> j = 12..17 (6); y in (105, 135) -> i = 12..14 (3): 18.
    t = point_targets(np.array([100.0, 100.0, 160.0, 140.0]))
    assert (t.cls == 1).sum() == 18
    assert (t.cls == -1).sum() == 40 - 18
    assert (t.cls == 0).sum() == 841 - 40
    assert np.all(t.cls[12:15, 12:18] == 1)
    assert t.cls[15, 12] == -1 and t.cls[11, 11] == -1
    assert t.cls[16, 14] == 0  # y = 143 is below the box
    # Regression at the centre cell (127, 127): l = 27, t = 27, r = 33, b = 13.
    np.testing.assert_allclose(t.reg[:, 14, 14], [27, 27, 33, 13])
    assert math.isclose(t.cen[14, 14], math.sqrt((27 / 33) * (13 / 27)), rel_tol=1e-6)
    # Regression targets exist everywhere, also outside the box (negative distances).
    np.testing.assert_allclose(t.reg[:, 0, 0], [15 - 100, 15 - 100, 160 - 15, 140 - 15])
    assert np.all(t.cen[t.cls == 0] == 0)
    assert np.all(t.cen[t.cls != 0] > 0)


def test_labels_for_a_box_covering_the_crop():
    # Every location inside; central region (31.875, 223.125) -> j = 3..26 (24 per axis).
    t = point_targets(np.array([0.0, 0.0, 255.0, 255.0]))
    assert (t.cls == 1).sum() == 24 * 24
    assert (t.cls == -1).sum() == 841 - 576
    assert (t.cls == 0).sum() == 0


def test_negative_pair_keeps_the_ring_ignored():
    t = point_targets(np.array([100.0, 100.0, 160.0, 140.0]), negative=True)
    assert (t.cls == 1).sum() == 0
    assert (t.cls == -1).sum() == 22
    assert (t.cls == 0).sum() == 841 - 22
    assert t.cen[14, 14] == 0  # the former centre is now a negative location
    assert t.cen[15, 12] > 0  # the ring keeps its centre-ness


def test_box_between_locations_has_no_inside_points():
    # A 4x4 box between grid points (x 120..124, y 120..124): no location strictly inside.
    t = point_targets(np.array([120.0, 120.0, 124.0, 124.0]))
    assert (t.cls == 0).all()
    # A location exactly on the border is not inside (strict inequality).
    t = point_targets(np.array([127.0, 100.0, 160.0, 140.0]))
    assert t.cls[14, 14] == 0
