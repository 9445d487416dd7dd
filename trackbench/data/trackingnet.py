"""TrackingNet reader (Mueller et al., ECCV 2018): the TEST set and the TRAIN chunks.

Official layout (TrackingNet-devkit's ``download_TrackingNet.py``)::

    <root>/TEST/anno/<seq>.txt          the first frame's x,y,w,h only (the server keeps the rest)
    <root>/TEST/frames/<seq>/0.jpg      0-based image numbers, no zero padding
    <root>/TRAIN_<k>/anno/<seq>.txt     every frame's box (k = 0..11), for local evaluation
    <root>/TRAIN_<k>/frames/<seq>/0.jpg

Splits: ``"test"`` (511 sequences), ``"train"`` (every ``TRAIN_<k>`` chunk present) or one
chunk ``"train_<k>"``. The TEST ground truth is the first box and NaN rows for the other
frames; the sequence length is the number of images (with no images, the annotation rows).
Sequence names are YouTube ids with a target suffix (``-3TIfnTSM6c_2``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from trackbench.data.common import build_sequence, make_dataset, numbered_frames, require_folder, select_names
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset
from trackbench.textio import read_table

TRAIN_CHUNKS = 12
_CHUNK = re.compile(r"^train_(\d+)$")


def trackingnet_chunks(root: Path, split: str) -> list[Path]:
    """The chunk folders of ``split`` under ``root`` (``TEST`` or ``TRAIN_<k>``)."""
    if split == "test":
        names = ["TEST"]
    elif split == "train":
        names = [f"TRAIN_{k}" for k in range(TRAIN_CHUNKS) if (root / f"TRAIN_{k}").is_dir()]
    elif _CHUNK.match(split) and int(_CHUNK.match(split).group(1)) < TRAIN_CHUNKS:
        names = [f"TRAIN_{_CHUNK.match(split).group(1)}"]
    else:
        raise TrackbenchError(f"unknown TrackingNet split {split!r} (known: test, train, train_0 .. train_11)")
    chunks = [root / n for n in names if (root / n / "anno").is_dir()]
    if not chunks:
        raise TrackbenchError(f"no TrackingNet {split} chunk found (expected {names[0] if names else 'TRAIN_<k>'}/anno/)",
                              root)
    return chunks


def read_trackingnet(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    split: str = "test",
    name: str = "trackingnet",
    require_images: bool = False,
) -> Dataset:
    """Read TrackingNet's ``split`` from ``root`` (see the module docstring)."""
    root = require_folder(Path(root), "TrackingNet dataset")
    found: dict[str, Path] = {}
    for chunk in trackingnet_chunks(root, split):
        for path in sorted((chunk / "anno").glob("*.txt")):
            found.setdefault(path.stem, path)
    result = []
    for seq_name in select_names(sorted(found), sequences, root):
        annotation = found[seq_name]
        boxes = read_table(annotation, 4, what="ground-truth boxes x,y,w,h")
        folder = annotation.parent.parent / "frames" / seq_name
        count = _frame_count(folder)
        if split == "test":
            length = count or len(boxes)
            boxes = np.vstack([boxes[:1], np.full((length - 1, 4), np.nan)])
        elif count and count != len(boxes):
            raise TrackbenchError(f"{len(boxes)} ground-truth rows but {count} images in {folder}", annotation)
        frames = numbered_frames(folder, 0, len(boxes), 1, ".jpg")
        result.append(build_sequence(seq_name, boxes, frames, annotation,
                                     meta={"chunk": annotation.parent.parent.name}))
    return make_dataset(name, result, root, require_images=require_images)


def has_trackingnet_layout(root: Path) -> bool:
    return (root / "TEST" / "anno").is_dir() or any((root / f"TRAIN_{k}" / "anno").is_dir() for k in range(TRAIN_CHUNKS))


def _frame_count(folder: Path) -> int:
    """Images ``0.jpg .. N-1.jpg`` in ``folder`` (0 if the folder does not exist); a gap is an error."""
    if not folder.is_dir():
        return 0
    numbers = sorted(int(p.stem) for p in folder.glob("*.jpg") if p.stem.isdigit())
    if numbers and numbers != list(range(len(numbers))):
        missing = next(i for i, n in enumerate(numbers) if n != i)
        raise TrackbenchError(f"image {missing}.jpg missing (TrackingNet frames are 0.jpg .. N-1.jpg)", folder)
    return len(numbers)
