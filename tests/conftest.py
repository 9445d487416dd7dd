"""Shared fixtures. Real data is read in place from ../shared/data (never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip with a clear message where it is absent
    (in CI, where it must be present, they fail instead)."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data not found at {SHARED_DATA} (CI expects ../shared/data beside the clone)")
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA
