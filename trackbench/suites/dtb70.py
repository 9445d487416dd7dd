"""DTB70: one-pass evaluation with OTB's rules and DTB70's 11 attributes.

Folder layout: :mod:`trackbench.data.dtb70` (also why published precisions are ~0.002 higher).
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.dtb70 import has_dtb70_layout, read_dtb70
from trackbench.sequence import Dataset
from trackbench.suites.base import Reader, Suite
from trackbench.suites.otb import one_pass_family


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_dtb70(path, sequences, name=suite.name, require_images=require_images)


FAMILY = one_pass_family("dtb70", Reader(read=_read, has_native_layout=has_dtb70_layout))

SUITES = (Suite("dtb70", FAMILY, "DTB70", folders=("dtb70",), pysot_json=("DTB70.json",)),)
