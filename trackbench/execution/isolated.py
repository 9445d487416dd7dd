"""Crash isolation: each tracker runs in a long-lived child worker process.

The default executor (``serial``: one worker) and ``process`` (``--workers N``) run
every task in a :class:`WorkerProcess`: a child that builds the tracker once and then
runs task after task sent over a pipe, so isolation costs one process start per run, not
one per unit (measured in ``benchmarks/isolation_cost.py``). The child is forked when
that is safe (:func:`start_method`: a few milliseconds, nothing imported again), else
started fresh (``spawn``: a new interpreter that imports trackbench and the tracker).
The parent reads the child's :class:`~trackbench.execution.watch.FrameWatch` from
shared memory, for the progress bar and the time limits, and notices its death:

* a segfault, ``os._exit``, an OOM kill: the task in flight fails with
  "worker process killed by signal SIGSEGV (11) in update at frame 4" (or "exited with
  code 3 ..."), and a fresh worker takes the next task; nothing else is charged;
* a call past ``--timeout`` (:class:`~trackbench.execution.watch.Limits`): the parent
  kills the worker's process group (the tracker's own children too, e.g. a TraX
  server) and the task fails with "timed out after 60 s in update at frame 4";
* a ``MemoryError`` is recorded like any exception, then the worker is replaced (its
  memory may be in a bad state).

Children ignore SIGINT and sit in their own process group: Ctrl-C and SIGTERM reach
the parent only, which stops them (:meth:`IsolatedExecutor.close`). A child whose parent
dies (``kill -9``) exits by itself.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler
from typing import Any, Callable, Iterator

from trackbench.execution.heap import return_free_heap
from trackbench.execution.units import UnitOutcome, WorkUnit
from trackbench.execution.watch import BUILDING, SLOTS, STARTING, FrameWatch, Limits
from trackbench.execution.worker import build_tracker, execute_task, failed_outcomes, worker_name
from trackbench.textio import naming_file

SHARED_MEMORY = "/dev/shm (the worker's shared memory)"  # where multiprocessing keeps it, for errors
POLL_SECONDS = 0.1  # how often the parent looks at busy workers' watches
STOP_SECONDS = 5.0  # how long a worker may take to exit when asked
#: A task sent ahead to a busy worker (:meth:`WorkerProcess.queue`) must fit the socket's
#: buffer, so that sending it never blocks the parent while the child works.
QUEUE_BYTES = 64 * 1024


#: ``fork`` or ``spawn`` forces how workers start (else :func:`start_method` decides).
START_METHOD_VARIABLE = "TRACKBENCH_WORKER_START"
#: Modules whose thread pools do not survive a fork (OpenMP / intra-op pools): once the
#: parent has imported one, workers are spawned.
FORK_UNSAFE_MODULES = ("torch", "onnxruntime", "tensorflow", "jax", "ray")


def start_method() -> str:
    """How a worker process starts: ``fork`` (the parent's imports are inherited: a few
    milliseconds instead of a fresh interpreter importing numpy, OpenCV and the tracker)
    when the parent runs a single thread and has not loaded a library with thread pools
    that a fork breaks (:data:`FORK_UNSAFE_MODULES`), else ``spawn``. A fork with other
    threads running could copy a lock one of them holds, so a worker replaced during a
    run (the runner's writer thread is alive then) is spawned; tqdm's monitor thread (which
    every progress bar starts, even a disabled one) only touches tqdm's own lock, which the
    worker never uses. ``$TRACKBENCH_WORKER_START`` (``fork`` / ``spawn``) overrides the choice."""
    forced = os.environ.get(START_METHOD_VARIABLE, "").strip().lower()
    if forced in ("fork", "spawn"):
        return forced
    others = [t for t in threading.enumerate()
              if t is not threading.current_thread() and type(t).__module__ != "tqdm._monitor"]
    if "fork" not in multiprocessing.get_all_start_methods() or others:
        return "spawn"
    if any(name in sys.modules for name in FORK_UNSAFE_MODULES):
        return "spawn"
    return "fork"


@contextmanager
def opencv_pool_stopped() -> Iterator[None]:
    """OpenCV's worker threads stopped for a fork, started again after it (lazily, at
    OpenCV's next parallel call). A forked child inherits the state of OpenCV's pthreads
    pool but not its threads: if the parent had run a parallel OpenCV call (decoding,
    ``cvtColor`` or ``resize`` with 2+ threads), the child's ``cv2.setNumThreads(1)``
    (:func:`trackbench.execution.threads.apply_threads`, e.g. two workers on two cores)
    waits forever for those threads. With the parent's pool stopped first
    (``setNumThreads(1)`` joins its threads), the child builds its own."""
    cv2 = sys.modules.get("cv2")
    threads = cv2.getNumThreads() if cv2 is not None else 1
    if threads > 1:
        cv2.setNumThreads(1)
    try:
        yield
    finally:
        if threads > 1:
            cv2.setNumThreads(threads)


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


#: ``prctl`` option: the signal the kernel sends this process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> bool:
    """Have the kernel kill this process (``SIGKILL``) when its parent dies, where Linux's
    ``prctl(PR_SET_PDEATHSIG)`` exists: no watching thread to start (about a millisecond
    of a worker's start). False where it does not (the caller then watches ``getppid``).
    The kernel sends it when the *thread* that started this process ends, so it is used
    only for workers started by the parent's main thread."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError, TypeError):
        return False
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)
    return True


def _child_main(conn: Any, slots: Any, spec: str, options: dict[str, Any], device: str | None, parent: int,
                threads: int | None = None, factory: Any = None, started_by_main_thread: bool = False) -> None:
    """The worker process: set its threads, build the tracker, then run tasks until told to
    stop. It ends when its parent dies: by the kernel's signal when the parent's main
    thread started it (:func:`_die_with_parent`; that signal follows the starting thread),
    else by a thread watching ``getppid``."""
    os.setpgid(0, 0)  # its own process group: killed as one on a timeout, no terminal Ctrl-C
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked child inherits the command's handler
    if not (started_by_main_thread and _die_with_parent(parent)):
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True,
                         name="trackbench-orphan-watch").start()
    watch = FrameWatch(slots)
    watch.set_phase(BUILDING)
    tracker, build_error = None, None
    try:
        tracker = build_tracker(spec, options, device, factory, threads=threads)
    except (Exception, SystemExit) as exc:  # reported with each task instead
        build_error = (f"building the tracker on {device or 'this worker'} failed: {type(exc).__name__}: {exc}",
                       traceback.format_exc())
    watch.end_unit()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        if build_error is not None:
            outcomes = failed_outcomes(task, *build_error)
        else:
            outcomes = execute_task(tracker, task, None, device, watch)
        try:
            conn.send(outcomes)
        except Exception as exc:  # e.g. a result that cannot be pickled
            conn.send(failed_outcomes(task, f"cannot send the result back: {type(exc).__name__}: {exc}",
                                      traceback.format_exc()))
        if retires(outcomes):
            return  # a fresh worker for the next task


