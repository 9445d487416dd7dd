"""LaSOT reader (official download or the official MATLAB toolkit's annotation copies).

Official layout: ``<root>/<class>/<class>-<k>/img/00000001.jpg`` (8 digits),
``groundtruth.txt`` (comma ``x,y,w,h``), ``full_occlusion.txt`` and ``out_of_view.txt``
(comma-separated 0/1 flags, one per frame; ``absent`` = either flag; both files missing ->
``absent`` is None), ``nlp.txt`` (kept in ``meta["nlp"]`` and ``Sequence.language``). Sequence folders directly
under ``<root>`` (``<root>/airplane-1/``) are accepted too.

Toolkit layout: ``<root>/annos/<seq>.txt``, ``annos/absent/<seq>.txt`` (one 0/1 a line,
1 = absent), ``annos/att/<seq>.txt`` (14 flags); images looked for as above.

Splits: ``"test"`` = protocol II's 280 sequences, listed by ``<root>/testing_set.txt``
(or ``sequence_evaluation_config/testing_set.txt``); without a list, the shipped list when
every one of its sequences is present (a full download), else every sequence found (a
test-only or custom download). ``"all"``: every sequence found. Attributes: the 14 flags
(:data:`~trackbench.data.attributes.LASOT_ATTRIBUTES` order) from ``annos/att`` or the table
shipped for the test sequences.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trackbench.data.attributes import LASOT_ATTRIBUTES
from trackbench.data.common import (
    build_sequence,
    listed_line,
    make_dataset,
    numbered_frames,
    package_flag_table,
    package_name_list,
    parse_attribute_file,
    read_frame_flags,
    read_ground_truth,
    read_name_list,
    require_folder,
    select_names,
)
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset, Sequence, normalize_name
from trackbench.textio import preparse_tables

LASOT_SPLITS = ("test", "all")


def lasot_testing_set() -> list[str]:
    """The 280 protocol-II test sequence names shipped with the package."""
    return package_name_list("lasot_testing_set.txt")


def read_lasot(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    split: str = "test",
    name: str = "lasot",
    require_images: bool = False,
) -> Dataset:
    """Read LaSOT (see the module docstring for layouts and splits)."""
    if split not in LASOT_SPLITS:
        raise TrackbenchError(f"unknown LaSOT split {split!r} (known: {', '.join(LASOT_SPLITS)})")
    root = require_folder(Path(root), "LaSOT dataset")
    toolkit = (root / "annos").is_dir()
    found = _toolkit_sequences(root) if toolkit else _official_sequences(root)
    if not found:
        raise TrackbenchError("no LaSOT sequences found (expected <class>/<class>-<k>/groundtruth.txt)", root)
    names = sorted(found, key=_natural_key)
    list_file = _list_file(root)
    if split == "test" and list_file is not None:
        names = read_name_list(list_file)
        for seq_name in names:
            if seq_name not in found:
                where = "annos/" if toolkit else "<class>/<seq>/groundtruth.txt"
                raise TrackbenchError(
                    f"sequence {seq_name!r} listed but not found under {root} ({where})",
                    list_file,
                    listed_line(list_file, seq_name),
                )
    elif split == "test":
        shipped = lasot_testing_set()
        if all(n in found for n in shipped):
            names = shipped
    attribute_table = package_flag_table("lasot_attributes.txt")[1]
    selected = select_names(names, sequences, list_file or root)
    annotations = [root / "annos" / f"{n}.txt" if toolkit else found[n] / "groundtruth.txt" for n in selected]
    preparsed = preparse_tables(annotations)
    result = []
    for seq_name in selected:
        if toolkit:
            sequence = _read_toolkit_sequence(root, seq_name, preparsed)
        else:
            sequence = _read_official_sequence(found[seq_name], seq_name, preparsed)
        if not sequence.attributes:
            sequence.attributes = dict(attribute_table.get(normalize_name(seq_name), {}))
        result.append(sequence)
    return make_dataset(name, result, root, require_images=require_images)


def _read_official_sequence(folder: Path, name: str, preparsed: dict[Path, np.ndarray]) -> Sequence:
    annotation = folder / "groundtruth.txt"
    boxes = read_ground_truth(annotation, preparsed=preparsed)
    flags = [
        read_frame_flags(folder / f, len(boxes), what=f"{f[:-4]} flags")
        for f in ("full_occlusion.txt", "out_of_view.txt")
        if (folder / f).is_file()
    ]
    absent = np.any(np.stack(flags), axis=0) if flags else None
    nlp = folder / "nlp.txt"
    frames = numbered_frames(folder / "img", 1, len(boxes), 8, ".jpg")
    meta = {"nlp": nlp.read_text(encoding="utf-8-sig").strip()} if nlp.is_file() else {}
    return build_sequence(name, boxes, frames, annotation, absent=absent, meta=meta, language=meta.get("nlp"))


def _read_toolkit_sequence(root: Path, name: str, preparsed: dict[Path, np.ndarray]) -> Sequence:
    annos = root / "annos"
    annotation = annos / f"{name}.txt"
    boxes = read_ground_truth(annotation, preparsed=preparsed)
    absent_file = annos / "absent" / f"{name}.txt"
    absent = read_frame_flags(absent_file, len(boxes), what="absent flags") != 0 if absent_file.is_file() else None
    attribute_file = annos / "att" / f"{name}.txt"
    attributes = parse_attribute_file(attribute_file, list(LASOT_ATTRIBUTES)) if attribute_file.is_file() else {}
    folder = _sequence_folder(root, name) or root / _class_of(name) / name
    frames = numbered_frames(folder / "img", 1, len(boxes), 8, ".jpg")
    return build_sequence(name, boxes, frames, annotation, absent=absent, attributes=attributes)


def _official_sequences(root: Path) -> dict[str, Path]:
    """``{sequence name: folder}`` for ``<root>/<class>/<seq>`` and ``<root>/<seq>``."""
    found = {}
    for child in root.iterdir():
        if not child.is_dir():
            continue
        if (child / "groundtruth.txt").is_file():
            found[child.name] = child
            continue
        for grandchild in child.iterdir():
            if grandchild.is_dir() and (grandchild / "groundtruth.txt").is_file():
                found[grandchild.name] = grandchild
    return found


def _toolkit_sequences(root: Path) -> dict[str, Path]:
    return {p.stem: p for p in (root / "annos").glob("*.txt")}


def _sequence_folder(root: Path, name: str) -> Path | None:
    for folder in (root / _class_of(name) / name, root / name):
        if folder.is_dir():
            return folder
    return None


def _list_file(root: Path) -> Path | None:
    for path in (root / "testing_set.txt", root / "sequence_evaluation_config" / "testing_set.txt"):
        if path.is_file():
            return path
    return None


def _class_of(name: str) -> str:
    return name.rsplit("-", 1)[0]


def _natural_key(name: str) -> tuple[str, int]:
    cls, _, index = name.rpartition("-")
    return (cls, int(index)) if index.isdigit() else (name, 0)
