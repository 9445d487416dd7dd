"""pysot-style dataset JSON (``OTB100.json``, ``VOT2018.json``, ``LaSOT.json`` ...).

One object per sequence, keyed by the sequence name (the result-file stem)::

    {"ants1": {"video_dir": "ants1", "init_rect": [...], "img_names": ["ants1/color/00000001.jpg", ...],
               "gt_rect": [[x1, y1, ..., x4, y4], ...], "camera_motion": [0, 1, ...], ...,
               "width": 1024, "height": 1024, "attr": ["Illumination Variation", ...]}}

``img_names`` are relative to the folder holding the JSON file (pysot's dataset root).
``gt_rect`` rows hold 4 (``x,y,w,h``) or 8 (polygon) numbers; a sequence mixing both is
read as polygons; a row with a ``NaN``, ``Infinity`` or ``null`` number has no box (read as a
NaN row, as :func:`trackbench.data.common.read_ground_truth` reads text files). Any other key holding a per-frame list is a tag (VOT), shorter lists
padded with 0; ``attr`` lists the sequence's attributes by long or short name.

``absent`` (LaSOT) has two polarities in the wild. pysot's own ``LaSOT.json`` stores 1
for *visible* frames despite the name (its ``OPEBenchmark`` evaluates ``gt[absent == 1]``);
files written from the LaSOT toolkit's ``annos/absent`` store 1 for absent frames. With
``absent_flag=None`` the polarity is inferred: when most flags of the whole file are 1 it
is pysot's visible polarity (a target is visible in most frames of every benchmark), and
one warning line says which polarity was assumed. ``absent_flag="visible"`` (1 = visible)
or ``"absent"`` (1 = absent) states it and silences the warning.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path

import numpy as np

from trackbench.data.attributes import family_attributes, family_tags, short_attribute_name
from trackbench.data.common import NamedFrames, make_dataset, rectangles_to_polygons, select_names
from trackbench.errors import TrackbenchError, TrackbenchWarning
from trackbench.sequence import Dataset, Sequence

_RESERVED = {"video_dir", "init_rect", "img_names", "gt_rect", "attr", "width", "height", "absent"}


ABSENT_FLAGS = ("visible", "absent")
"""Values of ``absent_flag``: what a 1 in a JSON ``absent`` list means."""


def read_pysot_json(
    path: str | Path,
    sequences: list[str] | None = None,
    *,
    name: str | None = None,
    family: str | None = None,
    require_images: bool = False,
    absent_flag: str | None = None,
) -> Dataset:
    """Read a pysot dataset JSON. ``family`` (``"otb"``/``"lasot"``) fills the attribute
    flags the JSON does not list with False. ``absent_flag``: the polarity of the
    ``absent`` lists (see the module docstring; ``None`` infers it with a warning)."""
    if absent_flag is not None and absent_flag not in ABSENT_FLAGS:
        raise TrackbenchError(f"unknown absent flag polarity {absent_flag!r} (expected visible or absent)")
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
    _apply_absent_polarity(path, result, absent_flag)
    return make_dataset(name or path.stem, result, path.parent, require_images=require_images)


def _apply_absent_polarity(path: Path, sequences: list[Sequence], absent_flag: str | None) -> None:
    """Turn the raw ``absent`` 0/1 lists (kept in ``Sequence.absent`` as read) into
    True = absent, inferring the polarity when ``absent_flag`` is None (one warning)."""
    flagged = [s for s in sequences if s.absent is not None]
    if not flagged:
        return
    if absent_flag is None:
        ones = sum(int(s.absent.sum()) for s in flagged)
        frames = sum(len(s.absent) for s in flagged)
        absent_flag = "visible" if ones * 2 > frames else "absent"
        meaning = "pysot's visible flags (1 = target visible)" if absent_flag == "visible" else "absence flags (1 = target absent)"
        other = "absent" if absent_flag == "visible" else "visible"
        warnings.warn(
            f"{path}: 'absent' is 1 on {ones} of {frames} frames: read as {meaning}; "
            f"pass --absent-flag {other} if that is wrong",
            TrackbenchWarning,
            stacklevel=3,
        )
    if absent_flag == "visible":
        for s in flagged:
            s.absent = ~s.absent


def _read_entry(path: Path, seq_name: str, entry: object, family: str | None) -> Sequence:
    def fail(message: str) -> TrackbenchError:
        return TrackbenchError(f"sequence {seq_name!r}: {message}", path, _line_of(path, seq_name))

    if not isinstance(entry, dict) or "gt_rect" not in entry:
        raise fail("expected an object with a 'gt_rect' list")
    boxes = _boxes(entry["gt_rect"], fail)
    frames: list[Path] | NamedFrames = []
    names = entry.get("img_names")
    if names:
        if len(names) != len(boxes):
            raise fail(f"{len(names)} img_names but {len(boxes)} gt_rect rows")
        frames = NamedFrames(path.parent, [str(n) for n in names])
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
    try:  # fast path: a rectangular table of plain numbers (ints and floats only)
        table = np.array(rows)
    except ValueError:
        table = None
    if table is not None and table.dtype.kind in "if" and table.ndim == 2 and table.shape[1] in (4, 8):
        boxes = table.astype(np.float64)
        boxes[~np.isfinite(boxes).all(axis=1)] = np.nan
        return boxes
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
    table = np.asarray(values) if isinstance(values, list) else None
    if table is not None and table.ndim == 1 and table.dtype.kind in "iub":
        flags = table.astype(np.int64)  # fast path: plain integers or booleans
    else:
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
