"""What every executor runs inside a worker: build the tracker once, run tasks.

A task is a list of work units: one unit, or up to B one-pass units stepped in lockstep
by a batch-aware tracker. Tracker exceptions (``SystemExit`` included, and the
``--executor inline`` timeout) are caught here and reported in the :class:`UnitOutcome`
(message + traceback); the tracker runs behind a
:class:`~trackbench.execution.watch.WatchedTracker` (phase/frame recorded, outputs
checked). Nothing is written by workers (the runner writes all files, so there is a
single writer per tracker directory).
"""

from __future__ import annotations

import inspect
import os
import socket
import time
import traceback
from typing import Any, Callable

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.execution.batched import run_batched, supports_batches
from trackbench.execution.heap import keep_freed_heap
from trackbench.execution.threads import apply_threads
from trackbench.execution.units import UnitOutcome, WorkUnit
from trackbench.execution.watch import FrameWatch, Limits, UnitTimeout, WatchedTracker
from trackbench.protocols.ope import run_one_pass
from trackbench.registry import create_tracker, resolve_factory

ProgressCallback = Callable[[int], None]


def tracker_factory(spec: str) -> Any:
    """The factory behind ``spec`` (:func:`trackbench.registry.resolve_factory`), or None
    for a ``trax:`` spec. Resolve it once and pass it to :func:`accepts_keyword` and
    :func:`build_tracker`: each look-up of a registered name scans every installed
    distribution's entry points."""
    if spec.startswith("trax:"):
        return None
    return resolve_factory(spec)


def accepts_keyword(spec: str, keyword: str, factory: Any = None) -> bool:
    """Whether the factory of the tracker behind ``spec`` (``factory`` if given, else
    looked up) has a parameter named ``keyword`` (a ``**kwargs`` catch-all does not
    count; ``trax:`` specs never do)."""
    if spec.startswith("trax:"):
        return False
    try:
        if factory is None:
            factory = resolve_factory(spec)
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False
    param = params.get(keyword)
    return param is not None and param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY)


def accepts_device(spec: str) -> bool:
    """Whether the tracker behind ``spec`` takes a ``device`` keyword option."""
    return accepts_keyword(spec, "device")


def build_tracker(spec: str, options: dict[str, Any], device: str | None = None, factory: Any = None,
                  threads: int | None = None) -> Any:
    """Create the tracker, passing ``device`` as its option when it has one.
    ``factory``: :func:`tracker_factory` of ``spec`` if the caller has it (else looked up).
    ``threads``: torch/OpenCV threads of this process (:func:`~trackbench.execution.threads.apply_threads`),
    set before the tracker is built and again after it (for a library its build imported).
    The process's C heap keeps freed frame buffers first (:func:`~trackbench.execution.heap.keep_freed_heap`)."""
    keep_freed_heap()
    if threads is not None:
        apply_threads(threads)
    tracker = _build(spec, options, device, factory)
    if threads is not None:
        apply_threads(threads)
    return tracker


def _build(spec: str, options: dict[str, Any], device: str | None, factory: Any) -> Any:
    options = dict(options)
    if spec.startswith("trax:"):
        factory = None
    elif factory is None:
        factory = resolve_factory(spec)
    if device is not None and "device" not in options and accepts_keyword(spec, "device", factory):
        options["device"] = device
    return create_tracker(spec, options, factory)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ThrottledProgress:
    """A progress callback for workers: accumulates frames done and passes the sum to
    ``send`` at most every ``interval`` seconds; :meth:`flush` sends the rest."""

    def __init__(self, send: ProgressCallback, interval: float = 0.25):
        self.send = send
        self.interval = interval
        self.pending = 0
        self.last = time.monotonic()

    def __call__(self, frames: int) -> None:
        self.pending += frames
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.flush()
            self.last = now

    def flush(self) -> None:
        if self.pending:
            pending, self.pending = self.pending, 0
            self.send(pending)


