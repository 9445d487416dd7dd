"""Batched stepping throughput: IMSiam over the demo suite with B = 1, 4, 8 sequences in lockstep.

B = 1 is the ordinary one-pass protocol (``init``/``update``); B > 1 uses the tracker's
``init_batch``/``update_batch`` through :func:`trackbench.execution.batched.run_batched`.
Figures: frames per second of tracker time (the harness's FPS) and of wall-clock time
(decoding included), on this machine's CPU (``--device`` to choose another).
If the tracker does not offer the batch methods, B > 1 is reported as unavailable.

    python benchmarks/batched_throughput.py [--tracker imsiam] [--set key=value ...] [--frames 40]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from trackbench.commands.run import parse_set_options
from trackbench.execution.batched import run_batched, supports_batches
from trackbench.protocols.ope import run_one_pass
from trackbench.registry import create_tracker
from trackbench.sequence import Dataset, Sequence
from trackbench.suites import get_suite


def truncated(dataset: Dataset, frames: int) -> list[Sequence]:
    """The demo sequences cut to their first ``frames`` frames (keeps the benchmark short)."""
    return [
        Sequence(seq.name, seq.ground_truth[:frames], seq.frames[:frames], annotation_path=seq.annotation_path)
        for seq in dataset
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracker", default="imsiam")
    parser.add_argument("--set", dest="set_options", action="append", default=[])
    parser.add_argument("--frames", type=int, default=40, help="frames per sequence")
    parser.add_argument("--batches", default="1,4,8")
    args = parser.parse_args()
    options = parse_set_options(args.set_options)
    tracker = create_tracker(args.tracker, options)
    with tempfile.TemporaryDirectory() as tmp:
        sequences = truncated(get_suite("demo").load(Path(tmp) / "demo"), args.frames)
        total = sum(len(s) for s in sequences)
        print(f"{args.tracker} {options or ''} on demo: {len(sequences)} sequences x {args.frames} frames = {total}")
        run_one_pass(tracker, sequences[0])  # warm-up (lazy initialisation, allocator)
        for batch in (int(b) for b in args.batches.split(",")):
            if batch > 1 and not supports_batches(tracker):
                print(f"  B={batch}: unavailable ({type(tracker).__name__} has no init_batch/update_batch)")
                continue
            start = time.perf_counter()
            tracker_seconds = 0.0
            for first in range(0, len(sequences), batch):
                group = sequences[first : first + batch]
                if batch == 1:
                    trajectories = [run_one_pass(tracker, group[0])]
                else:
                    trajectories = run_batched(tracker, group)
                tracker_seconds += sum(float(t.times.sum()) for t in trajectories)
            wall = time.perf_counter() - start
            print(f"  B={batch}: {total / tracker_seconds:7.1f} frames/s tracker time, {total / wall:7.1f} frames/s wall")


if __name__ == "__main__":
    main()
