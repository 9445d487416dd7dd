"""IMSiam CPU latency per frame: the tracker's step against the eager cached-template
forward (what the authors' ``track`` runs per frame), side by side in one run.

Variants, interleaved frame by frame over the real frames of
``../shared/data/sequences/otb/Couple`` (so load from other processes hits all alike):

* ``eager search forward`` (the baseline): ``model.track(x, template)`` of the network as
  trained (BatchNorm not folded, NCHW) under ``torch.no_grad``, template branch cached;
* ``eager tracker step``: ``IMSiamTracker(exact=True).update``: crop, colour conversion,
  that eager forward, decoding (the reference boxes);
* ``torch tracker step``: ``backend=torch``: BN folded, channels_last, ``inference_mode``;
* ``onnxruntime tracker step``: ``backend=onnxruntime`` (the default where the optional
  extra is installed): the same folded graph exported once and run by ONNX Runtime;
* ``winograd tracker step``: ``convolution=winograd``: the torch step with the large 3x3
  convolutions computed by Winograd's F(4x4, 3x3) (``trackers/imsiam/model/winograd.py``),
  NCHW;
* ``torch bf16 tracker step`` (with ``--bf16``): ``mixed_precision=bf16``, the torch step
  under ``torch.autocast`` in bfloat16 (an option: its boxes are not float32's).

Prints medians in ms per frame, each step's speed-up over the eager search forward and the
largest absolute box difference (px) of each fast tracker against the eager tracker over
the frames. Weights are random (seeded; latency does not depend on them) unless
``--checkpoint``; ``imsiam`` is the paper's full ResNet-50 model.

    python benchmarks/imsiam_speed.py [--configs imsiam imsiam_small] [--frames 10] [--threads 2] [--bf16]

Not kept (measured slower or no faster here, see benchmarks/README.md): ``torch.compile``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from trackbench.execution.threads import apply_threads
from trackbench.imageio import read_rgb
from trackbench.textio import read_table
from trackbench.trackers.imsiam.decoding import search_crop
from trackbench.trackers.imsiam.tracker import IMSiamTracker

SEQUENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sequences" / "otb" / "Couple"


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def bench(config: str, frames: int, checkpoint: str | None, bf16: bool = False) -> None:
    gt = read_table(SEQUENCE / "groundtruth_rect.txt", 4)
    paths = sorted((SEQUENCE / "img").glob("*.jpg"))[: frames + 1]
    images = [read_rgb(p) for p in paths]
    weights = {"checkpoint": checkpoint} if checkpoint else {"random_init": True}
    trackers = {
        "eager tracker step": IMSiamTracker(config=config, exact=True, **weights),
        "torch tracker step": IMSiamTracker(config=config, backend="torch", **weights),
        "onnxruntime tracker step": IMSiamTracker(config=config, backend="onnxruntime", **weights),
        "winograd tracker step": IMSiamTracker(config=config, convolution="winograd", **weights),
    }
    if bf16:
        trackers["torch bf16 tracker step"] = IMSiamTracker(config=config, mixed_precision="bf16", **weights)
    start = time.perf_counter()
    for tracker in trackers.values():
        tracker.init(images[0], gt[0])
    print(f"{config}: init of the {len(trackers)} trackers (incl. the ONNX export or its cache) {time.perf_counter() - start:.1f} s")
    eager = trackers["eager tracker step"]

    def eager_forward():
        # the baseline: the eager tracker's own search crop of this frame, its cached template
        patch, _ = search_crop(image, eager._states[0])
        x = eager._to_input([patch])
        with torch.no_grad():
            return eager.model.track(x, eager._template)

    image = images[1]
    eager_forward()  # warm-up
    times: dict[str, list[float]] = {"eager search forward": [], **{name: [] for name in trackers}}
    boxes: dict[str, list[np.ndarray]] = {name: [] for name in trackers}
    for image in images[1:]:
        times["eager search forward"].append(timed(eager_forward)[0])
        for name, tracker in trackers.items():
            elapsed, (box, _) = timed(lambda: tracker.update(image))
            times[name].append(elapsed)
            boxes[name].append(box)
    medians = {k: float(np.median(v)) for k, v in times.items()}
    reference = np.array(boxes["eager tracker step"])
    print(f"{config} ({frames} frames, {torch.get_num_threads()} threads), median ms per frame:")
    base = medians["eager search forward"]
    for key, value in medians.items():
        extra = ""
        if key in trackers:
            diff = float(np.max(np.abs(np.array(boxes[key]) - reference)))
            extra = f"  {base / value:5.2f}x the eager search forward; boxes within {diff:.1e} px of eager"
        print(f"  {key:26s} {value:9.1f} ms{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["imsiam", "imsiam_small"])
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--checkpoint", help="weights (default: random, seeded)")
    parser.add_argument("--bf16", action="store_true", help="also the mixed_precision=bf16 torch step")
    args = parser.parse_args()
    apply_threads(args.threads)
    for config in args.configs:
        bench(config, args.frames, args.checkpoint, args.bf16)


if __name__ == "__main__":
    main()