def execute_task(
    tracker: Any,
    task: list[WorkUnit],
    progress: ProgressCallback | None = None,
    device: str | None = None,
    watch: FrameWatch | None = None,
    limits: Limits | None = None,
) -> list[UnitOutcome]:
    """Run one task with ``tracker``; one :class:`UnitOutcome` per unit, in order.

    ``watch``: where the worker's phase and frame are recorded (a private one if None);
    ``limits``: with them, each tracker call is bounded here with ``SIGALRM`` (the
    in-process executor; isolated workers are timed from outside instead)."""
    watch = watch if watch is not None else FrameWatch()
    watched = WatchedTracker(tracker, watch, limits, alarm=limits is not None)
    try:
        return _execute_watched(watched, task, _with_watch(watch, progress), device, watch)
    finally:
        watched.close()


def _execute_watched(watched: WatchedTracker, task: list[WorkUnit], progress: ProgressCallback, device: str | None,
                     watch: FrameWatch) -> list[UnitOutcome]:
    if len(task) > 1 and supports_batches(watched.wrapped):
        watch.begin_unit(max(u.frames for u in task), batch=True)
        try:
            return _execute_batch(watched, task, progress, device)
        finally:
            watch.end_unit()
    outcomes = []
    for unit in task:
        watch.begin_unit(unit.frames)
        try:
            outcomes.append(_execute_unit(watched, unit, progress, device))
        finally:
            watch.end_unit()
    return outcomes


def _with_watch(watch: FrameWatch, progress: ProgressCallback | None) -> ProgressCallback:
    if progress is None:
        return watch.advance

    def both(frames: int) -> None:
        watch.advance(frames)
        progress(frames)

    return both


# What a tracker may raise that fails its unit instead of the run (KeyboardInterrupt
# still stops the run).
UNIT_FAILURES = (Exception, SystemExit, UnitTimeout)


def _execute_unit(tracker: Any, unit: WorkUnit, progress: ProgressCallback | None, device: str | None) -> UnitOutcome:
    start = time.perf_counter()
    outcome = UnitOutcome(key=unit.key, worker=worker_name(), device=device)
    try:
        if unit.protocol == "supervised":
            from trackbench.protocols.supervised import run_supervised

            result = run_supervised(tracker, unit.sequence, progress=progress, **unit.protocol_options)
        elif unit.protocol != "ope":  # long-term, real-time, TRE, SRE
            from trackbench.protocols.dispatch import run_protocol

            result = run_protocol(unit.protocol, tracker, unit.sequence, progress, unit.protocol_options)
        else:
            result = run_one_pass(tracker, unit.sequence, progress)
        outcome.result = result
        outcome.frames = unit.frames
        outcome.tracker_seconds = float(np.nansum(np.asarray(result.times, dtype=np.float64)))
    except UNIT_FAILURES as exc:  # a tracker's failure is data for the manifest, not a crash
        outcome.error = _one_line(exc)
        outcome.traceback = traceback.format_exc()
    outcome.seconds = time.perf_counter() - start
    return outcome


def _execute_batch(
    tracker: Any, task: list[WorkUnit], progress: ProgressCallback | None, device: str | None
) -> list[UnitOutcome]:
    start = time.perf_counter()
    outcomes = [UnitOutcome(key=u.key, worker=worker_name(), device=device) for u in task]
    try:
        trajectories = run_batched(tracker, [u.sequence for u in task], progress)
        for outcome, unit, trajectory in zip(outcomes, task, trajectories):
            outcome.result = trajectory
            outcome.frames = unit.frames
            outcome.tracker_seconds = float(np.sum(trajectory.times))
    except UNIT_FAILURES as exc:
        for outcome in outcomes:
            outcome.result = None
            outcome.error = f"in a batch of {len(task)}: {_one_line(exc)}"
            outcome.traceback = traceback.format_exc()
    elapsed = time.perf_counter() - start
    for outcome in outcomes:
        outcome.seconds = elapsed
    return outcomes


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, (UnitTimeout, TrackbenchError)):
        return str(exc)
    if isinstance(exc, SystemExit):
        return f"tracker called sys.exit({exc.code!r})"
    text = str(exc).replace("\n", " ").strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def failed_outcomes(task: list[WorkUnit], error: str, trace: str | None = None) -> list[UnitOutcome]:
    """Outcomes reporting that every unit of ``task`` failed with ``error``."""
    return [UnitOutcome(key=unit.key, error=error, traceback=trace) for unit in task]
