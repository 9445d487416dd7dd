"""Small datasets written in the benchmarks' exact download layouts (file names, delimiters,
extra columns and the quirks the peers' readers handle), with tiny real JPEG/PNG frames.

Ground truth is a fixed box ``INIT`` on every frame, except where a layout needs frames to
differ (NfS 240 fps rows between the 30 fps samples, LaSOT-ext absent frames): so the
``identity`` tracker (it repeats the initial box) gets scores that are easy to compute by hand.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

INIT = (12.0, 8.0, 20.0, 16.0)
"""x, y, w, h of the target in every fixture (images are 64 x 48)."""


def _image(path: Path, value: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((48, 64, 3), value % 250, dtype=np.uint8))


def _box_text(delimiter: str = ",") -> str:
    return delimiter.join(f"{v:g}" for v in INIT)


# -- NfS ---------------------------------------------------------------------------------------
NFS_SEQUENCES = {"Gymnastics": 48, "airboard_1": 33, "bee": 33}
"""Sequence -> rows at 240 fps."""
NFS_SHIFT = 3.0
"""240 fps row i has its box moved right by ``(i % 8) * NFS_SHIFT`` px: only rows 0, 8, 16, ...
(the 30 fps samples) hold ``INIT``."""


def vatic_line(frame: int, x: float, y: float, w: float, h: float, *, occluded: int = 0, lost: int = 0) -> str:
    """``track_id xmin ymin xmax ymax frame lost occluded generated "label"`` (space-separated)."""
    return f'1 {x:g} {y:g} {x + w:g} {y + h:g} {frame} {lost} {occluded} 0 "person"'


def make_nfs(root: Path) -> Path:
    """``<seq>/240/<seq>.txt`` + ``<seq>/240/<seq>/00001.jpg``; ``<seq>/30/<seq>.txt`` +
    ``<seq>/30/<seq>/00001.jpg``. Quirks: Gymnastics' 30 fps file holds the 240 fps rows (as in
    the download); airboard_1's holds real 30 fps rows; bee's 30 fps file holds the 240 fps rows
    and its folder has one image fewer than the 5 samples (got10k cuts both to the shorter)."""
    x, y, w, h = INIT
    for seq, n240 in NFS_SEQUENCES.items():
        rows240 = [vatic_line(i, x + (i % 8) * NFS_SHIFT, y, w, h, occluded=int(i in (8, 9))) for i in range(n240)]
        folder = root / seq
        (folder / "240").mkdir(parents=True)
        (folder / "240" / f"{seq}.txt").write_text("\n".join(rows240) + "\n")
        for i in range(n240):
            _image(folder / "240" / seq / f"{i + 1:05d}.jpg", i)
        n30 = math.ceil(n240 / 8)
        if seq == "airboard_1":
            rows30 = [vatic_line(i, x, y, w, h, occluded=int(i == 1)) for i in range(n30)]
        else:
            rows30 = rows240
        (folder / "30").mkdir(parents=True)
        (folder / "30" / f"{seq}.txt").write_text("\n".join(rows30) + "\n")
        images30 = n30 - 1 if seq == "bee" else n30
        for i in range(images30):
            _image(folder / "30" / seq / f"{i + 1:05d}.jpg", 8 * i)
    return root


# -- TC128 -------------------------------------------------------------------------------------
TC128_SEQUENCES = {"Skating2": (1, 12), "Pool_ce3": (1, 10), "Busstation_ce2": (6, 17), "Jogging1": (1, 9)}
"""Sequence -> (first, last) image of ``<seq>_frames.txt``. Skating2 and Jogging1 are also OTB
sequences (left out of TPL-noOTB); Busstation_ce2 starts at image 6 as in the download."""


def make_tc128(root: Path, *, tab_delimited: str | None = None) -> Path:
    """``<seq>/img/0001.jpg`` .. + ``<seq>/<seq>_gt.txt`` (comma) + ``<seq>/<seq>_frames.txt``
    (``start,end``). Images exist for the whole video (from 0001), the ground truth only for
    ``start..end``. ``tab_delimited``: one sequence whose ``_gt.txt`` uses tabs."""
    for seq, (start, end) in TC128_SEQUENCES.items():
        folder = root / seq
        for number in range(1, end + 1):
            _image(folder / "img" / f"{number:04d}.jpg", number)
        delimiter = "\t" if seq == tab_delimited else ","
        (folder / f"{seq}_gt.txt").write_text("".join(_box_text(delimiter) + "\n" for _ in range(start, end + 1)))
        (folder / f"{seq}_frames.txt").write_text(f"{start},{end}\n")
    return root


# -- LaSOT-ext ---------------------------------------------------------------------------------
LASOT_EXT_SEQUENCES = {"atv-1": 14, "wingsuit-10": 11}
"""Sequence -> frames. atv-1 has frames 4-5 fully occluded and 9 out of view."""
LASOT_EXT_ABSENT = {"atv-1": (3, 4, 8), "wingsuit-10": ()}
"""0-based absent frames."""


def make_lasot_ext(root: Path) -> Path:
    """``<class>/<class>-<k>/img/00000001.jpg``, ``groundtruth.txt`` (comma), ``full_occlusion.txt``
    and ``out_of_view.txt`` (one comma-separated line of 0/1), ``nlp.txt``. Absent frames carry
    the box ``0,0,0,0`` as LaSOT's files do."""
    for seq, count in LASOT_EXT_SEQUENCES.items():
        folder = root / seq.rsplit("-", 1)[0] / seq
        absent = LASOT_EXT_ABSENT[seq]
        rows = ["0,0,0,0" if i in absent else _box_text() for i in range(count)]
        folder.mkdir(parents=True)
        (folder / "groundtruth.txt").write_text("\n".join(rows) + "\n")
        occlusion = [int(i in absent and i != 8) for i in range(count)]
        out_of_view = [int(i == 8 and i in absent) for i in range(count)]
        (folder / "full_occlusion.txt").write_text(",".join(map(str, occlusion)) + "\n")
        (folder / "out_of_view.txt").write_text(",".join(map(str, out_of_view)) + "\n")
        (folder / "nlp.txt").write_text(f"the {seq.split('-')[0]} in the middle\n")
        for i in range(count):
            _image(folder / "img" / f"{i + 1:08d}.jpg", 10 * i)
    return root


