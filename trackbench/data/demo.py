"""The embedded ``demo`` suite: deterministic synthetic sequences in OTB layout.

``ensure_demo(root)`` writes, on first use, one folder per sequence::

    <root>/<Seq>/img/0001.jpg ...        RGB frames, JPEG quality 90
    <root>/<Seq>/groundtruth_rect.txt    one "x,y,w,h" line per frame (integers)
    <root>/<Seq>/attrs.txt               the 11 OTB attribute flags, one line "0,1,...",
                                         order IV, OPR, SV, OCC, DEF, MB, FM, IPR, OV, BC, LR
    <root>/.trackbench-demo              version marker (a newer generator regenerates)

Boxes are ``[x, y, w, h]`` in 0-based pixel coordinates (see
:mod:`trackbench.data.synthetic`). The set is generated into a temporary sibling folder
and renamed into place, so an interrupted generation never leaves a partial ``root``.
Every sequence has its own fixed seed, so the bytes are identical on every run.

``write_vot_fixture(root, ...)`` writes synthetic sequences in the VOT layout
(``list.txt``, ``<seq>/groundtruth.txt`` with 8-number polygons, ``color/%08d.jpg``,
per-frame ``*.tag`` files, ``sequence`` metadata): a small VOT dataset for tests and
for trying the supervised protocol without a download.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trackbench.data.synthetic import RenderedSequence, SyntheticSequenceSpec, render
from trackbench.errors import TrackbenchError
from trackbench.imageio import encode_jpeg
from trackbench.textio import format_rows

DEMO_VERSION = "1"
MARKER = ".trackbench-demo"
JPEG_QUALITY = 90
OTB_ATTRIBUTES = ("IV", "OPR", "SV", "OCC", "DEF", "MB", "FM", "IPR", "OV", "BC", "LR")
VOT_TAGS = ("camera_motion", "illum_change", "motion_change", "occlusion", "size_change")


@dataclass(frozen=True)
class DemoSequence:
    """One demo sequence: its name, the seed of its generator, and what to render."""

    name: str
    seed: int
    spec: SyntheticSequenceSpec


def _demo(name: str, seed: int, **spec) -> DemoSequence:
    return DemoSequence(name, seed, SyntheticSequenceSpec(**spec))


DEMO_SEQUENCES: tuple[DemoSequence, ...] = (
    _demo("DemoCar", 101, length=120, target_size=(56, 30), speed=0.8, camera_motion=24, scale_change=1.4),
    _demo("DemoOcclusion", 102, length=100, target_size=(40, 48), speed=0.5, occluder=True),
    _demo("DemoDistractor", 103, length=110, target_size=(36, 36), speed=0.7, distractor=True),
    _demo("DemoIllumination", 104, length=90, target_size=(44, 40), speed=0.6, illumination=0.65),
    _demo("DemoScale", 105, length=100, target_size=(30, 26), speed=0.5, scale_change=2.6),
    _demo("DemoFastMotion", 106, length=70, target_size=(34, 30), speed=2.5, motion_amplitude=0.9),
    _demo("DemoRotation", 107, length=80, target_size=(50, 28), speed=0.6, rotation=40),
    _demo("DemoSmall", 108, length=150, target_size=(16, 14), speed=0.6, distractor=True, camera_motion=12),
)


def ensure_demo(root: str | Path) -> Path:
    """Generate the demo sequences into ``root`` unless the current version is there.

    Returns ``root``. An existing ``root`` written by an older generator is replaced; a
    non-empty ``root`` without the marker file is refused (it is not ours to delete).
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise TrackbenchError("not a folder (the demo sequences are generated into a folder)", root)
    if _current(root):
        return root
    if root.exists() and not (root / MARKER).is_file() and any(root.iterdir()):
        raise TrackbenchError(
            "folder exists but was not written by the demo generator (no marker file); "
            "remove it or choose another --root",
            root,
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(root)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.tmp-", dir=root.parent))
    try:
        for demo in DEMO_SEQUENCES:
            rendered = render(np.random.default_rng(demo.seed), demo.spec)
            write_otb_sequence(staging / demo.name, rendered)
        (staging / MARKER).write_text(f"{DEMO_VERSION}\n", encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp creates 0700; the demo is ordinary data
        _swap_into_place(staging, root)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return root


def _current(root: Path) -> bool:
    marker = root / MARKER
    if not marker.is_file() or marker.read_text(encoding="utf-8").strip() != DEMO_VERSION:
        return False
    return all((root / d.name / "groundtruth_rect.txt").is_file() for d in DEMO_SEQUENCES)


def _remove_stale_staging(root: Path, age_seconds: float = 3600.0) -> None:
    """Delete staging folders of generations killed more than an hour ago."""
    now = time.time()
    for pattern in (f".{root.name}.tmp-*", f".{root.name}.old-*"):
        for folder in root.parent.glob(pattern):
            try:
                if now - folder.stat().st_mtime > age_seconds:
                    shutil.rmtree(folder, ignore_errors=True)
            except FileNotFoundError:
                pass


def _swap_into_place(staging: Path, root: Path) -> None:
    """Rename ``staging`` to ``root``, moving an old ``root`` aside first. If another
    process finished first (``root`` is current), keep theirs (the caller deletes ours)."""
    if _current(root):
        return
    old = None
    if root.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
        os.rmdir(old)
        os.rename(root, old)
    try:
        os.rename(staging, root)
    except OSError:
        if not _current(root):
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_otb_sequence(folder: Path, rendered: RenderedSequence) -> None:
    """Write one rendered sequence in OTB layout (``img/0001.jpg``, ``groundtruth_rect.txt``,
    ``attrs.txt``). Not atomic by itself: callers write into a staging folder."""
    (folder / "img").mkdir(parents=True, exist_ok=True)
    for index, frame in enumerate(rendered.frames, start=1):
        (folder / "img" / f"{index:04d}.jpg").write_bytes(encode_jpeg(frame, JPEG_QUALITY))
    (folder / "groundtruth_rect.txt").write_text(format_rows(rendered.boxes, "%d"), encoding="utf-8")
    flags = otb_attributes(rendered)
    (folder / "attrs.txt").write_text(",".join(str(int(flags[a])) for a in OTB_ATTRIBUTES) + "\n", encoding="utf-8")


def otb_attributes(rendered: RenderedSequence) -> dict[str, bool]:
    """The 11 OTB attributes of a rendered sequence, by the OTB definitions where they
    are measurable (SV: box size ratio to frame 1 outside [1/2, 2]; FM: centre motion
    > 20 px in a frame; LR: box area < 400 px; OCC: up to 10 % hidden) and by
    construction otherwise (IV: illumination dip >= 30 %; IPR: rotation >= 10 degrees;
    BC: a look-alike distractor). OPR, DEF, MB and OV never occur."""
    spec = rendered.spec
    boxes = rendered.boxes
    ratio = np.sqrt(boxes[:, 2] * boxes[:, 3] / (boxes[0, 2] * boxes[0, 3]))
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    motion = np.linalg.norm(np.diff(centres, axis=0), axis=1)
    return {
        "IV": spec.illumination >= 0.3,
        "OPR": False,
        "SV": bool(np.any((ratio < 0.5) | (ratio > 2.0))),
        "OCC": bool(np.any(rendered.visibility < 0.9)),
        "DEF": False,
        "MB": False,
        "FM": bool(np.any(motion > 20)),
        "IPR": spec.rotation >= 10,
        "OV": False,
        "BC": spec.distractor,
        "LR": bool(np.any(boxes[:, 2] * boxes[:, 3] < 400)),
    }


def vot_tags(rendered: RenderedSequence) -> dict[str, np.ndarray]:
    """Per-frame VOT tags (0/1) of a rendered sequence: occlusion (> 10 % hidden),
    illum_change (gain moved > 1 % since the previous frame), size_change (scale moved
    > 1 %), motion_change (centre acceleration > 1.5 px/frame^2), camera_motion (set on
    every frame when the camera pans)."""
    n = len(rendered.boxes)
    centres = rendered.polygons.reshape(n, 4, 2).mean(axis=1)
    acceleration = np.zeros(n)
    if n > 2:
        acceleration[1:-1] = np.linalg.norm(centres[2:] - 2 * centres[1:-1] + centres[:-2], axis=1)
    change = lambda values: np.concatenate([[0.0], np.abs(np.diff(values))])  # noqa: E731
    return {
        "camera_motion": np.full(n, rendered.spec.camera_motion > 0, dtype=np.int64),
        "illum_change": (change(rendered.gain) > 0.01).astype(np.int64),
        "motion_change": (acceleration > 1.5).astype(np.int64),
        "occlusion": (rendered.visibility < 0.9).astype(np.int64),
        "size_change": (change(rendered.scale) > 0.01).astype(np.int64),
    }


def write_vot_fixture(
    root: str | Path,
    sequences: dict[str, SyntheticSequenceSpec] | None = None,
    seed: int = 0,
) -> Path:
    """Write synthetic sequences in the VOT layout under ``root`` and return it.

    ``sequences`` maps names to specs (default: two short sequences, one rotating).
    Layout: ``list.txt``; per sequence ``groundtruth.txt`` (8-number polygons ``%.2f``),
    ``color/00000001.jpg`` ..., the five ``*.tag`` files and a ``sequence`` metadata file.
    Sequence ``k`` (0-based, in ``sequences`` order) uses seed ``seed + k``.
    """
    root = Path(root)
    if sequences is None:
        sequences = {
            "synth-rot": SyntheticSequenceSpec(
                length=40, size=(160, 120), target_size=(30, 18), rotation=30, occluder=True
            ),
            "synth-fast": SyntheticSequenceSpec(
                length=30, size=(160, 120), target_size=(20, 20), speed=2.0, illumination=0.4
            ),
        }
    root.mkdir(parents=True, exist_ok=True)
    for k, (name, spec) in enumerate(sequences.items()):
        rendered = render(np.random.default_rng(seed + k), spec)
        folder = root / name
        (folder / "color").mkdir(parents=True, exist_ok=True)
        for index, frame in enumerate(rendered.frames, start=1):
            (folder / "color" / f"{index:08d}.jpg").write_bytes(encode_jpeg(frame, JPEG_QUALITY))
        (folder / "groundtruth.txt").write_text(format_rows(rendered.polygons, "%.2f"), encoding="utf-8")
        for tag, flags in vot_tags(rendered).items():
            (folder / f"{tag}.tag").write_text("".join(f"{v}\n" for v in flags), encoding="utf-8")
        width, height = spec.size
        (folder / "sequence").write_text(
            f"name={name}\nfps=30\nformat=default\nchannels.color=color/%08d.jpg\nwidth={width}\nheight={height}\n",
            encoding="utf-8",
        )
    (root / "list.txt").write_text("".join(f"{name}\n" for name in sequences), encoding="utf-8")
    return root
