"""GOT-10k validation / test split reader.

Layout: ``<root>/{val,test}/list.txt`` (``--root`` may be the dataset folder or the
split folder itself) and per sequence ``<seq>/00000001.jpg`` ... (8 digits),
``groundtruth.txt`` (comma ``x,y,w,h``; the test split gives only the first frame's box:
the other rows are NaN), ``meta_info.ini`` (``key: value`` lines; ``resolution: (W, H)``
gives the image size, the other fields go to ``Sequence.meta``), and the per-frame labels
``absence.label`` (1 = absent), ``cover.label`` (visible fraction in eighths, 0-8),
``cut_by_image.label`` (kept as the tag ``cut_by_image``).

Sequence length: the ground-truth rows (val); for the test split the number of images,
else of ``absence.label`` flags, else the ground-truth rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from trackbench.data.common import (
    build_sequence,
    list_images,
    make_dataset,
    note_image_count,
    numbered_frames,
    read_frame_flags,
    read_ground_truth,
    read_key_values,
    read_name_list,
    select_names,
    sequence_folder,
)
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset, Sequence
from trackbench.textio import read_flags

GOT10K_SPLITS = ("val", "test")

GOT10K_TEST_SEQUENCES = tuple(f"GOT-10k_Test_{number:06d}" for number in range(1, 181))
"""The 180 sequences of the GOT-10k test split (``test/list.txt`` of the official download):
fixed, so a submission can be packed from its results alone."""

_RESOLUTION = re.compile(r"^\(?\s*(\d+)\s*,\s*(\d+)\s*\)?$")


def got10k_split_folder(root: str | Path, split: str) -> Path:
    """The folder holding the split's ``list.txt``: ``<root>/<split>`` or ``root`` itself."""
    if split not in GOT10K_SPLITS:
        raise TrackbenchError(f"unknown GOT-10k split {split!r} (known: {', '.join(GOT10K_SPLITS)})")
    root = Path(root)
    for folder in (root / split, root):
        if (folder / "list.txt").is_file():
            return folder
    raise TrackbenchError(f"GOT-10k {split} split not found: no {root / split / 'list.txt'} nor {root / 'list.txt'}", root)


def read_got10k(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    split: str = "val",
    name: str | None = None,
    require_images: bool = False,
) -> Dataset:
    """Read the GOT-10k ``val`` or ``test`` split (see the module docstring)."""
    folder = got10k_split_folder(root, split)
    list_file = folder / "list.txt"
    result = [
        read_got10k_sequence(sequence_folder(folder, seq_name, list_file), test=split == "test")
        for seq_name in select_names(read_name_list(list_file), sequences, list_file)
    ]
    return make_dataset(name or f"got10k-{split}", result, folder, require_images=require_images)


def read_got10k_sequence(folder: Path, *, test: bool = False) -> Sequence:
    """One GOT-10k sequence folder; ``test``: only the first box is known."""
    annotation = folder / "groundtruth.txt"
    boxes = read_ground_truth(annotation)
    if np.isnan(boxes[0]).any():
        raise TrackbenchError("NaN value in the first frame's box", annotation, 1)
    images = list_images(folder)
    length = len(boxes)
    if test:
        if images:
            length = len(images)
        elif (folder / "absence.label").is_file():
            length = len(read_flags(folder / "absence.label", what="absence labels"))
        if len(boxes) > length:
            raise TrackbenchError(f"{len(boxes)} ground-truth rows but {length} images", annotation)
        boxes = np.vstack([boxes, np.full((length - len(boxes), 4), np.nan)])
    elif images:
        note_image_count(len(images), len(boxes), folder, annotation)
    meta = read_key_values(folder / "meta_info.ini", ":") if (folder / "meta_info.ini").is_file() else {}
    frames = numbered_frames(folder, 1, length, 8, ".jpg")
    image_size = _resolution(meta.pop("resolution"), folder / "meta_info.ini") if "resolution" in meta else None
    labels = {}
    for label in ("absence", "cover", "cut_by_image"):
        path = folder / f"{label}.label"
        if path.is_file():
            labels[label] = read_frame_flags(path, length, what=f"{label} labels")
    if "cover" in labels and ((labels["cover"] < 0) | (labels["cover"] > 8)).any():
        raise TrackbenchError("cover labels must be between 0 and 8", folder / "cover.label")
    return build_sequence(
        folder.name,
        boxes,
        frames,
        annotation,
        absent=labels["absence"] != 0 if "absence" in labels else None,
        cover=labels.get("cover"),
        tags={"cut_by_image": labels["cut_by_image"] != 0} if "cut_by_image" in labels else {},
        image_size=image_size,
        meta=meta,
    )


def _resolution(value: str, path: Path) -> tuple[int, int]:
    match = _RESOLUTION.match(value.strip())
    if not match:
        raise TrackbenchError(f"resolution must look like '(W, H)', found {value!r}", path)
    return int(match.group(1)), int(match.group(2))
