"""The one-pass evaluation (OPE) protocol: initialise once, then track every frame.

Frame 0 (the first evaluated frame) initialises the tracker with the ground-truth box
under the tracker's init-box convention (:mod:`trackbench.initbox`; ``exact`` by default:
the box itself, for a polygon the area-preserving box, as pysot and got10k do); row 0
of the trajectory is that init box; every later frame is one ``update`` call. Only the tracker
calls are timed (``time.perf_counter`` around ``init``/``update``): images are decoded
between the calls, by a background thread while a slow tracker works, or by a few in
parallel ahead of a tracker faster than decoding (:func:`prefetched_images`), never
inside a timed interval.
"""

from __future__ import annotations

import time
from collections import deque
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


def _timed_image(sequence: Sequence, index: int) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    image = sequence.image(index)
    return image, time.perf_counter() - start


#: At most this many frames are decoded ahead in parallel (each one frame's memory).
MAX_DECODERS = 4


def decode_threads() -> int:
    """Threads that may decode frames in parallel: OpenCV's thread count (set from
    ``--threads`` or the usable cores per worker by
    :func:`trackbench.execution.threads.apply_threads` before a run builds its tracker),
    at most :data:`MAX_DECODERS`."""
    import cv2

    return max(1, min(MAX_DECODERS, int(cv2.getNumThreads())))


def prefetched_images(sequence: Sequence, start: int = 0, decoders: int | None = None) -> Iterator[np.ndarray]:
    """Yield the frames of ``sequence`` from ``start``, decoding each one when it is asked
    for or ahead of time on background threads (reading a file, OpenCV's JPEG decoder and
    its colour conversion release the GIL). ``decoders``: at most this many background
    threads (``None``: :func:`decode_threads`).

    How far ahead depends on the caller's work on the last frame (the time between a
    ``yield`` and the next request) against the time one decode took:

    * at least as long (a tracker slower than decoding): the next frame only, on one
      thread, decoded while the caller works;
    * shorter (``identity``, MOSSE: decoding is the limit) and ``decoders`` > 1: the next
      ``decoders`` frames, in parallel, so a run is as fast as the cores decode;
    * shorter and ``decoders`` = 1 (``--threads 1``, or as many worker processes as
      cores): each frame is decoded in the caller's thread when asked for (handing single
      frames between threads would cost more than it overlaps).

    Frames come out in order; a frame that fails to decode raises when it is asked for,
    not before. The last frame yielded stays alive until the next one is decoded, and at
    most ``decoders`` decoded frames wait ahead: a large frame freed before the next
    decode lies at the top of the C heap, which glibc may trim, and the next decode then
    faults its whole buffer in again (:mod:`trackbench.execution.heap`, which a run also
    applies). Threads start at the first frame that needs them and are stopped when the
    generator is closed.
    """
    count = len(sequence)
    decoders = decode_threads() if decoders is None else max(1, int(decoders))
    pool: ThreadPoolExecutor | None = None
    ahead: deque[Future] = deque()  # the frames after the current one, being decoded in order
    following = start  # the first frame not yet decoded nor handed to the pool
    decode_seconds = work_seconds = 0.0
    clock = time.perf_counter
    try:
        for index in range(start, count):
            if ahead:
                image, decode_seconds = ahead.popleft().result()
            else:
                image, decode_seconds = _timed_image(sequence, index)
                following = index + 1
            if work_seconds > 0 and work_seconds >= decode_seconds:
                depth = 1
            else:
                depth = decoders if decoders > 1 else 0
            while len(ahead) < depth and following < count:
                if pool is None:
                    pool = ThreadPoolExecutor(max_workers=decoders, thread_name_prefix="trackbench-decode")
                ahead.append(pool.submit(_timed_image, sequence, following))
                following += 1
            handed = clock()
            yield image
            work_seconds = clock() - handed
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


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
    frames = prefetched_images(sequence)
    try:
        for index in range(count):
            image = next(frames)
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
    finally:
        frames.close()  # stops a background decoder thread now, also on an exception
    return Trajectory(stack_regions(regions), times, scores)


def stack_regions(regions: list[np.ndarray]) -> np.ndarray:
    """Stack per-frame regions into ``(N, 4)``, or ``(N, 8)`` (boxes turned into their
    polygons) when any region is a polygon."""
    if all(len(r) == 4 for r in regions):
        return np.asarray(regions, dtype=np.float64).reshape(-1, 4)
    return np.asarray([r if len(r) == 8 else box_to_polygon(r) for r in regions], dtype=np.float64)
