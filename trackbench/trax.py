"""A client for the TraX protocol (VOT's Visual Tracking eXchange), text mode over stdin/stdout.

The tracker (the "server") is an external process. Every protocol line starts with
``@@TRAX:`` followed by the message name and space-separated arguments; arguments with
spaces are double-quoted with ``\\"``, ``\\\\`` and ``\\n`` escapes; named arguments are
``key=value``. Other output lines of the process are ignored (and its stderr is kept
for error messages). Conversation::

    server: @@TRAX:hello trax.version=... trax.region=rectangle trax.image=path ...
    client: @@TRAX:initialize "<image>" "x,y,w,h" [key=value ...]
    server: @@TRAX:state "x,y,w,h" [trax.confidence=... ...]
    client: @@TRAX:frame "<image>"
    server: @@TRAX:state ...
    client: @@TRAX:quit

Images go through the file-path channel: the absolute path of a JPEG/PNG file, sent as
``file://<path>`` to servers declaring ``trax.version`` >= 2 and as the bare path to
version-1 servers. Regions are ``rectangle`` (``left,top,width,height``, the
``[x, y, w, h]`` box convention of :mod:`trackbench`) or ``polygon`` (``x1,y1,x2,y2,...``).

Every wait for the server is bounded by ``timeout`` seconds; a process that dies, or
that does not answer in time (it is then killed), raises :class:`TrackbenchError` with
the command, the exit code and the last line the process wrote to stderr.
"""

from __future__ import annotations

import collections
import os
import queue
import re
import shlex
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence as Seq

import numpy as np

from trackbench.errors import TrackbenchError

PREFIX = "@@TRAX:"
_KEY = re.compile(r"^[A-Za-z0-9._]{1,64}$")


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


@dataclass
class TraxMessage:
    """One protocol message: its name, positional arguments and named properties."""

    name: str
    arguments: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)


