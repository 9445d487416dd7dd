"""Reading and writing IMSiam weights; ImageNet backbone weights. Nothing is downloaded.

Checkpoints:

* ours: ``.safetensors`` (metadata ``format=trackbench-imsiam`` and ``config`` = the YAML of
  the :class:`IMSiamConfig`), or a torch file ``{"state_dict", "config"}``;
* the authors' ``{"epoch", "state_dict", "optimizer"}`` torch files, and any state dict
  whose keys carry DataParallel's ``module.`` prefix.

Torch files are read with ``torch.load(..., weights_only=True)`` (no code executed).

ImageNet backbones: pysot's ``resnet50.model`` (3x3 downsample convs) or torchvision's
ResNet-50 (1x1 downsample convs; needs ``model.backbone.downsample_kernel: 1``, e.g. the
``imsiam_torchvision`` config). ``fc.*`` is ignored.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

from trackbench.errors import TrackbenchError
from trackbench.textio import atomic_write_bytes

from .config import CONFIG_DIR, IMSiamConfig, config_from_dict

CHECKPOINT_FORMAT = "trackbench-imsiam"
DEMO_CHECKPOINT = Path(__file__).resolve().parent / "weights" / "imsiam_demo.safetensors"
NANO_CHECKPOINT = Path(__file__).resolve().parent / "weights" / "imsiam_nano.safetensors"  # imsiam-nano
# the demo checkpoint's model (imsiam_demo, a cut of imsiam_small), used when
# the checkpoint does not carry its config
DEMO_CONFIG = "imsiam_demo" if (CONFIG_DIR / "imsiam_demo.yaml").is_file() else "imsiam_small"


@dataclass
class KeyReport:
    """How a state dict matched a model: loaded count and the keys that did not fit."""

    loaded: int = 0
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)  # "key: file (shape) vs model (shape)"

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def summary_lines(self) -> list[str]:
        """One line per kind of problem (none when everything matched)."""
        lines = []
        for label, keys in (("missing", self.missing), ("unexpected", self.unexpected), ("shape mismatch", self.mismatched)):
            if keys:
                lines.append(f"{len(keys)} {label} key(s): {_abbreviate(keys)}")
        return lines


def save_checkpoint(model: nn.Module, path: str | Path, config: IMSiamConfig | None = None, half: bool = False) -> None:
    """Write ``model``'s state dict atomically: safetensors for ``.safetensors``, else torch.

    ``config`` is embedded so the checkpoint is self-describing; ``half`` stores float16.
    """
    path = Path(path)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    if half:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    config_yaml = "" if config is None else config.to_yaml()
    if path.suffix == ".safetensors":
        from safetensors.torch import save

        metadata = {"format": CHECKPOINT_FORMAT, "config": config_yaml}
        if config is not None:
            metadata["config_name"] = config.name
        atomic_write_bytes(path, save(state, metadata=metadata))
    else:
        buffer = io.BytesIO()
        torch.save({"state_dict": state, "config": config_yaml, "format": CHECKPOINT_FORMAT}, buffer)
        atomic_write_bytes(path, buffer.getvalue())


def read_state_dict(path: str | Path) -> tuple[dict[str, torch.Tensor], IMSiamConfig | None]:
    """The tensors of a checkpoint (``module.`` prefixes removed) and its embedded config."""
    path = Path(path)
    if not path.is_file():
        raise TrackbenchError("checkpoint file not found", path)
    config_yaml = ""
    config_name = path.stem
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        try:
            with safe_open(str(path), framework="pt", device="cpu") as handle:
                metadata = handle.metadata() or {}
                state = {k: handle.get_tensor(k) for k in handle.keys()}
        except Exception as exc:  # safetensors raises its own error types
            raise TrackbenchError(f"cannot read safetensors checkpoint ({exc})", path) from None
        config_yaml = metadata.get("config", "")
        config_name = metadata.get("config_name", config_name)
    else:
        try:
            obj: Any = torch.load(str(path), map_location="cpu", weights_only=True)
        except Exception as exc:
            raise TrackbenchError(f"cannot read torch checkpoint with weights_only=True ({str(exc).splitlines()[0]})", path) from None
        if isinstance(obj, dict) and isinstance(obj.get("config"), str):
            config_yaml = obj["config"]
        for key in ("state_dict", "model", "net"):
            if isinstance(obj, dict) and isinstance(obj.get(key), dict):
                obj = obj[key]
                break
        if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
            raise TrackbenchError("not a state dict (expected a mapping of tensor names to tensors, or a dict with 'state_dict')", path)
        state = obj
    state = {(k[len("module."):] if k.startswith("module.") else k): v for k, v in state.items()}
    config = None
    if config_yaml.strip():
        try:
            config = config_from_dict(yaml.safe_load(config_yaml), config_name, source=path)
        except yaml.YAMLError:
            raise TrackbenchError("checkpoint carries an unreadable config", path) from None
    return state, config


def checkpoint_config(path: str | Path) -> IMSiamConfig | None:
    """The config embedded in one of our checkpoints (None for others)."""
    return read_state_dict(path)[1]


def load_checkpoint(model: nn.Module, path: str | Path, strict: bool = True) -> KeyReport:
    """Load an IMSiam checkpoint into ``model``; strict: any mismatch is a TrackbenchError."""
    state, _ = read_state_dict(path)
    return load_matching(model, state, path, strict=strict)


def load_pretrained_backbone(model: nn.Module, path: str | Path, strict: bool = True) -> KeyReport:
    """Load ImageNet ResNet-50 weights (pysot or torchvision keys) into ``model.backbone``.

    Keys may carry ``module.`` or ``backbone.`` prefixes; ``fc.*`` is ignored. Layers the
    model does not build (e.g. layer4 when stages stop at 3) are not an error. A file
    whose downsample convs are 1x1 (torchvision) for a 3x3 model, or the reverse, is a
    TrackbenchError naming the config switch.
    """
    state, _ = read_state_dict(path)
    backbone = model.backbone
    if hasattr(backbone, "select_pretrained"):  # NanoTrack's MobileNetV3 (model.mobilenet)
        return load_matching(backbone, backbone.select_pretrained(state), path, strict=strict)
    if state and all(k.startswith("backbone.") for k in state):
        state = {k[len("backbone."):]: v for k, v in state.items()}
    state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    built = {f"layer{k}" for k in range(1, backbone.num_layers + 1)} | {"conv1", "bn1"}
    state = {k: v for k, v in state.items() if k.split(".")[0] in built or not k.startswith("layer")}
    probe = "layer2.0.downsample.0.weight"
    if probe in state and state[probe].ndim == 4:
        file_kernel = state[probe].shape[-1]
        if file_kernel != backbone.downsample_kernel:
            layout = "torchvision (1x1" if file_kernel == 1 else "pysot (3x3"
            raise TrackbenchError(
                f"backbone weights have the {layout} downsample convs) layout but the model has "
                f"model.backbone.downsample_kernel: {backbone.downsample_kernel}; set it to {file_kernel}"
                + (" (config imsiam_torchvision)" if file_kernel == 1 else ""),
                path,
            )
    return load_matching(backbone, state, path, strict=strict)


def load_matching(module: nn.Module, state: dict[str, torch.Tensor], path: str | Path, strict: bool = True) -> KeyReport:
    """Copy the tensors of ``state`` whose names and shapes match ``module``'s state dict.

    BatchNorm ``num_batches_tracked`` counters absent from the file are not reported.
    With ``strict``, any missing/unexpected/mismatched key raises a one-line TrackbenchError.
    """
    own = module.state_dict()
    report = KeyReport()
    usable: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if key not in own:
            report.unexpected.append(key)
        elif tuple(own[key].shape) != tuple(value.shape):
            report.mismatched.append(f"{key}: file {tuple(value.shape)} vs model {tuple(own[key].shape)}")
        else:
            usable[key] = value
    report.missing = [k for k in own if k not in state and not k.endswith("num_batches_tracked")]
    if strict and not report.ok:
        raise TrackbenchError("weights do not match the model: " + "; ".join(report.summary_lines()), path)
    module.load_state_dict(usable, strict=False)
    report.loaded = len(usable)
    return report


def _abbreviate(keys: list[str], shown: int = 4) -> str:
    text = ", ".join(keys[:shown])
    return text + (f", ... (+{len(keys) - shown} more)" if len(keys) > shown else "")
