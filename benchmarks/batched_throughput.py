"""Batched stepping throughput: IMSiam over the demo suite with B = 1, 4, 8 sequences in lockstep.

B = 1 is the ordinary one-pass protocol (``init``/``update``); B > 1 uses the tracker's
``init_batch``/``update_batch`` through :func:`trackbench.execution.batched.run_batched`.
Figures: frames per second of tracker time (the harness's FPS) and of wall-clock time
(decoding included), the best of ``--repeats`` runs, for each intra-op thread count in
``--threads`` (``torch.set_num_threads``), on this machine's CPU (``--set device=...``
for another). ``--frames 0`` keeps the sequences' full, different lengths (slots drop
out as their sequences end). If the tracker does not offer the batch methods, B > 1 is
reported as unavailable.

    python benchmarks/batched_throughput.py [--tracker imsiam] [--set key=value ...] [--frames 40] [--threads 1,2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from trackbench.commands.run import parse_set_options
from trackbench.execution.batched import run_batched, supports_batches
from trackbench.protocols.ope import run_one_pass
from trackbench.registry import create_tracker
from trackbench.sequence import Dataset, Sequence
from trackbench.suites import get_suite


def truncated(dataset: Dataset, frames: int) -> list[Sequence]:
    """The demo sequences cut to their first ``frames`` frames (all of them if 0)."""
    if frames <= 0:
        return list(dataset)
    return [
        Sequence(seq.name, seq.ground_truth[:frames], seq.frames[:frames], annotation_path=seq.annotation_path)
        for seq in dataset
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracker", default="imsiam")
    parser.add_argument("--set", dest="set_options", action="append", default=[])
    parser.add_argument("--frames", type=int, default=40, help="frames per sequence (0: all)")
    parser.add_argument("--batches", default="1,4,8")
    parser.add_argument("--threads", default="1,2", help="torch intra-op thread counts to measure")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the best is printed")
    args = parser.parse_args()
    options = parse_set_options(args.set_options)
    tracker = create_tracker(args.tracker, options)
    with tempfile.TemporaryDirectory() as tmp:
        sequences = truncated(get_suite("demo").load(Path(tmp) / "demo"), args.frames)
        total = sum(len(s) for s in sequences)
        lengths = ", ".join(str(len(s)) for s in sequences)
        print(f"{args.tracker} {options or ''} on demo: {len(sequences)} sequences ({lengths} frames) = {total} frames")
        for threads in (int(t) for t in args.threads.split(",")):
            torch.set_num_threads(threads)
            print(f"torch.set_num_threads({threads}):")
            run_one_pass(tracker, sequences[0])  # warm-up (lazy initialisation, allocator)
            base = None
            for batch in (int(b) for b in args.batches.split(",")):
                if batch > 1 and not supports_batches(tracker):
                    print(f"  B={batch}: unavailable ({type(tracker).__name__} has no init_batch/update_batch)")
                    continue
                tracker_fps, wall_fps = max(measure(tracker, sequences, batch) for _ in range(args.repeats))
                base = tracker_fps if base is None else base
                print(
                    f"  B={batch}: {tracker_fps:7.1f} frames/s tracker time, {wall_fps:7.1f} frames/s wall"
                    f"  ({tracker_fps / base:.2f}x the B={args.batches.split(',')[0]} figure)"
                )


def measure(tracker, sequences: list[Sequence], batch: int) -> tuple[float, float]:
    """(frames/s of tracker time, frames/s of wall time) over ``sequences`` in groups of ``batch``."""
    total = sum(len(s) for s in sequences)
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
    return total / tracker_seconds, total / wall


if __name__ == "__main__":
    main()
