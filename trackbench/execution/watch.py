"""Watching a tracker at work: where it is (phase, frame), time limits, output checks.

Every executor runs the tracker behind a :class:`WatchedTracker`, which records in a
:class:`FrameWatch` which call is running (``init``, ``update``, ``init_batch``,
``update_batch``), since when, and at which frame, and checks each output
(:func:`trackbench.tracker.split_output`): a bad output fails the unit with a message
naming the tracker and the frame. Frames are numbered from 1 in messages (frame 1 is the
initialisation frame), as the benchmarks number their images.

Time limits (:class:`Limits`), from ``--timeout`` ``T`` seconds per frame (default
:data:`DEFAULT_FRAME_TIMEOUT`; 0 disables every limit):

* each tracker call may take at most ``T`` seconds: "timed out after T s in update at frame K";
* a whole unit at most ``T`` x its frames (a backstop for time spent outside the tracker
  calls, e.g. a stuck image read);
* starting a worker and building the tracker at most :data:`BUILD_FACTOR` x ``T``, and
  never less than :data:`MIN_BUILD_SECONDS`.

The watch is a few doubles, so an isolated worker keeps it in shared memory where the
parent reads it (:mod:`trackbench.execution.isolated` enforces the limits from outside
the child, which works even when the tracker holds the GIL in native code); in process
(``--executor inline``) each call is bounded by ``SIGALRM`` instead (main thread only; a
native call that never returns to Python cannot be interrupted there).
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

from trackbench.errors import TrackbenchError
from trackbench.tracker import split_output

DEFAULT_FRAME_TIMEOUT = 60.0  # seconds per tracker call (``--timeout``)
BUILD_FACTOR = 5  # starting a worker and building the tracker: this many frame limits,
MIN_BUILD_SECONDS = 120.0  # and at least this long (imports on a loaded machine are slow)

# Phases (stored as numbers in the watch).
PHASES = ("idle", "starting", "building the tracker", "init", "update", "init_batch", "update_batch")
IDLE, STARTING, BUILDING = 0, 1, 2
TRACKER_CALLS = {name: code for code, name in enumerate(PHASES) if code > BUILDING}

# Slots of the watch.
_DONE, _PHASE, _FRAME, _CALL_START, _UNIT_START, _UNIT_FRAMES, _BATCH = range(7)
SLOTS = 7


@dataclass(frozen=True)
class Limits:
    """Time limits derived from ``frame`` seconds per tracker call (0: no limits)."""

    frame: float = DEFAULT_FRAME_TIMEOUT

    def __post_init__(self) -> None:
        if not self.frame >= 0:
            raise TrackbenchError(f"--timeout must be 0 (no limit) or a number of seconds, got {self.frame}")

    @property
    def enabled(self) -> bool:
        return self.frame > 0

    @property
    def build(self) -> float:
        return max(self.frame * BUILD_FACTOR, MIN_BUILD_SECONDS)

    def unit(self, frames: int) -> float:
        """The whole-unit limit: ``frame`` seconds x ``frames`` (at least ``BUILD_FACTOR`` x ``frame``)."""
        return self.frame * max(frames, BUILD_FACTOR)


class UnitTimeout(BaseException):
    """A tracker call ran past its limit (``--executor inline``). A BaseException, so a
    tracker's own ``except Exception`` cannot swallow it."""


class FrameWatch:
    """Where one worker is. ``slots``: a ctypes array of :data:`SLOTS` doubles (shared
    memory for an isolated worker; a private array by default). Written by the worker
    only; a reader sees consistent enough values (each slot is one aligned store)."""

    def __init__(self, slots: Any = None):
        self.slots = slots if slots is not None else (ctypes.c_double * SLOTS)()

    # -- the worker's side ---------------------------------------------------------------
    def set_phase(self, phase: int) -> None:
        self.slots[_CALL_START] = time.monotonic()
        self.slots[_PHASE] = phase

    def begin_unit(self, frames: int, batch: bool = False) -> None:
        self.slots[_FRAME] = 0
        self.slots[_UNIT_FRAMES] = frames
        self.slots[_BATCH] = 1.0 if batch else 0.0
        self.slots[_UNIT_START] = time.monotonic()
        self.slots[_PHASE] = IDLE

    def end_unit(self) -> None:
        self.slots[_UNIT_START] = 0.0
        self.slots[_PHASE] = IDLE

    def advance(self, frames: int) -> None:
        """The protocols' progress callback: ``frames`` more frames passed."""
        self.slots[_DONE] += frames
        if not self.slots[_BATCH]:
            self.slots[_FRAME] += frames

    def set_step(self, step: int) -> None:
        """Batched stepping: the lockstep step (0 = ``init_batch``) is the frame."""
        self.slots[_FRAME] = step

    # -- the reader's side ---------------------------------------------------------------
    @property
    def frames_done(self) -> int:
        """Frames passed since the worker started (all units)."""
        return int(self.slots[_DONE])

    @property
    def frame(self) -> int:
        """0-based frame of the current unit (the lockstep step in a batch)."""
        return int(self.slots[_FRAME])

    @property
    def phase(self) -> int:
        return int(self.slots[_PHASE])

    @property
    def call_started(self) -> float:
        """``time.monotonic()`` when the current phase (tracker call) began."""
        return self.slots[_CALL_START]

    def where(self) -> str:
        """``"in update at frame 4"``, ``"building the tracker"``, ``"at frame 4"`` ..."""
        phase = self.phase
        if phase in (STARTING, BUILDING):
            return PHASES[phase]
        frame = f"at frame {int(self.slots[_FRAME]) + 1}"
        return f"in {PHASES[phase]} {frame}" if phase in TRACKER_CALLS.values() else frame

    def overdue(self, limits: Limits, now: float | None = None) -> str | None:
        """The timeout message if a limit is exceeded now, else ``None``."""
        if not limits.enabled:
            return None
        now = time.monotonic() if now is None else now
        phase = self.phase
        if phase in (STARTING, BUILDING):
            if now - self.slots[_CALL_START] > limits.build:
                return f"timed out after {limits.build:g} s {PHASES[phase]}"
            return None
        if phase != IDLE and now - self.slots[_CALL_START] > limits.frame:
            return f"timed out after {limits.frame:g} s {self.where()}"
        started = self.slots[_UNIT_START]
        if started:
            limit = limits.unit(int(self.slots[_UNIT_FRAMES]))
            if now - started > limit:
                return (f"timed out after {limit:g} s (the limit of {limits.frame:g} s per frame for "
                        f"{int(self.slots[_UNIT_FRAMES])} frames) {self.where()}")
        return None


