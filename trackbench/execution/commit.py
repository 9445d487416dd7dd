"""Recording finished and failed units: result files, the manifest, ``errors.log``.

Used by :func:`trackbench.execution.runner.run_suite`, the single writer of a tracker
directory. :class:`Committer` does the writes on one background thread, in order, so the
next unit is tracked while the previous one's files are synced to disk. Also the
checks of a tracker directory before a run (``run.json``, stale temporaries).
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from trackbench.errors import TrackbenchError
from trackbench.execution.layout import result_path, write_result
from trackbench.execution.manifest import Manifest, utc_now
from trackbench.execution.units import UnitOutcome, WorkUnit
from trackbench.textio import naming_file

ERROR_LOG = "errors.log"


def mark_finished(manifest: Manifest, tracker_dir: Path, units: list[WorkUnit]) -> None:
    """Record ``units`` (whose result files exist) as done in ``manifest``."""
    for unit in units:
        record = manifest.record(unit.key, unit.sequence.name, unit.repetition, unit.frames)
        if record.status != "done":
            record.status = "done"
            record.error = record.traceback = None
            record.result = str(result_path(tracker_dir, unit).relative_to(tracker_dir))


class Committer:
    """Runs write jobs (:func:`commit_success`, :func:`commit_failure`) on one background
    thread, in order. A write error is raised in the calling thread at the next submit/drain."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trackbench-commit")
        self._pending: list[Future] = []

    def submit(self, function: Callable[..., None], *args: Any) -> None:
        self._raise_errors()
        self._pending.append(self._pool.submit(function, *args))

    def _raise_errors(self) -> None:
        done = [f for f in self._pending if f.done()]
        self._pending = [f for f in self._pending if not f.done()]
        for future in done:
            future.result()

    def drain(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def commit_success(manifest: Manifest, tracker_dir: Path, unit: WorkUnit, outcome: UnitOutcome) -> None:
    """Write the unit's result (times first, result file last), then the manifest if a
    save is due (throttled: the result file, not the manifest, says the unit is done)."""
    _record_success(manifest, tracker_dir, unit, outcome)
    manifest.save_if_due()


def commit_failure(manifest: Manifest, tracker_dir: Path, unit: WorkUnit, outcome: UnitOutcome, attempt: int) -> None:
    """Record the failure (the traceback appended to ``errors.log``, the manifest saved now)."""
    _record_failure(manifest, tracker_dir, unit, outcome, attempt)
    manifest.save()


def _record_success(manifest: Manifest, tracker_dir: Path, unit: WorkUnit, outcome: UnitOutcome) -> None:
    path = write_result(tracker_dir, unit, outcome.result)
    record = manifest.record(unit.key, unit.sequence.name, unit.repetition, unit.frames)
    record.status = "done"
    record.attempts += 1
    record.finished_at = utc_now()
    record.seconds = round(outcome.seconds, 6)
    record.tracker_seconds = round(outcome.tracker_seconds, 6)
    record.fps = round(outcome.frames / outcome.tracker_seconds, 3) if outcome.tracker_seconds > 0 else None
    record.worker = outcome.worker
    record.device = outcome.device
    record.result = str(path.relative_to(tracker_dir))
    record.error = record.traceback = None


def _record_failure(manifest: Manifest, tracker_dir: Path, unit: WorkUnit, outcome: UnitOutcome, attempt: int) -> None:
    record = manifest.record(unit.key, unit.sequence.name, unit.repetition, unit.frames)
    record.status = "failed"
    record.attempts += 1
    record.finished_at = utc_now()
    record.seconds = round(outcome.seconds, 6)
    record.worker = outcome.worker
    record.device = outcome.device
    record.error = outcome.error
    record.traceback = outcome.traceback
    with naming_file(tracker_dir / ERROR_LOG), open(tracker_dir / ERROR_LOG, "a", encoding="utf-8") as log:
        log.write(f"=== {record.finished_at} {unit.key} attempt {attempt} ({outcome.worker}): {outcome.error}\n")
        log.write((outcome.traceback or "").rstrip("\n") + "\n")


def _json_normal(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=repr))


def check_run_info(tracker_dir: Path, info: dict[str, Any]) -> None:
    """Refuse to add to results made with another tracker, options or suite (``run.json``)."""
    path = tracker_dir / "run.json"
    if path.is_file():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return
        for key in ("tracker", "options", "suite"):
            if _json_normal(existing.get(key)) != _json_normal(info.get(key)):
                raise TrackbenchError(
                    f"results here were produced with {key} {existing.get(key)!r}, not {info.get(key)!r}; "
                    "use --tracker-name (or --out) to write this configuration elsewhere",
                    path,
                )


def remove_stale_temporaries(tracker_dir: Path) -> list[Path]:
    """Delete the hidden ``.<name>.*.tmp`` files an interrupted atomic write left behind."""
    removed = []
    if tracker_dir.is_dir():
        for path in tracker_dir.rglob(".*.tmp"):
            if path.is_file():
                path.unlink()
                removed.append(path)
    return removed