def retires(outcomes: list[UnitOutcome]) -> bool:
    """Whether a worker stops after these outcomes: after a ``MemoryError`` its memory
    may be in a bad state, so the next task gets a fresh worker."""
    return any((o.error or "").startswith("MemoryError") for o in outcomes)


def describe_exit(exitcode: int | None) -> str:
    """``"killed by signal SIGSEGV (11)"`` / ``"exited with code 3"``."""
    if exitcode is None:
        return "stopped"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "signal"
        text = f"killed by signal {name} ({-exitcode})"
        if -exitcode == signal.SIGKILL:
            text += " (out of memory?)"
        return text
    return f"exited with code {exitcode}"


class WorkerProcess:
    """One child worker (started on first use, restarted after it dies) and its task."""

    def __init__(self, spec: str, options: dict[str, Any], device: str | None, limits: Limits,
                 threads: int | None = None, factory: Any = None):
        self.spec, self.options, self.device, self.limits = spec, dict(options), device, limits
        self.factory = factory  # the resolved factory, handed to a forked child (spares its look-up)
        self.threads = threads  # torch/OpenCV threads of the child (trackbench.execution.threads)
        self._context: Any = None
        self.process: Any = None
        self.conn: Any = None
        self.watch: FrameWatch | None = None
        self.task: list[WorkUnit] | None = None
        self.queued: list[list[WorkUnit]] = []  # sent behind `task`; the child starts it next
        self.requeue: list[list[WorkUnit]] = []  # queued tasks a dead worker never ran
        self._reported = 0  # frames of the watch already passed to the progress callback
        self._released = False  # told to exit (release) and not yet waited for
        self._too_big: list[WorkUnit] | None = None  # the last task queue() found too big to send ahead

    @property
    def busy(self) -> bool:
        return self.task is not None

    def start(self) -> None:
        """Start the child now (else on the first :meth:`submit`); a released child
        (:meth:`release`) is waited for and replaced."""
        if self._released:
            self.stop()
        if self.process is None or not self.process.is_alive():
            self._discard()
            self._start()

    def release(self) -> None:
        """Tell an idle child to exit, without waiting for it (:meth:`stop` waits later;
        a task submitted meanwhile starts a new child)."""
        if self.process is None or self.busy or self._released or not self.process.is_alive():
            return
        try:
            self.conn.send(None)
        except OSError:
            return
        self._released = True

    def _start(self) -> None:
        method = start_method()
        self._context = multiprocessing.get_context(method)
        if method == "fork":
            return_free_heap()
        with naming_file(SHARED_MEMORY):
            slots = self._context.RawArray("d", SLOTS)
        self.watch = FrameWatch(slots)
        self.watch.set_phase(STARTING)
        parent_conn, child_conn = self._context.Pipe()
        self.process = self._context.Process(
            target=_child_main,
            args=(child_conn, slots, self.spec, self.options, self.device, os.getpid(), self.threads,
                  self.factory if method == "fork" else None,
                  threading.current_thread() is threading.main_thread()),
            name="trackbench-worker",
            daemon=False,  # a tracker may start processes of its own; close() stops it
        )
        if method == "fork":
            with opencv_pool_stopped():
                self.process.start()
        else:
            self.process.start()
        child_conn.close()
        self.conn = parent_conn
        self._reported = 0

    def submit(self, task: list[WorkUnit]) -> None:
        self.start()
        self.task = task
        self.conn.send(task)

    def queue(self, task: list[WorkUnit]) -> bool:
        """Send ``task`` to this busy worker to run after its current one (the child then
        goes on without waiting for the parent's reply); False, and nothing sent, when
        the worker is idle, already has a queued task or the task is too big to send
        without blocking (:data:`QUEUE_BYTES`)."""
        if not self.busy or self.queued or self._released or task is self._too_big:
            return False
        data = ForkingPickler.dumps(task)
        if len(data) > QUEUE_BYTES:
            self._too_big = task  # not pickled again at every poll; submitted when the worker is idle
            return False
        try:
            self.conn.send_bytes(data)
        except OSError:
            return False  # the child died: poll() reports it
        self.queued.append(task)
        return True

    def take_requeue(self) -> list[list[WorkUnit]]:
        """The queued tasks a worker that died (or retired) never started, to run elsewhere."""
        tasks, self.requeue = self.requeue, []
        return tasks

    def progress(self) -> int:
        """Frames done since the last call."""
        if self.watch is None:
            return 0
        done = self.watch.frames_done
        delta, self._reported = done - self._reported, done
        return max(delta, 0)

    def waitables(self) -> list[Any]:
        return [self.conn, self.process.sentinel] if self.busy else []

    def poll(self) -> list[UnitOutcome] | None:
        """The finished task's outcomes, or failed ones if the worker died or timed out;
        ``None`` while it is still running."""
        assert self.task is not None and self.watch is not None
        try:
            if self.conn.poll():
                outcomes = self.conn.recv()
                if retires(outcomes):  # the child exits without starting a queued task
                    self.task = None
                    self.process.join(STOP_SECONDS)
                    self._discard()
                else:
                    self.task = self.queued.pop(0) if self.queued else None
                return outcomes
        except (EOFError, OSError):
            pass  # the child died: its exit code tells how
        if not self.process.is_alive():
            self.process.join()
            where = self.watch.where()
            error = f"worker process {describe_exit(self.process.exitcode)} {where}"
            return self._fail(error)
        message = self.watch.overdue(self.limits)
        if message is not None:
            self.kill()
            return self._fail(message)
        return None

    def _fail(self, error: str) -> list[UnitOutcome]:
        task, self.task = self.task, None
        outcomes = failed_outcomes(task, error)
        for outcome in outcomes:
            outcome.worker = f"{worker_name().rpartition(':')[0]}:{self.process.pid}"
            outcome.device = self.device
        self._discard()
        return outcomes

    def run(self, task: list[WorkUnit], progress: Callable[[int], None] | None = None) -> list[UnitOutcome]:
        """Run ``task`` and wait for it (what a Ray actor does with its worker)."""
        self.submit(task)
        while True:
            wait(self.waitables(), timeout=POLL_SECONDS)
            outcomes = self.poll()
            frames = self.progress()
            if frames and progress is not None:
                progress(frames)
            if outcomes is not None:
                return outcomes

    def kill(self) -> None:
        """Kill the worker and everything it started (its process group), now."""
        if self.process is not None and self.process.pid is not None:
            for kill in (os.killpg, os.kill):
                try:
                    kill(self.process.pid, signal.SIGKILL)
                    break
                except (ProcessLookupError, PermissionError):
                    continue
            self.process.join(STOP_SECONDS)

    def _discard(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.kill()
            else:
                self.process.join(0)
                self._kill_group()
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None
        self.requeue += self.queued
        self.queued = []
        self.task = None
        self._released = False

    def _kill_group(self) -> None:
        """What the dead worker left running in its group (e.g. a TraX server)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        """Ask an idle worker to exit; kill a busy (or slow) one."""
        if self.process is None:
            return
        if not self.busy and self.process.is_alive():
            if not self._released:
                try:
                    self.conn.send(None)
                except OSError:
                    pass
            self.process.join(STOP_SECONDS)
        self._discard()


class IsolatedExecutor:
    """Runs tasks on ``workers`` isolated worker processes, one task per worker at a time;
    a single worker (``serial``) also gets the next task sent ahead, so it starts it
    without waiting for the parent to take the previous outcome. With ``devices``,
    worker ``i`` is pinned to ``devices[i % len(devices)]``. ``factory``: the tracker's
    resolved factory, if the caller has it (forked workers use it)."""

    def __init__(self, spec: str, options: dict[str, Any], workers: int = 1, devices: list[str] | None = None,
                 limits: Limits | None = None, name: str = "process", threads: int | None = None,
                 factory: Any = None):
        self.name = name
        self.workers = max(1, int(workers))
        devices = list(devices or [])
        self.limits = limits or Limits()
        self._pool = [
            WorkerProcess(spec, options, devices[index % len(devices)] if devices else None, self.limits, threads,
                          factory)
            for index in range(self.workers)
        ]
        self._sent: list[list[WorkUnit]] = []  # tasks handed out by send_ahead, for the next run()
        for worker in self._pool:  # they import and build while the runner prepares the run
            worker.start()

    def send_ahead(self, tasks: list[list[WorkUnit]]) -> None:
        """Hand the first of ``tasks`` to the idle workers now (one worker: also the next
        task behind it), so they track while the caller prepares the rest of the run (its
        writer thread, ``run.json``, the manifest); the :meth:`run` that follows with the
        same list hands out only the others and yields every outcome as usual."""
        waiting = list(reversed(tasks))
        self._hand_out(waiting, len(self._pool), len(self._pool) == 1)
        self._sent = [task for task in tasks if not any(task is left for left in waiting)]

    def _hand_out(self, waiting: list[list[WorkUnit]], limit: int, ahead: bool) -> list[WorkerProcess]:
        """Submit tasks popped from the end of ``waiting`` to idle workers (at most ``limit``
        busy), queue the next one behind a single busy worker when ``ahead``; the busy workers."""
        busy = [w for w in self._pool if w.busy]
        for worker in self._pool:
            if not waiting or len(busy) >= limit:
                break
            if not worker.busy:
                worker.submit(waiting.pop())
                busy.append(worker)
        if ahead and waiting and busy and busy[0].queue(waiting[-1]):
            waiting.pop()
        return busy

    def run(
        self, tasks: list[list[WorkUnit]], progress: Callable[[int], None], isolate: bool = False
    ) -> Iterator[list[UnitOutcome]]:
        """Hand out the tasks (in order: longest first) and yield outcomes as tasks finish
        (tasks already handed out by :meth:`send_ahead` are not sent again).
        ``isolate`` runs one task at a time (retries: a crash then blames only its own unit,
        and is never a neighbour's side effect)."""
        sent, self._sent = self._sent, []
        waiting = [task for task in reversed(tasks) if not any(task is done for done in sent)]
        limit = 1 if isolate else len(self._pool)
        ahead = not isolate and len(self._pool) == 1  # several workers: no queue behind a long task
        while True:
            busy = self._hand_out(waiting, limit, ahead)
            if not busy:
                return
            wait([item for w in busy for item in w.waitables()], timeout=POLL_SECONDS)
            finished = []
            for worker in busy:
                outcomes = worker.poll()
                waiting += reversed(worker.take_requeue())  # sent ahead to a worker that died: run next
                frames = worker.progress()
                if frames:
                    progress(frames)
                if outcomes is not None:
                    finished.append(outcomes)
            yield from finished

    def release(self) -> None:
        """Let the idle workers exit now, without waiting (the run has no more tasks
        unless it is wrong about that: a later task starts a fresh worker)."""
        for worker in self._pool:
            worker.release()

    def close(self) -> None:
        for worker in self._pool:
            worker.stop()
