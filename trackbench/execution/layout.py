"""Which units a suite needs, where their results go, and writing them.

Three result layouts (see :mod:`trackbench.results.write` and interface 4):

* ``ope``: one run per sequence (OTB, LaSOT, demo, custom one-pass suites);
* ``got10k``: ``suite.repetitions`` runs per sequence (3), one for a tracker declaring
  itself deterministic;
* ``vot``: the supervised protocol: one run for a tracker declaring itself deterministic;
  for any other (``is_deterministic`` False or None) runs 1..3, stopping there when they
  are identical, else all ``suite.repetitions`` (15) — the VOT toolkit's rule; see
  :mod:`trackbench.tracker`.
  The protocol and its files belong to :mod:`trackbench.protocols.supervised`.

A unit is finished iff its result file exists (times are written before it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackbench.execution.units import WorkUnit
from trackbench.metrics.vot import SKIP_INITIALIZE
from trackbench.results.write import (
    got10k_result_path,
    ope_result_path,
    write_got10k_result,
    write_ope_result,
)
from trackbench.sequence import Dataset, Sequence

if TYPE_CHECKING:
    from trackbench.suites import Suite

# Stochastic trackers on VOT: after this many runs, stop if they are all identical.
VOT_IDENTICAL_RUNS = 3


def layout_for(suite: "Suite") -> str:
    """The suite family's result layout (``"ope"``, ``"got10k"`` or ``"vot"``)."""
    return suite.layout


def result_path(tracker_dir: Path, unit: WorkUnit) -> Path:
    """The file whose existence means ``unit`` is finished."""
    name = unit.sequence.name
    if unit.layout == "ope":
        return ope_result_path(tracker_dir, name)
    if unit.layout == "got10k":
        return got10k_result_path(tracker_dir, name, unit.repetition)
    from trackbench.protocols import supervised

    return supervised.vot_result_path(tracker_dir, name, unit.repetition)


def write_result(tracker_dir: Path, unit: WorkUnit, result: Any) -> Path:
    """Write ``unit``'s result (times first, the result file last); returns the result file."""
    name = unit.sequence.name
    if unit.layout == "ope":
        return write_ope_result(tracker_dir, name, result)
    if unit.layout == "got10k":
        return write_got10k_result(tracker_dir, name, unit.repetition, unit.runs, result)
    from trackbench.protocols import supervised

    return supervised.write_vot_repetition(tracker_dir, name, unit.repetition, unit.runs, result)


def plan_units(
    suite: "Suite", dataset: Dataset, tracker_dir: Path, deterministic: bool | None
) -> tuple[list[WorkUnit], list[WorkUnit]]:
    """All units the suite needs now, split into ``(finished, missing)``.

    ``deterministic``: the tracker's ``is_deterministic`` (True, False or None =
    undeclared). For VOT with a tracker not declared deterministic, repetitions 4.. are only planned once
    the first 3 exist and differ (call again after running the missing units).
    """
    layout = layout_for(suite)
    repetitions = max(1, int(suite.repetitions or 1))
    runs = 1 if (deterministic is True or layout == "ope") else repetitions
    stop_when_identical = deterministic is not True
    options: dict[str, Any] = {}
    if layout == "vot":
        options = {"skip_initialize": int(SKIP_INITIALIZE if suite.skip_initialize is None else suite.skip_initialize)}
        if suite.corner_rule:
            options["corner_rule"] = suite.corner_rule
    finished: list[WorkUnit] = []
    missing: list[WorkUnit] = []
    for sequence in dataset:
        units = [WorkUnit(sequence, rep, runs, layout, dict(options), suite.protocol) for rep in range(1, runs + 1)]
        if layout == "vot" and stop_when_identical and runs > VOT_IDENTICAL_RUNS:
            first = units[:VOT_IDENTICAL_RUNS]
            if all(result_path(tracker_dir, u).is_file() for u in first) and _vot_runs_identical(
                tracker_dir, sequence, options.get("corner_rule", "x+w")
            ):
                units = first
            elif not all(result_path(tracker_dir, u).is_file() for u in first):
                finished += [u for u in units[VOT_IDENTICAL_RUNS:] if result_path(tracker_dir, u).is_file()]
                units = first
        for unit in units:
            (finished if result_path(tracker_dir, unit).is_file() else missing).append(unit)
    return finished, missing


def _vot_runs_identical(tracker_dir: Path, sequence: Sequence, corner_rule: str) -> bool:
    """The VOT toolkit's test on runs 1..3 (overlaps bounded to ``(W - 1, H - 1)``)."""
    from trackbench.protocols import supervised

    width, height = supervised.sequence_image_size(sequence)
    return bool(
        supervised.vot_runs_identical(
            tracker_dir, sequence.name, VOT_IDENTICAL_RUNS, (width - 1, height - 1), corner_rule
        )
    )
