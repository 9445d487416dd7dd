"""A generic folder of sequences, so a custom dataset needs no code.

Layout::

    <root>/list.txt                     optional: which sequences, in which order
    <root>/<seq>/groundtruth.txt        one box x,y,w,h (or 8-number polygon) per frame,
                                        any of comma/tab/space (groundtruth_rect.txt also accepted)
    <root>/<seq>/img/*.jpg|png          frames in name order (or color/, or the folder itself)
    <root>/<seq>/absent.txt             optional: one 0/1 per frame, 1 = target absent
    <root>/<seq>/attrs.txt              optional: attribute names, e.g. "SV, OCC", or the
                                        11 OTB (14 LaSOT) 0/1 flags in the toolkits' order

With images, the ground-truth rows are the frame list: extra images are left out with one
note (the OTB rule, e.g. OTB's Football1: 81 images, 74 rows), too few images is a warning
(evaluation works, running does not). Without images the sequence still loads (evaluation
needs annotations only) and its frames are listed as ``img/0001.jpg`` ...
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.common import (
    build_sequence,
    list_images,
    listed_or_found_names,
    make_dataset,
    note_image_count,
    numbered_frames,
    parse_attribute_file,
    read_frame_flags,
    read_ground_truth,
    require_folder,
    select_names,
    sequence_folder,
)
from trackbench.sequence import Dataset, Sequence

ANNOTATION_FILES = ("groundtruth.txt", "groundtruth_rect.txt")


def read_folder(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    name: str | None = None,
    require_images: bool = False,
) -> Dataset:
    """Read a generic folder of sequences (see the module docstring)."""
    root = require_folder(Path(root), "dataset")
    names, list_file = listed_or_found_names(
        root, lambda folder: _annotation(folder) is not None, f"<seq>/{ANNOTATION_FILES[0]} folders"
    )
    result = [read_folder_sequence(sequence_folder(root, n, list_file)) for n in select_names(names, sequences, root)]
    return make_dataset(name or root.name, result, root, require_images=require_images)


def read_folder_sequence(folder: Path) -> Sequence:
    """One sequence folder of the generic layout."""
    annotation = _annotation(folder) or folder / ANNOTATION_FILES[0]
    boxes = read_ground_truth(annotation, (4, 8), what="ground-truth boxes x,y,w,h or polygons")
    images = []
    for candidate in (folder / "img", folder / "color", folder):
        images = list_images(candidate)
        if images:
            break
    if images:
        note_image_count(len(images), len(boxes), images[0].parent, annotation)
    if len(images) >= len(boxes):
        frames = images[: len(boxes)]
    else:  # no images (evaluation only) or too few (a run stops at check_images)
        frames = numbered_frames((images[0].parent if images else folder / "img"), 1, len(boxes), 4, ".jpg")
    absent = None
    for flags_name in ("absent.txt", "absence.label"):
        if (folder / flags_name).is_file():
            absent = read_frame_flags(folder / flags_name, len(boxes), what="absent flags") != 0
    attributes = parse_attribute_file(folder / "attrs.txt", []) if (folder / "attrs.txt").is_file() else {}
    return build_sequence(folder.name, boxes, frames, annotation, absent=absent, attributes=attributes)


def _annotation(folder: Path) -> Path | None:
    return next((folder / f for f in ANNOTATION_FILES if (folder / f).is_file()), None)
