"""What a report was made from, for its footer: the command, the dataset root, the rule
profile, the trackbench version and a content hash of every result folder.

A result folder's hash is SHA-256 over its files in sorted order of their relative
paths (POSIX), each contributing ``path NUL sha256(content) NUL``; an archive's hash is
the SHA-256 of the archive file. The first 12 hex digits are shown; two folders with
the same hash hold the same files byte for byte.
"""

from __future__ import annotations

import hashlib
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def result_hash(path: str | Path) -> str:
    """The content hash (hex) of a result folder or archive (see the module docstring)."""
    path = Path(path)
    if path.is_file():
        return file_sha256(path)
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        relative = item.relative_to(path).as_posix()
        digest.update(relative.encode("utf-8") + b"\0" + file_sha256(item).encode("ascii") + b"\0")
    return digest.hexdigest()


@dataclass
class Provenance:
    """The footer's facts. ``results``: ``(tracker label, folder, hash)`` per tracker."""

    command: str
    root: str
    rules: str
    version: str
    results: list[tuple[str, str, str]] = field(default_factory=list)

    @staticmethod
    def collect(root: str | Path | None, rules: str, result_dirs: dict[str, Path], argv: list[str] | None = None
                ) -> "Provenance":
        from trackbench import __version__

        argv = list(sys.argv if argv is None else argv)
        command = shlex.join(["trackbench", *argv[1:]]) if argv else "trackbench"
        return Provenance(command=command, root=str(root) if root else "(default location)", rules=rules,
                          version=__version__,
                          results=[(name, str(folder), result_hash(folder)) for name, folder in result_dirs.items()])