# -- TNL2K -------------------------------------------------------------------------------------
TNL2K_SEQUENCES = {"Arrow_Video_ZZ04_done": (12, "{:05d}.png"), "INF_woman46": (11, "{}.jpg")}
"""Sequence -> (frames, image name pattern): zero-padded PNGs, and unpadded JPEGs (1.jpg ..
11.jpg, whose plain name order would put 10.jpg before 2.jpg)."""


def make_tnl2k(root: Path) -> Path:
    """``<seq>/imgs/<frames>``, ``<seq>/groundtruth.txt`` (comma), ``<seq>/language.txt``."""
    for seq, (count, pattern) in TNL2K_SEQUENCES.items():
        folder = root / seq
        folder.mkdir(parents=True)
        (folder / "groundtruth.txt").write_text("".join(_box_text() + "\n" for _ in range(count)))
        (folder / "language.txt").write_text(f"the target {seq.lower()} moving \n\n")
        for i in range(count):
            _image(folder / "imgs" / pattern.format(i + 1), 9 * i)
    return root


# -- TrackingNet -------------------------------------------------------------------------------
TRACKINGNET_TEST = {"-3TIfnTSM6c_2": 13, "Ab_x9kQQ0w8_0": 11}
TRACKINGNET_TRAIN = {"__1L5VaXZBw_0": 10, "zzB3kpQ-w2o_1": 12}
"""Sequence -> frames (YouTube ids with a target suffix, as TrackingNet names them)."""


def make_trackingnet(root: Path) -> Path:
    """``TEST/anno/<seq>.txt`` (the first box only) + ``TEST/frames/<seq>/0.jpg`` ..;
    ``TRAIN_0/anno/<seq>.txt`` (every frame) + ``TRAIN_0/frames/<seq>/0.jpg`` .."""
    for chunk, sequences, full in (("TEST", TRACKINGNET_TEST, False), ("TRAIN_0", TRACKINGNET_TRAIN, True)):
        (root / chunk / "anno").mkdir(parents=True)
        for seq, count in sequences.items():
            rows = count if full else 1
            (root / chunk / "anno" / f"{seq}.txt").write_text("".join(_box_text() + "\n" for _ in range(rows)))
            for i in range(count):
                _image(root / chunk / "frames" / seq / f"{i}.jpg", 7 * i)
    return root
