"""The cost of crash isolation: ``--executor inline`` (in process) against the default
``serial`` (one long-lived isolated worker process, :mod:`trackbench.execution.isolated`).

For each dataset and tracker, the whole ``run_suite`` call into a temp dir, best of
``--repeats`` interleaved passes (page cache warm), plus raw JPEG decoding of the same
frames as the floor. The isolated run pays once per run for starting the worker (a fork
where :func:`trackbench.execution.isolated.start_method` allows it, else a spawn with its
imports; then building the tracker again: the runner's probe is built in process), per unit
for sending the sequence and the result over a pipe, and per frame for the watch (a few
shared-memory stores; the in-process run has the same proxy). The per-frame cost is the
growth of the extra time from the demo (820 frames) to two LaSOT-length sequences (4,896
frames), with the identity tracker.

Datasets: the demo suite (generated into a temp dir) and, when ../shared/data is present,
the real OTB sequences Couple and Crossing (short sequences: where a per-run cost weighs
most). Trackers: ``identity`` (the harness's own cost) and OpenCV KCF (a real, fast one).

    python benchmarks/isolation_cost.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from trackbench.data.otb import read_otb
from trackbench.execution.runner import RunOptions, run_suite
from trackbench.imageio import read_rgb
from trackbench.sequence import Dataset
from trackbench.suites import get_suite

from harness_throughput import long_sequences  # noqa: E402 (benchmarks/ is this script's folder)

SHARED_SEQUENCES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sequences" / "otb"
TRACKERS = {"identity": "identity", "KCF": "opencv-kcf"}


def timed_run(suite, dataset: Dataset, tracker: str, executor: str) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        summary = run_suite(suite, dataset, RunOptions(tracker=tracker, out=Path(out), progress=False, executor=executor))
        seconds = time.perf_counter() - start
    assert not summary.failed, summary.failed
    return seconds


def measure(name: str, suite, dataset: Dataset, trackers: dict[str, str], repeats: int) -> dict[str, float]:
    """Print frames/s of raw decoding and of each tracker inline / isolated; return the
    extra seconds of the isolated run per tracker."""
    frames = dataset.total_frames

    def decode() -> float:
        start = time.perf_counter()
        for seq in dataset:
            for path in seq.frames:
                read_rgb(path)
        return time.perf_counter() - start

    decode()  # warm the page cache
    best: dict[str, float] = {}
    for _ in range(repeats):  # interleaved, so a burst of load hits every variant
        best["decode"] = min(best.get("decode", float("inf")), decode())
        for label, spec in trackers.items():
            for executor in ("inline", "serial"):
                key = f"{label} {executor}"
                best[key] = min(best.get(key, float("inf")), timed_run(suite, dataset, spec, executor))
    print(f"{name}: {len(dataset)} sequences, {frames} frames (best of {repeats}, wall clock, {os.cpu_count()} CPUs)")
    print(f"  raw decode               {frames / best['decode']:8.1f} frames/s")
    extra = {}
    for label in trackers:
        inline, serial = best[f"{label} inline"], best[f"{label} serial"]
        extra[label] = serial - inline
        print(f"  {label:8s} inline          {frames / inline:8.1f} frames/s  ({100 * best['decode'] / inline:5.1f}% of decode)")
        print(f"  {label:8s} serial isolated {frames / serial:8.1f} frames/s  ({100 * best['decode'] / serial:5.1f}% of decode)"
              f"  +{serial - inline:.2f} s for the run")
    return extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")
    with tempfile.TemporaryDirectory() as tmp:
        demo = get_suite("demo")
        dataset = demo.load(Path(tmp) / "demo")
        short = measure("demo", demo, dataset, TRACKERS, args.repeats)
        long = long_sequences(dataset, 2, 2448)
        longer = measure("demo frames as 2 sequences of LaSOT's mean length", demo, long, {"identity": "identity"},
                         args.repeats)
        per_frame = (longer["identity"] - short["identity"]) / (long.total_frames - dataset.total_frames)
        print(f"isolation: +{short['identity']:.2f} s per run (worker start: fork or spawn, tracker built again), "
              f"{1e6 * per_frame:+.0f} us per frame")
    if SHARED_SEQUENCES.is_dir():
        real = read_otb(SHARED_SEQUENCES.resolve(), name="otb-real")
        measure("OTB Couple+Crossing", get_suite("otb2015"), real, TRACKERS, args.repeats)


if __name__ == "__main__":
    main()
