"""Running a tracker over a suite: plan units, skip finished ones, execute, write, summarise.

``run_suite`` is what ``trackbench run`` calls. Files, inside
``<out>/<suite>/<tracker>/``: the results (layout of the suite), ``run.json``,
``manifest.json`` (per unit status/timing/error) and ``errors.log`` (tracebacks).

Crash safety: the tracker runs in an isolated worker process by default
(:mod:`~trackbench.execution.isolated`; ``--executor inline`` for debugging), so its
crash, ``sys.exit`` or hang (``--timeout``) fails only its unit. The results folder is
locked for the run (:mod:`~trackbench.execution.lock`). Only this process writes files,
each atomically, the result file of a unit last; so killing the run at any moment (even
``kill -9``) leaves finished units complete and nothing else but possibly a hidden
``.*.tmp`` file, which the next run removes before completing the missing units. The manifest is saved at most once a
second (:data:`~trackbench.execution.manifest.SAVE_INTERVAL`), after every failure and
when the run ends or is interrupted; after a ``kill -9`` it may be behind, and the next
run brings it up to date from the result files.

Durability (a power cut, not only a killed process): a unit's files are fsynced before
they are renamed into place (its times and result file together, then renamed times
first: :func:`~trackbench.textio.atomic_write_files`), so a result file that exists
after a power cut is complete; ``run.json`` is fsynced on the writer thread before any
result file is renamed; the manifest is renamed into place without an fsync (a record,
not the source of truth: a power cut can leave it old or empty, and the next run
rebuilds it). Files are written on one writer thread while the next unit runs; the
last unit of a round is written by the calling thread, and run_suite returns only
once every file is on disk. A unit whose tracker raises (or whose
worker process dies) is retried once (``max_attempts=2``), alone and unbatched, then
recorded as failed; the other units still run.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from trackbench import __version__
from trackbench.errors import TrackbenchError
from trackbench.execution.batched import supports_batches
from trackbench.execution.commit import (ERROR_LOG, Committer, check_run_info, commit_failure, commit_success,
                                         mark_finished, remove_stale_temporaries)
from trackbench.execution.layout import no_more_rounds, plan_units
from trackbench.execution.lock import ResultsLock
from trackbench.execution.manifest import MANIFEST_NAME, Manifest
from trackbench.execution.units import WorkUnit, group_into_tasks, longest_first
from trackbench.execution.threads import choose_threads, usable_cores
from trackbench.execution.watch import DEFAULT_FRAME_TIMEOUT, Limits
from trackbench.execution.worker import accepts_keyword, build_tracker, tracker_factory
from trackbench.names import check_name
from trackbench.initbox import tracker_convention
from trackbench.results.layout import write_run_info
from trackbench.sequence import Dataset

if TYPE_CHECKING:
    from trackbench.suites import Suite

EXECUTORS = ("serial", "inline", "process", "ray")


@dataclass
class RunOptions:
    """How to run. ``executor``: ``serial`` (default: one isolated worker process),
    ``inline`` (in this process, no isolation: debugging, profiling), ``process`` (isolated
    workers) or ``ray``. ``workers=None``: 1 (serial), the usable cores (process), the
    cluster's CPUs or one per device (ray). ``devices``: e.g. ``["cuda:0", "cuda:1"]``, one
    worker pinned per device. ``batch``: sequences stepped in lockstep by a batch-aware
    tracker. ``timeout``: seconds per tracker call, 0 for none
    (:class:`~trackbench.execution.watch.Limits`). ``wait``: wait for another run holding
    the results folder (else fail at once, :mod:`~trackbench.execution.lock`).
    ``threads``: torch/OpenCV threads per worker; ``None``: :func:`~trackbench.execution.threads.choose_threads`
    (``$OMP_NUM_THREADS`` if set, else usable cores / workers)."""

    tracker: str
    options: dict[str, Any] = field(default_factory=dict)
    out: Path = Path("results")
    tracker_name: str | None = None
    executor: str = "serial"
    workers: int | None = None
    devices: list[str] = field(default_factory=list)
    batch: int = 1
    address: str | None = None
    progress: bool = True
    max_attempts: int = 2
    timeout: float = DEFAULT_FRAME_TIMEOUT
    wait: bool = True
    threads: int | None = None


@dataclass
class RunSummary:
    """What a run did. ``failed`` maps unit keys to their one-line error."""

    tracker_dir: Path
    suite: str
    tracker_name: str
    sequences: int
    sequences_done: int
    units_total: int
    units_skipped: int
    units_run: int
    frames: int
    tracker_seconds: float
    wall_seconds: float
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def fps(self) -> float:
        return self.frames / self.tracker_seconds if self.frames and self.tracker_seconds > 0 else float("nan")

    def line(self) -> str:
        """The closing line of ``trackbench run``; with failures it ends with the first
        unit's error (one line) and where the tracebacks are."""
        fps = f"{self.fps:.1f} FPS" if self.frames and self.tracker_seconds > 0 else "-"
        text = (
            f"{self.tracker_name} on {self.suite}: {self.sequences_done}/{self.sequences} sequences done "
            f"({self.units_run} units run, {self.units_skipped} already finished), {self.frames} frames, "
            f"tracker {fps}, {self.wall_seconds:.1f} s, {len(self.failed)} failed"
        )
        if self.failed:
            text += ": " + ", ".join(sorted(self.failed))
        text += f" -> {self.tracker_dir}"
        if self.failed:
            key, error = next(iter(self.failed.items()))
            error = " ".join(str(error).split())
            text += f"; first error ({key}): {error}; see {self.tracker_dir / ERROR_LOG}"
        return text


