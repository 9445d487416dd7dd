"""The VOT real-time experiment (VOT2017-2019 ``realtime``): frames arrive at a fixed rate.

The rule, as the VOT toolkit implements it (``RealtimeTrackerRuntime`` in
``vot/tracker/__init__.py``, configured by ``realtime: {grace: 3}`` in the VOT2017-2019
stacks, ``fps`` 20 by default or the sequence's own ``fps``): the toolkit does not push
frames on a timer; it measures how long every tracker call takes (wall-clock seconds
around the call: for a TraX tracker one request/response exchange) and replays the
frame clock from those durations. With ``interval = 1 / fps``:

* a call that takes ``t > interval`` leaves a *debt* of ``t - interval`` seconds, and its
  answer is remembered - unless grace is left: after every initialisation the first
  ``grace`` slow calls are forgiven (no debt);
* before each following frame: while the debt exceeds one ``interval`` (strictly), the
  frame is not shown to the tracker, the remembered answer is reported for it (the
  tracker "has not answered by the time the next frame arrived") and the debt shrinks by
  one interval; otherwise the debt is dropped and the tracker gets the frame;
* failures and re-initialisations are those of the supervised protocol
  (:mod:`trackbench.protocols.supervised`): a reused answer that no longer overlaps the
  ground truth is a failure; re-initialising resets the debt and the grace.

:class:`RealtimeTracker` wraps any tracker with this rule, so the supervised protocol
runs it unchanged; the clock is injected (``time.perf_counter`` by default) so the
decisions can be tested deterministically. A reused frame's time is 0 (as the toolkit
records it) and ``reused`` lists those frames (0-based, in call order).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from trackbench.errors import TrackbenchError

DEFAULT_FPS = 20.0
DEFAULT_GRACE = 3  # the VOT2017-2019 stacks' realtime.grace


@dataclass
class RealtimeSchedule:
    """The toolkit's frame-clock bookkeeping (no tracker, no clock: durations in, decisions out)."""

    interval: float
    grace: int = DEFAULT_GRACE
    debt: float = 0.0
    countdown: int = 0

    def __post_init__(self) -> None:
        if not self.interval > 0:
            raise TrackbenchError(f"real-time interval must be > 0 s, got {self.interval}")
        if self.grace < 0:
            raise TrackbenchError(f"real-time grace must be >= 0, got {self.grace}")

    def initialized(self, elapsed: float) -> bool:
        """Record an ``init`` that took ``elapsed`` s; True when its answer must be remembered."""
        self.countdown = self.grace
        self.debt = 0.0
        return self._charge(elapsed)

    def must_reuse(self) -> bool:
        """Before a frame: True when the tracker is still busy (the last answer is reused)."""
        if self.debt > self.interval:
            self.debt -= self.interval
            return True
        self.debt = 0.0
        return False

    def updated(self, elapsed: float) -> bool:
        """Record an ``update`` that took ``elapsed`` s; True when its answer must be remembered."""
        return self._charge(elapsed)

    def _charge(self, elapsed: float) -> bool:
        if elapsed > self.interval:
            if self.countdown > 0:
                self.countdown -= 1
                self.debt = 0.0
                return False
            self.debt = elapsed - self.interval
            return True
        return False


@dataclass
class RealtimeTracker:
    """A tracker seen through the real-time rule (see the module docstring).

    ``clock`` returns seconds (monotonic). ``reused`` collects the 0-based indices (in the
    order frames were offered, counting ``init`` frames) of frames answered by reuse.
    """

    tracker: Any
    fps: float = DEFAULT_FPS
    grace: int = DEFAULT_GRACE
    clock: Callable[[], float] = time.perf_counter
    reused: list[int] = field(default_factory=list)
    _frame: int = -1
    _last: Any = None

    def __post_init__(self) -> None:
        if not self.fps > 0:
            raise TrackbenchError(f"real-time fps must be > 0, got {self.fps}")
        self.schedule = RealtimeSchedule(1.0 / self.fps, self.grace)
        self.name = getattr(self.tracker, "name", "tracker")
        self.is_deterministic = getattr(self.tracker, "is_deterministic", None)
        self.accepts_image_paths = bool(getattr(self.tracker, "accepts_image_paths", False))

    def init(self, image: np.ndarray, box: np.ndarray, **extra: Any) -> None:
        self._frame += 1
        start = self.clock()
        self.tracker.init(image, box, **extra)
        elapsed = self.clock() - start
        self.schedule.initialized(elapsed)
        self._last = np.asarray(box, dtype=np.float64).copy()  # what the toolkit would reuse

    def update(self, image: np.ndarray, **extra: Any) -> Any:
        self._frame += 1
        if self.schedule.must_reuse():
            self.reused.append(self._frame)
            return self._last
        start = self.clock()
        output = self.tracker.update(image, **extra)
        self.schedule.updated(self.clock() - start)
        self._last = output
        return output


def run_realtime(
    tracker: Any,
    sequence: Any,
    *,
    fps: float | None = None,
    grace: int = DEFAULT_GRACE,
    clock: Callable[[], float] = time.perf_counter,
    progress: Callable[[int], None] | None = None,
    **supervised_options: Any,
):
    """One real-time run: the supervised protocol on ``tracker`` wrapped by
    :class:`RealtimeTracker` (``fps``: the sequence's ``meta["fps"]``, else 20). Returns
    ``(trajectory, reused)``: the supervised trajectory and the reused frames (0-based)."""
    from trackbench.protocols.supervised import run_supervised

    if fps is None:
        fps = float(sequence.meta.get("fps", DEFAULT_FPS)) if getattr(sequence, "meta", None) else DEFAULT_FPS
    wrapped = RealtimeTracker(tracker, fps=fps, grace=grace, clock=clock)
    trajectory = run_supervised(wrapped, sequence, progress=progress, **supervised_options)
    return trajectory, _frames_reused(trajectory, wrapped)


def _frames_reused(trajectory: Any, wrapped: RealtimeTracker) -> list[int]:
    """Map the wrapper's call-order indices to sequence frames (the calls skip the frames
    after a failure)."""
    shown = [i for i, code in enumerate(trajectory.codes) if code != 0]  # 0 = skipped
    return [shown[i] for i in wrapped.reused if i < len(shown)]
