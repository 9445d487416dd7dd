"""Temple-Color 128 and its TPL-noOTB subset: one-pass evaluation with OTB's rules.

Folder layout, frame ranges and the OTB overlap list: :mod:`trackbench.data.tc128`.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.tc128 import read_tc128
from trackbench.metrics.evaluate import evaluate_one_pass
from trackbench.sequence import Dataset
from trackbench.suites.base import Family, Reader, Suite
from trackbench.suites.otb import OPE_COLUMNS


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_tc128(path, sequences, split=suite.split or "all", name=suite.name, require_images=require_images)


def _has_native_layout(path: Path) -> bool:
    return next(path.glob("*/*_gt.txt"), None) is not None


FAMILY = Family(
    name="tc128", protocol="ope", layout="ope", reader=Reader(read=_read, has_native_layout=_has_native_layout),
    evaluate=evaluate_one_pass, columns=OPE_COLUMNS, rank_key="success_auc", sequence_metric="success_auc",
    figures=("success", "precision"),
)

SUITES = (
    Suite("tc128", FAMILY, "TC128", split="all", aliases=("tpl", "tcolor128"), folders=("tc128",)),
    Suite("tc128-nootb", FAMILY, "TPL-noOTB", split="nootb", aliases=("tpl-nootb",), folders=("tc128-nootb", "tc128")),
)
