"""The one exception type users see, formatted as a single line naming file and line."""

from __future__ import annotations

from pathlib import Path


class TrackbenchError(Exception):
    """A user-facing error: bad input, missing data, unknown name.

    ``str(error)`` is one line, ``"<path>:<line>: <message>"`` when a file (and line) is
    known, so the command line can print it as is.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = None if path is None else Path(path)
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return (where + self.message).replace("\n", " ")


class TrackbenchWarning(UserWarning):
    """Something the user should know about a result that is still computed (for example
    VOT overlaps left unbounded because image sizes are unknown). The command line prints
    it as one line, ``trackbench: warning: <message>``."""
