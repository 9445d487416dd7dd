"""Precise RoI pooling against a brute-force numerical integral (values and gradients)."""

from __future__ import annotations

import torch

from trackbench.trackers.imsiam.model.prroi_pool import PrRoIPool2D, prroi_pool2d


def bilinear_zero_padded(feature: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """f(x, y) on a grid (C, len(ys), len(xs)): bilinear between integer pixels, 0 outside."""
    c, h, w = feature.shape
    padded = torch.zeros(c, h + 4, w + 4, dtype=feature.dtype)
    padded[:, 2 : h + 2, 2 : w + 2] = feature  # pixel (i, j) at padded (i + 2, j + 2)
    x = xs.clamp(-1.999, w + 0.999) + 2
    y = ys.clamp(-1.999, h + 0.999) + 2
    x0, y0 = torch.floor(x).long(), torch.floor(y).long()
    ax, ay = x - x0, y - y0
    f00 = padded[:, y0[:, None], x0[None, :]]
    f01 = padded[:, y0[:, None], x0[None, :] + 1]
    f10 = padded[:, y0[:, None] + 1, x0[None, :]]
    f11 = padded[:, y0[:, None] + 1, x0[None, :] + 1]
    ax, ay = ax[None, None, :], ay[None, :, None]
    return (1 - ay) * ((1 - ax) * f00 + ax * f01) + ay * ((1 - ax) * f10 + ax * f11)


def brute_force_pool(features: torch.Tensor, rois: torch.Tensor, bins: int, scale: float, n: int = 240) -> torch.Tensor:
    """Midpoint-rule average of the interpolant over each bin (n x n samples per bin)."""
    out = []
    for roi in rois:
        feature = features[int(roi[0])]
        x1, y1, x2, y2 = (roi[k] * scale for k in range(1, 5))
        bw, bh = (x2 - x1) / bins, (y2 - y1) / bins
        t = (torch.arange(n, dtype=features.dtype) + 0.5) / n
        rows = []
        for p in range(bins):
            cols = []
            for q in range(bins):
                xs = x1 + bw * (q + t)
                ys = y1 + bh * (p + t)
                cols.append(bilinear_zero_padded(feature, xs, ys).mean(dim=(1, 2)))
            rows.append(torch.stack(cols, dim=-1))
        out.append(torch.stack(rows, dim=-2))
    return torch.stack(out)


def random_case(seed: int):
    g = torch.Generator().manual_seed(seed)
    features = torch.randn(2, 3, 6, 7, generator=g, dtype=torch.float64)
    boxes = []
    for k in range(5):  # boxes inside, across the border, and partly outside the map
        x1 = torch.rand(1, generator=g).item() * 8 - 2
        y1 = torch.rand(1, generator=g).item() * 7 - 2
        w = 0.3 + torch.rand(1, generator=g).item() * 5
        h = 0.3 + torch.rand(1, generator=g).item() * 5
        boxes.append([k % 2, x1 * 8, y1 * 8, (x1 + w) * 8, (y1 + h) * 8])
    return features, torch.tensor(boxes, dtype=torch.float64)


def test_values_match_numerical_integral():
    for seed in range(3):
        features, rois = random_case(seed)
        for bins in (1, 2):
            exact = prroi_pool2d(features, rois, bins, bins, 1 / 8)
            reference = brute_force_pool(features, rois, bins, 1 / 8)
            assert exact.shape == (5, 3, bins, bins)
            torch.testing.assert_close(exact, reference, rtol=1e-4, atol=1e-4)


def leibniz_box_gradient(features: torch.Tensor, rois: torch.Tensor, scale: float, n: int = 20000) -> torch.Tensor:
    """d(mean)/d(x1, y1, x2, y2) by Leibniz's rule with brute-force edge integrals.

    mean = I / A with I the integral over the box and A its area; moving the edge x2 adds
    the line integral of f along that edge: dI/dx2 = int f(x2, y) dy, dA/dx2 = (y2 - y1).
    Returns the sum over channels weighted like the test's loss (one row per roi).
    """
    rows = []
    for roi in rois:
        feature = features[int(roi[0])]
        x1, y1, x2, y2 = (roi[k] * scale for k in range(1, 5))
        w, h = x2 - x1, y2 - y1
        mean = brute_force_pool(features, roi[None], 1, scale)[0, :, 0, 0]
        t = (torch.arange(n, dtype=features.dtype) + 0.5) / n
        ys, xs = y1 + h * t, x1 + w * t
        along_x1 = bilinear_zero_padded(feature, x1[None], ys).mean(dim=(1, 2)) * h
        along_x2 = bilinear_zero_padded(feature, x2[None], ys).mean(dim=(1, 2)) * h
        along_y1 = bilinear_zero_padded(feature, xs, y1[None]).mean(dim=(1, 2)) * w
        along_y2 = bilinear_zero_padded(feature, xs, y2[None]).mean(dim=(1, 2)) * w
        area = w * h
        d_x1 = -along_x1 / area + mean / w
        d_x2 = along_x2 / area - mean / w
        d_y1 = -along_y1 / area + mean / h
        d_y2 = along_y2 / area - mean / h
        rows.append(torch.stack([d_x1, d_y1, d_x2, d_y2], dim=-1) * scale)  # (C, 4), per input pixel
    return torch.stack(rows)  # (K, C, 4)


def test_gradients_match_numerical_integral():
    features, rois = random_case(7)
    weights = torch.randn(5, 3, 1, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    f = features.clone().requires_grad_(True)
    r = rois.clone().requires_grad_(True)
    (prroi_pool2d(f, r, 1, 1, 1 / 8) * weights).sum().backward()
    # features: the brute-force integral is linear in them; autograd through it is a reference
    f_ref = features.clone().requires_grad_(True)
    (brute_force_pool(f_ref, rois, 1, 1 / 8) * weights).sum().backward()
    torch.testing.assert_close(f.grad, f_ref.grad, rtol=1e-3, atol=1e-5)
    # box coordinates: Leibniz's rule with numerically integrated edges
    box_ref = (leibniz_box_gradient(features, rois, 1 / 8) * weights[:, :, 0]).sum(dim=1)
    torch.testing.assert_close(r.grad[:, 1:], box_ref, rtol=1e-3, atol=1e-5)
    assert r.grad[:, 1:].abs().max() > 1e-2  # a real gradient, not identically zero


def test_hand_computed_cases():
    # a constant map: the average over any box inside [0, W-1] x [0, H-1] is the constant
    features = torch.full((1, 1, 5, 5), 3.0, dtype=torch.float64)
    rois = torch.tensor([[0, 0.5, 1.0, 3.25, 4.0]], dtype=torch.float64)
    assert prroi_pool2d(features, rois, 1, 1, 1.0).item() == 3.0
    # a single unit pixel at (2, 2): its hat integrates to 1 over [1, 3] x [1, 3] (area 4)
    features = torch.zeros(1, 1, 5, 5, dtype=torch.float64)
    features[0, 0, 2, 2] = 1.0
    rois = torch.tensor([[0, 1.0, 1.0, 3.0, 3.0]], dtype=torch.float64)
    assert abs(prroi_pool2d(features, rois, 1, 1, 1.0).item() - 0.25) < 1e-12
    # zero-area box: 0, as the reference CUDA code; and the module form
    rois = torch.tensor([[0, 2.0, 2.0, 2.0, 3.0]], dtype=torch.float64)
    assert PrRoIPool2D(1, 1, 1.0)(features, rois).item() == 0.0