def quote(value: str) -> str:
    """Quote one argument for a TraX line (escapes ``\\``, ``"`` and newlines)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def format_message(name: str, arguments: Seq[str] = (), properties: dict[str, object] | None = None) -> str:
    """One ``@@TRAX:`` line (without the newline); every argument is quoted."""
    parts = [PREFIX + name]
    parts.extend(quote(str(a)) for a in arguments)
    for key, value in (properties or {}).items():
        if not _KEY.match(key):
            raise TrackbenchError(f"TraX property name {key!r} is invalid (letters, digits, '.', '_', at most 64)")
        parts.append(quote(f"{key}={value}"))
    return " ".join(parts)


def _split_arguments(text: str) -> list[str]:
    """Split the argument part of a line: spaces separate, quotes group, backslash escapes."""
    tokens: list[str] = []
    current: list[str] = []
    in_quotes = False
    has_token = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            current.append("\n" if nxt == "n" else nxt)
            has_token = True
            i += 2
            continue
        if ch == '"':
            in_quotes = not in_quotes
            has_token = True
        elif ch.isspace() and not in_quotes:
            if has_token:
                tokens.append("".join(current))
                current, has_token = [], False
        else:
            current.append(ch)
            has_token = True
        i += 1
    if in_quotes:
        raise ValueError("unterminated quote")
    if has_token:
        tokens.append("".join(current))
    return tokens


def parse_message(line: str) -> TraxMessage | None:
    """Parse a line; ``None`` if it is not a TraX message (other program output).

    Raises ``ValueError`` for a malformed TraX line.
    """
    line = line.rstrip("\r\n")
    start = line.find(PREFIX)
    if start < 0:
        return None
    body = line[start + len(PREFIX):]
    name, _, rest = body.partition(" ")
    if not name:
        raise ValueError("message without a name")
    message = TraxMessage(name)
    for token in _split_arguments(rest):
        key, sep, value = token.partition("=")
        if sep and _KEY.match(key):
            message.properties[key] = value
        else:
            message.arguments.append(token)
    return message


def format_region(region: np.ndarray, kind: str) -> str:
    """A box ``[x, y, w, h]`` or polygon as TraX text in ``kind`` ("rectangle" | "polygon")."""
    region = np.asarray(region, dtype=np.float64).reshape(-1)
    if kind == "polygon" and region.shape[0] == 4:
        x, y, w, h = region
        region = np.array([x, y, x + w, y, x + w, y + h, x, y + h])
    elif kind == "rectangle" and region.shape[0] != 4:
        xs, ys = region[0::2], region[1::2]
        region = np.array([xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()])
    return ",".join(f"{v:.4f}" for v in region)


def parse_region(text: str) -> np.ndarray | None:
    """TraX region text -> 4-number box or 8-number polygon.

    A single number (a "special" region, e.g. a failure code) returns ``None``. Polygons
    with a number of points other than four become their bounding box.
    """
    try:
        values = np.array([float(v) for v in re.split(r"[,\s]+", text.strip()) if v], dtype=np.float64)
    except ValueError:
        raise ValueError(f"region {text!r} is not a list of numbers") from None
    if values.shape[0] == 1:
        return None
    if values.shape[0] == 4 or values.shape[0] == 8:
        return values
    if values.shape[0] >= 6 and values.shape[0] % 2 == 0:
        xs, ys = values[0::2], values[1::2]
        return np.array([xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()])
    raise ValueError(f"region {text!r} has {values.shape[0]} numbers")


class TraxClient:
    """Runs a TraX server process and talks to it (one process, many initialisations).

    ``command``: a shell-like command line (split with :func:`shlex.split`, no shell).
    ``timeout``: seconds to wait for any answer (hello, or a state after each request).
    """

    def __init__(self, command: str, *, timeout: float = 30.0, cwd: str | Path | None = None,
                 env: dict[str, str] | None = None):
        self.command = command
        self.timeout = float(timeout)
        self.argv = shlex.split(command)
        if not self.argv:
            raise TrackbenchError("empty TraX command")
        self.cwd = None if cwd is None else str(cwd)
        self.env = dict(os.environ, TRAX="1", **(env or {}))
        self.hello: TraxMessage | None = None
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        self._stderr_thread: threading.Thread | None = None

    # -- process -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> TraxMessage:
        """Start the process and read its ``hello``; returns it."""
        self.close()
        try:
            self._process = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, bufsize=1, cwd=self.cwd, env=self.env,
            )
        except OSError as exc:
            raise TrackbenchError(f"cannot start TraX tracker {self.command!r}: {exc}") from None
        self._lines = queue.Queue()
        self._stderr = collections.deque(maxlen=20)
        threading.Thread(target=self._pump_stdout, args=(self._process, self._lines), daemon=True).start()
        self._stderr_thread = threading.Thread(
            target=self._pump_stderr, args=(self._process, self._stderr), daemon=True
        )
        self._stderr_thread.start()
        hello = self._receive("hello")
        if hello.name != "hello":
            self._fail(f"expected 'hello', got {hello.name!r}")
        self.hello = hello
        return hello

    @staticmethod
    def _pump_stdout(process: subprocess.Popen[str], lines: "queue.Queue[str | None]") -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    @staticmethod
    def _pump_stderr(process: subprocess.Popen[str], keep: "collections.deque[str]") -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if line.strip():
                keep.append(line.rstrip())

    def close(self) -> None:
        """Send ``quit`` and end the process (killed if it does not exit within a second)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.write(format_message("quit") + "\n")
                process.stdin.flush()
                process.stdin.close()
            except (OSError, ValueError):
                pass
            try:
                process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr, process.stdin):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    # -- capabilities --------------------------------------------------------------------
    @property
    def version(self) -> int:
        value = (self.hello.properties if self.hello else {}).get("trax.version", "1")
        try:
            return int(float(value))
        except ValueError:
            return 1

    def _formats(self, key: str, default: str) -> list[str]:
        value = (self.hello.properties if self.hello else {}).get(key, default)
        return [v for v in re.split(r"[;,\s]+", value) if v]

    @property
    def region_format(self) -> str:
        """The region format to send: rectangle if the server accepts it, else polygon."""
        formats = self._formats("trax.region", "rectangle")
        if "rectangle" in formats:
            return "rectangle"
        if "polygon" in formats:
            return "polygon"
        raise TrackbenchError(f"TraX tracker {self.command!r} accepts no rectangle or polygon regions ({formats})")

    def image_argument(self, path: str | Path) -> str:
        formats = self._formats("trax.image", "path")
        if "path" not in formats:
            raise TrackbenchError(
                f"TraX tracker {self.command!r} does not accept image file paths (it offers {', '.join(formats)})"
            )
        path = str(Path(path).resolve())
        return f"file://{path}" if self.version >= 2 else path

    # -- conversation --------------------------------------------------------------------
    def initialize(self, image_path: str | Path, region: np.ndarray,
                   properties: dict[str, object] | None = None) -> tuple[np.ndarray | None, dict[str, str]]:
        """Send ``initialize``; returns the server's ``(region, properties)`` answer."""
        if not self.running:
            self.start()
        line = format_message("initialize", [self.image_argument(image_path),
                                             format_region(region, self.region_format)], properties)
        return self._request(line)

    def frame(self, image_path: str | Path) -> tuple[np.ndarray | None, dict[str, str]]:
        """Send ``frame``; returns the server's ``(region, properties)`` answer."""
        if not self.running:
            self._fail("frame requested but the tracker process is not running")
        return self._request(format_message("frame", [self.image_argument(image_path)]))

    def _request(self, line: str) -> tuple[np.ndarray | None, dict[str, str]]:
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(line + "\n")
            self._process.stdin.flush()
        except (OSError, ValueError):
            self._fail("the tracker process closed its input")
        answer = self._receive("state")
        if answer.name == "quit":
            self._fail("the tracker sent 'quit'")
        if answer.name != "state" or not answer.arguments:
            self._fail(f"expected 'state' with a region, got {answer.name!r}")
        try:
            region = parse_region(answer.arguments[0])
        except ValueError as exc:
            self._fail(f"bad state message: {exc}")
        return region, answer.properties

    def _receive(self, expected: str) -> TraxMessage:
        while True:
            try:
                line = self._lines.get(timeout=self.timeout)
            except queue.Empty:
                self._kill()
                self._fail(f"no '{expected}' within the {self.timeout:g} s timeout (process killed)")
            if line is None:
                self._fail(f"the tracker process ended while '{expected}' was expected", ended=True)
            try:
                message = parse_message(line)
            except ValueError as exc:
                self._fail(f"malformed TraX line {line.strip()!r}: {exc}")
            if message is not None:
                return message

    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()

    def _fail(self, what: str, ended: bool = False) -> None:
        """Raise a TrackbenchError with the command, exit code and last stderr line.

        ``ended``: the process closed its output (give it a moment to exit by itself);
        otherwise it is killed first.
        """
        code = None
        if self._process is not None:
            if not ended:
                self._kill()
            try:
                code = self._process.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                self._kill()
                code = self._process.wait()
            if self._stderr_thread is not None:
                self._stderr_thread.join(timeout=1.0)
        detail = f"TraX tracker {self.command!r}: {what}"
        if code is not None:
            detail += f"; exit code {code}"
        if self._stderr:
            detail += f"; last stderr line: {self._stderr[-1]}"
        self.close()
        raise TrackbenchError(detail)

    def __enter__(self) -> "TraxClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
