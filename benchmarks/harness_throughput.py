"""Harness throughput: the one-pass runner with ``identity`` against raw image decoding.

Decoding every frame is the floor of any evaluation; the harness should add almost
nothing on top of it (goals, issue 19: the in-process runner >= 95% of the raw decode
speed on every sequence length; the default executor, with crash isolation, >= 90% on
the short OTB pair and >= 95% on sequences of 300 frames or more). Five variants, run
one after the other in each of ``--repeats`` passes over the same frames (page cache warm):

* raw decode: ``trackbench.imageio.read_rgb`` on every frame, one after the other (the
  reference of every share printed);
* raw decode on the run's decoding threads (``pool.map`` of ``read_rgb``), for scale;
* ``run_one_pass``: the protocol with the identity tracker, which is faster than a
  decode, so frames are decoded ahead on the run's decoding threads
  (:func:`trackbench.protocols.ope.prefetched_images`; with ``--threads 1`` one at a
  time in the protocol's own thread, the fixed costs of the harness then in full view);
* ``run_suite`` inline: the whole runner in process (planning, result files, manifest)
  into a temp dir (made before and removed after the timed run);
* ``run_suite`` isolated: the same with the default executor (``serial``: one long-lived
  worker process, started by the run, which contains a tracker's crash or hang).

Printed per variant: frames per second (median pass) and its share of the raw decode
speed as the median over passes of (decode time / variant time) in the same pass, so a
burst of load from other processes hits both sides of each ratio; the min and max of
those per-pass shares follow, then the share of the fastest passes (fastest decode /
fastest variant pass: the passes least disturbed by other processes, a steadier figure
on a busy machine), and the CPU share (median CPU seconds of decoding / of the
variant, the run's worker process included and the temp dir's creation and removal
left out: what the harness adds in work, whatever the waiting). Wall-clock speeds
depend on what else the machine runs.

Frames: the demo suite (generated into a temp dir; also cycled into two sequences of
LaSOT's mean length, 2,448 frames, where per-sequence file writing weighs as it does on a
real benchmark) and, when ../shared/data is present, the real OTB sequences Couple and
Crossing (320 x 240 and 360 x 240; ``--otb DIR`` names another folder holding them, e.g.
from a git worktree) and the real VOT sequence bag (640 x 480, as large as most
benchmarks' frames or smaller: LaSOT and GOT-10k hold 1280 x 720 and larger; run through
the one-pass protocol like the others).

Threads are chosen as a run chooses them (``--threads``, else the usable cores), before
anything is measured.

    python benchmarks/harness_throughput.py [--repeats 9] [--otb ../shared/data/sequences/otb]
                                            [--only demo long otb vot] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from trackbench.data.otb import read_otb
from trackbench.data.vot import read_vot_sequence
from trackbench.execution.runner import RunOptions, run_suite
from trackbench.execution.threads import apply_threads, choose_threads
from trackbench.imageio import read_rgb
from trackbench.protocols.ope import decode_threads, run_one_pass
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


def cpu_seconds() -> float:
    """User + system CPU seconds of this process (all its threads) and of its children
    that have been waited for (a run's worker process, once the run has stopped it)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(name: str, dataset: Dataset, suite, repeats: int, threads: int | None = None) -> None:
    frames = dataset.total_frames
    apply_threads(choose_threads(threads))  # what a run does before it builds its tracker
    decoders = decode_threads()

    def decode():
        for seq in dataset:
            frame = None
            for path in seq.frames:
                frame = read_rgb(path)  # (the last frame stays alive while the next is decoded)
            del frame

    def decode_parallel():  # its threads are gone before the next variant (a worker forks only from one thread)
        with ThreadPoolExecutor(max_workers=decoders) as pool:
            for seq in dataset:
                for _ in pool.map(read_rgb, seq.frames):
                    pass

    def one_pass():
        for seq in dataset:
            run_one_pass(IdentityTracker(), seq)

    def runner(executor: str) -> tuple[float, float]:
        """Wall and CPU seconds of the run alone (the temp dir is made before and removed after)."""
        with tempfile.TemporaryDirectory() as out:
            used = cpu_seconds()
            start = time.perf_counter()
            summary = run_suite(suite, dataset, RunOptions(tracker="identity", out=Path(out), progress=False,
                                                           executor=executor, threads=threads))
            seconds = time.perf_counter() - start
            used = cpu_seconds() - used
        assert not summary.failed, summary.failed
        return seconds, used

    decode()  # warm the page cache
    variants = {"decode": decode, "decode_parallel": decode_parallel, "one_pass": one_pass,
                "inline": lambda: runner("inline"), "isolated": lambda: runner("serial")}
    wall: dict[str, list[float]] = {key: [] for key in variants}
    cpu: dict[str, list[float]] = {key: [] for key in variants}
    for _ in range(repeats):  # interleaved, so a burst of load on the machine hits all of them
        for key, work in variants.items():
            used = cpu_seconds()
            start = time.perf_counter()
            timed = work()
            wall[key].append(timed[0] if timed is not None else time.perf_counter() - start)
            cpu[key].append(timed[1] if timed is not None else cpu_seconds() - used)
    print(f"{name}: {len(dataset)} sequences, {frames} frames ({repeats} passes; load average "
          f"{os.getloadavg()[0]:.1f}; {decoders} decoding thread(s))")
    labels = {"decode": "raw decode", "decode_parallel": f"raw decode, {decoders} thread(s)",
              "one_pass": "run_one_pass identity", "inline": "run_suite inline", "isolated": "run_suite isolated"}
    for key in variants:
        rate = frames / statistics.median(wall[key])
        share = ""
        if key != "decode":
            shares = [100 * d / t for d, t in zip(wall["decode"], wall[key])]
            best = 100 * min(wall["decode"]) / min(wall[key])
            cpu_share = 100 * statistics.median(cpu["decode"]) / statistics.median(cpu[key])
            share = (f"  {statistics.median(shares):5.1f}% of decode (passes {min(shares):.0f}-"
                     f"{max(shares):.0f}%; fastest passes {best:.0f}%; CPU {cpu_share:.0f}%)")
        print(f"  {labels[key]:22s} {rate:8.1f} frames/s{share}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--otb", type=Path, default=SHARED_SEQUENCES, help="folder with Couple/ and Crossing/")
    parser.add_argument("--only", choices=("demo", "long", "otb", "vot"), nargs="*", help="measure these frame sets only")
    parser.add_argument("--threads", type=int, help="as `trackbench run --threads` (default: the usable cores)")
    args = parser.parse_args()
    only = set(args.only or ("demo", "long", "otb", "vot"))
    with tempfile.TemporaryDirectory() as tmp:
        demo = get_suite("demo")
        dataset = demo.load(Path(tmp) / "demo")
        if "demo" in only:
            measure("demo", dataset, demo, args.repeats, args.threads)
        if "long" in only:
            measure("demo frames as 2 sequences of LaSOT's mean length", long_sequences(dataset, 2, 2448), demo,
                    args.repeats, args.threads)
    if "otb" in only and args.otb.is_dir():
        real = read_otb(args.otb.resolve(), name="otb-real")
        measure("OTB Couple+Crossing", real, get_suite("otb2015"), args.repeats, args.threads)
    bag = args.otb / ".." / "vot" / "bag"
    if "vot" in only and bag.is_dir():
        vot = Dataset("vot-real", [read_vot_sequence(bag.resolve(), "bag")])
        measure("VOT bag (640 x 480)", vot, get_suite("otb2015"), args.repeats, args.threads)


if __name__ == "__main__":
    main()
