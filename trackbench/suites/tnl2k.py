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
from trackbench.suites.base import Reader, Suite
from trackbench.suites.otb import one_pass_family


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_tnl2k(path, sequences, name=suite.name, require_images=require_images)


FAMILY = one_pass_family("tnl2k", Reader(read=_read, has_native_layout=has_tnl2k_layout),
                         figures=lasot.FAMILY.figures)

SUITES = (Suite("tnl2k", FAMILY, "TNL2K", folders=("tnl2k",)),)
