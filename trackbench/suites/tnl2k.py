"""TNL2K (tracking by natural language, test set): one-pass evaluation with LaSOT's rules and
scores (success, precision, normalised precision); the language description is on
``Sequence.language``.

Folder layout: :mod:`trackbench.data.tnl2k`.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.tnl2k import has_tnl2k_layout, read_tnl2k
from trackbench.sequence import Dataset
from trackbench.suites import lasot
from trackbench.suites.base import Family, Reader, Suite


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_tnl2k(path, sequences, name=suite.name, require_images=require_images)


FAMILY = Family(
    name="tnl2k", protocol="ope", layout="ope", reader=Reader(read=_read, has_native_layout=has_tnl2k_layout),
    evaluate=lasot.FAMILY.evaluate, columns=lasot.FAMILY.columns, rank_key="success_auc",
    sequence_metric="success_auc", figures=lasot.FAMILY.figures,
)

SUITES = (Suite("tnl2k", FAMILY, "TNL2K", folders=("tnl2k",)),)
