"""The in-process executor (``--executor inline``): every task in this process, with one
tracker instance. No isolation: for debugging (breakpoints, tracebacks in place) and
profiling. A crash of the tracker ends the run (finished units are kept); each tracker
call is still bounded by ``--timeout`` (``SIGALRM``, see :mod:`trackbench.execution.watch`)."""

from __future__ import annotations

from typing import Any, Callable, Iterator

from trackbench.execution.units import UnitOutcome, WorkUnit
from trackbench.execution.watch import Limits
from trackbench.execution.worker import execute_task


class InlineExecutor:
    """Runs tasks one after the other in the calling process."""

    name = "inline"

    def __init__(self, tracker: Any, device: str | None = None, limits: Limits | None = None):
        self.tracker = tracker
        self.device = device
        self.limits = limits or Limits()

    @property
    def workers(self) -> int:
        return 1

    def run(
        self, tasks: list[list[WorkUnit]], progress: Callable[[int], None], isolate: bool = False
    ) -> Iterator[list[UnitOutcome]]:
        """Yield the outcomes of each task, in order, as it finishes (always one at a time)."""
        for task in tasks:
            yield execute_task(self.tracker, task, progress, self.device, limits=self.limits)

    def close(self) -> None:
        pass
