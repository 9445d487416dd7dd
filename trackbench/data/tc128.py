"""TC128 reader (Temple-Color 128; Liang, Blasch and Ling, TIP 2015) and its TPL-noOTB subset.

Official layout (``Temple-color-128.zip``)::

    <root>/<seq>/img/0001.jpg        4-digit image numbers
    <root>/<seq>/<seq>_gt.txt        x,y,w,h per evaluated frame (comma-separated; some
                                     files use tabs or spaces, which pytracking also accepts)
    <root>/<seq>/<seq>_frames.txt    "start,end": the 1-based images the ground truth covers

``<seq>_gt.txt`` row ``i`` belongs to image ``start + i`` (David 300-770, Busstation_ce2 6-400,
Hurdle_ce2 27-330); a row count other than ``end - start + 1`` is an error (got10k's
``TColor128`` asserts the same). pytracking's copy names the folders ``tpl_<seq>``: read as
``<seq>``. The download holds 129 sequences (pytracking's ``TPLDataset`` lists the same 129).
``split="nootb"`` leaves out the 44 sequences that are also OTB sequences
(``tc128_otb_overlap.txt``, pytracking's ``exclude_otb``), 85 remain. Result files are
matched by ``<seq>.txt`` and pytracking's ``tpl_<seq>.txt``.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.common import build_sequence, make_dataset, numbered_frames, package_name_list, require_folder, select_names
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset, normalize_name
from trackbench.textio import read_table

TC128_SPLITS = ("all", "nootb")
_PYTRACKING_PREFIX = "tpl_"


def tc128_otb_overlap() -> list[str]:
    """The 44 TC128 sequences that OTB also has (left out by TPL-noOTB)."""
    return package_name_list("tc128_otb_overlap.txt")


def read_tc128(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    split: str = "all",
    name: str = "tc128",
    require_images: bool = False,
) -> Dataset:
    """Read TC128 (``split="all"``) or TPL-noOTB (``split="nootb"``) from ``root``."""
    if split not in TC128_SPLITS:
        raise TrackbenchError(f"unknown TC128 split {split!r} (known: {', '.join(TC128_SPLITS)})")
    root = require_folder(Path(root), "TC128 dataset")
    found = {_sequence_name(p.parent.name): p for p in root.glob("*/*_gt.txt")}
    if not found:
        raise TrackbenchError("no TC128 sequences found (expected <seq>/<seq>_gt.txt)", root)
    names = sorted(found, key=str.lower)
    if split == "nootb":
        overlap = {normalize_name(n) for n in tc128_otb_overlap()}
        names = [n for n in names if normalize_name(n) not in overlap]
    result = []
    for seq_name in select_names(names, sequences, root):
        annotation = found[seq_name]
        boxes = read_table(annotation, 4, what="ground-truth boxes x,y,w,h")
        start, end = _frame_range(annotation.parent, seq_name, len(boxes))
        if end - start + 1 != len(boxes):
            raise TrackbenchError(f"{len(boxes)} ground-truth rows but {seq_name}_frames.txt says images {start}-{end}",
                                  annotation)
        frames = numbered_frames(annotation.parent / "img", start, len(boxes), 4, ".jpg")
        result.append(build_sequence(seq_name, boxes, frames, annotation, start_frame=start,
                                     aliases=(f"{_PYTRACKING_PREFIX}{seq_name}",)))
    return make_dataset(name, result, root, require_images=require_images)


def _sequence_name(folder: str) -> str:
    return folder[len(_PYTRACKING_PREFIX):] if folder.startswith(_PYTRACKING_PREFIX) else folder


def _frame_range(folder: Path, seq_name: str, rows: int) -> tuple[int, int]:
    """``(start, end)`` from ``<seq>_frames.txt``; without that file, ``1..rows``."""
    candidates = sorted(folder.glob("*_frames.txt"))
    if not candidates:
        return 1, rows
    values = read_table(candidates[0], 2, what="first and last image number 'start,end'")
    if len(values) != 1:
        raise TrackbenchError("expected one line 'start,end'", candidates[0], 2)
    return int(values[0, 0]), int(values[0, 1])
