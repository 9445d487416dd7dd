"""Adapters from other toolkits' tracker styles to the trackbench contract.

(Extended by the plugging-in work: got10k, pysot, pytracking, callables, TraX.)
"""

from __future__ import annotations

from typing import Any

from trackbench.errors import TrackbenchError


def as_tracker(obj: Any) -> Any:
    """Return ``obj`` if it already follows the trackbench contract (``init``/``update``)."""
    if callable(getattr(obj, "init", None)) and callable(getattr(obj, "update", None)):
        if not hasattr(obj, "is_deterministic"):
            obj.is_deterministic = True
        return obj
    raise TrackbenchError(f"{type(obj).__name__} does not follow a known tracker interface (init/update)")


class TraxTracker:  # placeholder replaced by the TraX adapter
    def __init__(self, command: str, **options: Any):
        raise TrackbenchError("the TraX adapter is not available yet")
