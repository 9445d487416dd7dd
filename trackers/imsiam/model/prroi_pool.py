"""Precise RoI pooling (Jiang et al., ECCV 2018) in pure PyTorch, exact and differentiable.

The feature map is the bilinear interpolant of its pixels, which sit at integer
coordinates ``(x, y) = (col, row)`` (no half-pixel shift); outside the map the pixels are
0. Each output bin is the exact average of that interpolant over the bin (paper Eq. 1):

    PrPool(bin) = 1 / area * integral over [x1, x2] x [y1, y2] of f(x, y) dx dy,

with f(x, y) = sum_ij F[i, j] * k(x - j) * k(y - i) and the hat kernel k(t) = max(0, 1 - |t|).
The integral is separable, so every bin is ``Wy^T F Wx`` with per-pixel weights
``W[j] = K(x2 - j) - K(x1 - j)`` where ``K`` is the closed-form antiderivative of ``k``
(piecewise quadratic). Autograd gives the exact gradients with respect to the features
and the box coordinates. A bin of zero area gives 0, as in the reference CUDA code.
"""

from __future__ import annotations

import torch
from torch import nn


def hat_antiderivative(u: torch.Tensor) -> torch.Tensor:
    """``K(u) = integral_{-inf}^{u} max(0, 1 - |t|) dt``: 0 below -1, 1 above 1."""
    u = u.clamp(-1.0, 1.0)
    return torch.where(u < 0, 0.5 * (u + 1.0) ** 2, 1.0 - 0.5 * (1.0 - u) ** 2)


def _axis_weights(start: torch.Tensor, bin_size: torch.Tensor, bins: int, length: int) -> torch.Tensor:
    """(K, bins, length) integral of the hat of each pixel over each bin along one axis."""
    steps = torch.arange(bins, dtype=start.dtype, device=start.device)
    lo = start[:, None] + bin_size[:, None] * steps  # (K, bins)
    hi = lo + bin_size[:, None]
    pixels = torch.arange(length, dtype=start.dtype, device=start.device)
    return hat_antiderivative(hi[..., None] - pixels) - hat_antiderivative(lo[..., None] - pixels)


def prroi_pool2d(
    features: torch.Tensor,
    rois: torch.Tensor,
    pooled_height: int = 1,
    pooled_width: int = 1,
    spatial_scale: float = 1.0,
) -> torch.Tensor:
    """Precise RoI pooling.

    ``features``: (N, C, H, W). ``rois``: (K, 5) rows ``[batch_index, x1, y1, x2, y2]`` in
    input coordinates, multiplied by ``spatial_scale`` to reach feature coordinates.
    Returns (K, C, pooled_height, pooled_width).
    """
    if rois.ndim != 2 or rois.shape[1] != 5:
        raise ValueError(f"rois must be (K, 5) [batch_index, x1, y1, x2, y2], got {tuple(rois.shape)}")
    rois = rois.to(features.dtype)
    x1, y1, x2, y2 = (rois[:, k] * spatial_scale for k in range(1, 5))
    bin_w = (x2 - x1).clamp(min=0) / pooled_width
    bin_h = (y2 - y1).clamp(min=0) / pooled_height
    wx = _axis_weights(x1, bin_w, pooled_width, features.shape[3])
    wy = _axis_weights(y1, bin_h, pooled_height, features.shape[2])
    selected = features[rois[:, 0].long()]
    integral = torch.einsum("kchw,kph,kqw->kcpq", selected, wy, wx)
    area = (bin_w * bin_h)[:, None, None, None]
    positive = area > 0
    return torch.where(positive, integral / torch.where(positive, area, torch.ones_like(area)), torch.zeros_like(integral))


class PrRoIPool2D(nn.Module):
    """Module form of :func:`prroi_pool2d` (same arguments as the reference ``PrRoIPool2D``)."""

    def __init__(self, pooled_height: int, pooled_width: int, spatial_scale: float):
        super().__init__()
        self.pooled_height = int(pooled_height)
        self.pooled_width = int(pooled_width)
        self.spatial_scale = float(spatial_scale)

    def forward(self, features: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        return prroi_pool2d(features, rois, self.pooled_height, self.pooled_width, self.spatial_scale)

    def extra_repr(self) -> str:
        return f"pooled=({self.pooled_height}, {self.pooled_width}), spatial_scale={self.spatial_scale}"
