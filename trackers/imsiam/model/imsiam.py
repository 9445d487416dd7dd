"""The IMSiam network: backbone -> matching-adaptive neck -> IoU-aware head.

Images are BGR float 0-255, NCHW, without normalisation: templates 127x127, search
images 255x255. Template boxes are ``[x1, y1, x2, y2]`` in template-crop pixels (127
scale). Each stage's output is a dict with ``"cls"`` (B,2,S,S) logits (foreground =
channel 1), ``"cen"`` (B,1,S,S) centre-ness logits, ``"reg"`` (B,4,S,S) distances
l, t, r, b in search-image pixels, ``"iou"`` (B,1,S,S) IoU logits (absent when the IoU
head is ablated); S = 29. Map cell (row i, col j) sits at search pixel (15 + 8 j, 15 + 8 i).
"""

from __future__ import annotations

import torch
from torch import nn

from ..config import IMSiamConfig, ModelConfig
from .backbone import ResNetAtrous
from .head import IoUAwareHead
from .mobilenet import MobileNetV3Nano
from .neck import MatchingAdaptiveNeck, StageTemplate

TEMPLATE_SIZE = 127
SEARCH_SIZE = 255
SCORE_OFFSET = 15  # search pixel of score-map cell 0
STRIDE = 8


class IMSiam(nn.Module):
    """``IMSiam(cfg)`` with ``cfg`` an :class:`IMSiamConfig` or its ``model`` part."""

    def __init__(self, cfg: IMSiamConfig | ModelConfig):
        super().__init__()
        self.cfg: ModelConfig = cfg.model if isinstance(cfg, IMSiamConfig) else cfg
        if self.cfg.backbone.kind == "mobilenetv3_nano":
            self.backbone = MobileNetV3Nano(used_layers=self.cfg.stages, frozen=self.cfg.backbone.frozen)
        else:
            self.backbone = ResNetAtrous(self.cfg.backbone, used_layers=self.cfg.stages)
        self.neck = MatchingAdaptiveNeck(self.cfg)
        self.head = IoUAwareHead(self.cfg)

    def forward(self, template_images: torch.Tensor, search_images: torch.Tensor, template_boxes: torch.Tensor) -> list[dict[str, torch.Tensor]]:
        """Training / full forward: both branches, per-stage output dicts."""
        template = self.encode_template(template_images, template_boxes)
        return self.track(search_images, template)

    def encode_template(self, template_images: torch.Tensor, template_boxes: torch.Tensor) -> list[StageTemplate]:
        """The template branch, computed once per sequence: per-stage vector and kernel."""
        return self.neck.encode_template(self.backbone(template_images), template_boxes)

    def track(self, search_images: torch.Tensor, template: list[StageTemplate]) -> list[dict[str, torch.Tensor]]:
        """The search branch against a cached template."""
        return self.head(self.neck.search_features(template, self.backbone(search_images)))


def parameter_counts(model: IMSiam) -> dict[str, int]:
    """Number of parameters of ``backbone``, ``neck``, ``head`` and ``total``."""
    counts = {name: sum(p.numel() for p in getattr(model, name).parameters()) for name in ("backbone", "neck", "head")}
    counts["total"] = sum(counts.values())
    return counts
