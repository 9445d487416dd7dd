"""TNL2K reader (tracking by natural language, 700 test sequences; Wang et al., CVPR 2021).

Official layout (``TNL2K_test_subset``)::

    <root>/<seq>/imgs/<frames>       .jpg or .png; names differ between sequences
                                     (``00001.jpg``, ``0001.png`` ...), sorted by their number
    <root>/<seq>/groundtruth.txt     x,y,w,h per frame, comma-separated
    <root>/<seq>/language.txt        the target's description (kept on ``Sequence.language``)

A download unpacked one level deeper (``<root>/TNL2K_test_subset/<seq>``) is found too. Every
sequence folder with a ``groundtruth.txt`` is read; when its image folder holds more images
than ground-truth rows only the first rows' images are used, fewer is an error (a tracker
needs one image per row). No attribute flags ship with the test set.
"""

from __future__ import annotations

import re
from pathlib import Path

from trackbench.data.common import IMAGE_EXTENSIONS, build_sequence, make_dataset, require_folder, select_names
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset
from trackbench.textio import read_table

_NUMBER = re.compile(r"(\d+)")


def read_tnl2k(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    name: str = "tnl2k",
    require_images: bool = False,
) -> Dataset:
    """Read TNL2K from ``root`` (see the module docstring)."""
    root = require_folder(Path(root), "TNL2K dataset")
    found = _sequence_folders(root)
    if not found:
        raise TrackbenchError("no TNL2K sequences found (expected <seq>/groundtruth.txt and <seq>/imgs/)", root)
    result = []
    for seq_name in select_names(sorted(found), sequences, root):
        folder = found[seq_name]
        annotation = folder / "groundtruth.txt"
        boxes = read_table(annotation, 4, what="ground-truth boxes x,y,w,h")
        images = tnl2k_images(folder / "imgs")
        if images and len(images) < len(boxes):
            raise TrackbenchError(f"{len(images)} images for {len(boxes)} ground-truth rows", folder / "imgs")
        language_file = folder / "language.txt"
        language = _read_language(language_file) if language_file.is_file() else None
        result.append(build_sequence(seq_name, boxes, images[: len(boxes)], annotation, language=language))
    return make_dataset(name, result, root, require_images=require_images)


def tnl2k_images(folder: Path) -> list[Path]:
    """The images of ``folder`` ordered by the last number in their names (then by name)."""
    if not folder.is_dir():
        return []
    images = [p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()]

    def key(path: Path) -> tuple[int, str]:
        numbers = _NUMBER.findall(path.stem)
        return (int(numbers[-1]) if numbers else -1, path.name)

    return sorted(images, key=key)


def has_tnl2k_layout(root: Path) -> bool:
    return bool(_sequence_folders(root))


def _sequence_folders(root: Path) -> dict[str, Path]:
    for base in (root, root / "TNL2K_test_subset"):
        found = {p.parent.name: p.parent for p in base.glob("*/groundtruth.txt")}
        if found:
            return found
    return {}


def _read_language(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return " ".join(text.split())
