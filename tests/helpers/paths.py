"""Where things are, for every test folder: the repository, the tests folder, shared data."""

from __future__ import annotations

import os
from pathlib import Path

#: the folder that holds ``helpers/``: on ``sys.path`` in the test session, and put on
#: ``PYTHONPATH`` for worker subprocesses that import ``helpers.trackers``
TESTS_DIR = Path(__file__).resolve().parents[1]
#: the repository checkout (``pyproject.toml``, ``trackbench/``, ``trackers/``)
REPO_ROOT = TESTS_DIR.parent
#: real data, read in place beside the clone (never copied); see conftest's ``shared_data``
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()
#: the TraX servers built on the official library, run as ``python TRAX_SERVERS KIND``
TRAX_SERVERS = Path(__file__).resolve().with_name("trax_servers.py")


def helpers_pythonpath(current: str | None = None) -> str:
    """``PYTHONPATH`` with :data:`TESTS_DIR` first, then ``current`` (default: this
    process's ``$PYTHONPATH``), for subprocesses that import ``helpers.*``."""
    if current is None:
        current = os.environ.get("PYTHONPATH")
    return os.pathsep.join(filter(None, [str(TESTS_DIR), current]))
