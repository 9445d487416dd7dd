"""NanoTrack v2's MobileNetV3-small backbone, re-written to load its released state dict.

Layout (state-dict keys ``features.{i}...``, as in ``nanotrackv2.safetensors`` under the
prefix ``backbone.``; 9 blocks, the first 9 rows of MobileNetV3-small):

=====  ======  ======  ======  ====  ==========  ======
block  kernel  hidden  output  SE    activation  stride
=====  ======  ======  ======  ====  ==========  ======
0      3       -       16      -     h-swish     2   (stem: conv-BN-act)
1      3       16      16      yes   ReLU        2
2      3       72      24      -     ReLU        2
3      3       88      24      -     ReLU        1
4      5       96      40      yes   h-swish     2
5, 6   5       240     40      yes   h-swish     1
7      5       120     48      yes   h-swish     1
8      5       144     48      yes   h-swish     1
=====  ======  ======  ======  ====  ==========  ======

An inverted-residual block is ``[1x1 expand-BN-act] - kxk depth-wise-BN-(act) - (SE) -
(act) - 1x1 project-BN`` (block 1 has no expansion: dw-BN-act-SE-project-BN), with a
residual when stride 1 and input = output channels; SE = global average, FC-ReLU-FC,
hard-sigmoid gate (squeeze width ``make_divisible(C/4, 8)``). Input: BGR float 0-255 without
normalisation (as NanoTrack's pysot-style crops; checked against the authors' ONNX export).

Two geometries:

* ``atrous=False``: the network as released, total stride 16 (255 -> 16 x 16, 127 -> 8 x 8),
  only output block 8 (the NanoTrack v2 backbone, equal to ``nanotrack_backbone_sim.onnx``).
* ``atrous=True`` (IMSiam): block 4's stride becomes 1 and blocks 5-8 use dilation 2 (the
  pysot ResNet trick), total stride 8; the input is padded by one pixel at the top and left
  and the first map row and column are dropped, so that map cell j sits at crop pixel
  ``7 + 8 j`` exactly as in pysot's ResNet-50 (127 -> 15 x 15, 255 -> 31 x 31) and the IMSiam
  neck, labels and decoding apply unchanged. Stage taps: IMSiam stage "2" = block 3
  (24 channels), "3" = block 6 (40), "4" = block 8 (48).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

# kernel, hidden, output, SE, h-swish, stride
BLOCKS = (
    (3, 16, 16, True, False, 2),
    (3, 72, 24, False, False, 2),
    (3, 88, 24, False, False, 1),
    (5, 96, 40, True, True, 2),
    (5, 240, 40, True, True, 1),
    (5, 240, 40, True, True, 1),
    (5, 120, 48, True, True, 1),
    (5, 144, 48, True, True, 1),
)
STAGE_BLOCKS = {2: 3, 3: 6, 4: 8}  # IMSiam stage -> feature block whose output it uses
STAGE_CHANNELS = {2: 24, 3: 40, 4: 48}


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round to the nearest multiple of ``divisor``, never below 90% of ``value``
    (the rule of the MobileNet reference code)."""
    out = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if out < 0.9 * value:
        out += divisor
    return out


class HardSigmoid(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu6(x + 3.0) / 6.0


class HardSwish(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * F.relu6(x + 3.0) / 6.0


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        squeeze = make_divisible(channels / 4)
        self.fc = nn.Sequential(nn.Linear(channels, squeeze), nn.ReLU(inplace=True), nn.Linear(squeeze, channels), HardSigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = self.fc(x.mean(dim=(2, 3)))
        return x * gate[:, :, None, None]


class InvertedResidual(nn.Module):
    def __init__(self, inp: int, kernel: int, hidden: int, out: int, se: bool, hswish: bool, stride: int, dilation: int = 1):
        super().__init__()
        act = HardSwish if hswish else (lambda: nn.ReLU(inplace=True))
        pad = dilation * (kernel - 1) // 2
        dw = nn.Conv2d(hidden, hidden, kernel, stride, pad, dilation=dilation, groups=hidden, bias=False)
        squeeze = SqueezeExcite(hidden) if se else nn.Identity()
        if inp == hidden:
            layers = [dw, nn.BatchNorm2d(hidden), act(), squeeze, nn.Conv2d(hidden, out, 1, bias=False), nn.BatchNorm2d(out)]
        else:
            layers = [
                nn.Conv2d(inp, hidden, 1, bias=False), nn.BatchNorm2d(hidden), act(),
                dw, nn.BatchNorm2d(hidden), squeeze, act(),
                nn.Conv2d(hidden, out, 1, bias=False), nn.BatchNorm2d(out),
            ]  # fmt: skip
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and inp == out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        return x + y if self.residual else y


class MobileNetV3Nano(nn.Module):
    """The backbone; ``forward`` returns the maps of ``used_layers`` (IMSiam stages) in order.

    ``frozen``: blocks ``0 .. frozen-1`` get no gradients and keep eval-mode BatchNorm
    (9 = the whole pretrained backbone frozen)."""

    def __init__(self, used_layers: tuple[int, ...] = (4,), atrous: bool = True, frozen: int = 9):
        super().__init__()
        self.used_layers = tuple(used_layers)
        self.atrous = atrous
        self.frozen = frozen
        blocks: list[nn.Module] = [nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), HardSwish())]
        inp, dilation = 16, 1
        for index, (kernel, hidden, out, se, hswish, stride) in enumerate(BLOCKS, start=1):
            if atrous and index == 4:
                stride = 1  # keep stride 8; later blocks dilate instead
            elif atrous and index > 4:
                dilation = 2
            blocks.append(InvertedResidual(inp, kernel, hidden, out, se, hswish, stride, dilation))
            inp = out
        self.features = nn.Sequential(*blocks)
        self.last_block = max(STAGE_BLOCKS[k] for k in self.used_layers) if atrous else 8
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        for block in self.features[:frozen]:
            for p in block.parameters():
                p.requires_grad_(False)

    @staticmethod
    def select_pretrained(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The backbone part of a NanoTrack state dict (keys ``backbone.features...``)."""
        if any(k.startswith("backbone.") for k in state):
            state = {k[len("backbone."):]: v for k, v in state.items() if k.startswith("backbone.")}
        return {k: v for k, v in state.items() if k.startswith("features.")}

    def train(self, mode: bool = True) -> "MobileNetV3Nano":
        super().train(mode)
        for block in self.features[: self.frozen]:
            block.train(False)
        return self

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        if not self.atrous:
            return [self.features(x)]
        x = F.pad(x, (1, 0, 1, 0))
        taps = {STAGE_BLOCKS[k]: k for k in self.used_layers}
        outputs = []
        for index in range(self.last_block + 1):
            x = self.features[index](x)
            if index in taps:
                outputs.append(x[:, :, 1:, 1:])
        return outputs
