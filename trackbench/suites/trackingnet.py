"""TrackingNet (TEST, and the TRAIN chunks for local evaluation): under the ``official``
profile the evaluation server's rules (:mod:`trackbench.metrics.trackingnet`: areas under
the success, precision and normalised precision curves), LaSOT-style scores otherwise.

Folder layout: :mod:`trackbench.data.trackingnet`; ``trackbench pack trackingnet`` writes the
server's zip.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.trackingnet import has_trackingnet_layout, read_trackingnet
from trackbench.metrics.family_rules import evaluate_trackingnet_server
from trackbench.sequence import Dataset
from trackbench.suites.base import Reader, Suite
from trackbench.suites.otb import one_pass_family


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_trackingnet(path, sequences, split=suite.split or "test", name=suite.name,
                            require_images=require_images)


FAMILY = one_pass_family("trackingnet", Reader(read=_read, has_native_layout=has_trackingnet_layout),
                         evaluate=evaluate_trackingnet_server,
                         figures=("success", "trackingnet_precision", "trackingnet_norm_precision"))

SUITES = (
    Suite("trackingnet", FAMILY, "TrackingNet", split="test", folders=("trackingnet",)),
    Suite("trackingnet-train", FAMILY, "TrackingNet (train)", split="train", folders=("trackingnet-train", "trackingnet")),
)
