"""The matching-adaptive neck: adjust layers and one MatchCatNet per stage.

Per stage (C = ``neck_channels``, 256 in the paper):

* ``downsample{k}`` (AdjustLayer): 1x1 Conv (no bias) + BN, no ReLU, shared by template and
  search: layer-k channels -> C (template C x 15 x 15, search C x 31 x 31).
* ``matchcat{k}`` (MatchCatNet):
  - ``conv_diff`` 3x3 Conv-BN-ReLU without padding, shared by template and search
    (15 -> 13, 31 -> 29); the template vector ``v`` is the precise-RoI average of the
    template's ``conv_diff`` map over the target box;
  - f1 = |x_diff - v| (L1 difference), f2 = x_diff (search identity);
  - f3: padded depth-wise cross-correlation of ``conv_search(x)`` (29x29) with
    ``conv_kernel`` of the template's d x d centre crop (5x5 for d = 7), padding k // 2.
  - output: the enabled maps concatenated in the order [f1, f2, f3] (3C x 29 x 29).

Template boxes are ``[x1, y1, x2, y2]`` in 127-pixel template-crop coordinates. The
template ``conv_diff`` cell j sits at template pixel 15 + 8 j, so the RoI is
``(box - 15) / 8`` in map cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..config import ModelConfig
from .prroi_pool import prroi_pool2d

ROI_OFFSET = 15.0  # template pixel of conv_diff cell 0
STRIDE = 8


def conv_bn(in_channels: int, out_channels: int, kernel_size: int, relu: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(in_channels, out_channels, kernel_size, bias=False), nn.BatchNorm2d(out_channels)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def xcorr_depthwise(search: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Padded depth-wise cross-correlation: (B,C,H,W) * (B,C,k,k) -> (B,C,H,W)."""
    b, c = kernel.shape[:2]
    out = F.conv2d(
        search.reshape(1, b * c, search.shape[2], search.shape[3]),
        kernel.reshape(b * c, 1, kernel.shape[2], kernel.shape[3]),
        groups=b * c,
        padding=kernel.shape[2] // 2,
    )
    return out.reshape(b, c, out.shape[2], out.shape[3])


@dataclass
class StageTemplate:
    """What one stage keeps from the template: pooled vector (B,C,1,1) and xcorr kernel."""

    vector: torch.Tensor | None
    kernel: torch.Tensor | None


class AdjustLayer(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.downsample = conv_bn(in_channels, out_channels, 1, relu=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(x)


class MatchCatNet(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        c = cfg.neck_channels
        self.l1_difference = cfg.l1_difference
        self.search_identity = cfg.search_identity
        self.pdw_xcorr = cfg.pdw_xcorr
        self.center_size = cfg.xcorr_crop
        if self.l1_difference or self.search_identity:
            self.conv_diff = conv_bn(c, c, 3)
        if self.pdw_xcorr:
            self.conv_kernel = conv_bn(c, c, 3)
            self.conv_search = conv_bn(c, c, 3)

    def encode_template(self, z: torch.Tensor, boxes: torch.Tensor) -> StageTemplate:
        """``z``: adjusted template features (B,C,15,15); ``boxes``: (B,4) x1,y1,x2,y2 (127 px)."""
        vector = kernel = None
        if self.l1_difference:
            z_diff = self.conv_diff(z)
            index = torch.arange(z.shape[0], dtype=z.dtype, device=z.device)[:, None]
            rois = torch.cat([index, boxes.to(z.dtype) - ROI_OFFSET], dim=1)
            vector = prroi_pool2d(z_diff, rois, 1, 1, 1.0 / STRIDE)
        if self.pdw_xcorr:
            lo = (z.shape[3] - self.center_size) // 2
            kernel = self.conv_kernel(z[:, :, lo : lo + self.center_size, lo : lo + self.center_size])
        return StageTemplate(vector, kernel)

    def search_features(self, template: StageTemplate, x: torch.Tensor) -> torch.Tensor:
        maps = []
        if self.l1_difference or self.search_identity:
            x_diff = self.conv_diff(x)
            if self.l1_difference:
                maps.append(torch.abs(x_diff - template.vector))
            if self.search_identity:
                maps.append(x_diff)
        if self.pdw_xcorr:
            maps.append(xcorr_depthwise(self.conv_search(x), template.kernel))
        return maps[0] if len(maps) == 1 else torch.cat(maps, dim=1)


class MatchingAdaptiveNeck(nn.Module):
    """``downsample{k}`` and ``matchcat{k}`` for each used backbone layer k."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.stages = tuple(cfg.stages)
        for k in self.stages:
            self.add_module(f"downsample{k}", AdjustLayer(cfg.backbone.out_channels(k), cfg.neck_channels))
            self.add_module(f"matchcat{k}", MatchCatNet(cfg))
        for m in self.modules():  # the authors' neck init (training.py), also the paper's
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def encode_template(self, z_features: list[torch.Tensor], boxes: torch.Tensor) -> list[StageTemplate]:
        out = []
        for k, z in zip(self.stages, z_features):
            z = getattr(self, f"downsample{k}")(z)
            out.append(getattr(self, f"matchcat{k}").encode_template(z, boxes))
        return out

    def search_features(self, templates: list[StageTemplate], x_features: list[torch.Tensor]) -> list[torch.Tensor]:
        out = []
        for k, template, x in zip(self.stages, templates, x_features):
            x = getattr(self, f"downsample{k}")(x)
            out.append(getattr(self, f"matchcat{k}").search_features(template, x))
        return out

    def forward(self, z_features: list[torch.Tensor], x_features: list[torch.Tensor], boxes: torch.Tensor) -> list[torch.Tensor]:
        return self.search_features(self.encode_template(z_features, boxes), x_features)
