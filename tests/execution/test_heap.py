"""The C heap setting of a tracking process (trackbench/execution/heap.py): frames decoded
one after the other reuse the heap instead of faulting their buffers in again."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trackbench.execution.heap import _libc

pytestmark = pytest.mark.skipif(_libc() is None, reason="not glibc: keep_freed_heap does nothing")

# A fresh interpreter (no torch imported: its import happens to raise glibc's thresholds)
# runs identity over the 196 real 640 x 480 frames of VOT's bag twice (the one-pass
# protocol, frames decoded ahead on two threads), the second time counted.
RUN_TWICE = """
import resource, sys
from pathlib import Path
from trackbench.data.vot import read_vot_sequence
from trackbench.execution.heap import keep_freed_heap
from trackbench.execution.threads import apply_threads
from trackbench.protocols.ope import run_one_pass
from trackbench.trackers.identity import IdentityTracker
if sys.argv[2] == "keep":
    assert keep_freed_heap()
apply_threads(2)
sequence = read_vot_sequence(Path(sys.argv[1]), "bag")
run_one_pass(IdentityTracker(), sequence)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
run_one_pass(IdentityTracker(), sequence)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / len(sequence))
"""


def faults_per_frame(folder, mode: str) -> float:
    done = subprocess.run([sys.executable, "-c", RUN_TWICE, str(folder), mode], capture_output=True, text=True,
                          timeout=120, check=True)
    return float(done.stdout)


def test_decoded_frames_reuse_the_heap_once_the_thresholds_are_fixed(shared_data):
    folder = shared_data / "sequences" / "vot" / "bag"
    kept = faults_per_frame(folder, "keep")
    assert kept < 3, kept  # a frame's buffer is 225 pages
    default = faults_per_frame(folder, "default")
    assert default > 3 * max(kept, 1.0), (default, kept)  # measured 13-51 a frame


def test_a_tracking_process_sets_the_heap_before_its_tracker_is_built(monkeypatch):
    from trackbench.execution import worker

    calls = []
    monkeypatch.setattr(worker, "keep_freed_heap", lambda: calls.append("heap"))
    monkeypatch.setattr(worker, "apply_threads", lambda threads: calls.append("threads"))
    monkeypatch.setattr(worker, "_build", lambda *args: calls.append("build"))
    worker.build_tracker("identity", {}, threads=1)
    assert calls == ["heap", "threads", "build", "threads"]
