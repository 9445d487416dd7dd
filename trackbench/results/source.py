"""A tracker's result files, from a folder or an archive (``.tar``, ``.tar.gz``, ``.tar.xz``, ``.zip``).

:class:`ResultSource` lists the text files under a tracker's result location and reads
them, so the readers in :mod:`trackbench.results.read` work on published archives
without unpacking them. Paths are relative, ``/``-separated. Inside an archive, a single
top-level folder (``SiamRPN++/airplane-1.txt``) is stripped, whatever stray files sit
beside it (``readme.txt``: dropped), unless it is a layout folder (``times/``,
``baseline/``) or the top level holds as many files as it. Operating-system litter is
ignored everywhere: ``__MACOSX/``, ``._*`` (macOS resource forks), ``.DS_Store``,
``Thumbs.db``. Archive members with an absolute path or a ``..`` component are refused
(:func:`trackbench.names.check_member`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.names import check_member
from trackbench.table_cache import cached_parse, parse_in_groups

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".zip")
_LITTER_NAMES = {".ds_store", "thumbs.db"}
_LAYOUT_FOLDERS = {"times", "baseline"}


def is_litter(rel: str) -> bool:
    """Files that archivers and file browsers add: ``__MACOSX/...``, ``._x.txt``, ``.DS_Store``."""
    parts = PurePosixPath(rel).parts
    return any(p == "__MACOSX" for p in parts) or parts[-1].startswith("._") or parts[-1].lower() in _LITTER_NAMES


def is_archive(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and name.endswith(ARCHIVE_SUFFIXES)


def archive_stem(path: Path) -> str:
    """``DiMP50.tar.xz`` -> ``DiMP50``."""
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


class ResultSource:
    """Text files of one tracker's results (a folder or an archive)."""

    def __init__(self, location: str | Path):
        self.location = Path(location)
        self._texts: dict[str, bytes] | None = None
        self._parsed: dict[str, np.ndarray] = {}  # by preparse_boxes, until read_boxes takes them
        if self.location.is_dir():
            self.paths = sorted(rel for rel in _text_files(self.location) if not is_litter(rel))
        elif is_archive(self.location):
            self._texts = _read_archive(self.location)
            self.paths = sorted(self._texts)
        elif self.location.exists():
            raise TrackbenchError("not a result folder or archive", self.location)
        else:
            raise TrackbenchError("result folder not found", self.location)

    @property
    def name(self) -> str:
        """The tracker's name: the folder name (or archive name without suffix)."""
        return archive_stem(self.location) if self._texts is not None else self.location.name

    def display_path(self, rel: str) -> str:
        """A path for error messages (``archive.tar.xz!member`` for archives)."""
        if self._texts is not None:
            return f"{self.location}!{rel}"
        return str(self.location / rel)

    def read_bytes(self, rel: str) -> bytes:
        if self._texts is not None:
            return self._texts[rel]
        return (self.location / rel).read_bytes()

    def read_text(self, rel: str) -> str:
        try:
            return self.read_bytes(rel).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TrackbenchError("not a text file", self.display_path(rel)) from None

    def read_boxes(self, rel: str, widths: tuple[int, ...] | None = (4, 8)) -> np.ndarray:
        """:func:`parse_boxes` of file ``rel``: parsed whole at C speed
        (:mod:`trackbench.fastparse`; cached by content, :mod:`trackbench.table_cache`), or
        taken from :meth:`preparse_boxes`, and line by line only when that declines, for
        the exact error."""
        values = self._parsed.pop(rel, None)
        if values is None:
            values = cached_parse(self.read_bytes(rel))
        if values is not None and (widths is None or values.shape[1] in widths):
            return values
        return parse_boxes(self.read_text(rel), self.display_path(rel), widths)

    def preparse_boxes(self, rels: Iterable[str]) -> None:
        """Parse files ahead of :meth:`read_boxes`, many at a time
        (:func:`trackbench.table_cache.parse_in_groups`); what that leaves out (large
        files, files it declines, files that cannot be read) :meth:`read_boxes` reads,
        decides and words the errors of, in the caller's order."""
        self._parsed.update(parse_in_groups((rel, data) for rel in rels if (data := self._try_read(rel)) is not None))

    def _try_read(self, rel: str) -> bytes | None:
        try:
            return self.read_bytes(rel)
        except OSError:
            return None

