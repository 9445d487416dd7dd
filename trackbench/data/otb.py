"""OTB-2013 / OTB-2015 (TB-100) / TB-50 reader, also used for any OTB-style folder.

Accepted layouts (names matched case-insensitively, any of comma/tab/space delimiters):

* official download: ``<root>/<Seq>/img/0001.jpg`` + ``<root>/<Seq>/groundtruth_rect.txt``;
  multi-target videos carry ``groundtruth_rect.1.txt`` / ``.2.txt`` instead, read as the
  targets ``<Seq>-1`` / ``<Seq>-2`` (pysot names ``Jogging-1``, ``Skating2-1``,
  ``Human4-2``; empty files such as Human4's ``.1`` are skipped). A pysot-style copied
  folder ``<root>/Jogging-1/groundtruth_rect.txt`` works too. Optional per-sequence
  ``attrs.txt`` (``SV, DEF, FM``) or ``att.txt`` (11 flags).
* the MATLAB toolkit's: ``<root>/anno/<Seq>.txt``, ``anno/att/<Seq>.txt`` (11 flags),
  ``initOmit/<seq>.txt``; images under ``<root>/[data/]<Seq>/img``.

Frame ranges: the ground-truth row ``i`` belongs to image number ``start + i`` (1-based).
``start`` is 1 except for the sequences in :data:`FRAME_RANGES` (David 300-770, BlurCar1
247-988, ...) or, for other folders with images, the first image's number. Under the
official rule (``init_omit=True``) one-pass evaluation starts at the first frame that is
outside the sequence's init-omit ranges and has a valid ground truth (all four numbers
> 0), so Tiger1 starts at frame 6 with 349 rows (as in pysot's OTB100.json).
Attributes: the 11 OTB flags, from a per-sequence file or else the table shipped in
``otb_attributes.txt`` (the OTB website's table behind the published per-attribute
counts, as in pysot's OTB100.json; see that file's header).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from trackbench.data.attributes import OTB_ATTRIBUTES
from trackbench.data.common import (
    build_sequence,
    folder_index,
    image_name_pattern,
    list_images,
    make_dataset,
    note_image_count,
    numbered_frames,
    package_flag_table,
    package_lines,
    package_name_list,
    parse_attribute_file,
    read_ground_truth,
    require_folder,
    select_names,
)
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset, Sequence, normalize_name
from trackbench.textio import preparse_tables, split_numbers

OTB_LISTS = {"otb2013": "otb_list_otb2013.txt", "tb100": "otb_list_tb100.txt", "tb50": "otb_list_tb50.txt"}

# Sequences whose evaluated images are not simply 1..N: (first, last, digits), 1-based
# image numbers (metrics spec section 2.2).
FRAME_RANGES: dict[str, tuple[int, int, int]] = {
    "david": (300, 770, 4),
    "football1": (1, 74, 4),
    "freeman3": (1, 460, 4),
    "freeman4": (1, 283, 4),
    "diving": (1, 215, 4),
    "blurcar1": (247, 988, 4),
    "blurcar3": (3, 359, 4),
    "blurcar4": (18, 397, 4),
    "board": (1, 698, 5),
}

_ANNOTATION = "groundtruth_rect.txt"
_SPLIT_TARGET = re.compile(r"^(.+?)[-._](\d+)$")
_NUMBERED_ANNOTATION = re.compile(r"^groundtruth_rect\.(\d+)\.txt$", re.IGNORECASE)
_ATTRIBUTE_FILES = ("attrs.txt", "att.txt", "attributes.txt")


def otb_sequence_list(version: str) -> list[str]:
    """Target names of ``"otb2013"`` (51), ``"tb100"`` (100) or ``"tb50"`` (50)."""
    if version not in OTB_LISTS:
        raise TrackbenchError(f"unknown OTB list {version!r} (known: {', '.join(OTB_LISTS)})")
    return package_name_list(OTB_LISTS[version])


def otb_attribute_table() -> dict[str, dict[str, bool]]:
    """The shipped TB-100 attribute flags by normalised sequence name."""
    return package_flag_table("otb_attributes.txt")[1]


def otb_init_omit_table() -> dict[str, list[tuple[int, int]]]:
    """The shipped init-omit ranges (1-based, inclusive) by normalised sequence name."""
    table = {}
    for line in package_lines("otb_init_omit.txt"):
        name, *ranges = line.split()
        table[normalize_name(name)] = [tuple(int(v) for v in r.split("-")) for r in ranges]
    return table


def read_otb(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    sequence_list: str | None = None,
    init_omit: bool = True,
    name: str = "otb",
    require_images: bool = False,
) -> Dataset:
    """Read an OTB-style dataset folder (see the module docstring for layouts).

    ``sequence_list``: ``"otb2013"``, ``"tb100"``, ``"tb50"`` or ``None`` for every target
    found in ``root``. ``sequences``: a subset, by name in any naming style.
    ``init_omit``: apply the official OPE start rule (Tiger1 from frame 6); ``False``
    keeps every annotated frame. ``require_images``: check that image files exist.
    """
    root = require_folder(Path(root), "OTB dataset")
    layout = _ToolkitLayout(root) if (root / "anno").is_dir() else _OfficialLayout(root)
    targets = otb_sequence_list(sequence_list) if sequence_list else layout.targets()
    if not targets:
        raise TrackbenchError(f"no sequences found (expected <Seq>/{_ANNOTATION} folders)", root)
    if sequence_list and sequences is None:
        _require_complete(layout, targets, name, root)
    omit_table = otb_init_omit_table()
    attribute_table = otb_attribute_table()
    located = [(target, *layout.locate(target)) for target in select_names(targets, sequences, root)]
    preparsed = preparse_tables(annotation for _, annotation, *_ in located)
    result = []
    for target, annotation, image_folder, attribute_file, omit_file in located:
        omit = _read_init_omit(omit_file) if omit_file else omit_table.get(normalize_name(target), [])
        if attribute_file is not None:
            attributes = parse_attribute_file(attribute_file, list(OTB_ATTRIBUTES))
        else:
            attributes = dict(attribute_table.get(normalize_name(target), {}))
        result.append(_read_target(target, annotation, image_folder, attributes, omit if init_omit else None, preparsed))
    return make_dataset(name, result, root, require_images=require_images)


def _read_target(
    name: str,
    annotation: Path,
    image_folder: Path,
    attributes: dict[str, bool],
    omit: list[tuple[int, int]] | None,
    preparsed: dict[Path, np.ndarray],
) -> Sequence:
    boxes = read_ground_truth(annotation, preparsed=preparsed)
    pattern = image_name_pattern(image_folder)
    digits, ext = (pattern[1], pattern[2]) if pattern else (4, ".jpg")
    special = FRAME_RANGES.get(normalize_name(name))
    if special is not None:
        first, last, digits = special
        expected = last - first + 1
        if len(boxes) >= last and len(boxes) != expected:
            boxes = boxes[first - 1 : last]  # a file annotating the whole video
        elif len(boxes) != expected:
            raise TrackbenchError(
                f"sequence {name!r} is evaluated on frames {first}-{last}: expected {expected} rows, found {len(boxes)}",
                annotation,
            )
    else:
        first = pattern[0] if pattern else 1
        note_image_count(len(list_images(image_folder)) if pattern else 0, len(boxes), image_folder, annotation)
    skip = 0
    if omit is not None:
        skip = _official_start(boxes, first, omit)
        if skip is None:
            raise TrackbenchError(f"sequence {name!r}: no valid frame to start on outside the init-omit ranges", annotation)
    boxes = boxes[skip:]
    frames = numbered_frames(image_folder, first + skip, len(boxes), digits, ext)
    return build_sequence(name, boxes, frames, annotation, attributes=attributes, start_frame=first + skip)


def _require_complete(layout: "_OfficialLayout | _ToolkitLayout", targets: list[str], name: str, root: Path) -> None:
    """A TrackbenchError saying how many of the list's sequences ``root`` holds, if not all."""
    missing = [t for t in targets if not _has_annotation(layout, t)]
    if not missing:
        return
    shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
    raise TrackbenchError(
        f"{len(targets) - len(missing)} of the {len(targets)} {name} sequences found, {len(missing)} missing "
        f"({shown}): pass --sequences to use those present, or --suite custom for a folder of your own",
        root,
    )


