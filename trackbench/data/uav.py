"""UAV123, UAV20L and UAV123@10fps readers (official download or the toolkit's annotation copies).

Official layout (``Dataset_UAV123`` / ``Dataset_UAV123_10fps``)::

    <root>/anno/UAV123/<seq>.txt          x,y,w,h per frame, comma-separated; NaN,NaN,NaN,NaN = absent
    <root>/anno/UAV123/att/<seq>.txt      12 flags, order UAV_ATTRIBUTES
    <root>/anno/UAV20L/<seq>.txt (+ att/) the 20 long videos
    <root>/data_seq/UAV123/<video>/000001.jpg   6-digit, 1-based image numbers
    <root>/anno/UAV123_10fps/... and data_seq/UAV123_10fps/<video>/ for the 10 fps version

The toolkit's flat copies (``<root>/anno/<seq>.txt``, ``<root>/anno/att/<seq>.txt``) are read
too. Many UAV123 sequences are frame ranges of one video (``bird1_2`` = images 775-1477 of
``bird1``): the ranges are the UAV123 toolkit's ``configSeqs.m`` (UAV123_10fps: its own
``configSeqs.m``), shipped in ``uav_sequences.txt`` and identical to pytracking's
``uavdataset.py`` and got10k's ``uav123.json``. UAV20L videos take their images from
``data_seq/UAV20L/<video>`` or, as got10k reads them, ``data_seq/UAV123/<video>``.

Absent frames: the rows written ``NaN,NaN,NaN,NaN`` (the toolkit's ReadMe: "the object is
either fully occluded or outside the frame"). They stay NaN in ``ground_truth``
(``Sequence.missing_gt``-style rows without a box); ``Sequence.absent`` is left None because
UAV123 has no separate absence flag and its toolkits do not score these rows as LaSOT scores
absent frames: the official toolkit (OTB-derived ``calcSeqErrRobust``), pysot
(``OPEBenchmark``) and pytracking (``calc_seq_err_robust`` for ``dataset == 'uav'``) all treat
them as invalid ground truth, failing success and passing precision
(:mod:`trackbench.metrics.family_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trackbench.data.attributes import UAV_ATTRIBUTES
from trackbench.data.common import (
    build_sequence,
    make_dataset,
    numbered_frames,
    package_lines,
    parse_attribute_file,
    require_folder,
    select_names,
)
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset
from trackbench.textio import read_table

UAV_VERSIONS = ("UAV123", "UAV20L", "UAV123_10fps")
UAV20L_SEQUENCES = ("bike1", "bird1", "car1", "car3", "car6", "car8", "car9", "car16", "group1", "group2",
                    "group3", "person2", "person4", "person5", "person7", "person14", "person17", "person19",
                    "person20", "uav1")
"""The 20 long videos of UAV20L (the UAV123 paper)."""


@dataclass(frozen=True)
class UavRange:
    """One sequence of a UAV version: images ``start..end`` (1-based, inclusive) of ``video``."""

    sequence: str
    video: str
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def uav_sequence_table(version: str = "UAV123") -> list[UavRange]:
    """The shipped sequence list of ``version`` (``UAV123``, ``UAV20L``, ``UAV123_10fps``)."""
    if version not in UAV_VERSIONS:
        raise TrackbenchError(f"unknown UAV version {version!r} (known: {', '.join(UAV_VERSIONS)})")
    lines = package_lines("uav_sequences.txt")[1:]
    table = []
    for line in lines:
        row_version, sequence, video, start, end = line.split()
        if row_version == version:
            table.append(UavRange(sequence, video, int(start), int(end)))
    return table


def read_uav(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    split: str = "UAV123",
    name: str = "uav123",
    require_images: bool = False,
) -> Dataset:
    """Read one UAV version (``split``: ``UAV123``, ``UAV20L`` or ``UAV123_10fps``) from ``root``."""
    table = {r.sequence: r for r in uav_sequence_table(split)}
    root = require_folder(Path(root), f"{split} dataset")
    anno = _annotation_folder(root, split)
    result = []
    for seq_name in select_names(list(table), sequences, anno):
        entry = table[seq_name]
        annotation = anno / f"{seq_name}.txt"
        if not annotation.is_file():
            raise TrackbenchError(f"annotation of {split} sequence {seq_name!r} not found", annotation)
        boxes = read_table(annotation, 4, allow_nan=True, what="ground-truth boxes x,y,w,h")
        if len(boxes) != entry.length:
            raise TrackbenchError(
                f"{len(boxes)} rows, but {split} sequence {seq_name!r} covers images {entry.start}-{entry.end} "
                f"({entry.length} frames)", annotation)
        attribute_file = anno / "att" / f"{seq_name}.txt"
        attributes = parse_attribute_file(attribute_file, list(UAV_ATTRIBUTES)) if attribute_file.is_file() else {}
        frames = numbered_frames(_image_folder(root, split, entry.video), entry.start, entry.length, 6, ".jpg")
        result.append(build_sequence(seq_name, boxes, frames, annotation, attributes=attributes,
                                     start_frame=entry.start, aliases=(f"uav_{seq_name}",)))
    return make_dataset(name, result, root, require_images=require_images)


def _annotation_folder(root: Path, version: str) -> Path:
    """``anno/<version>`` (official download), else the toolkit's flat ``anno``."""
    for folder in (root / "anno" / version, root / "anno"):
        if folder.is_dir():
            return folder
    raise TrackbenchError(f"no {version} annotations (expected anno/{version}/<seq>.txt)", root)


def _image_folder(root: Path, version: str, video: str) -> Path:
    candidates = [root / "data_seq" / version / video]
    if version == "UAV20L":
        candidates.append(root / "data_seq" / "UAV123" / video)
    return next((c for c in candidates if c.is_dir()), candidates[-1])
