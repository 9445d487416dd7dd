"""Helpers shared by the dataset readers: lists, package tables, frame paths, flags.

Conventions: frame numbers in file names are 1-based as in the benchmarks; boxes are
kept exactly as written in the annotation files (see :mod:`trackbench`).
"""

from __future__ import annotations

import re
import warnings
from collections import abc
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from trackbench.data.attributes import LASOT_ATTRIBUTES, OTB_ATTRIBUTES, short_attribute_name
from trackbench.errors import TrackbenchError, TrackbenchWarning
from trackbench.sequence import Dataset, Sequence, normalize_name
from trackbench.textio import read_flags, read_table, split_numbers

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")
_NUMBERED = re.compile(r"^(\d+)$")


def read_ground_truth(path: str | Path, columns: int | tuple[int, ...] = 4, *,
                      what: str = "ground-truth boxes x,y,w,h",
                      preparsed: abc.Mapping[Path, np.ndarray] | None = None) -> np.ndarray:
    """A ground-truth table, ``(N, columns)``; rows without a box become all-NaN rows.

    A row holding any ``NaN`` or ``inf`` (``NaN,NaN,NaN,NaN`` marks an absent target in
    UAV123's files, the UAV123 toolkit and pysot read them so) is read as "no box": the
    whole row is set to NaN, and :attr:`trackbench.sequence.Sequence.missing_gt` flags
    it. Every rule profile then treats it as an invalid frame, as the toolkits do: it
    never succeeds in the success plot; in the precision plots it passes (centre error
    -1: OTB toolkit ``calcSeqErrRobust.m``, pysot ``success_error``, pytracking's
    ``'uav'`` rule); got10k drops it from numerator and denominator
    (``ExperimentUAV123._calc_metrics``). ``inf`` is treated exactly like NaN (no toolkit
    could score it). Other bad tokens or rows raise as :func:`~trackbench.textio.read_table` does
    (``preparsed``: tables parsed ahead, :func:`~trackbench.textio.preparse_tables`).
    """
    boxes = read_table(path, columns, allow_nan=True, what=what, preparsed=preparsed)
    boxes[~np.isfinite(boxes).all(axis=1)] = np.nan
    return boxes


def read_name_list(path: str | Path, *, what: str = "sequence names") -> list[str]:
    """Names one per line (blank lines and ``#`` comments ignored); empty -> error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TrackbenchError(f"file not found ({what} expected here)", path) from None
    names = [line.strip() for line in text.splitlines()]
    names = [n for n in names if n and not n.startswith("#")]
    if not names:
        raise TrackbenchError(f"file is empty ({what} expected)", path)
    seen: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        key = normalize_name(name)
        if key in seen:
            raise TrackbenchError(f"sequence {name!r} listed twice", path, number)
        seen[key] = name
    return names


def package_lines(filename: str) -> list[str]:
    """Non-comment, non-blank lines of a table shipped in ``trackbench/data``."""
    text = resources.files("trackbench.data").joinpath(filename).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def package_name_list(filename: str) -> list[str]:
    """A sequence list shipped in ``trackbench/data`` (one name per line)."""
    return [line.strip() for line in package_lines(filename)]


def package_flag_table(filename: str) -> tuple[list[str], dict[str, dict[str, bool]]]:
    """A shipped attribute table: header ``sequence A B ...`` then ``name 0 1 ...`` rows.

    Returns the attribute names (in column order) and ``{normalize_name(seq): {attr: flag}}``.
    """
    lines = package_lines(filename)
    header = lines[0].split()[1:]
    table: dict[str, dict[str, bool]] = {}
    for line in lines[1:]:
        name, *flags = line.split()
        table[normalize_name(name)] = {a: f == "1" for a, f in zip(header, flags)}
    return header, table


_FLAG_ORDERS = {len(OTB_ATTRIBUTES): OTB_ATTRIBUTES, len(LASOT_ATTRIBUTES): LASOT_ATTRIBUTES}


def parse_attribute_file(path: Path, names: list[str]) -> dict[str, bool]:
    """Per-sequence attributes from a file holding either ``len(names)`` 0/1 flags in the
    order of ``names`` (OTB ``anno/att``, LaSOT ``annos/att``) or attribute names
    (``SV, DEF, FM``: OTB ``attrs.txt``). Names not in ``names`` are kept as extra keys.
    With ``names`` empty (a custom dataset), 11 flags are read as the OTB attributes and
    14 as the LaSOT ones (:mod:`trackbench.data.attributes` order)."""
    text = path.read_text(encoding="utf-8-sig").strip()
    tokens = split_numbers(text)
    if tokens and all(t in ("0", "1") for t in tokens):
        if not names and len(tokens) in _FLAG_ORDERS:
            names = list(_FLAG_ORDERS[len(tokens)])
        if not names:
            raise TrackbenchError(
                f"{len(tokens)} attribute flags: expected attribute names, 11 OTB flags or 14 LaSOT flags", path, 1
            )
        if len(tokens) != len(names):
            raise TrackbenchError(f"expected {len(names)} attribute flags, found {len(tokens)}", path, 1)
        return {a: t == "1" for a, t in zip(names, tokens)}
    attributes = {a: False for a in names}
    for number, line in enumerate(text.splitlines(), start=1):
        separators = r"[,;\t]+" if re.search(r"[,;\t]", line) else r"\s+"
        for token in re.split(separators, line):
            token = token.strip()
            if not token:
                continue
            if not re.fullmatch(r"[A-Za-z][\w\- ]*", token):
                raise TrackbenchError(f"not an attribute name: {token!r}", path, number)
            attributes[short_attribute_name(token)] = True
    return attributes


def list_images(folder: Path) -> list[Path]:
    """Image files of a folder, sorted by name (empty if the folder does not exist)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file())


