"""The Ray executor: work units as tasks of Ray actors, on a local instance or a cluster.

Ray is an optional extra (``pip install "ray>=2.9"``). Each actor runs the tracker in its
own isolated worker process (:mod:`trackbench.execution.isolated`: built once, crashes
and ``--timeout`` recorded per task, exactly as locally) and reserves ``num_cpus=1`` (and ``num_gpus=1`` when devices
are given: Ray then makes one GPU visible to the actor, which is passed ``cuda:0``).
With ``address`` (``ray://host:10001`` or ``host:6379``, or ``auto``) the run joins an
existing cluster; every node must see the dataset and the tracker's code at the same
paths. Without it a local instance with ``workers`` CPUs is started and shut down.

Progress: actors post frames done (at most every 0.25 s) to a small
:class:`ProgressCounter` actor, which the driver drains between ``ray.wait`` calls, so
the progress bar moves while a long sequence runs, not only when it ends.
"""

from __future__ import annotations

import traceback
from collections import deque
from typing import Any, Callable, Iterator

from trackbench.errors import TrackbenchError
from trackbench.execution.units import UnitOutcome, WorkUnit
from trackbench.execution.isolated import WorkerProcess
from trackbench.execution.watch import Limits
from trackbench.execution.worker import ThrottledProgress, failed_outcomes


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise TrackbenchError('the ray executor needs Ray: pip install "ray>=2.9" (or trackbench[ray])') from None
    return ray


_POLL_SECONDS = 0.2  # the driver's wait between two looks at the progress counter
STOP_SECONDS = 5.0  # at the end, how long the actors get to stop their worker processes


class ProgressCounter:
    """Body of a Ray actor: the frames done that the driver has not taken yet."""

    def __init__(self) -> None:
        self.frames = 0

    def add(self, frames: int) -> None:
        self.frames += int(frames)

    def take(self) -> int:
        frames, self.frames = self.frames, 0
        return frames


class TrackerActor:
    """Body of a Ray actor: one isolated worker process (the tracker, built once, runs in
    a child of the actor: :class:`~trackbench.execution.isolated.WorkerProcess`), many
    tasks; a crash or a timeout there fails only the task, with its cause, and the actor
    lives on. Frames done go to ``counter`` (a :class:`ProgressCounter` actor handle)."""

    def __init__(self, spec: str, options: dict[str, Any], device: str | None, counter: Any = None,
                 limits: Limits | None = None, threads: int = 1):
        self.device = device
        self.counter = counter
        self.worker = WorkerProcess(spec, options, device, limits or Limits(), threads)

    def run(self, task: list[WorkUnit]) -> list[UnitOutcome]:
        if self.counter is None:
            return self.worker.run(task)
        reporter = ThrottledProgress(self.counter.add.remote)
        try:
            return self.worker.run(task, reporter)
        finally:
            # Waited for (and after this actor's earlier, unwaited adds: Ray runs one
            # caller's calls to an actor in order), so the driver finds all of the task's
            # frames in the counter by the time it sees the task finished.
            import_ray().get(self.counter.add.remote(reporter.pending))
            reporter.pending = 0

    def stop(self) -> None:
        """Stop the worker process (before the actor is killed)."""
        self.worker.stop()


class RayExecutor:
    """Runs tasks on ``workers`` Ray actors, each with its own tracker."""

    name = "ray"

    def __init__(
        self,
        spec: str,
        options: dict[str, Any],
        workers: int | None = None,
        devices: list[str] | None = None,
        address: str | None = None,
        limits: Limits | None = None,
        threads: int = 1,
    ):
        self.ray = import_ray()
        self.limits = limits or Limits()
        self.threads = max(1, int(threads))
        self.spec = spec
        self.options = dict(options)
        self.devices = list(devices or [])
        self._owns_ray = False
        if not self.ray.is_initialized():
            init_args: dict[str, Any] = {"include_dashboard": False, "logging_level": "ERROR"}
            if address:
                init_args["address"] = address
            elif workers:
                init_args["num_cpus"] = int(workers)
            self.ray.init(**init_args)
            self._owns_ray = True
        if workers is None:
            workers = len(self.devices) or max(1, int(self.ray.cluster_resources().get("CPU", 1)))
        self.workers = max(1, int(workers))
        self._actor_class = self.ray.remote(TrackerActor)
        self._counter = self.ray.remote(ProgressCounter).options(num_cpus=0).remote()
        self._actors = [self._new_actor(index) for index in range(self.workers)]

    def _new_actor(self, index: int) -> Any:
        if self.devices:
            # Ray chooses the GPU and sets CUDA_VISIBLE_DEVICES for the actor, so inside it the
            # assigned GPU is always cuda:0; --devices gives the number of GPU actors.
            gpu_actor = self._actor_class.options(num_cpus=1, num_gpus=1)
            return gpu_actor.remote(self.spec, self.options, "cuda:0", self._counter, self.limits, self.threads)
        return self._actor_class.options(num_cpus=1).remote(self.spec, self.options, None, self._counter, self.limits,
                                                            self.threads)

    def run(
        self, tasks: list[list[WorkUnit]], progress: Callable[[int], None], isolate: bool = False
    ) -> Iterator[list[UnitOutcome]]:
        """Keep every actor busy with one task at a time; yield outcomes as tasks finish.

        ``progress`` gets the frames done, as the actors report them (every 0.2 s or so
        while tasks run; all of a task's frames by the time its outcomes are yielded).
        A tracker that crashes or times out fails its task inside the actor (its worker
        process is replaced); an actor that dies itself reports its task failed and is
        replaced by a new one. (A death only ever takes down its own task, so
        ``isolate`` needs nothing more.)
        """
        ray = self.ray
        waiting = deque(tasks)
        idle = list(range(len(self._actors)))
        running: dict[Any, tuple[int, list[WorkUnit]]] = {}
        while waiting or running:
            while idle and waiting:
                index = idle.pop()
                task = waiting.popleft()
                running[self._actors[index].run.remote(task)] = (index, task)
            ready, _ = ray.wait(list(running), num_returns=1, timeout=_POLL_SECONDS)
            self._report(progress)
            for ref in ready:
                index, task = running.pop(ref)
                try:
                    outcomes = ray.get(ref)
                except Exception as exc:
                    outcomes = failed_outcomes(task, f"ray worker failed: {type(exc).__name__}: {exc}", traceback.format_exc())
                    ray.kill(self._actors[index], no_restart=True)
                    self._actors[index] = self._new_actor(index)
                idle.append(index)
                yield outcomes

    def _report(self, progress: Callable[[int], None]) -> None:
        frames = self.ray.get(self._counter.take.remote())
        if frames:
            progress(frames)

    def close(self) -> None:
        stops = []
        for actor in self._actors:
            try:
                stops.append(actor.stop.remote())
            except Exception:
                pass
        try:
            self.ray.wait(stops, num_returns=len(stops), timeout=STOP_SECONDS)
        except Exception:
            pass
        for actor in self._actors:
            try:
                self.ray.kill(actor, no_restart=True)
            except Exception:
                pass
        self._actors = []
        try:
            self.ray.kill(self._counter, no_restart=True)
        except Exception:
            pass
        if self._owns_ray:
            self.ray.shutdown()
            self._owns_ray = False
