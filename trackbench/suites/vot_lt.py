"""VOT long-term (VOT2018-LT, VOT2019-LT): one pass with confidences; tracking precision,
recall and F-score over confidence thresholds.

Folder layout: the VOT one (:mod:`trackbench.data.vot`), ``nan`` ground truth where the
target is absent; sequence lists: the challenges' (``trackbench/data/vot_list_*.txt``);
protocol: one pass (:mod:`trackbench.protocols.dispatch`); files:
:mod:`trackbench.results.vot_longterm`; measures: :mod:`trackbench.metrics.longterm`.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.common import package_name_list
from trackbench.data.vot import read_vot
from trackbench.metrics.evaluate_protocols import evaluate_longterm_folder
from trackbench.sequence import Dataset
from trackbench.suites.base import Family, Reader, Suite


def _sequence_list(split: str | None) -> list[str] | None:
    return package_name_list(f"vot_list_{split}.txt") if split else None


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    if sequences is None:
        sequences = _sequence_list(suite.split)
    return read_vot(path, sequences, name=suite.name, require_images=require_images, allow_absent=True)


def _has_native_layout(path: Path) -> bool:
    return (path / "list.txt").is_file()


FAMILY = Family(
    name="vot-lt", protocol="longterm", layout="vot-longterm",
    reader=Reader(read=_read, has_native_layout=_has_native_layout, json_sequences=_sequence_list),
    evaluate=evaluate_longterm_folder, columns=("f_score", "lt_precision", "lt_recall", "lt_threshold", "fps"),
    rank_key="f_score", sequence_metric="f_score", figures=("lt_precision_recall", "lt_f_score"),
)


def _lt(year: int) -> Suite:
    return Suite(f"vot{year}-lt", FAMILY, f"VOT{year}-LT", split=f"vot{year}-lt", aliases=(f"votlt{year}",),
                 folders=(f"vot{year}-lt", f"votlt{year}"), pysot_json=(f"VOT{year}-LT.json",))


SUITES = (_lt(2018), _lt(2019))
