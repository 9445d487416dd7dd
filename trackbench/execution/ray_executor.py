"""The Ray executor: work units as tasks of Ray actors, on a local instance or a cluster.

Ray is an optional extra (``pip install "ray>=2.9"``). Each actor builds the tracker once
from its spec and options and reserves ``num_cpus=1`` (and ``num_gpus=1`` when devices
are given: Ray then makes one GPU visible to the actor, which is passed ``cuda:0``).
With ``address`` (``ray://host:10001`` or ``host:6379``, or ``auto``) the run joins an
existing cluster; every node must see the dataset and the tracker's code at the same
paths. Without it a local instance with ``workers`` CPUs is started and shut down.
"""

from __future__ import annotations

import traceback
from collections import deque
from typing import Any, Callable, Iterator

from trackbench.errors import TrackbenchError
from trackbench.execution.units import UnitOutcome, WorkUnit
from trackbench.execution.worker import build_tracker, execute_task, failed_outcomes


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise TrackbenchError('the ray executor needs Ray: pip install "ray>=2.9" (or trackbench[ray])') from None
    return ray


class TrackerActor:
    """Body of a Ray actor: one tracker, many tasks."""

    def __init__(self, spec: str, options: dict[str, Any], device: str | None):
        self.device = device
        self.tracker = build_tracker(spec, options, device)

    def run(self, task: list[WorkUnit]) -> list[UnitOutcome]:
        return execute_task(self.tracker, task, None, self.device)


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
    ):
        self.ray = import_ray()
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
        self._actors = [self._new_actor(index) for index in range(self.workers)]

    def _new_actor(self, index: int) -> Any:
        if self.devices:
            # Ray chooses the GPU and sets CUDA_VISIBLE_DEVICES for the actor, so inside it the
            # assigned GPU is always cuda:0; --devices gives the number of GPU actors.
            return self._actor_class.options(num_cpus=1, num_gpus=1).remote(self.spec, self.options, "cuda:0")
        return self._actor_class.options(num_cpus=1).remote(self.spec, self.options, None)

    def run(
        self, tasks: list[list[WorkUnit]], progress: Callable[[int], None], isolate: bool = False
    ) -> Iterator[list[UnitOutcome]]:
        """Keep every actor busy with one task at a time; yield outcomes as tasks finish.

        An actor that dies (or fails to build its tracker) reports its task failed and
        is replaced by a new one. (A death only ever takes down its own task, so
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
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                index, task = running.pop(ref)
                try:
                    outcomes = ray.get(ref)
                except Exception as exc:
                    outcomes = failed_outcomes(task, f"ray worker failed: {type(exc).__name__}: {exc}", traceback.format_exc())
                    ray.kill(self._actors[index], no_restart=True)
                    self._actors[index] = self._new_actor(index)
                idle.append(index)
                progress(sum(unit.frames for unit in task))
                yield outcomes

    def close(self) -> None:
        for actor in self._actors:
            try:
                self.ray.kill(actor, no_restart=True)
            except Exception:
                pass
        self._actors = []
        if self._owns_ray:
            self.ray.shutdown()
            self._owns_ray = False
