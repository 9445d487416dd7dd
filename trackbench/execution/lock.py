"""One run per results folder: an advisory ``fcntl`` lock on ``<tracker_dir>/.trackbench.lock``.

``trackbench run`` holds the lock from before it reads the folder until it exits, so a
second run into the same ``--out/<suite>/<tracker>`` cannot remove the first one's
in-flight temporary files or write the same units twice. The second run waits (one
message, "results folder ... in use by PID N; waiting") and then resumes, finding the
finished units, or with ``wait=False`` fails with "results folder in use by PID N".

The kernel releases an ``flock`` when its holder exits in any way (``kill -9`` too), so a
lock file left by a dead process is simply taken over. The holder writes its PID into the
file; the file is removed on release (under the lock; a waiter that then gets the lock
on the removed file notices and tries again). Not for network file systems whose
``flock`` is not shared between hosts.

A forked child (an isolated worker, :func:`trackbench.execution.isolated.start_method`,
or a process a tracker forks) would inherit the lock's descriptor and so keep the folder
locked after the run itself died; each child closes its copies at once (closing a copy
does not unlock the parent's).
"""

from __future__ import annotations

import fcntl
import os
import sys
import weakref
from pathlib import Path

from trackbench.errors import TrackbenchError

LOCK_NAME = ".trackbench.lock"


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return "another process"
    return f"PID {text}" if text.isdigit() else "another process"


_HELD: "weakref.WeakSet[ResultsLock]" = weakref.WeakSet()  # the locks this process holds


def _close_in_child() -> None:
    for lock in list(_HELD):
        if lock._fd is not None:
            try:
                os.close(lock._fd)
            except OSError:
                pass
            lock._fd = None


os.register_at_fork(after_in_child=_close_in_child)


class ResultsLock:
    """The lock of one results folder (created with its parents if needed).

    ``created``: the top-most folder this lock had to create (``None`` if the folder
    existed), so a start that fails can remove what it added (:meth:`release` with
    ``remove_created``)."""

    def __init__(self, folder: str | Path, wait: bool = True):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.wait = wait
        self._fd: int | None = None
        self.created = _first_missing(self.folder)

    def acquire(self) -> "ResultsLock":
        """Take the lock (waiting for its holder unless ``wait`` is False). If this fails
        or is interrupted, the folders it created are removed again."""
        try:
            return self._acquire()
        except BaseException:
            self._remove_created()
            raise

    def _acquire(self) -> "ResultsLock":
        told = False
        while True:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                exc.filename = exc.filename or str(self.path)
                raise
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(self.path)
                if not self.wait:
                    os.close(fd)
                    raise TrackbenchError(f"results folder in use by {holder} (another trackbench run)", self.folder) from None
                if not told:
                    print(f"trackbench: results folder {self.folder} in use by {holder}; waiting for it "
                          "(Ctrl-C to stop)", file=sys.stderr)
                    told = True
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # Ctrl-C interrupts the wait
                except BaseException:
                    os.close(fd)
                    raise
            if _same_file(fd, self.path):
                break
            os.close(fd)  # the holder removed the file after we opened it: try again
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        _HELD.add(self)
        return self

    def release(self, remove_created: bool = False) -> None:
        """Remove the lock file and unlock; with ``remove_created``, also remove the folders
        the lock created when they are empty again (a start that failed)."""
        if self._fd is None:
            return
        try:
            self.path.unlink()
        except OSError:
            pass
        if remove_created:
            self._remove_created()
        os.close(self._fd)  # closing unlocks
        self._fd = None
        _HELD.discard(self)

    def _remove_created(self) -> None:
        """Remove the folders this lock created, from the deepest, while they are empty."""
        if self.created is None:
            return
        folder = self.folder
        while True:
            try:
                folder.rmdir()
            except OSError:
                return
            if folder == self.created:
                return
            folder = folder.parent

    def __enter__(self) -> "ResultsLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _first_missing(folder: Path) -> Path | None:
    """The top-most ancestor of ``folder`` (itself included) that does not exist yet."""
    missing = None
    for candidate in [folder, *folder.parents]:
        if candidate.exists():
            break
        missing = candidate
    return missing
