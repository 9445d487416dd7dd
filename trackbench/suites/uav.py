"""UAV123, UAV20L and UAV123@10fps: one-pass evaluation, NaN (absent) rows scored as invalid
ground truth by every profile (:func:`trackbench.metrics.family_rules.evaluate_invalid_gt`).

Folder layouts and the shipped frame ranges: :mod:`trackbench.data.uav`.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.uav import read_uav
from trackbench.metrics.family_rules import evaluate_invalid_gt
from trackbench.sequence import Dataset
from trackbench.suites.base import Reader, Suite
from trackbench.suites.otb import one_pass_family


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_uav(path, sequences, split=suite.split or "UAV123", name=suite.name, require_images=require_images)


def _has_native_layout(path: Path) -> bool:
    return (path / "anno").is_dir()


FAMILY = one_pass_family("uav", Reader(read=_read, has_native_layout=_has_native_layout), evaluate=evaluate_invalid_gt)

SUITES = (
    Suite("uav123", FAMILY, "UAV123", split="UAV123", folders=("uav123",), pysot_json=("UAV123.json",)),
    Suite("uav20l", FAMILY, "UAV20L", split="UAV20L", folders=("uav20l", "uav123"), pysot_json=("UAV20L.json",)),
    Suite("uav123-10fps", FAMILY, "UAV123@10fps", split="UAV123_10fps", aliases=("uav123@10fps", "uav10fps"),
          folders=("uav123-10fps", "uav123_10fps"), pysot_json=("UAV10fps.json",)),
)
