"""IMSiam configuration: validated frozen dataclasses loaded from YAML.

A config file has two sections, ``model`` and ``tracking``, plus an optional
``extends: <name>`` that starts from another bundled config and overrides it key by key.
Unknown keys and wrong types are :class:`TrackbenchError` naming the file and the key.

Every difference between the paper and the authors' code (spec section 8) that touches the
model or the tracker is a switch here; the defaults are the paper's:

* ``tracking.score``: ``"paper"`` = C[1] x P x I (Eq. 16) | ``"code"`` = C[1] x P (pyvis HEAD);
* ``model.head_init``: ``"kaiming"`` (paper: all new layers) | ``"normal"`` (code: N(0, 0.01));
  under ``"kaiming"`` the four prediction convs (cls, cen, reg, iou) still start from
  N(0, 0.01): Kaiming-scaled regression fed into ``exp`` overflows at the first steps;
* ``model.sampling_layer``: ``"per_stage"`` (paper: one U_cls/U_reg per stage, in the neck) |
  ``"shared"`` (code: first layer of the shared head towers, state-dict key
  ``head.cls_tower.0``; the layout of the authors' checkpoints).

Table-1 ablations are the component flags ``l1_difference``, ``search_identity``,
``pdw_xcorr``, ``iou_head`` and ``stages``; a disabled branch is removed from the network.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trackbench.errors import TrackbenchError
from trackbench.yamlconfig import check_keys, coerce_scalar, dataclass_from_mapping, read_yaml_mapping, resolve_named_yaml

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
DEFAULT_CONFIG = "imsiam"
SUITE_FAMILIES = ("otb", "vot", "got10k", "lasot")
TRACKING_HYPERPARAMETERS = ("window_influence", "scale_lr", "penalty_k")
SIZE_UPDATES = ("fixed", "score")


BACKBONE_KINDS = ("resnet_atrous", "mobilenetv3_nano")


@dataclass(frozen=True)
class BackboneConfig:
    """ResNet-50 atrous (pysot layout) and its scaled-down variants, or NanoTrack v2's
    MobileNetV3 made atrous (``kind: mobilenetv3_nano``, :mod:`.model.mobilenet`).

    ``kind``: ``resnet_atrous`` (default) | ``mobilenetv3_nano``.
    ``frozen``: (mobilenetv3_nano) pretrained blocks 0..frozen-1 kept fixed (9 = all).

    ``blocks``: Bottleneck blocks in layer1..layer4 (ResNet-50: 3, 4, 6, 3).
    ``width``: channels of the stem and of layer1's bottleneck (ResNet-50: 64); layer k has
    ``width * 2**(k-1)`` bottleneck channels and 4x that many output channels.
    ``downsample_kernel``: 3 = pysot's 3x3 downsample convs (``resnet50.model``),
    1 = torchvision's 1x1 downsample convs (for torchvision ImageNet weights).
    """

    blocks: tuple[int, int, int, int] = (3, 4, 6, 3)
    width: int = 64
    downsample_kernel: int = 3
    kind: str = "resnet_atrous"
    frozen: int = 9

    def out_channels(self, layer: int) -> int:
        """Output channels of ``layer`` (1..4; for mobilenetv3_nano the stage taps 2..4)."""
        if self.kind == "mobilenetv3_nano":
            from .model.mobilenet import STAGE_CHANNELS

            return STAGE_CHANNELS[layer]
        return self.width * 2 ** (layer - 1) * 4


@dataclass(frozen=True)
class ModelConfig:
    """The network: backbone, matching-adaptive neck, IoU-aware head."""

    backbone: BackboneConfig = field(default_factory=BackboneConfig)
    stages: tuple[int, ...] = (2, 3, 4)  # backbone layers used (paper's stages 1-3)
    neck_channels: int = 256  # C: adjust-layer output and neck branch width
    head_channels: int = 256
    head_convs: int = 3  # 3x3 Conv-GN-ReLU per tower after the sampling layer
    gn_groups: int = 32
    xcorr_crop: int = 7  # d: centre crop of the 15x15 template for the correlation
    l1_difference: bool = True
    search_identity: bool = True
    pdw_xcorr: bool = True
    iou_head: bool = True
    sampling_layer: str = "per_stage"  # "per_stage" (paper) | "shared" (code)
    head_init: str = "kaiming"  # "kaiming" (paper) | "normal" (code)

    @property
    def branches(self) -> int:
        """Number of neck branches concatenated (3 in the full model)."""
        return int(self.l1_difference) + int(self.search_identity) + int(self.pdw_xcorr)

    def components(self) -> dict[str, Any]:
        """The ``components`` record written to ``run.json`` (used by the report's ablation table)."""
        return {
            "stages": list(self.stages),
            "pdw_xcorr": self.pdw_xcorr,
            "l1_difference": self.l1_difference,
            "search_identity": self.search_identity,
            "cls_cen_reg": True,
            "iou": self.iou_head,
        }


@dataclass(frozen=True)
class TrackingConfig:
    """Algorithm 1's two hyper-parameters (lambda, gamma), the score rule, per-suite overrides,
    and the init-box convention the tracker declares (``exact`` | ``pysot`` | ``pyvis``).

    ``suites`` maps a suite family (otb, vot, got10k, lasot) to overrides of
    ``window_influence``, ``scale_lr`` and/or ``penalty_k``.
    """

    score: str = "paper"  # "paper" = C*P*I | "code" = C*P
    window_influence: float = 0.45  # lambda
    scale_lr: float = 0.25  # gamma
    # Not in the paper nor used by the authors' code (their PENALTY_K is 0): SiamRPN's
    # scale/aspect change penalty (0 = off) and how the size is smoothed, ``fixed`` (gamma,
    # the authors') or ``score`` (gamma x penalty x peak score, SiamRPN / SiamCAR). See
    # decoding.decode_step.
    penalty_k: float = 0.0
    size_update: str = "fixed"
    init_box: str = "exact"  # the harness's init-box convention for this tracker (trackbench.initbox)
    suites: dict[str, dict[str, float]] = field(default_factory=dict)

    def for_suite(self, suite: str | None) -> "TrackingConfig":
        """This config with the overrides of ``suite`` (a family or a suite name) applied."""
        if not suite:
            return self
        family = suite_family(suite)
        return dataclasses.replace(self, **self.suites.get(family, {}))


@dataclass(frozen=True)
class IMSiamConfig:
    name: str = DEFAULT_CONFIG
    model: ModelConfig = field(default_factory=ModelConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (lists, not tuples) that :func:`config_from_dict` reads back."""
        return _plain(dataclasses.asdict(self))

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)


def suite_family(suite: str) -> str:
    """``otb2015`` -> ``otb``, ``vot2018`` -> ``vot``, ``got10k-val`` -> ``got10k``..."""
    name = suite.lower()
    if name in ("tb50", "tb100", "demo"):
        return "otb"
    for family in SUITE_FAMILIES:
        if name.startswith(family):
            return family
    raise TrackbenchError(f"unknown suite {suite!r} for IMSiam hyper-parameters (families: {', '.join(SUITE_FAMILIES)})")


def available_configs() -> list[str]:
    """Names of the bundled configs (``configs/<name>.yaml``)."""
    return sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))


def load_config(name_or_path: str | Path | None = None) -> IMSiamConfig:
    """A bundled config by name (``imsiam``, ``imsiam_small``, ``ablation_...``) or a YAML path.

    ``BASE+OVERLAY[+...]`` composes: BASE (with its ``extends``), then each OVERLAY's own keys
    on top, its ``extends`` ignored. So one ablation file serves every scale:
    ``imsiam+ablation_l1`` (the paper's ResNet-50) and ``imsiam_demo+ablation_l1`` (the demo
    model) differ only in the base."""
    text = str(name_or_path or DEFAULT_CONFIG)
    if "+" in text and not Path(text).is_file():
        base, *overlays = text.split("+")
        base_path = _resolve(base)
        data = _read_yaml_with_extends(base_path, seen=())
        data.pop("name", None)
        for overlay in overlays:
            path = _resolve(overlay)
            extra = read_yaml_mapping(path, "IMSiam config")
            extra.pop("extends", None)
            extra.pop("name", None)
            data = _merge(data, extra)
        return config_from_dict(data, text, source=base_path)
    path = _resolve(text)
    data = _read_yaml_with_extends(path, seen=())
    return config_from_dict(data, path.stem, source=path)


def config_from_dict(data: dict[str, Any], name: str, source: str | Path = "<config>") -> IMSiamConfig:
    """Validate a nested dict (as in the YAML files) into an :class:`IMSiamConfig`."""
    data = dict(data)
    data.pop("extends", None)
    name = str(data.pop("name", name))
    check_keys(data, ("model", "tracking"), "", source)
    model_data = dict(data.get("model") or {})
    model_data["backbone"] = model_data.get("backbone") or {}
    model = dataclass_from_mapping(ModelConfig, model_data, "model", source)
    tracking = dataclass_from_mapping(TrackingConfig, data.get("tracking") or {}, "tracking", source,
                                      special={"tracking.suites": _suite_overrides})
    _validate(model, tracking, source)
    return IMSiamConfig(name=name, model=model, tracking=tracking)


# --------------------------------------------------------------------------- internals


def _resolve(name_or_path: str | Path) -> Path:
    return resolve_named_yaml(name_or_path, CONFIG_DIR, "IMSiam config")


def _read_yaml_with_extends(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    if path in seen:
        raise TrackbenchError("circular 'extends'", path)
    data = read_yaml_mapping(path, "IMSiam config")
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    base = _read_yaml_with_extends(_resolve(str(base_name)), seen + (path,))
    base.pop("name", None)
    return _merge(base, data)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "suites":
            out[key] = _merge(out[key], value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):  # suites: merge per family
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def _suite_overrides(value: Any, where: str, source: str | Path) -> dict[str, dict[str, float]]:
    """``tracking.suites``: ``{family: {window_influence|scale_lr|penalty_k: float}}``."""
    if not isinstance(value, dict):
        raise TrackbenchError(f"config key {where}: {value!r} is not a valid dict", source)
    out: dict[str, dict[str, float]] = {}
    for family, overrides in value.items():
        if family not in SUITE_FAMILIES:
            raise TrackbenchError(f"config key {where}.{family}: unknown suite family (known: {', '.join(SUITE_FAMILIES)})", source)
        overrides = overrides or {}
        if not isinstance(overrides, dict):
            raise TrackbenchError(f"config key {where}.{family} must be a mapping", source)
        check_keys(overrides, TRACKING_HYPERPARAMETERS, f"{where}.{family}", source)
        out[family] = {k: coerce_scalar(v, float, f"{where}.{family}.{k}", source) for k, v in overrides.items()}
    return out


def _validate(model: ModelConfig, tracking: TrackingConfig, source: str | Path) -> None:
    def fail(message: str) -> None:
        raise TrackbenchError(message, source)

    bb = model.backbone
    if bb.kind not in BACKBONE_KINDS:
        fail(f"model.backbone.kind must be one of {', '.join(BACKBONE_KINDS)}, not {bb.kind!r}")
    if not 0 <= bb.frozen <= 9:
        fail("model.backbone.frozen must be between 0 and 9")
    if len(bb.blocks) != 4 or min(bb.blocks) < 1:
        fail("model.backbone.blocks must be 4 positive integers")
    if bb.width < 1:
        fail("model.backbone.width must be positive")
    if bb.downsample_kernel not in (1, 3):
        fail("model.backbone.downsample_kernel must be 3 (pysot) or 1 (torchvision)")
    if not model.stages or any(s not in (2, 3, 4) for s in model.stages) or list(model.stages) != sorted(set(model.stages)):
        fail(f"model.stages must be an increasing subset of [2, 3, 4], got {list(model.stages)}")
    if model.branches == 0:
        fail("model: at least one of l1_difference, search_identity, pdw_xcorr must be enabled")
    for key in ("neck_channels", "head_channels", "gn_groups"):
        if getattr(model, key) < 1:
            fail(f"model.{key} must be positive")
    if model.head_channels % model.gn_groups:
        fail(f"model.head_channels ({model.head_channels}) must be divisible by model.gn_groups ({model.gn_groups})")
    if model.head_convs < 0:
        fail("model.head_convs must be >= 0")
    if model.xcorr_crop < 3 or model.xcorr_crop > 15 or model.xcorr_crop % 2 == 0:
        fail("model.xcorr_crop must be odd, between 3 and 15")
    if model.sampling_layer not in ("per_stage", "shared"):
        fail("model.sampling_layer must be 'per_stage' (paper) or 'shared' (code)")
    if model.head_init not in ("kaiming", "normal"):
        fail("model.head_init must be 'kaiming' (paper) or 'normal' (code)")
    if tracking.init_box not in ("exact", "pysot", "pyvis"):
        fail("tracking.init_box must be exact, pysot or pyvis (trackbench.initbox)")
    if tracking.score not in ("paper", "code"):
        fail("tracking.score must be 'paper' (C*P*I) or 'code' (C*P)")
    if tracking.size_update not in SIZE_UPDATES:
        fail("tracking.size_update must be 'fixed' (gamma, the authors') or 'score' (gamma x penalty x score)")
    for cfg in [tracking] + [dataclasses.replace(tracking, **o) for o in tracking.suites.values()]:
        if not 0.0 <= cfg.window_influence <= 1.0 or not 0.0 <= cfg.scale_lr <= 1.0:
            fail("tracking.window_influence and tracking.scale_lr must be in [0, 1]")
        if not 0.0 <= cfg.penalty_k <= 10.0:
            fail("tracking.penalty_k must be in [0, 10]")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
