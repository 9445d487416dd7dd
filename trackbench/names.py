"""The one check for names that become paths: sequence, tracker and archive-member names.

A sequence name becomes ``<out>/<suite>/<tracker>/<sequence>.txt``, a tracker name the
folder ``<out>/<suite>/<tracker>``. Both come from files users did not necessarily write
(a dataset JSON, a ``list.txt``, a published archive, a TraX server's hello) or from
the command line (``--tracker-name``). :func:`check_name` accepts only a single, plain
path component, so that nothing can be written outside the results folder:

* not empty, not ``.`` or ``..``;
* no ``/`` or ``\\`` (no sub-folders, no absolute paths);
* no NUL or other control characters.

Anything else (spaces, ``-``, ``.`` inside, Unicode letters) is kept as the benchmarks
spell it. :func:`check_member` applies the same rule to every component of an archive
member's relative path (``tracker/seq.txt``).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from trackbench.errors import TrackbenchError

_FORBIDDEN = re.compile(r"[/\\\x00-\x1f\x7f]")


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot be one path component, or ``None`` when it can."""
    if not isinstance(name, str):
        return f"is a {type(name).__name__}, not text"
    if not name.strip():
        return "is empty"
    if name in (".", ".."):
        return "is a relative folder reference"
    match = _FORBIDDEN.search(name)
    if match:
        char = match.group()
        what = {"/": "a '/'", "\\": "a '\\'"}.get(char, f"the control character {char!r}")
        return f"contains {what} (it must be a single file or folder name)"
    return None


def check_name(name: object, what: str, source: str | Path | None = None, line: int | None = None) -> str:
    """``name`` if it is a single plain path component, else a one-line
    :class:`TrackbenchError` ``"<source>:<line>: <what> '<name>' ..."`` naming the file
    (or option) it came from."""
    problem = name_problem(name)
    if problem is not None:
        raise TrackbenchError(f"{what} {name!r} {problem}; it becomes a file name in the results folder", source, line)
    return name  # type: ignore[return-value]


def check_member(member: str, archive: str | Path) -> str:
    """An archive member's path, if it is relative and each of its ``/``-separated
    components passes :func:`name_problem`; else an error naming ``archive!member``."""
    parts = PurePosixPath(member).parts
    if member.startswith(("/", "\\")) or not parts:
        raise TrackbenchError(f"archive member {member!r} is an absolute path", f"{archive}!{member}")
    for part in parts:
        problem = name_problem(part)
        if problem is not None:
            raise TrackbenchError(f"archive member {member!r}: component {part!r} {problem}", f"{archive}!{member}")
    return member
