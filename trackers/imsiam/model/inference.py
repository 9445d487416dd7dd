"""Inference-time rewrites that keep the outputs (within float tolerance): BN folding.

``fold_batchnorm`` returns a copy of a model in which every BatchNorm2d that directly
follows a Conv2d (in a ``Sequential`` or as the ``convN``/``bnN`` pairs of a ResNet block
or stem) is merged into the conv's weight and bias, using the running statistics:
``w' = w * g / sqrt(var + eps)``, ``b' = (b - mean) * g / sqrt(var + eps) + beta``.
GroupNorm (head) depends on the input and is kept.

Also the one rewrite that does not keep them: ``mixed_precision_context`` (bf16 / fp16
autocast, the tracker's ``mixed_precision`` option, never a default).
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import torch
from torch import nn

#: The tracker's ``mixed_precision`` choices and the autocast type of each.
MIXED_PRECISIONS = {"none": None, "bf16": torch.bfloat16, "fp16": torch.float16}

_NAMED_PAIRS = (("conv1", "bn1"), ("conv2", "bn2"), ("conv3", "bn3"))


@torch.no_grad()
def fold_conv_bn(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> None:
    """Merge ``bn`` (eval statistics) into ``conv`` in place."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    conv.weight.copy_(conv.weight * scale.reshape(-1, 1, 1, 1))
    bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
    new_bias = (bias - bn.running_mean) * scale + bn.bias
    conv.bias = nn.Parameter(new_bias.detach().clone(), requires_grad=False)


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """An eval-mode copy of ``model`` with Conv2d+BatchNorm2d pairs folded (BN -> Identity)."""
    model = copy.deepcopy(model).eval()
    for module in list(model.modules()):
        if isinstance(module, nn.Sequential):
            names = list(module._modules)
            for first, second in zip(names, names[1:]):
                conv, bn = module._modules[first], module._modules[second]
                if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                    fold_conv_bn(conv, bn)
                    module._modules[second] = nn.Identity()
        for conv_name, bn_name in _NAMED_PAIRS:
            conv, bn = getattr(module, conv_name, None), getattr(module, bn_name, None)
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                fold_conv_bn(conv, bn)
                setattr(module, bn_name, nn.Identity())
    return model


def prepare_for_inference(model: nn.Module, device: str | torch.device = "cpu", channels_last: bool = False) -> nn.Module:
    """Folded, frozen, eval-mode copy of ``model`` on ``device`` (optionally channels_last)."""
    model = fold_batchnorm(model).to(device)
    for p in model.parameters():
        p.requires_grad_(False)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model


def mixed_precision_context(device: torch.device, mixed_precision: str) -> Any:
    """``torch.autocast`` on ``device`` in ``mixed_precision``'s type (a key of
    :data:`MIXED_PRECISIONS`), or a context that does nothing for ``"none"``."""
    if mixed_precision == "none":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=MIXED_PRECISIONS[mixed_precision])
