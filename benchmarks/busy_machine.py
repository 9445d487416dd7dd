"""A tracker's speed with and without one competing CPU-bound process on the machine.

    python benchmarks/busy_machine.py [--backends onnxruntime torch] [--repeats 3] [--frames 60]
                                      [--config imsiam_small] [--threads N]

Each measurement is a fresh process (as ``trackbench run`` starts one) that chooses and sets
its threads with :mod:`trackbench.execution.threads` (``--threads``, else the usable
cores), builds IMSiam (the bundled demo weights, or ``--config`` with random weights), decodes
the real frames of ``../shared/data/sequences/otb/Couple`` and times ``update`` over them
(frames per second of the tracker alone). Runs alternate: without a competitor, then with
one busy process (a Python loop, one core's worth of work) started just before and stopped
right after. Prints the median FPS of each and the ratio loaded / unloaded per backend
(the goal: at least 0.40). The machine's own load (other users) is printed too: it is
present in both runs alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SEQUENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sequences" / "otb" / "Couple"
BUSY = [sys.executable, "-c", "while True: pass"]


def child(backend: str, frames: int, config: str | None, threads: int | None) -> None:
    from trackbench.execution.threads import apply_threads, choose_threads

    apply_threads(choose_threads(threads, 1))
    from trackbench.imageio import read_rgb
    from trackbench.textio import read_table
    from trackbench.trackers.imsiam.tracker import IMSiamTracker

    options = {"config": config, "random_init": True} if config else {}
    tracker = IMSiamTracker(backend=backend, **options)
    images = [read_rgb(p) for p in sorted((SEQUENCE / "img").glob("*.jpg"))[: frames + 1]]
    tracker.init(images[0], read_table(SEQUENCE / "groundtruth_rect.txt", 4)[0])
    tracker.update(images[1])  # warm-up
    start = time.perf_counter()
    for image in images[1:]:
        tracker.update(image)
    print(f"{frames / (time.perf_counter() - start):.3f}")


def measure(backend: str, args, busy: bool) -> float:
    cmd = [sys.executable, __file__, "--child", backend, "--frames", str(args.frames)]
    if args.config:
        cmd += ["--config", args.config]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    competitor = subprocess.Popen(BUSY) if busy else None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        if competitor is not None:
            competitor.kill()
            competitor.wait()
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["onnxruntime", "torch"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--config", help="IMSiam config with random weights (default: the demo model)")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.frames, args.config, args.threads)
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    for backend in args.backends:
        quiet, loaded = [], []
        for _ in range(args.repeats):
            quiet.append(measure(backend, args, busy=False))
            loaded.append(measure(backend, args, busy=True))
        ratios = [b / a for a, b in zip(quiet, loaded)]
        print(f"{backend}: {statistics.median(quiet):.1f} fps without, {statistics.median(loaded):.1f} fps with one "
              f"busy process: {statistics.median(ratios):.2f} of the unloaded speed "
              f"(pairs {', '.join(f'{r:.2f}' for r in ratios)})")


if __name__ == "__main__":
    main()