def default_tracker_name(spec: str, tracker: Any) -> str:
    """Directory name for a tracker: the registered name; for ``trax:COMMAND`` the
    ``name`` option if given, else the executable's (or script's) basename
    (:func:`trackbench.trax.command_name`); else the tracker's ``name`` (or class name).
    Characters other than letters, digits, ``._-`` are replaced."""
    if spec.startswith("trax:"):
        from trackbench.trax import command_name

        name = getattr(tracker, "name", "") or ""
        if not name or name == "trax":  # the TraxTracker's default before the server said hello
            name = command_name(spec[len("trax:"):])
    elif ":" not in spec:
        name = spec
    else:
        name = getattr(tracker, "name", "") or ""
        if not name or name in ("tracker", spec):
            name = spec.rpartition(":")[2].rpartition(".")[2] or type(tracker).__name__
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "tracker"


def make_executor(options: RunOptions, tracker: Any, limits: Limits | None = None, factory: Any = None):
    """The executor named by ``options.executor`` (``tracker`` is reused by ``inline``;
    ``factory``, the tracker's resolved factory, by forked isolated workers)."""
    limits = limits or Limits(options.timeout)
    if options.executor == "inline":
        from trackbench.execution.inline import InlineExecutor

        return InlineExecutor(tracker, options.devices[0] if options.devices else None, limits)
    if options.executor in ("serial", "process"):
        from trackbench.execution.isolated import IsolatedExecutor

        if options.executor == "serial":
            workers, devices = 1, options.devices[:1]
        else:
            workers, devices = options.workers or len(options.devices) or usable_cores(), options.devices
        return IsolatedExecutor(options.tracker, options.options, workers, devices, limits, options.executor,
                                threads=choose_threads(options.threads, workers), factory=factory)
    if options.executor == "ray":
        from trackbench.execution.ray_executor import RayExecutor

        # each actor reserves one CPU, so one thread unless --threads says otherwise
        return RayExecutor(options.tracker, options.options, options.workers, options.devices, options.address, limits,
                           threads=options.threads or 1)
    raise TrackbenchError(f"unknown executor {options.executor!r} (choose from {', '.join(EXECUTORS)})")


def declared_determinism(tracker: Any) -> bool | None:
    """The tracker's ``is_deterministic``: True, False, or None when not declared
    (see :mod:`trackbench.tracker` for what each means for repeated runs)."""
    value = getattr(tracker, "is_deterministic", None)
    if value is None:
        return None
    return bool(value)


def suite_option(suite: "Suite") -> str:
    """The value of a tracker's ``suite`` option for ``suite``: its name (``"otb2015"``),
    or its family's name (``"otb"``) for a generic suite (``custom``: its name says
    nothing about which benchmark's settings apply)."""
    return suite.family.name if suite.generic else suite.name


