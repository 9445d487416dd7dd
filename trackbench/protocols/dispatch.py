"""Run one work unit of the long-term, real-time, TRE or SRE protocol (data in, data out).

The runner's workers call :func:`run_protocol` for any unit whose protocol is neither
one-pass nor supervised, so every executor (serial / process / Ray) and resume work
through the generic path; the runner writes what is returned
(:mod:`trackbench.results.protocol_layouts`).
"""

from __future__ import annotations

from typing import Any, Callable

from trackbench.errors import TrackbenchError
from trackbench.protocols.ope import run_one_pass
from trackbench.protocols.otb_robustness import run_robustness, sequence_omit
from trackbench.protocols.realtime import run_realtime
from trackbench.results.vot_longterm import from_one_pass
from trackbench.sequence import Sequence


def run_protocol(protocol: str, tracker: Any, sequence: Sequence, progress: Callable[[int], None] | None,
                 options: dict[str, Any]) -> Any:
    """What the unit's protocol returns: a long-term trajectory, a supervised trajectory
    (real-time), or a :class:`~trackbench.results.otb_robustness_files.RobustnessResult`."""
    if protocol == "longterm":
        run = run_one_pass(tracker, sequence, progress)
        return from_one_pass(run.boxes, run.scores, run.times)
    if protocol == "realtime":
        trajectory, _ = run_realtime(tracker, sequence, progress=progress, **options)
        return trajectory
    if protocol in ("tre", "sre"):
        return run_robustness(tracker, sequence, protocol, sequence_omit(sequence), sequence.image_size, progress)
    raise TrackbenchError(f"unknown protocol {protocol!r}")
