"""The user cache folder of trackbench (parsed tables, exported models).

``$TRACKBENCH_CACHE_DIR`` if set (the value ``off`` disables caching); else
``$XDG_CACHE_HOME/trackbench``; else ``~/.cache/trackbench``. Everything in it is derived
from content it is keyed by, so deleting it at any time is safe.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when ``$TRACKBENCH_CACHE_DIR`` is ``off`` (or empty)."""
    configured = os.environ.get("TRACKBENCH_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in ("off", "") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "trackbench"
