"""Process-pool speed-up: the same suite with ``--executor process --workers 1`` and ``2``.

A CPU-bound tracker (OpenCV CSRT by default, each worker single-threaded through
``OPENCV_FOR_THREADS_NUM=1`` so that the workers, not OpenCV's threads, use the cores)
over the demo suite (each sequence cut to ``--frames`` frames to keep it short). Wall-clock seconds of the whole ``run_suite`` call, worker start-up
included, best of ``--repeats``; the speed-up is bounded by the machine's free cores.

    python benchmarks/process_speedup.py [--tracker SPEC] [--frames 50] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from trackbench.execution.runner import RunOptions, run_suite
from trackbench.sequence import Dataset, Sequence
from trackbench.suites import get_suite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracker", default="trackbench.trackers.opencv:CSRTTracker")
    parser.add_argument("--frames", type=int, default=50, help="frames per sequence (0: all)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")  # inherited by the spawned workers
    suite = get_suite("demo")
    with tempfile.TemporaryDirectory() as tmp:
        dataset = suite.load(Path(tmp) / "demo")
        if args.frames:
            dataset = Dataset(dataset.name, [
                Sequence(s.name, s.ground_truth[: args.frames], s.frames[: args.frames], annotation_path=s.annotation_path)
                for s in dataset
            ])
        print(f"{args.tracker} on demo: {len(dataset)} sequences, {dataset.total_frames} frames, {os.cpu_count()} CPUs")
        seconds = {}
        for workers in (1, 2):
            best = float("inf")
            for repeat in range(args.repeats):
                out = Path(tmp) / f"out-{workers}-{repeat}"
                start = time.perf_counter()
                summary = run_suite(
                    suite, dataset,
                    RunOptions(tracker=args.tracker, out=out, executor="process", workers=workers, progress=False),
                )
                best = min(best, time.perf_counter() - start)
                assert not summary.failed, summary.failed
            seconds[workers] = best
            print(f"  {workers} worker(s): {best:6.2f} s  {dataset.total_frames / best:7.1f} frames/s")
        print(f"  speed-up 1 -> 2 workers: {seconds[1] / seconds[2]:.2f}x")


if __name__ == "__main__":
    main()
