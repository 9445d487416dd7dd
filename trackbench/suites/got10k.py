"""GOT-10k (val, test): one-pass runs repeated 3 times, AO / SR scores.

Folder layout: :mod:`trackbench.data.got10k`; metric rules: docs/metrics.md (GOT-10k).
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.got10k import read_got10k
from trackbench.metrics.evaluate import evaluate_repeated
from trackbench.sequence import Dataset
from trackbench.suites.base import Family, Reader, Suite

REPETITIONS = 3


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_got10k(path, sequences, split=suite.split or "val", name=suite.name, require_images=require_images)


FAMILY = Family(
    name="got10k", protocol="ope", layout="got10k", reader=Reader(read=_read), evaluate=evaluate_repeated,
    columns=("ao", "sr50", "sr75", "fps"), rank_key="ao", sequence_metric="ao", figures=("got10k_success",),
)

SUITES = (
    Suite("got10k-val", FAMILY, "GOT-10k", repetitions=REPETITIONS, split="val", folders=("got10k-val", "got10k")),
    Suite("got10k-test", FAMILY, "GOT-10k", repetitions=REPETITIONS, split="test", folders=("got10k-test", "got10k")),
)