def with_suite_option(options: RunOptions, suite: "Suite", factory: Any = None) -> RunOptions:
    """``options`` with the tracker option ``suite=`` :func:`suite_option` added when the
    tracker's factory takes a ``suite`` keyword (per-suite hyper-parameters, e.g. IMSiam's)
    and the user did not set it; otherwise ``options`` unchanged. ``factory``: the
    tracker's factory if already resolved (:func:`tracker_factory`)."""
    if "suite" in options.options or not accepts_keyword(options.tracker, "suite", factory):
        return options
    return replace(options, options={**options.options, "suite": suite_option(suite)})


def run_suite(suite: "Suite", dataset: Dataset, options: RunOptions) -> RunSummary:
    """Run ``options.tracker`` over every sequence of ``dataset`` under ``suite``'s protocol.

    The suite's family decides the protocol and result layout. A
    tracker whose factory takes a ``suite`` keyword gets :func:`suite_option` unless
    ``options.options`` sets it (recorded in ``run.json`` options).
    """
    if options.executor not in EXECUTORS:
        raise TrackbenchError(f"unknown executor {options.executor!r} (choose from {', '.join(EXECUTORS)})")
    if options.batch < 1:
        raise TrackbenchError(f"--batch must be at least 1, got {options.batch}")
    if options.tracker_name is not None:
        check_name(options.tracker_name, "tracker name", "--tracker-name")
    limits = Limits(options.timeout)
    started = time.perf_counter()
    # The tracker is built here once: to learn its name, determinism and configuration
    # (and to validate the options) before any worker starts. `inline` then uses it; the
    # other executors build their own on their devices in isolated workers, so this probe
    # is built on the CPU (when devices are given) and dropped before they start.
    inline = options.executor == "inline"
    factory = tracker_factory(options.tracker)  # looked up once (a scan of all entry points)
    options = with_suite_option(options, suite, factory)
    probe_device = (options.devices[0] if inline else "cpu") if options.devices else None
    tracker = build_tracker(options.tracker, options.options, probe_device, factory,
                            threads=choose_threads(options.threads, 1))
    deterministic = declared_determinism(tracker)
    tracker_name = check_name(options.tracker_name or default_tracker_name(options.tracker, tracker), "tracker name")
    tracker_dir = Path(options.out) / suite.name / tracker_name
    info: dict[str, Any] = {
        "tracker": options.tracker,
        "tracker_name": tracker_name,
        "options": options.options,
        "suite": suite.name,
        "trackbench": __version__,
        "deterministic": deterministic,
        "init_box": tracker_convention(tracker),
    }
    if callable(getattr(tracker, "config_summary", None)):
        info["tracker_config"] = tracker.config_summary()
    batch = options.batch
    if batch > 1 and not supports_batches(tracker):
        print(f"trackbench: {tracker_name} has no init_batch/update_batch; running unbatched", file=sys.stderr)
        batch = 1
    if not inline:
        tracker = None  # free the probe (e.g. a model's memory) before the workers start

    # Start: everything that can fail on bad input is checked before the first file is
    # written; a start that fails anyway leaves nothing behind (not even the folder).
    lock = ResultsLock(tracker_dir, wait=options.wait).acquire()
    executor = None
    try:
        check_run_info(tracker_dir, info)
        remove_stale_temporaries(tracker_dir)  # under the lock: no other run's files in flight
        finished, missing = plan_units(suite, dataset, tracker_dir, deterministic)
        _check_images(missing)
        first_tasks = group_into_tasks(longest_first(missing), batch)
        if missing:
            executor = make_executor(options, tracker, limits, factory)
            if hasattr(executor, "send_ahead"):  # isolated workers start tracking while the run is prepared
                executor.send_ahead(first_tasks)
    except BaseException:
        if executor is not None:
            executor.close()
        lock.release(remove_created=True)
        raise

    try:
        summary = _execute(suite, dataset, options, executor, tracker_dir, tracker_name, deterministic, batch,
                           finished, missing, info, first_tasks)
    finally:
        lock.release()
    summary.wall_seconds = time.perf_counter() - started
    return summary


