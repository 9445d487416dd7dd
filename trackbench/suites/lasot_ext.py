"""LaSOT-ext (the 150-sequence extension subset): LaSOT's family record, its own sequence list.

Folder layout: :mod:`trackbench.data.lasot_ext` (LaSOT's).
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.lasot_ext import read_lasot_ext
from trackbench.sequence import Dataset
from trackbench.suites import lasot
from trackbench.suites.base import Reader, Suite


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_lasot_ext(path, sequences, name=suite.name, require_images=require_images)


SUITES = (
    Suite("lasot-ext", lasot.FAMILY, "LaSOT-ext", aliases=("lasot-extension",),
          folders=("lasot-ext", "lasot_extension_subset"),
          reader=Reader(read=_read, has_native_layout=lasot.FAMILY.reader.has_native_layout)),
)
