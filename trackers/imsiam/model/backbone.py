"""ResNet-50 with atrous convolution in pysot's layout (SiamRPN++), total stride 8.

Layout (``downsample_kernel=3``, pysot ``resnet50.model``): conv1 7x7 stride 2 **padding 0**,
maxpool 3x3/2 pad 1; layer2 stride 2 with a 3x3 downsample conv (pad 0) and block-0 conv2
pad 0; layer3 dilation 2 (block 0 dilation 1, 3x3 downsample pad 1); layer4 dilation 4
(block 0 dilation 2, 3x3 downsample dilation 2 pad 2). A 127x127 template gives 15x15 maps
at layers 2-4, a 255x255 search image 31x31.

``downsample_kernel=1`` is the torchvision layout (1x1 downsample convs, for torchvision
ImageNet weights); its stride-2 1x1 conv first drops a one-pixel border so that it samples
the same centres as the 3x3 conv it replaces (sizes stay 15/31).

State-dict keys are pysot's/torchvision's: ``conv1``, ``bn1``, ``layer{k}.{i}.conv{1,2,3}``,
``bn{1,2,3}``, ``downsample.{0,1}``. The stem and layer1 are frozen (no gradients, BN in
eval mode). Input: BGR float 0-255, no normalisation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..config import BackboneConfig


class CroppedConv2d(nn.Conv2d):
    """A Conv2d that first removes ``crop`` pixels from each border of its input."""

    def __init__(self, *args, crop: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.crop = crop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.crop:
            x = x[:, :, self.crop : -self.crop, self.crop : -self.crop]
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None, dilation: int = 1):
        super().__init__()
        padding = 2 - stride
        if downsample is not None and dilation > 1:  # first block of a dilated layer
            dilation = dilation // 2
            padding = dilation
        if dilation > 1:
            padding = dilation
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=padding, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        residual = x if self.downsample is None else self.downsample(x)
        return self.relu(out + residual)


class ResNetAtrous(nn.Module):
    """The backbone; ``forward`` returns the feature maps of ``used_layers`` in order."""

    frozen = ("conv1", "bn1", "layer1")

    def __init__(self, cfg: BackboneConfig, used_layers: tuple[int, ...] = (2, 3, 4)):
        super().__init__()
        self.used_layers = tuple(used_layers)
        self.downsample_kernel = cfg.downsample_kernel
        width = cfg.width
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=0, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        specs = {1: (1, 1), 2: (2, 1), 3: (1, 2), 4: (1, 4)}  # layer -> (stride, dilation)
        self.num_layers = max(self.used_layers)
        for k in range(1, self.num_layers + 1):
            stride, dilation = specs[k]
            setattr(self, f"layer{k}", self._make_layer(width * 2 ** (k - 1), cfg.blocks[k - 1], stride, dilation))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        for name in self.frozen:
            for p in getattr(self, name).parameters():
                p.requires_grad_(False)

    def _make_layer(self, planes: int, blocks: int, stride: int, dilation: int) -> nn.Sequential:
        out_planes = planes * Bottleneck.expansion
        downsample = None
        if stride != 1 or self.inplanes != out_planes:
            if stride == 1 and dilation == 1:
                conv = nn.Conv2d(self.inplanes, out_planes, 1, stride=stride, bias=False)
            else:
                dd = dilation // 2 if dilation > 1 else 1
                padding = dd if dilation > 1 else 0
                if self.downsample_kernel == 3:
                    conv = nn.Conv2d(self.inplanes, out_planes, 3, stride=stride, padding=padding, dilation=dd, bias=False)
                else:  # 1x1 at the centre tap of the 3x3 it replaces
                    conv = CroppedConv2d(self.inplanes, out_planes, 1, stride=stride, bias=False, crop=dd - padding)
            downsample = nn.Sequential(conv, nn.BatchNorm2d(out_planes))
        layers = [Bottleneck(self.inplanes, planes, stride, downsample, dilation=dilation)]
        self.inplanes = out_planes
        layers += [Bottleneck(self.inplanes, planes, dilation=dilation) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def train(self, mode: bool = True) -> "ResNetAtrous":
        super().train(mode)
        for name in self.frozen:  # frozen layers keep eval-mode BatchNorm
            getattr(self, name).train(False)
        return self

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        outputs = []
        for k in range(1, self.num_layers + 1):
            x = getattr(self, f"layer{k}")(x)
            if k in self.used_layers:
                outputs.append(x)
        return outputs
