"""VOT2016-2019 short-term reader (folder layout of the VOT toolkits).

Layout: ``<root>/list.txt`` (one sequence per line, matched to its folder by name, else by
:func:`~trackbench.sequence.normalize_name`; without it every sub-folder holding a
``groundtruth.txt`` is a sequence), and per sequence:

* ``groundtruth.txt``: one region per line, 4 numbers ``x,y,w,h`` or 8 numbers
  ``x1,y1,...,x4,y4`` (a file mixing both is read as polygons);
* images ``color/00000001.jpg`` (VOT2017+, toolkit ``sequence`` file
  ``channels.color=color/%08d.jpg``) or directly ``<seq>/00000001.jpg`` (older bundles);
* per-frame tags ``<tag>.tag`` or ``<tag>.label`` (0/1 per line; shorter files are padded
  with 0);
* the image size comes from the ``sequence`` metadata (``width``/``height``) if present,
  else from the first image's header, else it is unknown (``None``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trackbench.data.attributes import VOT_TAGS
from trackbench.data.common import (
    build_sequence,
    flags_to_bool,
    list_images,
    listed_or_found_names,
    make_dataset,
    note_image_count,
    numbered_frames,
    read_key_values,
    rectangles_to_polygons,
    require_folder,
    select_names,
    sequence_folder,
)
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset, Sequence
from trackbench.textio import read_flags, split_numbers


def read_vot(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    name: str = "vot",
    require_images: bool = False,
    allow_absent: bool = False,
) -> Dataset:
    """Read a VOT short-term dataset folder (see the module docstring). ``allow_absent``
    (VOT long-term): a ground-truth line of NaN marks a frame without the target."""
    root = require_folder(Path(root), "VOT dataset")
    names, list_file = listed_or_found_names(
        root, lambda folder: (folder / "groundtruth.txt").is_file(), "<sequence>/groundtruth.txt folders"
    )
    result = [
        read_vot_sequence(sequence_folder(root, n, list_file), n, allow_absent)
        for n in select_names(names, sequences, root)
    ]
    return make_dataset(name, result, root, require_images=require_images)


def read_vot_sequence(folder: Path, name: str | None = None, allow_absent: bool = False) -> Sequence:
    """One VOT sequence folder (``groundtruth.txt``, images, tags, ``sequence`` metadata)."""
    annotation = folder / "groundtruth.txt"
    regions = read_regions(annotation, allow_absent)
    metadata = read_key_values(folder / "sequence", "=") if (folder / "sequence").is_file() else {}
    frames = _frame_paths(folder, metadata, len(regions))
    images = list_images(frames[0].parent)
    note_image_count(len(images), len(regions), frames[0].parent, annotation)
    tags = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in (".tag", ".label") and path.is_file():
            tags[path.stem] = flags_to_bool(read_flags(path, len(regions), what="per-frame tag flags"))
    for tag in VOT_TAGS:  # a missing tag file means the tag is never set
        tags.setdefault(tag, np.zeros(len(regions), dtype=bool))
    if "width" in metadata and "height" in metadata:
        try:
            image_size = (int(metadata["width"]), int(metadata["height"]))
        except ValueError:
            raise TrackbenchError("width/height must be integers", folder / "sequence") from None
    else:
        image_size = None  # from the first image, by build_sequence
    return build_sequence(
        name or folder.name,
        regions,
        frames,
        annotation,
        tags=tags,
        image_size=image_size,
        meta={k: v for k, v in metadata.items() if k not in ("width", "height")},
    )


def read_regions(path: Path, allow_absent: bool = False) -> np.ndarray:
    """VOT regions, one per line: ``(N, 4)`` rectangles, or ``(N, 8)`` polygons when any
    line has 8 numbers (rectangles converted). Other counts, NaN, an empty file -> error;
    with ``allow_absent`` a line of NaN (the long-term "target absent") is kept as NaN."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise TrackbenchError("file not found (ground-truth regions expected here)", path) from None
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise TrackbenchError("file is empty (ground-truth regions expected)", path)
    rows: list[list[float]] = []
    for number, line in enumerate(lines, start=1):
        tokens = split_numbers(line)
        if not tokens:
            raise TrackbenchError("blank line inside the ground truth", path, number)
        if len(tokens) not in (4, 8):
            raise TrackbenchError(f"expected 4 or 8 numbers, found {len(tokens)}", path, number)
        try:
            values = [float(t) for t in tokens]
        except ValueError:
            raise TrackbenchError(f"not a number in {line.strip()!r}", path, number) from None
        if any(v != v for v in values) and not (allow_absent and all(v != v for v in values)):
            raise TrackbenchError("NaN value", path, number)
        rows.append(values)
    if all(len(r) == 4 for r in rows):
        return np.asarray(rows, dtype=np.float64)
    return np.stack(
        [np.asarray(r) if len(r) == 8 else rectangles_to_polygons(np.asarray([r]))[0] for r in rows]
    ).astype(np.float64)


def _frame_paths(folder: Path, metadata: dict[str, str], count: int) -> list[Path]:
    pattern = metadata.get("channels.color")
    if pattern:
        try:
            return [folder / (pattern % number) for number in range(1, count + 1)]
        except (TypeError, ValueError):
            raise TrackbenchError(f"unsupported image pattern {pattern!r}", folder / "sequence") from None
    if not (folder / "color").is_dir() and list_images(folder):
        return numbered_frames(folder, 1, count, 8, ".jpg")  # older flat layout
    return numbered_frames(folder / "color", 1, count, 8, ".jpg")
