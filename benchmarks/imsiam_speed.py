"""IMSiam CPU latency: full tracker step vs the bare network forward, side by side.

Measured, interleaved frame by frame (so that load from other processes hits all variants
alike), on the real frames of ``../shared/data/sequences/otb/Couple``:

* ``eager full forward``: the plain network as trained, ``model(z, x, box)`` in eval mode
  under ``torch.no_grad`` (template and search branches, BatchNorm not folded);
* ``fast network forward``: the search branch only, BatchNorm folded, template branch cached,
  ``torch.inference_mode`` (what the tracker runs per frame); also in channels_last format;
* ``tracker step``: ``IMSiamTracker.update`` with its defaults (BN folded, cached template,
  channels_last): crop, colour conversion, network, decoding;
* ``eager tracker step``: the same tracker without BN folding (reference for the boxes).

Prints medians in ms per frame, the speed-up of the tracker step over the eager full forward,
and the largest relative difference between the boxes of the fast and the eager tracker.
Weights are random (seeded): latency does not depend on them.

    python benchmarks/imsiam_speed.py [--configs imsiam imsiam_small] [--frames 10] [--threads 2] [--contiguous]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from trackbench.imageio import read_rgb
from trackbench.textio import read_table
from trackbench.trackers.imsiam.crop import get_subwindow, rgb_patch_to_tensor
from trackbench.trackers.imsiam.decoding import TargetState
from trackbench.trackers.imsiam.tracker import IMSiamTracker

SEQUENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sequences" / "otb" / "Couple"


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def bench(config: str, frames: int, channels_last: bool) -> None:
    gt = read_table(SEQUENCE / "groundtruth_rect.txt", 4)
    paths = sorted((SEQUENCE / "img").glob("*.jpg"))[: frames + 2]
    images = [read_rgb(p) for p in paths]
    fast = IMSiamTracker(config=config, random_init=True, channels_last=channels_last)
    fast_other = IMSiamTracker(config=config, random_init=True, channels_last=not channels_last)
    eager = IMSiamTracker(config=config, random_init=True, fold_bn=False, channels_last=False)
    fast.init(images[0], gt[0])
    eager.init(images[0], gt[0])
    # network inputs: the tracker's own template and first search crop
    box = gt[0]
    center = (box[0] + (box[2] - 1) / 2, box[1] + (box[3] - 1) / 2)
    average = images[0].mean(axis=(0, 1))
    s_z = round(TargetState.from_box(images[0], gt[0]).context_size())
    z = rgb_patch_to_tensor(get_subwindow(images[0], center, 127, s_z, average))
    x = rgb_patch_to_tensor(get_subwindow(images[1], center, 255, round(s_z * 255 / 127), average))
    half = box[2:4] * (127 / s_z) / 2
    zbox = torch.tensor([[63 - half[0], 63 - half[1], 63 + half[0], 63 + half[1]]], dtype=torch.float32)
    x_cl = x.contiguous(memory_format=torch.channels_last)
    fast_other.init(images[0], gt[0])

    def eager_forward():
        with torch.no_grad():
            return eager.model(z, x, zbox)

    def fast_forward(tracker: IMSiamTracker):
        with torch.inference_mode():
            return tracker.model.track(x_cl if tracker.channels_last else x, tracker._template)

    eager_forward(), fast_forward(fast), fast_forward(fast_other)  # warm-up
    other = "fast forward, channels_last" if not channels_last else "fast forward, contiguous"
    times: dict[str, list[float]] = {"eager full forward": [], "fast network forward": [], other: [], "tracker step": [], "eager tracker step": []}
    worst = 0.0
    for image in images[1 : frames + 1]:
        times["eager full forward"].append(timed(eager_forward)[0])
        times["fast network forward"].append(timed(lambda: fast_forward(fast))[0])
        times[other].append(timed(lambda: fast_forward(fast_other))[0])
        t_fast, (box_fast, _) = timed(lambda: fast.update(image))
        t_eager, (box_eager, _) = timed(lambda: eager.update(image))
        times["tracker step"].append(t_fast)
        times["eager tracker step"].append(t_eager)
        worst = max(worst, float(np.max(np.abs(box_fast - box_eager) / np.maximum(np.abs(box_eager), 1.0))))
    medians = {k: float(np.median(v)) for k, v in times.items()}
    print(f"{config} ({frames} frames, {torch.get_num_threads()} threads, channels_last={channels_last}):")
    for key, value in medians.items():
        print(f"  {key:28s} {value:9.1f} ms")
    print(f"  speed-up of the tracker step over the eager full forward: {medians['eager full forward'] / medians['tracker step']:.2f}x")
    print(f"  speed-up of the fast network forward over the eager one:  {medians['eager full forward'] / medians['fast network forward']:.2f}x")
    print(f"  largest relative box difference fast vs eager tracker: {worst:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["imsiam", "imsiam_small"])
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--contiguous", action="store_true", help="run the tracker in NCHW instead of channels_last")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for config in args.configs:
        bench(config, args.frames if config != "imsiam" else min(args.frames, 5), not args.contiguous)


if __name__ == "__main__":
    main()
