"""Batched stepping: one batch-aware tracker steps B sequences in lockstep (one pass).

The batch contract (optional methods of a tracker, see :mod:`trackbench.tracker`):

* ``init_batch(images, boxes)``: start ``B`` independent tracks; slot ``i`` is
  initialised with ``images[i]`` (RGB uint8 ``(H, W, 3)``, sizes may differ) and
  ``boxes[i]`` (``[x, y, w, h]``). Any previous tracks are discarded.
* ``update_batch(images) -> list``: ``images`` has one entry per slot, in the
  ``init_batch`` order; the entry is ``None`` for a slot whose sequence has ended (it
  drops out and must not be computed). Returns a list of the same length whose entry
  ``i`` is what ``update`` would return for slot ``i`` (box, ``(box, score)`` or dict),
  and anything (e.g. ``None``) for dropped slots.

Timing: the seconds of each batched call are shared equally among the slots it served,
so a sequence's summed times are its share of the tracker's work. A deterministic
batched tracker gives exactly the boxes of an unbatched run.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.initbox import tracker_convention
from trackbench.protocols.ope import ProgressCallback, initial_box, stack_regions
from trackbench.trajectory import Trajectory
from trackbench.sequence import Sequence
from trackbench.tracker import split_output


def supports_batches(tracker) -> bool:
    """True when ``tracker`` offers ``init_batch`` and ``update_batch``."""
    return callable(getattr(tracker, "init_batch", None)) and callable(getattr(tracker, "update_batch", None))


def _frames_at(sequences: list[Sequence], index: int) -> list[np.ndarray | None]:
    return [seq.image(index) if index < len(seq) else None for seq in sequences]


def run_batched(tracker, sequences: list[Sequence], progress: ProgressCallback | None = None) -> list[Trajectory]:
    """Run a batch-aware ``tracker`` over ``sequences`` in lockstep; one
    :class:`Trajectory` per sequence, in order. ``progress`` gets the frames done per step."""
    if not supports_batches(tracker):
        raise TrackbenchError(f"tracker {getattr(tracker, 'name', tracker)!r} has no init_batch/update_batch")
    for seq in sequences:
        if not seq.frames:
            raise TrackbenchError(f"sequence {seq.name!r} has no image files", seq.annotation_path)
    convention = tracker_convention(tracker)
    boxes0 = [initial_box(seq, convention) for seq in sequences]
    regions: list[list[np.ndarray]] = [[box] for box in boxes0]
    times = [np.zeros(len(seq), dtype=np.float64) for seq in sequences]
    scores = [np.full(len(seq), np.nan, dtype=np.float64) for seq in sequences]
    steps = max(len(seq) for seq in sequences)
    clock = time.perf_counter
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trackbench-decode") as pool:
        pending = pool.submit(_frames_at, sequences, 0)
        for step in range(steps):
            images = pending.result()
            if step + 1 < steps:
                pending = pool.submit(_frames_at, sequences, step + 1)
            active = [i for i, image in enumerate(images) if image is not None]
            if step == 0:
                start = clock()
                tracker.init_batch(images, [box.copy() for box in boxes0])
                elapsed = clock() - start
            else:
                start = clock()
                outputs = tracker.update_batch(images)
                elapsed = clock() - start
                if len(outputs) != len(sequences):
                    raise TrackbenchError(
                        f"update_batch returned {len(outputs)} results for a batch of {len(sequences)}"
                    )
                for i in active:
                    region, score = split_output(outputs[i])
                    regions[i].append(region)
                    if score is not None:
                        scores[i][step] = score
            for i in active:
                times[i][step] = elapsed / len(active)
            if progress is not None:
                progress(len(active))
    return [Trajectory(stack_regions(r), t, s) for r, t, s in zip(regions, times, scores)]
