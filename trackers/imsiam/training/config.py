"""Training configuration: validated dataclasses read from YAML (unknown keys are errors).

A training YAML has the sections ``model`` (name or path of an IMSiam model config, see
:mod:`trackbench.trackers.imsiam.config`), ``data``, ``loss``, ``optim`` and a few top-level
run settings. Bundled recipes live in ``training/configs/`` (``imsiam_r50``: the paper's;
``imsiam_small_cpu``: the demo model of this repository; ``imsiam_nano_cpu``: the bundled
IMSiam-nano). ``init_weights`` starts a run from a previous model's weights (fine-tuning). ``--set a.b=value`` overrides
any key (``value`` is parsed as YAML; list items by index, e.g. ``data.sources.0.count=10``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackbench.data.figures import FIGURES
from trackbench.errors import TrackbenchError
from trackbench.yamlconfig import apply_override, dataclass_from_mapping, read_yaml_mapping, resolve_named_yaml
from trackbench.trackers.imsiam.training.augment import AugmentParams
from trackbench.trackers.imsiam.training.loss import LossConfig

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
SOURCE_KINDS = ("coco", "vid", "got10k", "lasot", "suite", "synthetic")


@dataclass
class SourceConfig:
    """One training source. ``kind``: coco | vid | got10k | lasot | suite | synthetic.

    ``root``: dataset folder (coco, vid, got10k, lasot; optional for suite);
    ``split``: COCO split (default train2017) or VID split (default train);
    ``suite``: harness suite name (kind suite); ``sequences``: optional subset;
    ``count`` / ``seed`` / ``length`` / ``difficulty`` / ``jpeg_quality`` / ``aspect`` / ``figures``:
    the generated sequences (kind synthetic; see :func:`...training.sources.synthetic_tracks`;
    ``figures``: target shapes to draw from, :data:`trackbench.data.figures.FIGURES`, a name
    listed twice is drawn twice as often)."""

    kind: str
    weight: float = 1.0
    root: str = ""
    split: str = ""
    suite: str = ""
    sequences: list[str] = field(default_factory=list)
    count: int = 0
    seed: int = 0
    length: int = 100
    difficulty: float = 0.5
    jpeg_quality: int = 90
    aspect: list[float] = field(default_factory=list)  # synthetic: [min, max] target height / width
    figures: list[str] = field(default_factory=list)  # synthetic: target shapes (default: box only)


@dataclass
class DataConfig:
    sources: list[SourceConfig] = field(default_factory=list)
    samples_per_epoch: int = 320_000
    frame_range: int = 50
    negative_prob: float = 0.2
    gray_prob: float = 0.2
    template_size: int = 127
    search_size: int = 255
    context_size: int = 511
    score_size: int = 29
    stride: int = 8
    offset: int = 15
    positive_radius: float = 0.75
    zero_center_no_gt: bool = False  # authors' PointTarget: a box centre at x = 0 means "no target" (no positives)
    template_augment: AugmentParams = field(default_factory=lambda: AugmentParams(shift=4, scale=0.05, color=0.2))
    search_augment: AugmentParams = field(default_factory=lambda: AugmentParams(shift=64, scale=0.18, blur=0.2, flip=0.01, color=0.2))
    num_workers: int = 2


@dataclass
class OptimConfig:
    epochs: int = 20
    batch_size: int = 64  # global (summed over all processes)
    momentum: float = 0.9
    weight_decay: float = 5e-4
    base_lr: float = 5e-3
    warmup_start_lr: float = 1e-3
    warmup_epochs: int = 5
    gamma: float = 0.8
    backbone_lr_mult: float = 0.1
    grad_clip: float = 10.0
    max_loss: float = 1e4  # steps with a non-finite loss or a loss above this are skipped


@dataclass
class TrainConfig:
    model: str = "imsiam"  # IMSiam model config: bundled name or YAML path
    pretrained_backbone: str = ""  # optional state-dict file (.pth / .safetensors), loaded non-strictly
    # optional whole-model weights (an exported .safetensors or a checkpoint of the same model
    # config), loaded strictly after pretrained_backbone: the run fine-tunes them
    init_weights: str = ""
    train_stem: bool = False  # also train conv1/bn1/layer1 (frozen in the recipe; useful from scratch)
    data: DataConfig = field(default_factory=DataConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    seed: int = 0
    output_dir: str = "runs/imsiam"
    checkpoint_every_steps: int = 0  # extra mid-epoch checkpoints (0: only at epoch ends)
    log_every_steps: int = 10
    tensorboard: bool = True  # used only if the tensorboard package is installed
    threads: int = 0  # torch intra-op threads per process (0: leave torch's default)
    device: str = "auto"  # auto | cpu | cuda


def available_training_configs() -> list[str]:
    return sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))


def resolve_config_path(name_or_path: str | Path) -> Path:
    return resolve_named_yaml(name_or_path, CONFIG_DIR, "training config")


def load_training_config(name_or_path: str | Path, overrides: list[str] | None = None) -> TrainConfig:
    """Read, apply ``key=value`` overrides, validate."""
    path = resolve_config_path(name_or_path)
    data = read_yaml_mapping(path, "training config")
    for item in overrides or []:
        apply_override(data, item, path)
    return train_config_from_dict(data, path)


def train_config_from_dict(data: dict[str, Any], source: str | Path = "<config>") -> TrainConfig:
    """Validate a nested dict (as in the recipe files) into a :class:`TrainConfig`."""
    cfg = dataclass_from_mapping(TrainConfig, data, "", source)
    _validate(cfg, source)
    return cfg


def config_to_dict(cfg: TrainConfig) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def _validate(cfg: TrainConfig, source: str | Path) -> None:
    def fail(message: str) -> None:
        raise TrackbenchError(message, source)

    if not cfg.data.sources:
        fail("data.sources: at least one training source is required")
    for i, s in enumerate(cfg.data.sources):
        if s.kind not in SOURCE_KINDS:
            fail(f"data.sources.{i}.kind: {s.kind!r} is not one of {', '.join(SOURCE_KINDS)}")
        if s.kind in ("coco", "vid", "got10k", "lasot") and not s.root:
            fail(f"data.sources.{i}: kind {s.kind} needs a root folder")
        if s.kind == "suite" and not s.suite:
            fail(f"data.sources.{i}: kind suite needs a suite name")
        if s.kind == "synthetic" and s.count < 1:
            fail(f"data.sources.{i}: kind synthetic needs count >= 1")
        if s.aspect and (len(s.aspect) != 2 or not 0 < s.aspect[0] <= s.aspect[1]):
            fail(f"data.sources.{i}.aspect must be [min, max] with 0 < min <= max")
        if s.weight < 0:
            fail(f"data.sources.{i}.weight must be >= 0")
        unknown = sorted(set(s.figures) - set(FIGURES))
        if unknown:
            fail(f"data.sources.{i}.figures: {unknown[0]!r} is not one of {', '.join(FIGURES)}")
    o = cfg.optim
    if o.epochs < 1 or o.batch_size < 1 or cfg.data.samples_per_epoch < o.batch_size:
        fail("optim.epochs and optim.batch_size must be >= 1 and data.samples_per_epoch >= optim.batch_size")
    if not 0 <= cfg.data.negative_prob <= 1 or not 0 <= cfg.data.gray_prob <= 1:
        fail("data.negative_prob and data.gray_prob must be probabilities")
    if o.warmup_epochs < 0 or o.base_lr <= 0 or o.grad_clip <= 0:
        fail("optim: warmup_epochs >= 0, base_lr > 0 and grad_clip > 0 are required")
    if cfg.device not in ("auto", "cpu", "cuda") and not cfg.device.startswith("cuda:"):
        fail(f"device must be auto, cpu, cuda or cuda:N, not {cfg.device!r}")
