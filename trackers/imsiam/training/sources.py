"""Training-data readers: every source becomes a list of :class:`Track` records.

A track is one target followed over frames (a COCO annotation is a one-frame track).
Boxes are ``[x, y, w, h]`` in image pixels (the harness convention); ``valid`` marks the
frames a pair may use (the per-dataset validity filters of spec section 6).

Readers (original layouts):

* :func:`read_coco` - COCO 2017 ``annotations/instances_<split>.json`` + ``<split>/`` images;
  non-crowd annotations with ``w > 4`` and ``h > 4``.
* :func:`read_vid` - ImageNet VID 2015 ``Annotations/VID/<split>/**/<video>/<frame>.xml`` +
  ``Data/VID/<split>/.../<frame>.JPEG``; one track per ``trackid``; valid where annotated
  and ``occluded == 0``.
* :func:`read_got10k_train` - GOT-10k ``train/GOT-10k_Train_xxxxxx/`` (``groundtruth.txt``,
  ``absence.label``); valid where present and ``min(w, h) > 10``.
* :func:`read_lasot_train` - LaSOT ``<class>/<class>-<k>/`` (``groundtruth.txt``,
  ``full_occlusion.txt``, ``out_of_view.txt``, ``img/``), the 1120-video training split
  shipped as ``lasot_train_split.txt``; valid where visible and ``min(w, h) > 4``.
* :func:`tracks_from_dataset` - any harness :class:`~trackbench.sequence.Dataset`.
* :func:`synthetic_tracks` - in-memory sequences of the demo generator
  (:mod:`trackbench.data.synthetic`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_bbox
from trackbench.imageio import decode_jpeg, encode_jpeg, read_rgb
from trackbench.sequence import Dataset
from trackbench.textio import read_flags, read_table

LASOT_TRAIN_SPLIT = Path(__file__).resolve().parent / "lasot_train_split.txt"


@dataclass
class Track:
    """One target over ``N`` frames: ``frames`` (paths) or ``images`` (RGB uint8 arrays),
    ``boxes`` (N,4) ``[x, y, w, h]`` and ``valid`` (N,) bool."""

    name: str
    boxes: np.ndarray
    valid: np.ndarray
    frames: list[Path] = field(default_factory=list)
    images: list[np.ndarray | bytes] | None = None  # in-memory frames: arrays or encoded bytes

    def __post_init__(self) -> None:
        self.boxes = np.asarray(self.boxes, dtype=np.float64).reshape(-1, 4)
        self.valid = np.asarray(self.valid, dtype=bool).reshape(-1)
        count = len(self.images) if self.images is not None else len(self.frames)
        if count != len(self.boxes) or len(self.valid) != len(self.boxes):
            raise TrackbenchError(f"track {self.name!r}: {count} images, {len(self.boxes)} boxes, {len(self.valid)} flags")

    def __len__(self) -> int:
        return len(self.boxes)

    def image(self, index: int) -> np.ndarray:
        """Frame ``index`` (0-based) as RGB uint8 ``(H, W, 3)``."""
        if self.images is not None:
            image = self.images[index]
            return decode_jpeg(image) if isinstance(image, bytes) else image
        return read_rgb(self.frames[index])

    def valid_indices(self) -> np.ndarray:
        return np.flatnonzero(self.valid)


def _finite_positive(boxes: np.ndarray) -> np.ndarray:
    return np.isfinite(boxes).all(axis=1) & (boxes[:, 2] > 0) & (boxes[:, 3] > 0)


def keep_usable(tracks: list[Track]) -> list[Track]:
    """Tracks with at least one valid frame."""
    return [t for t in tracks if t.valid.any()]


# --------------------------------------------------------------------------- COCO


def read_coco(root: str | Path, split: str = "train2017", min_size: float = 4.0) -> list[Track]:
    """COCO instances: one single-frame track per non-crowd annotation with w, h > ``min_size``."""
    root = Path(root)
    path = root / "annotations" / f"instances_{split}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrackbenchError("COCO annotation file not found", path) from None
    except json.JSONDecodeError as exc:
        raise TrackbenchError(f"invalid JSON ({exc.msg})", path, exc.lineno) from None
    try:
        files = {int(img["id"]): img["file_name"] for img in data["images"]}
        tracks = []
        for ann in data["annotations"]:
            if ann.get("iscrowd", 0):
                continue
            x, y, w, h = (float(v) for v in ann["bbox"])
            if not (w > min_size and h > min_size):
                continue
            image_path = root / split / files[int(ann["image_id"])]
            tracks.append(Track(f"coco-{ann['id']}", [[x, y, w, h]], [True], frames=[image_path]))
    except (KeyError, TypeError, ValueError) as exc:
        raise TrackbenchError(f"not a COCO instances file (missing or bad field {exc})", path) from None
    if not tracks:
        raise TrackbenchError("no usable COCO annotation", path)
    return tracks


# --------------------------------------------------------------------------- ImageNet VID


def _xml_objects(path: Path) -> list[tuple[int, list[float], bool]]:
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        raise TrackbenchError(f"invalid XML ({exc})", path, exc.position[0]) from None
    out = []
    for obj in tree.getroot().iter("object"):
        try:
            track_id = int(obj.findtext("trackid"))
            bb = obj.find("bndbox")
            x1, x2 = float(bb.findtext("xmin")), float(bb.findtext("xmax"))
            y1, y2 = float(bb.findtext("ymin")), float(bb.findtext("ymax"))
            occluded = int(obj.findtext("occluded") or 0)
        except (TypeError, ValueError, AttributeError):
            raise TrackbenchError("object without a valid trackid / bndbox / occluded", path) from None
        out.append((track_id, [x1, y1, x2 - x1, y2 - y1], occluded == 0))
    return out


def read_vid(root: str | Path, split: str = "train") -> list[Track]:
    """ImageNet VID 2015: one track per (video, trackid); frames without the object are invalid."""
    root = Path(root)
    ann_root = root / "Annotations" / "VID" / split
    if not ann_root.is_dir():
        raise TrackbenchError("ImageNet VID annotation folder not found", ann_root)
    videos = sorted({p.parent for p in ann_root.rglob("*.xml")})
    tracks: list[Track] = []
    for video in videos:
        xml_files = sorted(video.glob("*.xml"))
        rel = video.relative_to(ann_root)
        frames = [root / "Data" / "VID" / split / rel / (p.stem + ".JPEG") for p in xml_files]
        per_track: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for index, xml_path in enumerate(xml_files):
            for track_id, box, ok in _xml_objects(xml_path):
                if track_id not in per_track:
                    per_track[track_id] = (np.full((len(xml_files), 4), np.nan), np.zeros(len(xml_files), dtype=bool))
                boxes, valid = per_track[track_id]
                boxes[index] = box
                valid[index] = ok and box[2] > 0 and box[3] > 0
        for track_id, (boxes, valid) in sorted(per_track.items()):
            tracks.append(Track(f"{rel.as_posix()}/{track_id}", boxes, valid, frames=list(frames)))
    if not tracks:
        raise TrackbenchError("no ImageNet VID annotation found", ann_root)
    return keep_usable(tracks)


# --------------------------------------------------------------------------- GOT-10k


def read_got10k_train(root: str | Path, min_size: float = 10.0) -> list[Track]:
    """GOT-10k training set; ``root`` is the folder holding ``GOT-10k_Train_*`` (or its parent)."""
    root = Path(root)
    if (root / "train").is_dir():
        root = root / "train"
    if not root.is_dir():
        raise TrackbenchError("GOT-10k train folder not found", root)
    list_file = root / "list.txt"
    if list_file.is_file():
        names = [n.strip() for n in list_file.read_text(encoding="utf-8").splitlines() if n.strip()]
    else:
        names = sorted(p.name for p in root.iterdir() if (p / "groundtruth.txt").is_file())
    if not names:
        raise TrackbenchError("no GOT-10k sequence (folders with groundtruth.txt) found", root)
    tracks = []
    for name in names:
        folder = root / name
        boxes = read_table(folder / "groundtruth.txt", 4, allow_nan=True, what="x,y,w,h boxes")
        absent = np.zeros(len(boxes), dtype=bool)
        if (folder / "absence.label").is_file():
            absent = read_flags(folder / "absence.label", len(boxes)).astype(bool)
        valid = ~absent & _finite_positive(boxes) & (np.minimum(boxes[:, 2], boxes[:, 3]) > min_size)
        frames = [folder / f"{i:08d}.jpg" for i in range(1, len(boxes) + 1)]
        tracks.append(Track(name, boxes, valid, frames=frames))
    return keep_usable(tracks)


# --------------------------------------------------------------------------- LaSOT


def lasot_train_names() -> list[str]:
    """The 1120 sequence names of LaSOT's training split (protocol II)."""
    lines = LASOT_TRAIN_SPLIT.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def read_lasot_train(root: str | Path, names: list[str] | None = None, min_size: float = 4.0) -> list[Track]:
    """LaSOT training sequences present under ``root`` (``<class>/<class>-<k>/``).

    ``names`` defaults to the 1120-video training split; listed sequences missing on disk
    are skipped (LaSOT is distributed per class), but at least one must exist."""
    root = Path(root)
    if not root.is_dir():
        raise TrackbenchError("LaSOT folder not found", root)
    tracks = []
    for name in names if names is not None else lasot_train_names():
        folder = root / name.rsplit("-", 1)[0] / name
        if not (folder / "groundtruth.txt").is_file():
            continue
        boxes = read_table(folder / "groundtruth.txt", 4, what="x,y,w,h boxes")
        occluded = read_flags(folder / "full_occlusion.txt", len(boxes)).astype(bool)
        out_of_view = read_flags(folder / "out_of_view.txt", len(boxes)).astype(bool)
        valid = ~occluded & ~out_of_view & _finite_positive(boxes) & (np.minimum(boxes[:, 2], boxes[:, 3]) > min_size)
        frames = [folder / "img" / f"{i:08d}.jpg" for i in range(1, len(boxes) + 1)]
        tracks.append(Track(name, boxes, valid, frames=frames))
    if not tracks:
        raise TrackbenchError("no LaSOT training sequence (<class>/<class>-<k>/groundtruth.txt) found", root)
    return keep_usable(tracks)


