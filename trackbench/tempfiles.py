"""Temporary files beside their destination, for atomic writes (write, then ``os.replace``).

Used by :mod:`trackbench.textio` (results, manifests: fsynced) and
:mod:`trackbench.table_cache` (cache entries: not fsynced). The name pattern
``.<name>.<random>.tmp`` is what :func:`trackbench.execution.commit.remove_stale_temporaries`
recognises as litter of an interrupted write.
"""

from __future__ import annotations

import os
from pathlib import Path

_TEMPORARY_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                    | getattr(os, "O_BINARY", 0))


def create_temporary(path: Path) -> tuple[int, str]:
    """A new hidden temporary ``.<name>.<random>.tmp`` beside ``path`` (its folder made
    if missing), open for writing, with the usual mode (``0o666`` less the umask, as
    ``open`` gives): ``(descriptor, name)``. One ``open`` call where ``tempfile.mkstemp``
    (a 0600 file) plus ``fchmod`` and a ``mkdir`` of the folder took four system calls
    and Python's name generator; the random part is 48 bits from ``os.urandom``."""
    folder = os.fspath(path.parent)
    for _ in range(100):
        tmp = os.path.join(folder, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, _TEMPORARY_FLAGS, 0o666), tmp
        except FileExistsError:
            continue
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
            try:
                return os.open(tmp, _TEMPORARY_FLAGS, 0o666), tmp
            except FileExistsError:
                continue
    raise FileExistsError(17, "no unused temporary file name", os.fspath(path))
