"""Which units a suite needs and which of them are finished.

Three result layouts (files: :mod:`trackbench.results.layout`; the suite family names one):

* ``ope``: one run per sequence (OTB, LaSOT, demo, custom one-pass suites);
* ``got10k``: ``suite.repetitions`` runs per sequence (3), one for a tracker declaring
  itself deterministic;
* ``vot``: the supervised protocol: one run for a tracker declaring itself deterministic;
  for any other (``is_deterministic`` False or None) runs 1..3, stopping there when they
  are identical, else all ``suite.repetitions`` (15) - the VOT toolkit's rule; see
  :mod:`trackbench.tracker`.

A unit is finished iff its result file exists (times are written before it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackbench.execution.units import WorkUnit
from trackbench.metrics.vot import SKIP_INITIALIZE
from trackbench.protocols.supervised import sequence_image_size, trajectories_identical
from trackbench.results import layout as results_layout
from trackbench.sequence import Dataset, Sequence

if TYPE_CHECKING:
    from trackbench.suites import Suite

# Stochastic trackers on VOT: after this many runs, stop if they are all identical.
VOT_IDENTICAL_RUNS = 3


def result_path(tracker_dir: Path, unit: WorkUnit) -> Path:
    """The file whose existence means ``unit`` is finished."""
    return results_layout.result_path(unit.layout, tracker_dir, unit.sequence.name, unit.repetition)


def write_result(tracker_dir: Path, unit: WorkUnit, result: Any) -> Path:
    """Write ``unit``'s result (times first, the result file last); returns the result file."""
    return results_layout.write_result(unit.layout, tracker_dir, unit.sequence.name, unit.repetition, unit.runs, result)


def plan_units(
    suite: "Suite", dataset: Dataset, tracker_dir: Path, deterministic: bool | None
) -> tuple[list[WorkUnit], list[WorkUnit]]:
    """All units the suite needs now, split into ``(finished, missing)``.

    ``deterministic``: the tracker's ``is_deterministic`` (True, False or None =
    undeclared). For VOT with a tracker not declared deterministic, repetitions 4.. are only planned once
    the first 3 exist and differ (call again after running the missing units).
    """
    layout = suite.layout
    repetitions = max(1, int(suite.repetitions or 1))
    runs = 1 if (deterministic is True or layout == "ope") else repetitions
    stop_when_identical = deterministic is not True
    options: dict[str, Any] = {}
    if layout in ("vot", "vot-realtime"):
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
    width, height = sequence_image_size(sequence)
    return vot_runs_identical(tracker_dir, sequence.name, VOT_IDENTICAL_RUNS, (width - 1, height - 1), corner_rule)


def vot_runs_identical(
    tracker_dir: str | Path,
    sequence_name: str,
    runs: int = VOT_IDENTICAL_RUNS,
    bounds: tuple[float, float] | None = None,
    corner_rule: str = "x+w",
) -> bool:
    """Whether the written repetitions ``1..runs`` are identical to repetition 1 (all must
    exist; :func:`trackbench.protocols.supervised.trajectories_identical`). Without
    ``bounds`` the overlaps are unbounded (the toolkit uses ``(W-1, H-1)``, which only
    matters for regions leaving the image)."""
    present = set(results_layout.list_repetitions(tracker_dir, sequence_name))
    if not all(r in present for r in range(1, runs + 1)):
        return False
    trajectories = [results_layout.read_repetition(tracker_dir, sequence_name, r) for r in range(1, runs + 1)]
    return all(trajectories_identical(trajectories[0], t, bounds, corner_rule) for t in trajectories[1:])


def no_more_rounds(suite: "Suite", deterministic: bool | None) -> bool:
    """Whether a round in which every unit succeeded is the last one: only VOT's rule for
    a tracker not declared deterministic can plan more units after it (repetitions 4..,
    :func:`plan_units`). A wrong guess costs a worker start."""
    return not (suite.layout == "vot" and deterministic is not True
                and int(suite.repetitions or 1) > VOT_IDENTICAL_RUNS)