def _text_files(folder: Path) -> list[str]:
    """The ``.txt`` / ``.value`` files under ``folder`` (any depth; symbolic links to files
    included, linked folders not entered), as ``/``-separated paths relative to it (what
    ``folder.rglob("*")`` gives, listed with ``os.walk``: a LaSOT or OTB result folder has
    hundreds of files, and pathlib's objects cost more than the listing)."""
    found = []
    for root, _, names in os.walk(folder):
        relative = os.path.relpath(root, folder)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in names:
            if os.path.splitext(name)[1].lower() in (".txt", ".value") and os.path.isfile(os.path.join(root, name)):
                found.append(prefix + name)
    return found


def _read_archive(path: Path) -> dict[str, bytes]:
    """The text members' bytes by path, litter dropped and one top folder stripped (see the module doc)."""
    import tarfile  # here: evaluating result folders needs neither (zipfile alone costs 10 ms to import)
    import zipfile

    texts: dict[str, bytes] = {}
    try:
        if path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir() and info.filename.lower().endswith((".txt", ".value")):
                        texts[check_member(info.filename, path)] = archive.read(info)
        else:
            with tarfile.open(path) as archive:
                for member in archive.getmembers():
                    if member.isfile() and member.name.lower().endswith((".txt", ".value")):
                        texts[check_member(member.name, path)] = archive.extractfile(member).read()
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise TrackbenchError(f"cannot read archive: {exc}", path) from None
    texts = {name: data for name, data in texts.items() if not is_litter(name)}
    nested = [n for n in texts if len(PurePosixPath(n).parts) > 1]
    tops = {PurePosixPath(n).parts[0] for n in nested}
    stray = len(texts) - len(nested)
    if len(tops) == 1 and next(iter(tops)).lower() not in _LAYOUT_FOLDERS and stray < len(nested):
        texts = {PurePosixPath(*PurePosixPath(n).parts[1:]).as_posix(): texts[n] for n in nested}
    return texts


def parse_boxes(text: str, where: str, widths: tuple[int, ...] | None = (4, 8)) -> np.ndarray:
    """Parse rows of numbers (comma, tab, space or semicolon separated) into ``(N, W)``.

    ``nan`` tokens are accepted (they become NaN and are handled by the rules). A bad
    token, a row of the wrong width or a blank line in the middle raises
    :class:`TrackbenchError` naming ``where`` and the 1-based line. ``widths=None``
    accepts any constant width.
    """
    lines = text.replace(",", " ").replace("\t", " ").replace(";", " ").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise TrackbenchError("file is empty (result rows expected)", where)
    counts = list(map(len, map(str.split, lines)))
    width = counts[0]
    if widths is not None and width not in widths:
        want = " or ".join(str(w) for w in widths)
        raise TrackbenchError(f"expected {want} numbers, found {width}", where, 1)
    if counts.count(width) != len(counts):
        for number, count in enumerate(counts, start=1):
            if count == 0:
                raise TrackbenchError("blank line inside the table", where, number)
            if count != width:
                raise TrackbenchError(f"expected {width} numbers like the first line, found {count}", where, number)
    try:
        values = np.array(" ".join(lines).split(), dtype=np.float64)
    except ValueError:
        for number, line in enumerate(lines, start=1):
            for tok in line.split():
                try:
                    float(tok)
                except ValueError:
                    raise TrackbenchError(f"not a number: {tok!r}", where, number) from None
        raise
    return values.reshape(len(lines), width)
