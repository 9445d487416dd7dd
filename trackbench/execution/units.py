"""Work units: one tracker configuration x one sequence x one repetition.

The tracker configuration (spec + options) is the same for every unit of a run, so it
is held by the executor (each worker builds the tracker once); a unit carries the
sequence (frame paths and ground truth, picklable) and the 1-based repetition.
Units are scheduled longest sequence first, so the long tail of a parallel run is short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trackbench.results.layout import LAYOUTS
from trackbench.sequence import Sequence


@dataclass
class WorkUnit:
    """One run of the tracker over one sequence.

    Attributes:
        sequence: the sequence to track.
        repetition: 1-based repetition number (1 for single-run protocols).
        runs: how many repetitions of this sequence the run plans (GOT-10k times files
            have one column per run).
        layout: result layout, ``"ope"`` (OTB/LaSOT/demo), ``"got10k"`` or ``"vot"``;
            ``"vot"`` units run the supervised (reset-based) protocol, the others one pass.
        protocol_options: keyword options of the supervised protocol
            (``skip_initialize``, ``corner_rule``).
        protocol: the suite family's protocol (``"ope"``, ``"supervised"``, ``"longterm"``,
            ``"realtime"``, ``"tre"``, ``"sre"``); the worker runs it.
    """

    sequence: Sequence
    repetition: int = 1
    runs: int = 1
    layout: str = "ope"
    protocol_options: dict[str, Any] = field(default_factory=dict)
    protocol: str = ""

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown result layout {self.layout!r}")
        if not self.protocol:  # the suite family's protocol; units built by hand: the layout's
            self.protocol = "supervised" if self.layout == "vot" else "ope"

    @property
    def key(self) -> str:
        """Stable identifier in the manifest: ``<seq>`` (OPE) or ``<seq>/<rep:03d>``."""
        if self.layout in ("ope", "vot-longterm", "otb-tre", "otb-sre"):
            return self.sequence.name
        return f"{self.sequence.name}/{self.repetition:03d}"

    @property
    def frames(self) -> int:
        """Frames the unit runs (TRE / SRE: over all its segments / perturbations)."""
        if self.protocol in ("tre", "sre"):
            from trackbench.protocols.otb_robustness import planned_frames

            return planned_frames(self.protocol, self.sequence)
        return len(self.sequence)


@dataclass
class UnitOutcome:
    """What a worker reports for one unit.

    Attributes:
        key: the unit's key.
        result: the protocol's output (a :class:`~trackbench.trajectory.Trajectory`
            or the supervised protocol's trajectory); ``None`` on failure.
        error: one-line error message on failure, else ``None``.
        traceback: the formatted traceback on failure.
        seconds: wall-clock seconds the unit took (decoding included).
        tracker_seconds: seconds inside the tracker calls (sum of the per-frame times).
        frames: frames processed.
        worker: ``host:pid`` of the worker that ran it.
        device: the device the worker's tracker was built for, if any.
    """

    key: str
    result: Any = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    tracker_seconds: float = 0.0
    frames: int = 0
    worker: str = ""
    device: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def longest_first(units: list[WorkUnit]) -> list[WorkUnit]:
    """Units ordered by decreasing sequence length (ties: name, then repetition)."""
    return sorted(units, key=lambda u: (-u.frames, u.sequence.name, u.repetition))


def group_into_tasks(units: list[WorkUnit], batch: int) -> list[list[WorkUnit]]:
    """Split units (already ordered) into tasks of up to ``batch`` one-pass units.

    Consecutive units of similar length share a task, so a batched tracker's lockstep
    wastes little; supervised units always run alone.
    """
    tasks: list[list[WorkUnit]] = []
    current: list[WorkUnit] = []
    for unit in units:
        if batch <= 1 or unit.protocol != "ope":
            tasks.append([unit])
            continue
        current.append(unit)
        if len(current) == batch:
            tasks.append(current)
            current = []
    if current:
        tasks.append(current)
    return sorted(tasks, key=lambda task: -max(u.frames for u in task))
