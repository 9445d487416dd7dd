"""The TraX server process: start it, bound every wait by a timeout, report its death.

The server is started from a command line (split with :func:`shlex.split`, no shell)
with pipes for stdin/stdout (the protocol) and stderr (kept: its last line goes into
error messages). On Linux the server gets ``SIGKILL`` when the process that started it
dies (``prctl(PR_SET_PDEATHSIG)``), so a worker killed for a timeout or a crash never
leaves a tracker behind. A wait for the server (hello, a state) is bounded by a
watchdog: when it expires the server is killed, which ends the blocked read -- the way
the VOT toolkit's ``TrackerProcess`` watchdog bounds libtrax's blocking reads.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

from trackbench.errors import TrackbenchError

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class ServerProcess:
    """One run of a TraX server command. ``env`` is added to the environment."""

    def __init__(self, command: str, *, cwd: str | Path | None = None, env: dict[str, str] | None = None):
        self.command = command
        try:
            self.argv = shlex.split(command)
        except ValueError as exc:
            raise TrackbenchError(f"TraX command {command!r} cannot be split: {exc}") from None
        if not self.argv:
            raise TrackbenchError("empty TraX command")
        self.cwd = None if cwd is None else str(cwd)
        self.env = dict(os.environ, **(env or {}))
        self.popen: subprocess.Popen[bytes] | None = None
        self.stderr_lines: collections.deque[str] = collections.deque(maxlen=20)
        self._stderr_thread: threading.Thread | None = None
        self.timed_out = False

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> subprocess.Popen[bytes]:
        try:
            self.popen = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                cwd=self.cwd, env=self.env, preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        except OSError as exc:
            raise TrackbenchError(f"cannot start TraX tracker {self.command!r}: {exc}") from None
        self.stderr_lines = collections.deque(maxlen=20)
        self._stderr_thread = threading.Thread(target=self._pump_stderr, args=(self.popen, self.stderr_lines),
                                               daemon=True)
        self._stderr_thread.start()
        return self.popen

    @staticmethod
    def _pump_stderr(popen: subprocess.Popen[bytes], keep: "collections.deque[str]") -> None:
        assert popen.stderr is not None
        for raw in popen.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                keep.append(line)

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Kill the server if the block does not finish within ``seconds``."""
        self.timed_out = False

        def expire() -> None:
            self.timed_out = True
            self.kill()

        timer = threading.Timer(seconds, expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()

    def error(self, what: str, timeout: float | None = None) -> TrackbenchError:
        """A one-line error: the command, what went wrong, the exit code (or that the
        timeout killed it) and the last stderr line; the process is ended first."""
        if self.timed_out and timeout is not None:
            what = f"{what}: no answer within the {timeout:g} s timeout (process killed)"
        code = None
        if self.popen is not None:
            try:
                code = self.popen.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                self.kill()
                code = self.popen.wait()
            if self._stderr_thread is not None:
                self._stderr_thread.join(timeout=1.0)
        detail = f"TraX tracker {self.command!r}: {what}"
        if code is not None:
            detail += f"; exit code {code}"
        if self.stderr_lines:
            detail += f"; last stderr line: {self.stderr_lines[-1]}"
        self.close()
        return TrackbenchError(detail)

    def close(self, goodbye: bytes | None = None) -> None:
        """Write ``goodbye`` (the quit message), close the pipes, and end the process
        (killed if it has not exited within a second)."""
        popen, self.popen = self.popen, None
        if popen is None:
            return
        if popen.poll() is None and goodbye:
            with contextlib.suppress(OSError, ValueError):
                assert popen.stdin is not None
                popen.stdin.write(goodbye)
                popen.stdin.flush()
        for stream in (popen.stdin, popen.stdout):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()
        try:
            popen.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()
        if popen.stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                popen.stderr.close()


# Programs that run a script: the tracker's name is that of the script they are given.
_INTERPRETERS = re.compile(r"^(python[0-9.]*|pypy[0-9.]*|bash|sh|zsh|node|ruby|perl|julia|octave|matlab|Rscript|env|"
                           r"uv|conda|poetry|run|exec)(\.exe)?$")
_SCRIPT_SUFFIXES = (".py", ".sh", ".js", ".rb", ".pl", ".jl", ".m", ".r", ".exe", ".bat", ".cmd")


def command_name(command: str) -> str:
    """A short name for a TraX command line: the basename of the program, or of the script
    an interpreter runs, without a script suffix (``python my_tracker.py --gpu`` ->
    ``my_tracker``; ``python -m pkg.tracker`` -> ``tracker``; ``/opt/bin/ncc`` -> ``ncc``).

    Arguments before the script that start with ``-`` or hold ``=`` (options, ``VAR=1``
    of ``env``) are skipped. Falls back to ``"trax"``.
    """
    try:
        argv = shlex.split(command)
    except ValueError:
        argv = command.split()
    index = 0
    while index < len(argv) and "=" in argv[index] and not argv[index].startswith("-"):
        index += 1  # leading VAR=value assignments
    while index < len(argv) and _INTERPRETERS.match(Path(argv[index]).name):
        index += 1
        while index < len(argv) and (argv[index].startswith("-") or "=" in argv[index]):
            if argv[index] == "-m" and index + 1 < len(argv):
                return argv[index + 1].rpartition(".")[2] or "trax"
            index += 1
    if index >= len(argv):
        index = 0
    name = Path(argv[index]).name if argv else ""
    for suffix in _SCRIPT_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name or "trax"