# --------------------------------------------------------------------------- harness datasets


def tracks_from_dataset(dataset: Dataset, min_size: float = 0.0) -> list[Track]:
    """Any harness dataset (suite reader output): polygons become their bounding boxes;
    frames with NaN / empty boxes or flagged absent are invalid."""
    tracks = []
    for seq in dataset:
        boxes = polygon_to_bbox(seq.ground_truth) if seq.is_polygon else seq.ground_truth
        valid = _finite_positive(boxes) & (np.minimum(boxes[:, 2], boxes[:, 3]) > min_size)
        if seq.absent is not None:
            valid &= ~np.asarray(seq.absent, dtype=bool)
        if not seq.frames:
            raise TrackbenchError(f"sequence {seq.name!r} has no image files to train on", seq.annotation_path)
        tracks.append(Track(seq.name, boxes, valid, frames=list(seq.frames)))
    return keep_usable(tracks)


# --------------------------------------------------------------------------- generated data


def synthetic_tracks(
    count: int,
    seed: int,
    *,
    length: int = 100,
    difficulty: float = 0.5,
    jpeg_quality: int = 90,
    aspect: tuple[float, float] | None = None,
    figures: tuple[str, ...] | None = None,
    render: Callable[[np.random.Generator], tuple[list[np.ndarray], np.ndarray]] | None = None,
) -> list[Track]:
    """``count`` generated sequences held in memory; sequence ``i`` is drawn from
    ``numpy.random.default_rng([seed, i])``.

    ``render(rng) -> (frames RGB uint8, boxes (N,4) x,y,w,h)`` defaults to the demo
    generator's :func:`trackbench.data.synthetic.render_sequence` with ``length`` and
    ``difficulty`` (and the target ``aspect`` range, height / width, and the target ``figures``). Frames are kept JPEG-encoded at ``jpeg_quality`` (as the demo suite
    stores them; 0 keeps raw arrays), so thousands of frames fit in memory. The demo suite
    uses integer seeds ``default_rng(101..108)``, a different seed sequence from any
    ``[seed, i]`` pair, so its sequences are never generated here."""
    if render is None:
        from trackbench.data.synthetic import render_sequence

        def render(rng: np.random.Generator) -> tuple[list[np.ndarray], np.ndarray]:
            return render_sequence(rng, length=length, difficulty=difficulty, aspect=aspect, figures=figures)

    tracks = []
    for i in range(count):
        frames, boxes = render(np.random.default_rng([seed, i]))
        boxes = np.asarray(boxes, dtype=np.float64)
        images: list = list(frames)
        if jpeg_quality:
            images = [encode_jpeg(frame, jpeg_quality) for frame in frames]
        tracks.append(Track(f"synthetic-{seed}-{i}", boxes, _finite_positive(boxes), images=images))
    return keep_usable(tracks)
