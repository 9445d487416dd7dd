"""The serial executor: every task in this process, with one tracker instance."""

from __future__ import annotations

from typing import Any, Callable, Iterator

from trackbench.execution.units import UnitOutcome, WorkUnit
from trackbench.execution.worker import execute_task


class SerialExecutor:
    """Runs tasks one after the other in the calling process."""

    name = "serial"

    def __init__(self, tracker: Any, device: str | None = None):
        self.tracker = tracker
        self.device = device

    @property
    def workers(self) -> int:
        return 1

    def run(
        self, tasks: list[list[WorkUnit]], progress: Callable[[int], None], isolate: bool = False
    ) -> Iterator[list[UnitOutcome]]:
        """Yield the outcomes of each task, in order, as it finishes (always one at a time)."""
        for task in tasks:
            yield execute_task(self.tracker, task, progress, self.device)

    def close(self) -> None:
        pass
