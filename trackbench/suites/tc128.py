"""Temple-Color 128 and its TPL-noOTB subset: one-pass evaluation with OTB's rules.

Folder layout, frame ranges and the OTB overlap list: :mod:`trackbench.data.tc128`.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.tc128 import read_tc128
from trackbench.sequence import Dataset
from trackbench.suites.base import Reader, Suite
from trackbench.suites.otb import one_pass_family


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_tc128(path, sequences, split=suite.split or "all", name=suite.name, require_images=require_images)


def _has_native_layout(path: Path) -> bool:
    return next(path.glob("*/*_gt.txt"), None) is not None


FAMILY = one_pass_family("tc128", Reader(read=_read, has_native_layout=_has_native_layout))

SUITES = (
    Suite("tc128", FAMILY, "TC128", split="all", aliases=("tpl", "tcolor128"), folders=("tc128",)),
    Suite("tc128-nootb", FAMILY, "TPL-noOTB", split="nootb", aliases=("tpl-nootb",), folders=("tc128-nootb", "tc128")),
)
