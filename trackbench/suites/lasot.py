"""LaSOT (test split, protocol II): one-pass evaluation with normalised precision.

Folder layouts: :mod:`trackbench.data.lasot`; metric rules: docs/metrics.md (LaSOT).
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.lasot import read_lasot
from trackbench.metrics.evaluate import evaluate_one_pass
from trackbench.sequence import Dataset
from trackbench.suites.base import Family, Reader, Suite
from trackbench.suites.otb import OPE_COLUMNS


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_lasot(path, sequences, split=suite.split or "test", name=suite.name, require_images=require_images)


def _has_native_layout(path: Path) -> bool:
    return (
        (path / "annos").is_dir()
        or next(path.glob("*/groundtruth.txt"), None) is not None
        or next(path.glob("*/*/groundtruth.txt"), None) is not None
    )


FAMILY = Family(
    name="lasot", protocol="ope", layout="ope", reader=Reader(read=_read, has_native_layout=_has_native_layout),
    evaluate=evaluate_one_pass, columns=OPE_COLUMNS, rank_key="success_auc", sequence_metric="success_auc",
    figures=("success", "precision", "norm_precision"),
)

SUITES = (
    Suite("lasot", FAMILY, "LaSOT", split="test", folders=("lasot",), pysot_json=("LaSOT.json",)),
)
