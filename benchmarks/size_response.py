"""Size response of an IMSiam model: the box it predicts when its size belief is wrong.

A tracker's state carries the target size of the previous frame; the search crop is cut
around it (side ``s_x = s_z * 255 / 127``). At every ``--step``-th frame of each sequence the
state is set to the ground-truth centre with ``s`` times the true size, for ``s`` in
``--beliefs``, and the raw prediction at the peak (window influence 0.3, no smoothing:
``scale_lr = 1``) is divided by the true size. A model that reads the target's extent
answers ~1.0 whatever ``s``; one that answers ~``s`` copies its belief, so any bias in it
compounds frame after frame (the box shrinks or grows until the target is lost).

Printed per sequence: the median over frames of predicted / true width and height for each
belief. Sequences: the real OTB sequences of ``../shared/data/sequences/otb`` (``--real``)
and/or ``--generated N`` sequences per target figure from :mod:`trackbench.data.synthetic`
(seeds ``[999, i]``, never a training or validation seed of the bundled recipes).
Exact inference mode; one thread.

    python benchmarks/size_response.py --checkpoint trackers/imsiam/weights/imsiam_nano.safetensors --real --generated 2
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from trackbench.data.otb import read_otb
from trackbench.data.synthetic import render_sequence
from trackbench.imageio import read_rgb
from trackbench.trackers.imsiam import IMSiamTracker
from trackbench.trackers.imsiam.decoding import TargetState, combine_stages, decode_step, hanning_window, search_crop

SHARED_SEQUENCES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sequences" / "otb"
WINDOW_INFLUENCE = 0.3


def size_response(tracker: IMSiamTracker, frames: list[np.ndarray], truth: np.ndarray, beliefs: list[float],
                  step: int) -> np.ndarray:
    """``(frames probed, beliefs, 2)``: predicted / true ``(w, h)`` at frames ``step, 2 step, ...``
    with the template of frame 0 (its true box)."""
    tracker.init(frames[0], truth[0])
    average = tracker._states[0].average
    out = []
    for k in range(step, len(frames), step):
        row = []
        for belief in beliefs:
            true_state = TargetState.from_box(frames[k], truth[k])
            state = TargetState(true_state.center, true_state.size * belief, average)
            patch, scale_z = search_crop(frames[k], state)
            with torch.inference_mode():
                outputs = tracker.model.track(tracker._to_input([patch]), tracker._template)
            score, reg = combine_stages(outputs, use_iou=tracker.config.tracking.score == "paper")
            window = hanning_window(score.shape[-1])
            new, _ = decode_step(score[0].numpy(), reg[0].numpy(), state, scale_z, frames[k].shape, window,
                                 WINDOW_INFLUENCE, 1.0)
            row.append(new.size / truth[k][2:4])
        out.append(row)
    return np.asarray(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default="trackers/imsiam/weights/imsiam_nano.safetensors")
    parser.add_argument("--beliefs", default="0.5,0.75,1,1.5,2", help="size beliefs, times the true size")
    parser.add_argument("--step", type=int, default=10, help="probe every step-th frame")
    parser.add_argument("--real", action="store_true", help="the real OTB sequences of ../shared/data")
    parser.add_argument("--generated", type=int, default=0, help="generated sequences per figure")
    args = parser.parse_args()
    torch.set_num_threads(1)
    beliefs = [float(b) for b in args.beliefs.split(",")]
    tracker = IMSiamTracker(checkpoint=args.checkpoint, exact=True)
    cases: list[tuple[str, list[np.ndarray], np.ndarray]] = []
    if args.real:
        if not SHARED_SEQUENCES.is_dir():
            raise SystemExit(f"error: missing real sequence folder {SHARED_SEQUENCES}")
        for seq in read_otb(SHARED_SEQUENCES):
            cases.append((seq.name, [read_rgb(f) for f in seq.frames], seq.ground_truth))
    for i in range(args.generated):
        for figure in ("walker", "person", "box", "vehicle"):
            frames, boxes = render_sequence(np.random.default_rng([999, i]), length=60, difficulty=0.5,
                                            aspect=(0.33, 3.5), figures=(figure,))
            cases.append((f"generated-{figure}-{i}", frames, boxes))
    print(f"{args.checkpoint}: median predicted / true size (w / h) when the belief is s x the true size")
    print("| sequence | " + " | ".join(f"s = {b:g}" for b in beliefs) + " |")
    print("|---|" + "---|" * len(beliefs))
    for name, frames, truth in cases:
        ratios = size_response(tracker, frames, truth, beliefs, args.step)
        cells = [f"{np.median(ratios[:, j, 0]):.2f} / {np.median(ratios[:, j, 1]):.2f}" for j in range(len(beliefs))]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
