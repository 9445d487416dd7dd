"""DTB70 reader (Drone Tracking Benchmark, 70 UAV sequences; Li and Yeung, AAAI 2017).

Official layout (github.com/flyers/drone-tracking)::

    <root>/<Seq>/img/00001.jpg            5-digit, 1-based image numbers
    <root>/<Seq>/groundtruth_rect.txt     x,y,w,h per frame, comma-separated

The toolkit's copies (``<root>/anno/<Seq>.txt`` and ``<root>/anno/att/<Seq>.txt``, 11 flags in
the order :data:`~trackbench.data.attributes.DTB70_ATTRIBUTES`) are read too; with the
official layout, attribute flags are taken from ``<root>/anno/att/<Seq>.txt`` or
``<root>/<Seq>/attributes.txt`` when present (the download itself ships none). Every
sequence found is read (got10k's ``DTB70`` globs ``*/groundtruth_rect.txt`` the same way).
Car6 has 19 all-zero rows (frames 274-292, target gone): invalid ground truth, which the
one-pass rules score as such (fail success, pass precision in pysot / MATLAB rules).
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.attributes import DTB70_ATTRIBUTES
from trackbench.data.common import (
    build_sequence,
    image_name_pattern,
    make_dataset,
    numbered_frames,
    parse_attribute_file,
    require_folder,
    select_names,
)
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset
from trackbench.textio import read_table

DTB70_SEQUENCES = 70


def read_dtb70(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    name: str = "dtb70",
    require_images: bool = False,
) -> Dataset:
    """Read DTB70 from ``root`` (see the module docstring for the layouts)."""
    root = require_folder(Path(root), "DTB70 dataset")
    found = _annotations(root)
    if not found:
        raise TrackbenchError("no DTB70 sequences found (expected <Seq>/groundtruth_rect.txt or anno/<Seq>.txt)", root)
    result = []
    for seq_name in select_names(sorted(found), sequences, root):
        annotation = found[seq_name]
        boxes = read_table(annotation, 4, what="ground-truth boxes x,y,w,h")
        folder = root / seq_name / "img"
        first, digits, ext = image_name_pattern(folder) or (1, 5, ".jpg")
        frames = numbered_frames(folder, first, len(boxes), digits, ext)
        attribute_file = next((p for p in (root / "anno" / "att" / f"{seq_name}.txt", root / seq_name / "attributes.txt")
                               if p.is_file()), None)
        attributes = parse_attribute_file(attribute_file, list(DTB70_ATTRIBUTES)) if attribute_file else {}
        result.append(build_sequence(seq_name, boxes, frames, annotation, attributes=attributes))
    return make_dataset(name, result, root, require_images=require_images)


def has_dtb70_layout(root: Path) -> bool:
    """Whether ``root`` holds DTB70 in one of the accepted layouts."""
    return (root / "anno").is_dir() or next(root.glob("*/groundtruth_rect.txt"), None) is not None


def _annotations(root: Path) -> dict[str, Path]:
    """``{sequence: annotation file}``: ``<Seq>/groundtruth_rect.txt``, else ``anno/<Seq>.txt``."""
    official = {p.parent.name: p for p in root.glob("*/groundtruth_rect.txt")}
    if official:
        return official
    anno = root / "anno"
    return {p.stem: p for p in anno.glob("*.txt")} if anno.is_dir() else {}
