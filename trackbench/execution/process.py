"""The process-pool executor: ``concurrent.futures`` over ``spawn``-started workers.

Each worker process builds the tracker once, from its spec and options (never
pickled), in the pool initializer; with ``devices``, worker ``i`` is pinned to
``devices[i % len(devices)]`` (passed as the tracker's ``device`` option if it has one).
Each worker sets its torch/OpenCV threads (:mod:`trackbench.execution.threads`) first.
Workers report frames done through a queue so one progress bar covers all of them.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterator

from trackbench.execution.threads import choose_threads
from trackbench.execution.units import UnitOutcome, WorkUnit
from trackbench.execution.worker import ThrottledProgress, build_tracker, execute_task, failed_outcomes

# Per-worker-process state, set once by the pool initializer (only ever used inside a
# worker process: the pool API offers no other place to keep the tracker between tasks).
_WORKER: dict[str, Any] = {}


def _exit_when_orphaned(parent: int) -> None:
    """Stop this worker once its parent is gone (e.g. the run was killed with ``kill -9``):
    a pool worker would otherwise wait forever for tasks that never come."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _init_worker(spec: str, options: dict[str, Any], devices: Any, progress: Any, parent: int, threads: int) -> None:
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True, name="trackbench-orphan-watch").start()
    device = None
    if devices is not None:
        device = devices.get()
    _WORKER["device"] = device
    _WORKER["progress"] = progress
    try:
        _WORKER["tracker"] = build_tracker(spec, options, device, threads=threads)
    except Exception as exc:  # reported with each task, instead of a broken pool
        _WORKER["build_error"] = (f"building the tracker on {device or 'this worker'} failed: {type(exc).__name__}: {exc}",
                                  traceback.format_exc())


def _run_task(task: list[WorkUnit]) -> list[UnitOutcome]:
    if "build_error" in _WORKER:
        return failed_outcomes(task, *_WORKER["build_error"])
    reporter = ThrottledProgress(_WORKER["progress"].put)
    try:
        return execute_task(_WORKER["tracker"], task, reporter, _WORKER["device"])
    finally:
        reporter.flush()


class ProcessExecutor:
    """Runs tasks on ``workers`` processes (spawn context), the tracker built once per worker."""

    name = "process"

    def __init__(self, spec: str, options: dict[str, Any], workers: int, devices: list[str] | None = None,
                 threads: int | None = None):
        self.spec = spec
        self.threads = choose_threads(threads, max(1, int(workers)))
        self.options = dict(options)
        self.workers = max(1, int(workers))
        self.devices = list(devices or [])
        self._context = multiprocessing.get_context("spawn")
        self._progress = self._context.Queue()
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            devices = None
            if self.devices:
                devices = self._context.Queue()
                for index in range(self.workers):
                    devices.put(self.devices[index % len(self.devices)])
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=self._context,
                initializer=_init_worker,
                initargs=(self.spec, self.options, devices, self._progress, os.getpid(), self.threads),
            )
        return self._pool

    def _drain(self, progress: Callable[[int], None]) -> None:
        while True:
            try:
                frames = self._progress.get_nowait()
            except queue.Empty:
                return
            progress(frames)

    def run(
        self, tasks: list[list[WorkUnit]], progress: Callable[[int], None], isolate: bool = False
    ) -> Iterator[list[UnitOutcome]]:
        """Submit the tasks (in order: longest first) and yield outcomes as tasks finish.

        A worker process that dies (e.g. a crash in native code) breaks the pool: every
        task in flight is reported failed and a fresh pool takes the rest. ``isolate``
        runs one task at a time (used for retries, so a crash blames only its own unit).
        """
        waiting = list(reversed(tasks))
        limit = 1 if isolate else len(tasks)
        running: dict = {}
        while waiting or running:
            while waiting and len(running) < limit:
                task = waiting.pop()
                running[self._get_pool().submit(_run_task, task)] = task
            done, _ = wait(set(running), timeout=0.2, return_when=FIRST_COMPLETED)
            self._drain(progress)
            for future in done:
                task = running.pop(future)
                try:
                    outcomes = future.result()
                except BrokenProcessPool as exc:
                    self._discard_pool()
                    outcomes = failed_outcomes(task, f"worker process died: {exc}", traceback.format_exc())
                except Exception as exc:  # e.g. a result that cannot be pickled back
                    outcomes = failed_outcomes(task, f"{type(exc).__name__}: {exc}", traceback.format_exc())
                yield outcomes
        self._drain(progress)

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
