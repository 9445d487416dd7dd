"""Harness throughput: the one-pass runner with ``identity`` against raw image decoding.

Decoding every frame is the floor of any evaluation; the harness should add almost
nothing on top of it (goal: at least 90% of the raw decode speed). Three figures, each
the best of ``--repeats`` interleaved passes over the same frames (page cache warm):

* raw decode: ``trackbench.imageio.read_rgb`` on every frame, one after the other;
* ``run_one_pass``: the protocol with the identity tracker (prefetching decoder thread);
* ``run_suite``: the whole serial runner (planning, result files, manifest) into a temp dir.

Wall-clock figures depend on what else the machine runs; CPU-time figures (all threads
of this process) show the harness's own cost independently of the load.

Frames: the demo suite (generated into a temp dir; also cycled into two sequences of
LaSOT's mean length, 2,448 frames, where per-sequence file writing weighs as it does on a
real benchmark) and, when ../shared/data is present, the real OTB sequences Couple and
Crossing.

    python benchmarks/harness_throughput.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from trackbench.data.otb import read_otb
from trackbench.execution.runner import RunOptions, run_suite
from trackbench.imageio import read_rgb
from trackbench.protocols.ope import run_one_pass
from trackbench.sequence import Dataset, Sequence
from trackbench.suites import get_suite
from trackbench.trackers.identity import IdentityTracker

SHARED_SEQUENCES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sequences" / "otb"


def long_sequences(dataset: Dataset, count: int, length: int) -> Dataset:
    """``count`` sequences of ``length`` frames cycling through the dataset's frames (the
    per-sequence costs of the runner, e.g. writing files, then weigh as on LaSOT)."""
    frames = [path for seq in dataset for path in seq.frames]
    boxes = np.concatenate([seq.ground_truth for seq in dataset])
    sequences = []
    for k in range(count):
        index = [(k * length + i) % len(frames) for i in range(length)]
        sequences.append(Sequence(f"Long{k + 1}", boxes[index], [frames[i] for i in index]))
    return Dataset("long", sequences)


def measure(name: str, dataset: Dataset, suite, repeats: int) -> None:
    frames = dataset.total_frames

    def decode():
        for seq in dataset:
            for path in seq.frames:
                read_rgb(path)

    def one_pass():
        for seq in dataset:
            run_one_pass(IdentityTracker(), seq)

    def runner():
        with tempfile.TemporaryDirectory() as out:
            run_suite(suite, dataset, RunOptions(tracker="identity", out=Path(out), progress=False))

    decode()  # warm the page cache
    keys = ("decode", "one_pass", "runner")
    wall = dict.fromkeys(keys, float("inf"))
    cpu = dict.fromkeys(keys, float("inf"))
    for _ in range(repeats):  # interleaved, so a burst of load on the machine hits all three
        for key, work in zip(keys, (decode, one_pass, runner)):
            start, start_cpu = time.perf_counter(), time.process_time()
            work()
            wall[key] = min(wall[key], time.perf_counter() - start)
            cpu[key] = min(cpu[key], time.process_time() - start_cpu)
    print(f"{name}: {len(dataset)} sequences, {frames} frames (best of {repeats}; "
          "frames per wall-clock second | per CPU second of all threads)")
    labels = {"decode": "raw decode", "one_pass": "run_one_pass identity", "runner": "run_suite serial"}
    for key in keys:
        rate, cpu_rate = frames / wall[key], frames / cpu[key]
        share = "" if key == "decode" else (
            f"  ({100 * wall['decode'] / wall[key]:5.1f}% | {100 * cpu['decode'] / cpu[key]:5.1f}% of decode)"
        )
        print(f"  {labels[key]:22s} {rate:8.1f} | {cpu_rate:8.1f}{share}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = get_suite("demo")
        dataset = demo.load(Path(tmp) / "demo")
        measure("demo", dataset, demo, args.repeats)
        measure("demo frames as 2 sequences of LaSOT's mean length", long_sequences(dataset, 2, 2448), demo, args.repeats)
    if SHARED_SEQUENCES.is_dir():
        real = read_otb(SHARED_SEQUENCES.resolve(), name="otb-real")
        measure("OTB Couple+Crossing", real, get_suite("otb2015"), args.repeats)


if __name__ == "__main__":
    main()