def _execute(suite: Any, dataset: Dataset, options: RunOptions, executor: Any, tracker_dir: Path, tracker_name: str,
             deterministic: bool | None, batch: int, finished: list[WorkUnit], missing: list[WorkUnit],
             info: dict[str, Any], first_tasks: list[list[WorkUnit]]) -> RunSummary:
    """Run the ``missing`` units (the results folder locked), retrying failures once.
    ``first_tasks``: the first round's tasks (``missing`` grouped, longest first), which
    an isolated executor may already be running (``send_ahead``).

    ``run.json`` (``info``) is the writer thread's first job, so its fsync overlaps the
    start of tracking and it is on disk before any result file. When a round ends with
    every unit done and no further round can be planned
    (:func:`~trackbench.execution.layout.no_more_rounds`), idle workers are told to exit
    while the last files are written; the last unit of a round is written by this thread
    (nothing is left to overlap its writing with)."""
    committer = Committer()
    try:
        committer.submit(write_run_info, tracker_dir, info)
        manifest = Manifest.load(tracker_dir / MANIFEST_NAME, options.tracker, suite.name)
        mark_finished(manifest, tracker_dir, finished)
    except BaseException:
        committer.close()
        if executor is not None:
            executor.close()
        raise
    units_skipped = len(finished)
    attempts: dict[str, int] = {}
    failed: dict[str, str] = {}
    frames = 0
    tracker_seconds = 0.0
    units_run = 0

    bar = tqdm(total=sum(u.frames for u in missing), unit="frame", desc=f"{tracker_name} on {suite.name}",
               disable=not options.progress, dynamic_ncols=True, smoothing=0.1)
    first_round = True
    try:
        while True:
            todo = longest_first([u for u in missing if u.key not in failed])
            if not todo:
                break
            if not first_round:  # the first round's units were checked before the run started
                _check_images(todo)
            for unit in todo:
                manifest.record(unit.key, unit.sequence.name, unit.repetition, unit.frames).status = "pending"
            committer.submit(manifest.save_if_due)  # on the writer thread, while tracking starts
            if not first_round:  # retries and VOT repetitions 4.. add to the work
                bar.total += sum(u.frames for u in todo)
                bar.refresh()
            by_key = {u.key: u for u in todo}
            fresh = [u for u in todo if u.key not in attempts]
            retries = [u for u in todo if u.key in attempts]
            tasks = first_tasks if first_round else group_into_tasks(fresh, batch)
            first_round = False
            round_failed = False
            remaining = len(todo)
            for outcomes in chain(
                executor.run(tasks, bar.update),
                executor.run(group_into_tasks(retries, 1), bar.update, isolate=True),
            ):
                for outcome in outcomes:
                    unit = by_key[outcome.key]
                    attempts[unit.key] = attempts.get(unit.key, 0) + 1
                    round_failed = round_failed or not outcome.ok
                    remaining -= 1
                    if remaining == 0 and not round_failed and no_more_rounds(suite, deterministic) \
                            and hasattr(executor, "release"):
                        executor.release()  # the workers exit while the last files are written
                    if outcome.ok:
                        job: tuple = (commit_success, manifest, tracker_dir, unit, outcome)
                        frames += outcome.frames
                        tracker_seconds += outcome.tracker_seconds
                        units_run += 1
                    else:
                        job = (commit_failure, manifest, tracker_dir, unit, outcome, attempts[unit.key])
                        if attempts[unit.key] >= options.max_attempts:
                            failed[unit.key] = outcome.error or "failed"
                    if remaining == 0:  # nothing left to overlap with: written here, no hand-over
                        committer.drain()
                        job[0](*job[1:])
                    else:
                        committer.submit(*job)
                bar.set_postfix_str(outcomes[-1].key, refresh=False)
            committer.drain()
            finished, missing = plan_units(suite, dataset, tracker_dir, deterministic)
    finally:
        try:
            committer.close()
        finally:
            if manifest.unsaved or not manifest.path.is_file():  # the last throttled changes, or an interrupt
                manifest.save()
            bar.close()
            if executor is not None:
                executor.close()

    all_units = finished + missing
    sequences = {seq.name for seq in dataset}
    unfinished = {u.sequence.name for u in missing}
    return RunSummary(
        tracker_dir=tracker_dir,
        suite=suite.name,
        tracker_name=tracker_name,
        sequences=len(sequences),
        sequences_done=len(sequences - unfinished),
        units_total=len(all_units),
        units_skipped=units_skipped,
        units_run=units_run,
        frames=frames,
        tracker_seconds=tracker_seconds,
        wall_seconds=0.0,
        failed=failed,
    )


def _check_images(units: list[WorkUnit]) -> None:
    for unit in units:
        seq = unit.sequence
        if not seq.has_images():
            where = seq.frames[0].parent if seq.frames else seq.annotation_path
            raise TrackbenchError(f"sequence {seq.name!r}: image files not found (needed to run a tracker)", where)
