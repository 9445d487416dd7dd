"""Suites outside the benchmarks: ``demo`` (generated sequences) and ``custom`` (any folder
of OTB-like sequences, see :mod:`trackbench.data.generic`). Both are scored like OTB;
``custom-tre`` / ``custom-sre`` run the OTB TRE / SRE protocols on such a folder."""

from __future__ import annotations

from pathlib import Path

from trackbench.data.generic import read_folder
from trackbench.data.otb import read_otb
from trackbench.sequence import Dataset
from trackbench.suites import otb
from trackbench.suites.base import Reader, Suite


def _read_demo(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_otb(path, sequences, sequence_list=suite.split, name=suite.name, require_images=require_images)


def _prepare_demo(path: Path) -> Path:
    from trackbench.data.demo import ensure_demo  # the generator is only loaded when used

    return Path(ensure_demo(path))


def _read_custom(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_folder(path, sequences, name=suite.name, require_images=require_images)


SUITES = (
    Suite("demo", otb.FAMILY, "Demo", folders=("demo",),
          reader=Reader(read=_read_demo, prepare=_prepare_demo)),
    Suite("custom", otb.FAMILY, "Custom", folders=("custom",), reader=Reader(read=_read_custom), generic=True),
    Suite("custom-tre", otb.TRE_FAMILY, "Custom TRE", folders=("custom",), reader=Reader(read=_read_custom), generic=True),
    Suite("custom-sre", otb.SRE_FAMILY, "Custom SRE", folders=("custom",), reader=Reader(read=_read_custom), generic=True),
)