def image_name_pattern(folder: Path) -> tuple[int, int, str] | None:
    """``(first_number, digits, extension)`` of the first numbered image in ``folder``."""
    for image in list_images(folder):
        if _NUMBERED.match(image.stem):
            return int(image.stem), len(image.stem), image.suffix
    return None


class NumberedFrames(abc.Sequence):
    """A read-only list of numbered image paths, built on access (LaSOT has 685k frames).

    Behaves like ``list[Path]``: ``len``, indexing (slices give a list), iteration.
    """

    def __init__(self, folder: Path, start: int, count: int, digits: int = 8, ext: str = ".jpg"):
        self.folder, self.start, self.count, self.digits, self.ext = Path(folder), start, count, digits, ext

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(index)
        return self.folder / f"{self.start + index:0{self.digits}d}{self.ext}"

    def __repr__(self) -> str:
        return f"NumberedFrames({str(self.folder)!r}, start={self.start}, count={self.count}, digits={self.digits}, ext={self.ext!r})"


class NamedFrames(abc.Sequence):
    """A read-only list of the paths ``folder / name`` of image names, built on access
    (a pysot JSON file names every frame of every sequence: VOT2018's 21k paths built
    up front cost 0.1 s of an evaluation that needs none). Behaves like ``list[Path]``."""

    def __init__(self, folder: Path, names: list[str]):
        self.folder, self.names = Path(folder), list(names)

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.folder / name for name in self.names[index]]
        return self.folder / self.names[index]

    def __repr__(self) -> str:
        return f"NamedFrames({str(self.folder)!r}, {len(self.names)} names)"


def numbered_frames(folder: Path, start: int, count: int, digits: int = 8, ext: str = ".jpg") -> NumberedFrames:
    """``count`` paths ``folder/<start + i, zero-padded to digits><ext>`` (1-based numbers)."""
    return NumberedFrames(folder, start, count, digits, ext)


def first_image_size(frames: list[Path]) -> tuple[int, int] | None:
    """``(width, height)`` from the first frame's header, or ``None`` if it does not exist."""
    if frames and frames[0].is_file():
        from trackbench.imageio import image_size  # OpenCV only when there are images

        return image_size(frames[0])
    return None


