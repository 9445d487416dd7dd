"""The run manifest: ``<out>/<suite>/<tracker>/manifest.json``.

It records, per work unit, its status (``pending`` | ``done`` | ``failed``), attempts,
timing, the worker that ran it, and the error with its traceback. It is rewritten
atomically (temp file + rename), so it is always a complete JSON document, but not
fsynced: it survives any crash of the process (``kill -9`` included), and a power cut
can at worst leave an older or empty copy, which :meth:`Manifest.load` treats as no
manifest (the next run rebuilds it; the tracebacks stay in ``errors.log``). It is throttled: after a finished
unit at most once per :data:`SAVE_INTERVAL` seconds (:meth:`Manifest.save_if_due`),
always after a failure and when the run ends or is interrupted. It is a record, not the
source of truth: a unit is finished iff its result file exists, so a manifest lost or
out of date after a crash (e.g. ``kill -9``) is simply rebuilt on the next run.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from trackbench.textio import atomic_write_bytes

MANIFEST_NAME = "manifest.json"
SAVE_INTERVAL = 1.0  # seconds: least time between two throttled saves


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class UnitRecord:
    """One unit's entry. Times are UTC ISO-8601; durations in seconds."""

    sequence: str
    repetition: int
    frames: int
    status: str = "pending"
    attempts: int = 0
    finished_at: str | None = None
    seconds: float | None = None
    tracker_seconds: float | None = None
    fps: float | None = None
    worker: str | None = None
    device: str | None = None
    result: str | None = None
    error: str | None = None
    traceback: str | None = None


@dataclass
class Manifest:
    """All unit records of one tracker directory."""

    path: Path
    tracker: str
    suite: str
    units: dict[str, UnitRecord] = field(default_factory=dict)
    updated_at: str | None = None
    saved_at: float = field(default=float("-inf"), repr=False)  # time.monotonic() of the last save
    unsaved: bool = field(default=False, repr=False)  # changes a throttled save left out

    @classmethod
    def load(cls, path: Path, tracker: str, suite: str) -> "Manifest":
        """Read ``path`` if it exists and parses; otherwise start an empty manifest."""
        manifest = cls(Path(path), tracker, suite)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return manifest
        known = {f.name for f in fields(UnitRecord)}
        for key, entry in (data.get("units") or {}).items():
            if isinstance(entry, dict) and {"sequence", "repetition", "frames"} <= set(entry):
                manifest.units[key] = UnitRecord(**{k: v for k, v in entry.items() if k in known})
        return manifest

    def record(self, key: str, sequence: str, repetition: int, frames: int) -> UnitRecord:
        """The record of ``key``, created as ``pending`` if new."""
        if key not in self.units:
            self.units[key] = UnitRecord(sequence, repetition, frames)
        return self.units[key]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.units.values():
            counts[entry.status] = counts.get(entry.status, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "tracker": self.tracker,
            "suite": self.suite,
            "updated_at": self.updated_at,
            "counts": self.counts(),
            "units": {key: asdict(entry) for key, entry in sorted(self.units.items())},
        }

    def save(self) -> None:
        """Write the manifest now (atomically, without fsync: see the module's docstring)."""
        self.updated_at = utc_now()
        atomic_write_bytes(self.path, (json.dumps(self.to_json(), indent=1) + "\n").encode("utf-8"), durable=False)
        self.saved_at = time.monotonic()
        self.unsaved = False

    def save_if_due(self, interval: float | None = None) -> bool:
        """Save unless the last save is less than ``interval`` seconds (default
        :data:`SAVE_INTERVAL`) old; then the changes are only marked ``unsaved``, for the
        next save. True if it saved."""
        if time.monotonic() - self.saved_at < (SAVE_INTERVAL if interval is None else interval):
            self.unsaved = True
            return False
        self.save()
        return True
