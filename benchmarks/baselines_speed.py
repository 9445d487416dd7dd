"""Print the speed and accuracy of the OpenCV baselines and the TraX round trip on a real sequence.

Usage: python benchmarks/baselines_speed.py [--sequence ../shared/data/sequences/otb/Couple] [--frames 60]

Speeds are frames per second of the tracker calls only (images decoded beforehand); the
TraX figure includes writing each frame to a temporary PNG and the process round trip.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

from trackbench.adapters import TraxTracker
from trackbench.geometry import iou
from trackbench.imageio import read_rgb
from trackbench.registry import create_tracker
from trackbench.textio import read_table
from trackbench.trackers.opencv import OPENCV_TRACKERS

ECHO_SERVER = textwrap.dedent(
    """
    import sys
    print("@@TRAX:hello trax.version=3 trax.region=rectangle trax.image=path", flush=True)
    region = "0,0,1,1"
    for line in sys.stdin:
        parts = line.split()
        if parts[0] == "@@TRAX:quit":
            break
        if parts[0] == "@@TRAX:initialize":
            region = parts[2]
        print("@@TRAX:state " + region, flush=True)
    """
)


def timed_run(tracker, images, ground_truth) -> tuple[np.ndarray, float]:
    boxes = [ground_truth[0]]
    start = time.perf_counter()
    tracker.init(images[0], ground_truth[0])
    for image in images[1:]:
        box, _ = tracker.update(image)
        boxes.append(box)
    elapsed = time.perf_counter() - start
    return np.asarray(boxes), len(images) / elapsed


def main() -> None:
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sequences" / "otb" / "Couple"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequence", type=Path, default=default.resolve())
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    ground_truth = read_table(args.sequence / "groundtruth_rect.txt", 4)[: args.frames]
    images = [read_rgb(args.sequence / "img" / f"{i:04d}.jpg") for i in range(1, len(ground_truth) + 1)]
    print(f"{args.sequence.name}, {len(images)} frames")
    print(f"{'tracker':20s} {'fps':>9s} {'mean IoU':>9s}")
    for name in OPENCV_TRACKERS:
        boxes, fps = timed_run(create_tracker(name), images, ground_truth)
        print(f"{name:20s} {fps:9.1f} {np.mean(iou(boxes, ground_truth)):9.3f}")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "echo.py"
        script.write_text(ECHO_SERVER)
        tracker = TraxTracker(f'"{sys.executable}" "{script}"', timeout=30)
        try:
            _, fps = timed_run(tracker, images, ground_truth)
        finally:
            tracker.close()
    print(f"{'trax (echo server)':20s} {fps:9.1f}")


if __name__ == "__main__":
    main()