def _has_annotation(layout: "_OfficialLayout | _ToolkitLayout", target: str) -> bool:
    try:
        annotation = layout.locate(target)[0]
    except TrackbenchError:
        return False
    return annotation.is_file()


def _official_start(boxes: np.ndarray, first: int, omit: list[tuple[int, int]]) -> int | None:
    """0-based row of the first frame outside every init-omit range with a valid box."""
    for row, box in enumerate(boxes):
        number = first + row
        if any(a <= number <= b for a, b in omit):
            continue
        if np.all(box > 0):
            return row
    return None


def _read_init_omit(path: Path) -> list[tuple[int, int]]:
    values = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        for token in split_numbers(line):
            if not token.isdigit():
                raise TrackbenchError(f"not a frame number: {token!r}", path, number)
            values.append(int(token))
    if len(values) % 2:
        raise TrackbenchError("expected pairs of frame numbers (first last)", path)
    return list(zip(values[::2], values[1::2]))


def _has_rows(path: Path) -> bool:
    return path.stat().st_size > 0 and bool(path.read_text(encoding="utf-8-sig", errors="replace").strip())


class _OfficialLayout:
    """``<root>/<Seq>/groundtruth_rect[.k].txt`` + ``<Seq>/img/``."""

    def __init__(self, root: Path):
        self.root = root
        self.index = folder_index(root)

    def targets(self) -> list[str]:
        names = []
        for folder in self.index.values():
            if (folder / _ANNOTATION).is_file():
                names.append(folder.name)
            numbered = []
            for path in folder.iterdir():
                match = _NUMBERED_ANNOTATION.match(path.name)
                if match and _has_rows(path):
                    numbered.append(int(match.group(1)))
            names.extend(f"{folder.name}-{k}" for k in sorted(numbered))
        return names

    def locate(self, target: str) -> tuple[Path, Path, Path | None, Path | None]:
        folder = self.index.get(normalize_name(target))
        if folder is not None and (folder / _ANNOTATION).is_file():
            annotation = folder / _ANNOTATION
        else:
            match = _SPLIT_TARGET.match(target)
            base = self.index.get(normalize_name(match.group(1))) if match else None
            if base is not None:
                folder, annotation = base, base / f"groundtruth_rect.{match.group(2)}.txt"
            elif folder is not None:
                annotation = folder / _ANNOTATION
            else:
                raise TrackbenchError(f"sequence folder of {target!r} not found", self.root / target)
        attribute_file = next((folder / f for f in _ATTRIBUTE_FILES if (folder / f).is_file()), None)
        omit_folder = self.root / "initOmit"
        omit_file = _find_file(omit_folder, target) if omit_folder.is_dir() else None
        return annotation, folder / "img", attribute_file, omit_file


