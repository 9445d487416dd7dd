"""NfS reader (Need for Speed, 100 videos at 240 and 30 fps; Galoogahi et al., ICCV 2017).

Official layout (the NfS download, one zip per video)::

    <root>/<seq>/240/<seq>.txt        annotation at 240 fps (VATIC format, below)
    <root>/<seq>/240/<seq>/00001.jpg  5-digit, 1-based image numbers
    <root>/<seq>/30/<seq>.txt         annotation for the 30 fps frames (see below)
    <root>/<seq>/30/<seq>/00001.jpg

Annotation rows are space-separated VATIC lines
``track_id xmin ymin xmax ymax frame lost occluded generated "label"``: the box is converted to
``[x, y, w, h]`` with ``w = xmax - xmin`` (as got10k's ``NfS`` reader does), ``occluded`` and
``lost`` become the per-frame tags ``occlusion`` and ``lost`` and the sequence attribute
``OCC`` (any occluded frame, pytracking's per-sequence ``occlusion`` flag).

30 fps: the 30 fps images are every 8th 240 fps frame. Several ``30/<seq>.txt`` files hold the
240 fps rows; such a file (as many rows as the 240 fps one, or about 8 per 30 fps image) is
sampled at rows 0, 8, 16, ... (got10k's rule; pysot's ``NFS30.json`` and pytracking's
``anno/nfs_<seq>.txt`` hold the same samples). When the images are there and the count still
differs by one, both are cut to the shorter (got10k). Result files are matched by ``<seq>.txt``
and pytracking's ``nfs_<seq>.txt``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trackbench.data.common import build_sequence, list_images, make_dataset, numbered_frames, require_folder, select_names
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset

NFS_FPS = (30, 240)
SAMPLING = 8
"""240 fps annotation rows per 30 fps frame."""


def read_nfs(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    fps: int = 30,
    name: str = "nfs",
    require_images: bool = False,
) -> Dataset:
    """Read NfS at ``fps`` (30 or 240) from ``root`` (see the module docstring)."""
    if fps not in NFS_FPS:
        raise TrackbenchError(f"unknown NfS frame rate {fps!r} (known: 30, 240)")
    root = require_folder(Path(root), "NfS dataset")
    found = sorted(p.parent.parent.name for p in root.glob("*/240/*.txt") if p.stem == p.parent.parent.name)
    if not found:
        raise TrackbenchError("no NfS sequences found (expected <seq>/240/<seq>.txt)", root)
    result = []
    for seq_name in select_names(found, sequences, root):
        folder = root / seq_name
        annotation = folder / "240" / f"{seq_name}.txt"
        rows = read_vatic(annotation)
        if fps == 30:
            annotation, rows = _rows_at_30fps(folder, seq_name, rows)
        images = folder / str(fps) / seq_name
        count = len(list_images(images))
        if count and abs(count - len(rows)) == 1:
            rows = rows[: min(count, len(rows))]
        boxes, lost, occluded = rows[:, :4], rows[:, 5] != 0, rows[:, 6] != 0
        frames = numbered_frames(images, 1, len(boxes), 5, ".jpg")
        result.append(build_sequence(
            seq_name, boxes, frames, annotation, tags={"occlusion": occluded, "lost": lost},
            attributes={"OCC": bool(occluded.any())}, aliases=(f"nfs_{seq_name}",), meta={"fps": str(fps)},
        ))
    return make_dataset(name, result, root, require_images=require_images)


def read_vatic(path: Path) -> np.ndarray:
    """Rows ``[x, y, w, h, frame, lost, occluded, generated]`` of a VATIC annotation file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TrackbenchError("file not found (NfS annotation expected here)", path) from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(None, 9)
        try:
            _, xmin, ymin, xmax, ymax, frame, lost, occluded, generated = (float(f) for f in fields[:9])
        except ValueError:
            raise TrackbenchError("expected 'track_id xmin ymin xmax ymax frame lost occluded generated label'",
                                  path, number) from None
        rows.append([xmin, ymin, xmax - xmin, ymax - ymin, frame, lost, occluded, generated])
    if not rows:
        raise TrackbenchError("file is empty (NfS annotation expected)", path)
    return np.asarray(rows, dtype=np.float64)


def _rows_at_30fps(folder: Path, seq_name: str, rows_240: np.ndarray) -> tuple[Path, np.ndarray]:
    """The 30 fps rows: ``30/<seq>.txt`` as is, or sampled when it holds 240 fps rows."""
    annotation = folder / "30" / f"{seq_name}.txt"
    rows = read_vatic(annotation) if annotation.is_file() else rows_240
    if not annotation.is_file():
        annotation = folder / "240" / f"{seq_name}.txt"
    images = len(list_images(folder / "30" / seq_name))
    holds_240 = len(rows) == len(rows_240) or (images and abs(len(rows) / images - SAMPLING) < 1)
    return annotation, (rows[::SAMPLING] if holds_240 else rows)
