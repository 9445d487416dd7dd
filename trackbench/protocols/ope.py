"""The one-pass evaluation (OPE) protocol: initialise once, then track every frame.

Frame 0 (the first evaluated frame) initialises the tracker with the ground-truth box
under the tracker's init-box convention (:mod:`trackbench.initbox`; ``exact`` by default:
the box itself, for a polygon the area-preserving box, as pysot and got10k do); row 0
of the trajectory is that init box; every later frame is one ``update`` call. Only the tracker
calls are timed (``time.perf_counter`` around ``init``/``update``): the next image is
decoded by a background thread while the tracker works, and that decoding is never
inside a timed interval.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.geometry import box_to_polygon
from trackbench.initbox import init_box, tracker_convention
from trackbench.sequence import Sequence
from trackbench.tracker import split_output
from trackbench.trajectory import Trajectory

ProgressCallback = Callable[[int], None]


def initial_box(sequence: Sequence, convention: str = "exact") -> np.ndarray:
    """The ``[x, y, w, h]`` box a tracker is initialised with on frame 0 of ``sequence``
    (``convention``: see :mod:`trackbench.initbox`)."""
    first = sequence.ground_truth[0]
    box = init_box(first, convention, "ope") if np.all(np.isfinite(first)) else first.copy()
    if not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
        raise TrackbenchError(
            f"sequence {sequence.name!r}: first ground-truth region {first.tolist()} cannot initialise a tracker",
            sequence.annotation_path,
            1,
        )
    return box


PREFETCH_CHUNK = 4  # frames decoded per hand-over: amortises the thread hand-over cost


def _decode_chunk(sequence: Sequence, first: int, count: int) -> list[np.ndarray]:
    return [sequence.image(index) for index in range(first, min(first + count, len(sequence)))]


def prefetched_images(sequence: Sequence, start: int = 0, chunk: int = PREFETCH_CHUNK) -> Iterator[np.ndarray]:
    """Yield the frames of ``sequence`` from ``start``; a background thread decodes the
    next ``chunk`` frames while the caller works on the current ones (decoding, and
    OpenCV's JPEG decoder, release the GIL)."""
    count = len(sequence)
    if start >= count:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trackbench-decode") as pool:
        pending: Future = pool.submit(_decode_chunk, sequence, start, chunk)
        for first in range(start, count, chunk):
            images = pending.result()
            if first + chunk < count:
                pending = pool.submit(_decode_chunk, sequence, first + chunk, chunk)
            yield from images


def accepts_image_paths(tracker: Any) -> bool:
    """Whether ``tracker`` wants the frame's file: ``accepts_image_paths = True`` (see
    :mod:`trackbench.tracker`)."""
    return bool(getattr(tracker, "accepts_image_paths", False))


def frame_path_argument(sequence: Sequence, index: int) -> dict[str, Path]:
    """``{"path": <file of frame index>}`` when that file exists, else ``{}`` (the tracker
    then works from the decoded array alone)."""
    if index < len(sequence.frames):
        path = Path(sequence.frames[index])
        if path.is_file():
            return {"path": path}
    return {}


def run_one_pass(
    tracker, sequence: Sequence, progress: ProgressCallback | None = None, init_box: np.ndarray | None = None
) -> Trajectory:
    """Run ``tracker`` over ``sequence`` once (OPE) and return its :class:`Trajectory`.

    ``progress``, if given, is called with ``1`` after each frame. A tracker with
    ``accepts_image_paths`` also gets ``path=`` (the frame's file) in ``init``/``update``.
    ``init_box``: initialise with this ``[x, y, w, h]`` instead of the ground truth of
    frame 0 (OTB SRE); it is row 0 of the trajectory.
    """
    if not sequence.frames:
        raise TrackbenchError(f"sequence {sequence.name!r} has no image files", sequence.annotation_path)
    count = len(sequence)
    box = initial_box(sequence, tracker_convention(tracker)) if init_box is None \
        else np.asarray(init_box, dtype=np.float64).copy()
    regions: list[np.ndarray] = [box]
    times = np.zeros(count, dtype=np.float64)
    scores = np.full(count, np.nan, dtype=np.float64)
    clock = time.perf_counter
    with_paths = accepts_image_paths(tracker)
    for index, image in enumerate(prefetched_images(sequence)):
        extra = frame_path_argument(sequence, index) if with_paths else {}
        if index == 0:
            start = clock()
            tracker.init(image, box.copy(), **extra)
            times[0] = clock() - start
        else:
            start = clock()
            output = tracker.update(image, **extra)
            times[index] = clock() - start
            region, score = split_output(output)
            regions.append(region)
            if score is not None:
                scores[index] = score
        if progress is not None:
            progress(1)
    return Trajectory(stack_regions(regions), times, scores)


def stack_regions(regions: list[np.ndarray]) -> np.ndarray:
    """Stack per-frame regions into ``(N, 4)``, or ``(N, 8)`` (boxes turned into their
    polygons) when any region is a polygon."""
    if all(len(r) == 4 for r in regions):
        return np.asarray(regions, dtype=np.float64).reshape(-1, 4)
    return np.asarray([r if len(r) == 8 else box_to_polygon(r) for r in regions], dtype=np.float64)