class _ToolkitLayout:
    """The MATLAB toolkit's ``anno/<Seq>.txt``, ``anno/att/``, ``initOmit/``."""

    def __init__(self, root: Path):
        self.root = root
        self.anno = root / "anno"
        # each folder listed once (not once per sequence: 100 sequences x 3 folders)
        self.files = {name: _txt_index(folder) for name, folder in
                      (("anno", self.anno), ("att", self.anno / "att"), ("omit", root / "initOmit"))}
        image_root = root / "data" if (root / "data").is_dir() else root
        self.image_index = folder_index(image_root)
        self.image_root = image_root

    def targets(self) -> list[str]:
        canonical = {normalize_name(n): n for n in otb_sequence_list("tb100")}
        stems = sorted(p.stem for p in self.anno.glob("*.txt") if _has_rows(p))
        return [canonical.get(normalize_name(s), s.replace(".", "-")) for s in stems]

    def locate(self, target: str) -> tuple[Path, Path, Path | None, Path | None]:
        key = normalize_name(target)
        annotation = self.files["anno"].get(key) or self.anno / f"{target}.txt"
        match = _SPLIT_TARGET.match(target)
        folder = self.image_index.get(normalize_name(target))
        if folder is None and match:
            folder = self.image_index.get(normalize_name(match.group(1)))
        if folder is None:
            folder = self.image_root / (match.group(1) if match else target)
        return annotation, folder / "img", self.files["att"].get(key), self.files["omit"].get(key)


def _txt_index(folder: Path) -> dict[str, Path]:
    """``{normalised stem: path}`` of ``folder/*.txt`` (the first in name order wins; empty
    when the folder does not exist)."""
    if not folder.is_dir():
        return {}
    index: dict[str, Path] = {}
    for path in sorted(folder.glob("*.txt")):
        index.setdefault(normalize_name(path.stem), path)
    return index


def _find_file(folder: Path, target: str) -> Path | None:
    """``folder/<target>.txt`` matched by normalised name (``jogging-1.txt``, ``Human4.2.txt``)."""
    key = normalize_name(target)
    for path in folder.glob("*.txt"):
        if normalize_name(path.stem) == key:
            return path
    return None
