"""VOT short-term baseline (VOT2016-2019): the supervised (reset-based) protocol, EAO / A / R;
and the VOT2017-2019 real-time experiment (``vot2017-realtime`` ...).

Folder layout: :mod:`trackbench.data.vot`; protocol: :mod:`trackbench.protocols.supervised`;
metric rules: docs/metrics.md (VOT). The EAO intervals are the VOT toolkit's per-year values.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from trackbench.data.vot import read_vot
from trackbench.metrics.evaluate import evaluate_supervised
from trackbench.metrics.evaluate_protocols import evaluate_realtime_folder
from trackbench.metrics.vot import BURNIN, SKIP_INITIALIZE
from trackbench.sequence import Dataset
from trackbench.suites.base import Family, Reader, Suite

REPETITIONS = 15


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_vot(path, sequences, name=suite.name, require_images=require_images)


def _has_native_layout(path: Path) -> bool:
    return (path / "list.txt").is_file()


FAMILY = Family(
    name="vot", protocol="supervised", layout="vot", reader=Reader(read=_read, has_native_layout=_has_native_layout),
    evaluate=evaluate_supervised, columns=("eao", "accuracy", "robustness", "failures", "fps"), rank_key="eao",
    sequence_metric="accuracy", figures=("eao_ranking", "expected_overlap", "ar"), breakdown="per_tag",
    breakdown_metric="accuracy",
)

#: The VOT2017-2019 ``realtime`` experiment (protocols/realtime.py): supervised at 20 fps on
#: the wall clock, the same measures, files under ``realtime/``.
REALTIME_FAMILY = replace(FAMILY, name="vot-realtime", protocol="realtime", layout="vot-realtime", evaluate=evaluate_realtime_folder)


def _vot(year: int, interval: tuple[int, int], corner_rule: str, family: Family = FAMILY) -> Suite:
    realtime = family is REALTIME_FAMILY
    return Suite(
        f"vot{year}-realtime" if realtime else f"vot{year}", family, f"VOT{year} real-time" if realtime else f"VOT{year}",
        repetitions=1 if realtime else REPETITIONS, eao_interval=interval, corner_rule=corner_rule,
        burnin=BURNIN, skip_initialize=SKIP_INITIALIZE, folders=(f"vot{year}",), pysot_json=(f"VOT{year}.json",),
    )


SUITES = (
    _vot(2016, (108, 371), "x+w"),
    _vot(2017, (100, 356), "x+w"),
    _vot(2018, (100, 356), "x+w"),
    _vot(2019, (46, 291), "x+w-1"),
    _vot(2017, (100, 356), "x+w", REALTIME_FAMILY),
    _vot(2018, (100, 356), "x+w", REALTIME_FAMILY),
    _vot(2019, (46, 291), "x+w-1", REALTIME_FAMILY),
)
