"""Shared fixtures. Real data is read in place from ../shared/data (never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.paths import SHARED_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip with a clear message where it is absent
    (in CI, where it must be present, they fail instead)."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data not found at {SHARED_DATA} (CI expects ../shared/data beside the clone)")
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="module")
def one_torch_thread():
    """One intra-op thread for the module's tests: the models under test are small, and CI
    cores are shared (use with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session", autouse=True)
def private_table_cache(tmp_path_factory):
    """The parsed-table cache (trackbench.table_cache) of the test session lives in a temporary
    folder (inherited by CLI subprocesses), never in the user's cache directory."""
    before = os.environ.get("TRACKBENCH_CACHE_DIR")
    os.environ["TRACKBENCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("table-cache"))
    yield
    if before is None:
        os.environ.pop("TRACKBENCH_CACHE_DIR", None)
    else:
        os.environ["TRACKBENCH_CACHE_DIR"] = before
