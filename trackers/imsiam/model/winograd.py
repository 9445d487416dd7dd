"""Winograd convolution F(4x4, 3x3) for inference: the tracker's ``convolution=winograd``.

A 3x3 convolution of stride 1 computes each 4x4 block of outputs from a 6x6 block of
inputs with 36 multiplications per input-output channel pair instead of 144 (Lavin and
Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016, section 4):
``Y = A^T [(G g G^T) * (B^T d B)] A``. Over all channels the 36 elementwise products are
36 matrix products ``U[p] @ V[p]`` (``U`` the transformed weights, ``(Cout, Cin)`` each;
``V`` the transformed input tiles, ``(Cin, tiles)``), which the BLAS runs at its full speed.
The matrices are built exactly (rational arithmetic) from the interpolation points
0, 1, -1, 2, -1/2 and infinity (the Cook-Toom construction), then rounded once to the
weights' type. Those points, rather than the usual 0, +-1, +-2, are the ones Barabasz et
al. found most accurate for F(4, 3) ("Error analysis and improving the accuracy of
Winograd convolution for deep neural networks", ACM TOMS 46(4), 2020; they list
0, -1, 1, 1/2, -2, the mirror image): measured here on a 256-channel layer in float32,
errors against float64 of 7e-6 instead of 2e-5, with the direct convolution's own at 5e-6
(``tests/trackers/imsiam/test_imsiam_winograd.py`` measures both).

A dilated convolution (dilation ``d``) is ``d * d`` undilated ones on the interleaved
sub-grids of its input (rows and columns ``r, r + d, r + 2d...``); the tiles are taken
from those sub-grids directly, so dilation costs nothing extra.

Cost: the transformed weights take 4x the memory of the 3x3 weights (36 instead of 9
numbers per channel pair; about 0.7 GB for the full ResNet-50 IMSiam). Where the
convolution is too small to amortise the transforms it is slower than the direct one
(``MIN_CHANNELS``).
"""

from __future__ import annotations

from fractions import Fraction

import torch
import torch.nn.functional as F
from torch import nn

#: Interpolation points of F(4, 3) besides infinity (4x4 output tiles from 6x6 input tiles).
POINTS = (0, 1, -1, 2, Fraction(-1, 2))
#: Convolutions with fewer input or output channels keep the direct algorithm.
MIN_CHANNELS = 256


