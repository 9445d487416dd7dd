"""Winograd F(4x4, 3x3) convolutions (trackers/imsiam/model/winograd.py) against torch's
direct convolution, and the tracker's ``convolution`` option."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from trackbench.errors import TrackbenchError
from trackbench.imageio import read_rgb
from trackbench.textio import read_table
from trackbench.trackers.imsiam.model.winograd import POINTS, WinogradConv2d, is_eligible, use_winograd, winograd_matrices
from trackbench.trackers.imsiam.tracker import IMSiamTracker


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_matrices_compute_the_one_dimensional_correlation_exactly():
    # y[i] = sum_k d[i + k] g[k], by hand, for F(4, 3) and for F(2, 3) from three points
    generator = torch.Generator().manual_seed(0)
    for points in (POINTS, (0, 1, -1, 2, -2), (0, 1, -1)):
        at, g, bt = winograd_matrices(points)
        m, size = at.shape
        assert (m, size, g.shape, bt.shape) == (len(points) - 1, len(points) + 1, (size, 3), (size, size))
        d = torch.randn(size, dtype=torch.float64, generator=generator)
        kernel = torch.randn(3, dtype=torch.float64, generator=generator)
        by_hand = torch.stack([sum(d[i + k] * kernel[k] for k in range(3)) for i in range(m)])
        assert torch.allclose(at @ ((g @ kernel) * (bt @ d)), by_hand, rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="distinct points"):
        winograd_matrices((0, 1, 1))


@pytest.mark.parametrize("batch, channels, size, out_channels, dilation, padding, bias", [
    (1, 3, (13, 13), 5, 1, 1, True),
    (2, 4, (9, 14), 3, 1, 0, False),  # valid convolution, not a multiple of the tile
    (1, 2, (31, 31), 4, 2, 2, True),  # the backbone's dilated layers
    (1, 2, (31, 30), 3, 4, 4, True),
    (3, 2, (7, 11), 2, 3, 1, True),   # padding smaller than the dilation
    (1, 2, (3, 3), 2, 1, 1, True),    # a map smaller than one tile
])
def test_equals_the_direct_convolution_in_float64(batch, channels, size, out_channels, dilation, padding, bias):
    torch.manual_seed(1)
    conv = nn.Conv2d(channels, out_channels, 3, padding=padding, dilation=dilation, bias=bias).double()
    x = torch.randn(batch, channels, *size, dtype=torch.float64)
    expected = conv(x)
    got = WinogradConv2d(conv)(x)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, rtol=0, atol=1e-12)
    # a channels_last input gives the same result
    assert torch.allclose(WinogradConv2d(conv)(x.contiguous(memory_format=torch.channels_last)), expected, rtol=0, atol=1e-12)


def test_float32_error_is_the_order_of_the_direct_convolutions_own():
    # 256 channels on the 31x31 map of the search branch, dilation 2 (layer3): both float32
    # results against the float64 convolution of the same numbers
    torch.manual_seed(2)
    conv = nn.Conv2d(256, 256, 3, padding=2, dilation=2)
    x = torch.randn(1, 256, 31, 31)
    exact = F.conv2d(x.double(), conv.weight.double(), conv.bias.double(), padding=2, dilation=2)
    with torch.no_grad():
        direct_error = (conv(x).double() - exact).abs().max().item()
        winograd_error = (WinogradConv2d(conv)(x).double() - exact).abs().max().item()
    scale = exact.abs().max().item()
    assert winograd_error < 5e-6 * scale
    assert winograd_error < 3 * direct_error, (winograd_error, direct_error)


def test_only_large_stride_one_ungrouped_3x3_convolutions_are_replaced():
    assert is_eligible(nn.Conv2d(256, 256, 3, padding=2, dilation=2))
    assert not is_eligible(nn.Conv2d(64, 64, 3, padding=1))  # below MIN_CHANNELS
    assert is_eligible(nn.Conv2d(64, 64, 3, padding=1), min_channels=64)
    for conv in (nn.Conv2d(256, 256, 3, stride=2, padding=1), nn.Conv2d(256, 256, 1),
                 nn.Conv2d(256, 256, 3, groups=2), nn.Conv2d(256, 256, 3, padding="same"),
                 nn.Conv2d(256, 256, 3, padding=1, padding_mode="reflect"),
                 nn.Conv2d(256, 256, 3, padding=(1, 2)), nn.Conv2d(256, 256, 3, dilation=(1, 2))):
        assert not is_eligible(conv, min_channels=1), conv
    with pytest.raises(ValueError, match="3x3 stride-1"):
        WinogradConv2d(nn.Conv2d(4, 4, 3, stride=2))
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Sequential(nn.Conv2d(8, 8, 3, padding=2, dilation=2)),
                          nn.Conv2d(8, 8, 1)).double().eval()
    x = torch.randn(1, 3, 20, 20, dtype=torch.float64)
    expected = model(x)
    assert use_winograd(model, min_channels=3) == 2
    assert isinstance(model[0], WinogradConv2d) and isinstance(model[2][0], WinogradConv2d)
    assert isinstance(model[3], nn.Conv2d)
    assert torch.allclose(model(x), expected, rtol=0, atol=1e-12)


def test_option_is_checked_against_the_others():
    with pytest.raises(TrackbenchError, match="convolution: 'fft' is not one of direct, winograd"):
        IMSiamTracker(config="imsiam_small", random_init=True, convolution="fft")
    with pytest.raises(TrackbenchError, match="convolution=winograd contradicts exact=true"):
        IMSiamTracker(config="imsiam_small", random_init=True, exact=True, convolution="winograd")
    with pytest.raises(TrackbenchError, match="convolution=winograd contradicts mixed_precision=bf16"):
        IMSiamTracker(config="imsiam_small", random_init=True, mixed_precision="bf16", convolution="winograd")
    with pytest.raises(TrackbenchError, match="backend=onnxruntime contradicts convolution=winograd"):
        IMSiamTracker(config="imsiam_small", random_init=True, backend="onnxruntime", convolution="winograd")
    tracker = IMSiamTracker(config="imsiam_small", random_init=True, convolution="Winograd")
    summary = tracker.config_summary()
    assert (summary["backend"], summary["convolution"], summary["channels_last"]) == ("torch", "winograd", False)
    assert IMSiamTracker(config="imsiam_small", random_init=True).config_summary()["convolution"] == "direct"


def test_full_paper_model_with_winograd_keeps_the_eager_boxes_on_real_frames(shared_data):
    # the paper's ResNet-50 model (random weights, seeded): its large 3x3 convolutions by
    # Winograd, the boxes of the eager tracker to far below a pixel on real Crossing frames
    root = shared_data / "sequences" / "otb" / "Crossing"
    images = [read_rgb(path) for path in sorted((root / "img").glob("*.jpg"))[:3]]
    box = read_table(root / "groundtruth_rect.txt", 4)[0]
    eager = IMSiamTracker(config="imsiam", random_init=True, exact=True)
    fast = IMSiamTracker(config="imsiam", random_init=True, convolution="winograd")
    replaced = [m for m in fast.model.modules() if isinstance(m, WinogradConv2d)]
    assert len(replaced) >= 20  # layer3, layer4 and the head towers
    eager.init(images[0], box)
    fast.init(images[0], box)
    for image in images[1:]:
        (expected, expected_score), (got, score) = eager.update(image), fast.update(image)
        assert np.max(np.abs(got - expected)) < 1e-3
        assert abs(score - expected_score) < 1e-4
