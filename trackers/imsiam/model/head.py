"""The IoU-aware head (IAMFHead), one instance for all stages.

Sampling layers U_cls / U_reg: 1x1 Conv (bias) ``branches*C -> H`` + GroupNorm + ReLU.
With ``sampling_layer: shared`` (authors' code) they are the first layer of the towers
(``head.cls_tower.0`` / ``head.bbox_tower.0``) and shared by the stages; with
``per_stage`` (paper) there is one per stage (``head.cls_samplers.{i}``,
``head.bbox_samplers.{i}``) and the towers start with the 3x3 convs.

Towers: ``head_convs`` x [Conv3x3 (pad 1, bias) + GroupNorm + ReLU] each.
Outputs (3x3 convs, pad 1): ``cls_logits`` (2, foreground = channel 1) and ``centerness``
(1) from the cls tower; ``bbox_pred`` (4: l, t, r, b in search-image pixels, as
``exp(scale_stage * x)``) and ``iou_pred`` (1, absent when ``iou_head`` is off) from the
bbox tower. ``scales.{i}.scale`` is one learnable scalar per stage, initialised to 1.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..config import ModelConfig


class Scale(nn.Module):
    def __init__(self, value: float = 1.0):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(value, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale


def _conv_gn_relu(in_channels: int, out_channels: int, kernel_size: int, groups: int) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2), nn.GroupNorm(groups, out_channels), nn.ReLU()]


class IoUAwareHead(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        in_channels = cfg.branches * cfg.neck_channels
        c, g = cfg.head_channels, cfg.gn_groups
        self.num_stages = len(cfg.stages)
        self.shared_sampling = cfg.sampling_layer == "shared"
        cls_tower: list[nn.Module] = []
        bbox_tower: list[nn.Module] = []
        if self.shared_sampling:
            cls_tower += _conv_gn_relu(in_channels, c, 1, g)
            bbox_tower += _conv_gn_relu(in_channels, c, 1, g)
        else:
            self.cls_samplers = nn.ModuleList(nn.Sequential(*_conv_gn_relu(in_channels, c, 1, g)) for _ in range(self.num_stages))
            self.bbox_samplers = nn.ModuleList(nn.Sequential(*_conv_gn_relu(in_channels, c, 1, g)) for _ in range(self.num_stages))
        for _ in range(cfg.head_convs):
            cls_tower += _conv_gn_relu(c, c, 3, g)
            bbox_tower += _conv_gn_relu(c, c, 3, g)
        self.cls_tower = nn.Sequential(*cls_tower)
        self.bbox_tower = nn.Sequential(*bbox_tower)
        self.cls_logits = nn.Conv2d(c, 2, 3, padding=1)
        self.centerness = nn.Conv2d(c, 1, 3, padding=1)
        self.bbox_pred = nn.Conv2d(c, 4, 3, padding=1)
        self.iou_pred = nn.Conv2d(c, 1, 3, padding=1) if cfg.iou_head else None
        self.scales = nn.ModuleList(Scale(1.0) for _ in range(self.num_stages))
        self._init(cfg.head_init)

    def _init(self, head_init: str) -> None:
        """Towers: Kaiming (paper) or N(0, 0.01) (code); predictors N(0, 0.01) in both.

        The prediction convs keep N(0, 0.01) under ``kaiming`` too: a Kaiming-scaled
        ``bbox_pred`` feeds ``exp`` with values of order 10 and overflows at the start of
        training. ``cls_logits`` gets the focal prior bias -log(99) (it cancels in the softmax).
        """
        towers = [self.cls_tower, self.bbox_tower]
        if not self.shared_sampling:
            towers += [self.cls_samplers, self.bbox_samplers]
        for tower in towers:
            for m in tower.modules():
                if isinstance(m, nn.Conv2d):
                    if head_init == "kaiming":
                        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    else:
                        nn.init.normal_(m.weight, std=0.01)
                    nn.init.zeros_(m.bias)
        for m in (self.cls_logits, self.centerness, self.bbox_pred, self.iou_pred):
            if m is not None:
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
        nn.init.constant_(self.cls_logits.bias, -math.log((1 - 0.01) / 0.01))

    def forward(self, features: list[torch.Tensor]) -> list[dict[str, torch.Tensor]]:
        """Per-stage neck features (B, branches*C, S, S) -> per-stage output dicts.

        The stages go through the shared towers as one batch (GroupNorm is per sample, so
        this equals running them one by one).
        """
        batch = features[0].shape[0]
        if self.shared_sampling:
            stacked = torch.cat(features, dim=0)
            cls_in = bbox_in = stacked
        else:
            cls_in = torch.cat([s(f) for s, f in zip(self.cls_samplers, features)], dim=0)
            bbox_in = torch.cat([s(f) for s, f in zip(self.bbox_samplers, features)], dim=0)
        cls_t = self.cls_tower(cls_in)
        bbox_t = self.bbox_tower(bbox_in)
        cls = self.cls_logits(cls_t).split(batch)
        cen = self.centerness(cls_t).split(batch)
        reg = self.bbox_pred(bbox_t).split(batch)
        iou = self.iou_pred(bbox_t).split(batch) if self.iou_pred is not None else None
        outputs = []
        for i in range(len(features)):
            out = {"cls": cls[i], "cen": cen[i], "reg": torch.exp(self.scales[i](reg[i]))}
            if iou is not None:
                out["iou"] = iou[i]
            outputs.append(out)
        return outputs