def winograd_matrices(points: tuple[int | Fraction, ...] = POINTS, kernel: int = 3) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(A^T, G, B^T)`` of F(m, r) in float64, ``m = len(points) + 2 - r``, ``r = kernel``:
    ``y = A^T [(G g) * (B^T d)]`` is the valid correlation of a length ``m + r - 1`` input
    ``d`` with a length ``r`` kernel ``g`` (``y[i] = sum_k d[i + k] g[k]``), exactly in
    rational arithmetic."""
    pts = [Fraction(p) for p in points]
    n = len(pts)
    m = n + 1 - kernel + 1
    if m < 1 or len(set(pts)) != n:
        raise ValueError(f"F(m, {kernel}) needs at least {kernel - 1} distinct points, got {points}")

    def times_linear(poly: list[Fraction], root: Fraction) -> list[Fraction]:  # poly * (x - root)
        out = [Fraction(0)] * (len(poly) + 1)
        for i, c in enumerate(poly):
            out[i] -= c * root
            out[i + 1] += c
        return out

    def product_without(skip: int | None) -> list[Fraction]:
        poly = [Fraction(1)]
        for j, p in enumerate(pts):
            if j != skip:
                poly = times_linear(poly, p)
        return poly

    a = n + 1
    at = [[p ** i for p in pts] + [Fraction(int(i == m - 1))] for i in range(m)]
    norms = []
    for j, p in enumerate(pts):
        value = Fraction(1)
        for k, q in enumerate(pts):
            if k != j:
                value *= p - q
        norms.append(value)
    g = [[p ** k / norms[j] for k in range(kernel)] for j, p in enumerate(pts)]
    g.append([Fraction(int(k == kernel - 1)) for k in range(kernel)])
    bt = [coeffs + [Fraction(0)] * (a - len(coeffs)) for coeffs in (product_without(j) for j in range(n))]
    bt.append(product_without(None))

    def tensor(rows: list[list[Fraction]]) -> torch.Tensor:
        return torch.tensor([[float(v) for v in row] for row in rows], dtype=torch.float64)

    return tensor(at), tensor(g), tensor(bt)


def is_eligible(conv: nn.Module, min_channels: int = MIN_CHANNELS) -> bool:
    """A 3x3, stride-1, ungrouped ``nn.Conv2d`` with equal dilations, equal integer paddings
    of zeros and at least ``min_channels`` input and output channels."""
    return (isinstance(conv, nn.Conv2d) and conv.kernel_size == (3, 3) and conv.stride == (1, 1)
            and conv.groups == 1 and conv.padding_mode == "zeros" and not isinstance(conv.padding, str)
            and conv.dilation[0] == conv.dilation[1] and conv.padding[0] == conv.padding[1]
            and min(conv.in_channels, conv.out_channels) >= min_channels)


class WinogradConv2d(nn.Module):
    """Inference-only replacement of an eligible ``nn.Conv2d`` (:func:`is_eligible`):
    NCHW in, NCHW out (contiguous input is used as it is; other layouts are copied)."""

    def __init__(self, conv: nn.Conv2d):
        super().__init__()
        if not is_eligible(conv, min_channels=1):
            raise ValueError(f"WinogradConv2d needs a 3x3 stride-1 ungrouped convolution, got {conv}")
        at, g, bt = winograd_matrices()
        weight = conv.weight.detach()
        self.tile, self.size = at.shape[0], at.shape[1]
        self.dilation, self.padding = conv.dilation[0], conv.padding[0]
        self.out_channels = conv.out_channels
        # G g G^T of every channel pair as one product: (a*a, 9) @ (9, Cout * Cin), in float64
        flat = weight.double().cpu().reshape(-1, 9).T
        tiles = (torch.kron(g, g) @ flat).reshape(self.size ** 2, conv.out_channels, conv.in_channels)
        kind = dict(dtype=weight.dtype, device=weight.device)
        self.register_buffer("weight_tiles", tiles.to(**kind).contiguous())
        self.register_buffer("input_transform", torch.kron(bt, bt).to(**kind))
        self.register_buffer("output_transform", torch.kron(at, at).to(**kind))
        bias = conv.bias.detach() if conv.bias is not None else torch.zeros(conv.out_channels, **kind)
        self.register_buffer("bias", bias.clone().view(1, -1, 1, 1, 1, 1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        d, p, m, a = self.dilation, self.padding, self.tile, self.size
        out_h, out_w = h + 2 * p - 2 * d, w + 2 * p - 2 * d
        rows, cols = (out_h + d * m - 1) // (d * m), (out_w + d * m - 1) // (d * m)  # tiles per sub-grid
        span_h, span_w = (rows * m + 2) * d, (cols * m + 2) * d
        padded = F.pad(x.contiguous(), (p, span_w - w - p, p, span_h - h - p))
        # (n, c, rows, d, cols, d, a, a): tile (i, j) of sub-grid (r, s), as a strided view
        tiles = padded.view(n, c, rows * m + 2, d, cols * m + 2, d).unfold(2, a, m).unfold(4, a, m)
        data = tiles.permute(6, 7, 1, 0, 2, 3, 4, 5).reshape(a * a, -1)
        transformed = (self.input_transform @ data).view(a * a, c, -1)
        products = torch.bmm(self.weight_tiles, transformed)  # (a*a, Cout, tiles)
        blocks = (self.output_transform @ products.view(a * a, -1)).view(m, m, self.out_channels, n, rows, d, cols, d)
        out = torch.empty((n, self.out_channels, rows, m, d, cols, m, d), dtype=x.dtype, device=x.device)
        torch.add(blocks.permute(3, 2, 4, 0, 5, 6, 1, 7), self.bias, out=out)
        return out.view(n, self.out_channels, rows * m * d, cols * m * d)[:, :, :out_h, :out_w]


def use_winograd(model: nn.Module, min_channels: int = MIN_CHANNELS) -> int:
    """Replace, in place, every eligible convolution of ``model`` (an inference copy: the
    replacements hold no parameters) by a :class:`WinogradConv2d`; the number replaced."""
    count = 0
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if is_eligible(child, min_channels):
                setattr(module, name, WinogradConv2d(child))
                count += 1
    return count