def read_key_values(path: Path, separator: str) -> dict[str, str]:
    """``key<separator>value`` lines (``[section]`` headers and blank lines skipped)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith(("[", "#", ";")):
            continue
        if separator not in line:
            raise TrackbenchError(f"expected 'key{separator.strip() or ' '}value'", path, number)
        key, value = line.split(separator, 1)
        values[key.strip()] = value.strip()
    return values


def require_folder(path: Path, what: str) -> Path:
    """``path`` if it is a folder, else a TrackbenchError naming it."""
    if not path.is_dir():
        raise TrackbenchError(f"{what} folder not found", path)
    return path


def listed_or_found_names(root: Path, is_sequence: Callable[[Path], bool], expected: str) -> tuple[list[str], Path | None]:
    """Sequence names from ``<root>/list.txt`` (and that file), else the sorted names of the
    sub-folders for which ``is_sequence`` holds (and ``None``); none at all -> error saying
    what was ``expected`` (e.g. ``"<seq>/groundtruth.txt folders"``)."""
    list_file = root / "list.txt"
    if list_file.is_file():
        return read_name_list(list_file), list_file
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and is_sequence(p))
    if not names:
        raise TrackbenchError(f"no list.txt and no sequences found (expected {expected})", root)
    return names, None


def sequence_folder(root: Path, name: str, list_file: Path | None) -> Path:
    """``<root>/<name>``, else the one sub-folder whose name matches ``name`` by
    :func:`normalize_name` (``list.txt`` and folder names differ in case or style); missing
    -> error naming the ``list_file`` line that lists it."""
    folder = root / name
    if folder.is_dir():
        return folder
    key = normalize_name(name)
    matches = [p for p in sorted(root.iterdir()) if p.is_dir() and normalize_name(p.name) == key]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise TrackbenchError(f"several folders match sequence {name!r}: {', '.join(p.name for p in matches)}", root)
    where = f"listed in {list_file}:{listed_line(list_file, name)}" if list_file is not None else "expected"
    raise TrackbenchError(f"sequence folder not found ({where})", folder)


def note_image_count(images: int, rows: int, folder: Path, annotation: Path) -> None:
    """One warning line when a sequence folder has more or fewer images than ground-truth rows.

    Never an error: evaluation needs no images. More images: the ground-truth rows are the
    frame list (the first ``rows`` images, the OTB rule: the OTB toolkit and got10k evaluate
    ``len(anno)`` frames, e.g. Football1's 74 of 81 images). Fewer: running a tracker on
    the sequence fails (:func:`check_images`), evaluating it works.
    """
    if images > rows:
        message = f"{images} images in {folder} for {rows} ground-truth rows: the first {rows} are the frames"
    elif 0 < images < rows:
        message = f"only {images} images in {folder} for {rows} ground-truth rows: evaluation works, a run will not"
    else:
        return
    warnings.warn(f"{annotation}: {message}", TrackbenchWarning, stacklevel=3)


def build_sequence(name: str, ground_truth: np.ndarray, frames: list[Path], annotation: Path, **fields) -> Sequence:
    """A :class:`Sequence` whose ``image_size``, unless given (not ``None``) in ``fields``, is
    read from its first frame's header (``None`` without images)."""
    if fields.get("image_size") is None:
        fields["image_size"] = first_image_size(frames)
    return Sequence(name=name, ground_truth=ground_truth, frames=frames, annotation_path=annotation, **fields)


def folder_index(root: Path) -> dict[str, Path]:
    """Sub-folders of ``root`` by normalised name (sequence folder names vary in case)."""
    return {normalize_name(p.name): p for p in sorted(root.iterdir()) if p.is_dir()}


def select_names(available: list[str], wanted: Iterable[str] | None, where: Path) -> list[str]:
    """The entries of ``available`` named in ``wanted`` (any naming style), in ``wanted``
    order; all of ``available`` when ``wanted`` is None. Unknown names -> error."""
    if wanted is None:
        return list(available)
    index = {normalize_name(n): n for n in available}
    chosen = []
    for name in wanted:
        if normalize_name(name) not in index:
            raise TrackbenchError(f"no sequence {name!r} in this dataset", where)
        chosen.append(index[normalize_name(name)])
    return chosen


def flags_to_bool(flags: np.ndarray) -> np.ndarray:
    return np.asarray(flags, dtype=np.int64) != 0


def rectangles_to_polygons(rows: np.ndarray) -> np.ndarray:
    """``[x, y, w, h]`` rows -> 8-number polygons ``x,y, x+w,y, x+w,y+h, x,y+h``."""
    x, y, w, h = rows.T
    return np.stack([x, y, x + w, y, x + w, y + h, x, y + h], axis=1)


def check_images(dataset: Dataset) -> None:
    """Raise a TrackbenchError naming the first sequence whose image files are missing
    (a tracker needs images; evaluation does not)."""
    for seq in dataset:
        if not seq.frames:
            raise TrackbenchError(f"sequence {seq.name!r} has no image files listed", seq.annotation_path)
        folder = seq.frames[0].parent
        if not folder.is_dir():
            raise TrackbenchError(f"image folder of sequence {seq.name!r} not found", folder)
        for frame in (seq.frames[0], seq.frames[-1]):
            if not frame.is_file():
                raise TrackbenchError(f"image of sequence {seq.name!r} not found", frame)


def make_dataset(name: str, sequences: list[Sequence], root: Path, *, require_images: bool = False) -> Dataset:
    """A Dataset, checking the image files first when ``require_images``."""
    dataset = Dataset(name, sequences, root)
    if require_images:
        check_images(dataset)
    return dataset


_FLAG_SEPARATORS = str.maketrans(",;\t", "   ")


def read_frame_flags(path: Path, length: int, *, what: str = "per-frame flags") -> np.ndarray:
    """Integer flags with exactly one value per frame (``length``), else a TrackbenchError."""
    try:  # fast path for plain integer flags (C parser); read_flags reports bad lines precisely
        text = path.read_text(encoding="utf-8-sig")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy warns, and stops early, at a token it cannot read
            flags = np.fromstring(text.translate(_FLAG_SEPARATORS), dtype=np.int64, sep=" ")
    except FileNotFoundError:
        raise TrackbenchError(f"file not found ({what} expected here)", path) from None
    except (ValueError, UnicodeDecodeError, DeprecationWarning):
        flags = read_flags(path, what=what)
    if len(flags) != length:
        raise TrackbenchError(f"expected {length} {what} (one per frame), found {len(flags)}", path)
    return flags


def listed_line(path: Path, name: str) -> int | None:
    """1-based line of ``name`` in a name list (for error messages)."""
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if line.strip() == name:
            return number
    return None