class WatchedTracker:
    """``tracker`` with its calls recorded in ``watch`` and its outputs checked.

    Every other attribute is the tracker's own (``name``, ``accepts_image_paths``,
    ``config_summary``...); the batch methods exist only when the tracker has them.
    With ``alarm`` (``--executor inline``), each call is bounded by ``limits.frame`` with
    ``SIGALRM``, raising :class:`UnitTimeout`; the handler is installed at the first call
    and put back by :meth:`close`. The timer is not set per call (two system calls per
    frame): a call arms it when it is not running, and when it expires the handler raises
    if the call running then has had its ``limits.frame`` seconds, else sets it again for
    that call's remaining time (between calls it lets it lapse; the next call arms it).
    """

    def __init__(self, tracker: Any, watch: FrameWatch, limits: Limits | None = None, alarm: bool = False):
        self._tracker = tracker
        self._watch = watch
        self._limits = limits or Limits(0)
        self._alarm = alarm and self._limits.enabled and threading.current_thread() is threading.main_thread()
        self._previous_handler: Any = None
        self._armed = False  # the SIGALRM timer is running
        self._step = 0

    @property
    def wrapped(self) -> Any:
        return self._tracker

    def __getattr__(self, name: str) -> Any:
        if name in ("init_batch", "update_batch"):
            getattr(self._tracker, name)  # AttributeError when the tracker has no batch methods
            return getattr(self, f"_{name}")
        return getattr(self._tracker, name)

    def _label(self) -> str:
        return str(getattr(self._tracker, "name", "") or type(self._tracker).__name__)

    def _call(self, phase: str, method: Any, *args: Any, **kwargs: Any) -> Any:
        watch = self._watch
        watch.set_phase(TRACKER_CALLS[phase])
        if self._alarm and not self._armed:
            if self._previous_handler is None:  # installed once, until close()
                self._previous_handler = signal.signal(signal.SIGALRM, self._expired)
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, self._limits.frame)
        try:
            return method(*args, **kwargs)
        finally:
            watch.set_phase(IDLE)

    def _expired(self, signum: int, frame: Any) -> None:
        self._armed = False
        if self._watch.phase not in TRACKER_CALLS.values():
            return  # between calls: the next call arms the timer again
        remaining = self._limits.frame - (time.monotonic() - self._watch.call_started)
        if remaining > 0.001:  # a later call than the one that set the timer: its own limit
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, remaining)
            return
        raise UnitTimeout(f"timed out after {self._limits.frame:g} s {self._watch.where()}")

    def close(self) -> None:
        """Stop the timer and put back the ``SIGALRM`` handler that was there before the first call."""
        if self._previous_handler is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._armed = False
            signal.signal(signal.SIGALRM, self._previous_handler)
            self._previous_handler = None

    def _check(self, output: Any, slot: int | None = None) -> None:
        try:
            split_output(output)
        except TrackbenchError as exc:
            part = f" (batch slot {slot})" if slot is not None else ""
            raise TrackbenchError(
                f"tracker {self._label()!r} returned a bad result at frame {self._watch.frame + 1}{part}: {exc.message}"
            ) from None

    def init(self, image: Any, box: Any, **kwargs: Any) -> Any:
        return self._call("init", self._tracker.init, image, box, **kwargs)

    def update(self, image: Any, **kwargs: Any) -> Any:
        output = self._call("update", self._tracker.update, image, **kwargs)
        self._check(output)
        return output

    def _init_batch(self, images: list, boxes: list) -> Any:
        self._step = 0
        self._watch.set_step(0)
        return self._call("init_batch", self._tracker.init_batch, images, boxes)

    def _update_batch(self, images: list) -> Any:
        self._step += 1
        self._watch.set_step(self._step)
        outputs = self._call("update_batch", self._tracker.update_batch, images)
        if isinstance(outputs, (list, tuple)) and len(outputs) == len(images):
            for slot, (image, output) in enumerate(zip(images, outputs)):
                if image is not None:
                    self._check(output, slot)
        return outputs
