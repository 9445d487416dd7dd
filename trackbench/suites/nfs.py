"""NfS (Need for Speed) at 30 and 240 fps: one-pass evaluation with OTB's rules.

Folder layout and the 30 fps sampling of the 240 fps annotation: :mod:`trackbench.data.nfs`.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.nfs import read_nfs
from trackbench.sequence import Dataset
from trackbench.suites.base import Reader, Suite
from trackbench.suites.otb import one_pass_family


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_nfs(path, sequences, fps=int(suite.split or 30), name=suite.name, require_images=require_images)


def _has_native_layout(path: Path) -> bool:
    return next(path.glob("*/240/*.txt"), None) is not None


FAMILY = one_pass_family("nfs", Reader(read=_read, has_native_layout=_has_native_layout))

SUITES = (
    Suite("nfs30", FAMILY, "NfS (30 fps)", split="30", aliases=("nfs",), folders=("nfs30", "nfs"),
          pysot_json=("NFS30.json",)),
    Suite("nfs240", FAMILY, "NfS (240 fps)", split="240", folders=("nfs240", "nfs"), pysot_json=("NFS240.json",)),
)
