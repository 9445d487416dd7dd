"""Threads per worker are chosen (--threads, $OMP_NUM_THREADS, usable cores / workers) and
set for torch and OpenCV before the tracker is built, in the serial runner and in every
process-pool worker."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.paths import helpers_pythonpath
from helpers.trackers import LocalSuite, make_dataset
from trackbench.execution import threads as threads_module
from trackbench.execution.runner import RunOptions, run_suite
from trackbench.execution.threads import choose_threads, usable_cores


def recorded_threads(tracker_dir) -> set[tuple[str, str]]:
    """(torch, OpenCV) threads written by ThreadsTracker into every result row's x, y."""
    rows = set()
    for path in tracker_dir.glob("*.txt"):
        for line in path.read_text().splitlines()[1:]:
            x, y = line.split(",")[:2]
            rows.add((x, y))
    return rows


def test_usable_cores_follow_the_affinity_mask():
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform")
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
            "from trackbench.execution.threads import usable_cores, choose_threads; "
            "print(usable_cores(), choose_threads(None, 1))")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["1", "1"]
    assert usable_cores() == len(os.sched_getaffinity(0))


def test_choice_order(monkeypatch):
    monkeypatch.setattr(threads_module, "_USER_OMP_THREADS", "")
    cores = usable_cores()
    assert choose_threads(3, workers=8) == 3
    assert choose_threads(None, workers=1) == cores
    assert choose_threads(None, workers=cores * 4) == 1  # never 0
    assert choose_threads(None, workers=2) == max(1, cores // 2)
    monkeypatch.setattr(threads_module, "_USER_OMP_THREADS", "1")
    assert choose_threads(None, workers=1) == 1
    with pytest.raises(Exception, match="--threads must be at least 1"):
        choose_threads(0)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data"), {"alpha": 4, "beta": 5})


@pytest.mark.parametrize("threads", [1, None])
def test_every_process_worker_sets_the_threads_before_building_the_tracker(dataset, tmp_path, monkeypatch, threads):
    # workers would otherwise inherit this (what a user's shell or a parent pool exported)
    monkeypatch.setenv("OMP_NUM_THREADS", str(usable_cores()))
    monkeypatch.setattr(threads_module, "_USER_OMP_THREADS", "")
    summary = run_suite(LocalSuite(), dataset, RunOptions(
        tracker="helpers.trackers:ThreadsTracker", out=tmp_path, progress=False, executor="process",
        workers=2, threads=threads))
    assert not summary.failed
    expected = threads or max(1, usable_cores() // 2)
    value = f"{expected:.4f}"
    assert recorded_threads(tmp_path / "local" / "threads") == {(value, value)}


def test_the_cli_passes_threads_to_a_worker(dataset, tmp_path):
    # a fresh process (torch not yet imported), as `trackbench run --threads 1` starts
    root = dataset.root
    env = dict(os.environ, PYTHONPATH=helpers_pythonpath())
    env.pop("OMP_NUM_THREADS", None)
    subprocess.run([sys.executable, "-m", "trackbench", "run", "helpers.trackers:ThreadsTracker", "--suite", "custom",
                    "--root", str(root), "--out", str(tmp_path), "--threads", "1", "--no-progress"],
                   check=True, env=env, capture_output=True, text=True)
    assert recorded_threads(tmp_path / "custom" / "threads") == {("1.0000", "1.0000")}


@pytest.mark.parametrize("imported_first", [True, False])
def test_arrow_table_reader_pool_follows_apply_threads(imported_first):
    """Arrow's CPU pool (the table reader's) takes the chosen count, whether pyarrow was
    loaded before (``set_cpu_count``) or loads after (``$OMP_NUM_THREADS``)."""
    code = ("import pyarrow\n" if imported_first else "") + (
        "from trackbench.execution.threads import apply_threads\n"
        "apply_threads(1)\n"
        "import pyarrow\n"
        "print(pyarrow.cpu_count())\n")
    env = {k: v for k, v in os.environ.items() if k not in threads_module.THREAD_VARIABLES}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "1"
