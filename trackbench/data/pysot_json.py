"""pysot-style dataset JSON (``OTB100.json``, ``VOT2018.json``, ``LaSOT.json`` ...).

One object per sequence, keyed by the sequence name (the result-file stem)::

    {"ants1": {"video_dir": "ants1", "init_rect": [...], "img_names": ["ants1/color/00000001.jpg", ...],
               "gt_rect": [[x1, y1, ..., x4, y4], ...], "camera_motion": [0, 1, ...], ...,
               "width": 1024, "height": 1024, "attr": ["Illumination Variation", ...]}}

``img_names`` are relative to the folder holding the JSON file (pysot's dataset root).
``gt_rect`` rows hold 4 (``x,y,w,h``) or 8 (polygon) numbers; a sequence mixing both is
read as polygons; a row with a ``NaN``, ``Infinity`` or ``null`` number has no box (read as a
NaN row, as :func:`trackbench.data.common.read_ground_truth` reads text files). Any other key holding a per-frame list is a tag (VOT), shorter lists
padded with 0; ``absent`` is LaSOT's per-frame absence flag; ``attr`` lists the
sequence's attributes by long or short name.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np

from trackbench.data.attributes import family_attributes, family_tags, short_attribute_name
from trackbench.data.common import make_dataset, rectangles_to_polygons, select_names
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset, Sequence

_RESERVED = {"video_dir", "init_rect", "img_names", "gt_rect", "attr", "width", "height", "absent"}


def read_pysot_json(
    path: str | Path,
    sequences: list[str] | None = None,
    *,
    name: str | None = None,
    family: str | None = None,
    require_images: bool = False,
) -> Dataset:
    """Read a pysot dataset JSON. ``family`` (``"otb"``/``"lasot"``) fills the attribute
    flags the JSON does not list with False."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TrackbenchError("dataset JSON file not found", path) from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrackbenchError(f"not valid JSON ({exc.msg})", path, exc.lineno) from None
    if not isinstance(content, dict) or not content:
        raise TrackbenchError("expected a JSON object with one entry per sequence", path)
    result = []
    for seq_name in select_names(list(content), sequences, path):
        result.append(_read_entry(path, seq_name, content[seq_name], family))
    return make_dataset(name or path.stem, result, path.parent, require_images=require_images)


def _read_entry(path: Path, seq_name: str, entry: object, family: str | None) -> Sequence:
    def fail(message: str) -> TrackbenchError:
        return TrackbenchError(f"sequence {seq_name!r}: {message}", path, _line_of(path, seq_name))

    if not isinstance(entry, dict) or "gt_rect" not in entry:
        raise fail("expected an object with a 'gt_rect' list")
    boxes = _boxes(entry["gt_rect"], fail)
    frames: list[Path] = []
    names = entry.get("img_names")
    if names:
        if len(names) != len(boxes):
            raise fail(f"{len(names)} img_names but {len(boxes)} gt_rect rows")
        frames = [path.parent / n for n in names]
    tags: dict[str, np.ndarray] = {}
    meta: dict[str, str] = {}
    for key, value in entry.items():
        if key in _RESERVED:
            continue
        if isinstance(value, list):
            tags[key] = _flags(value, len(boxes), key, fail)
        else:
            meta[key] = str(value)
    for tag in family_tags(family):
        tags.setdefault(tag, np.zeros(len(boxes), dtype=bool))
    absent = _flags(entry["absent"], len(boxes), "absent", fail) if "absent" in entry else None
    attributes = {a: False for a in family_attributes(family)}
    for attribute in entry.get("attr") or []:
        attributes[short_attribute_name(str(attribute))] = True
    image_size = None
    if "width" in entry and "height" in entry:
        image_size = (int(entry["width"]), int(entry["height"]))
    start_frame = 1
    if names and re.fullmatch(r"\d+", Path(names[0]).stem):
        start_frame = int(Path(names[0]).stem)
    return Sequence(
        name=seq_name,
        ground_truth=boxes,
        frames=frames,
        absent=absent,
        tags=tags,
        attributes=attributes,
        image_size=image_size,
        start_frame=start_frame,
        annotation_path=path,
        meta=meta,
    )


def _boxes(rows: object, fail) -> np.ndarray:
    if not isinstance(rows, list) or not rows:
        raise fail("'gt_rect' is empty")
    widths = set()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) not in (4, 8):
            count = len(row) if isinstance(row, list) else "no"
            raise fail(f"gt_rect row {number} has {count} numbers (expected 4 or 8)")
        if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in row):
            raise fail(f"gt_rect row {number} has a non-numeric value")
        widths.add(len(row))
    rows = [[math.nan if v is None else v for v in row] for row in rows]
    if widths == {4}:
        boxes = np.asarray(rows, dtype=np.float64)
    else:
        boxes = np.stack([np.asarray(r, float) if len(r) == 8 else rectangles_to_polygons(np.asarray([r], float))[0]
                          for r in rows])
    boxes[~np.isfinite(boxes).all(axis=1)] = np.nan  # no box: as read_ground_truth reads text files
    return boxes


def _flags(values: list, length: int, key: str, fail) -> np.ndarray:
    try:
        flags = np.asarray([int(v) for v in values], dtype=np.int64)
    except (TypeError, ValueError):
        raise fail(f"'{key}' must be a list of 0/1 flags") from None
    flags = flags[:length]
    if len(flags) < length:
        flags = np.concatenate([flags, np.zeros(length - len(flags), dtype=np.int64)])
    return flags != 0


def _line_of(path: Path, key: str) -> int | None:
    """1-based line where ``"key":`` first appears (for error messages), if found."""
    needle = json.dumps(key) + ":"
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if needle in line.replace('": ', '":'):
                    return number
    except OSError:
        return None
    return None
