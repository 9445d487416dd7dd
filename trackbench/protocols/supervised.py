"""The VOT baseline experiment: the supervised (reset-based) protocol, as the VOT toolkit runs it.

Rules (docs/metrics.md §5.1):

* frame 0: the tracker is initialised on the ground truth, code ``1``;
* every following frame: ``update``; the output's overlap with the ground-truth region is
  computed by the VOT rasteriser (:func:`trackbench.metrics.region_overlap.vot_overlap`)
  bounded to the image with bounds ``(W - 1, H - 1)`` (the VOT toolkit's failure test);
  overlap > 0 keeps the region, overlap <= 0 (or a NaN / empty output) is a failure,
  code ``2``; the next ``skip_initialize - 1`` frames are not shown to the tracker
  (code ``0``, time NaN) and it is re-initialised on frame ``f + skip_initialize``
  (code ``1``); if that frame is past the end, the sequence simply ends;
* the initialisation box is the ground-truth region converted to ``[x, y, w, h]`` by
  ``init_rule``: ``"area"`` (default) the area-preserving rule of pysot / got10k
  (:func:`trackbench.geometry.polygon_to_box_area_preserving`), ``"bbox"`` the plain
  bounding box (:func:`trackbench.geometry.polygon_to_bbox`, what trax hands over);
  rectangle ground truth is used as is; a tracker whose ``init_box_convention`` is not
  ``exact`` gets its code base's box instead (:func:`trackbench.initbox.init_box`, ``vot``);
* ``corner_rule`` is how rectangles become polygons in the overlap: ``"x+w"`` (VOT2016-2018
  toolkit, pysot) or ``"x+w-1"`` (VOT toolkit 7.0.1+, VOT2019);
* times: seconds inside ``init`` / ``update`` only (image decoding excluded), NaN on
  skipped frames.

Entry points for the runner (:mod:`trackbench.execution`):

* ``run_supervised(tracker, sequence, *, skip_initialize=SKIP_INITIALIZE (5), init_rule="area",
  corner_rule="x+w") -> SupervisedTrajectory`` - one repetition on one sequence;
* repetitions: one for a tracker declaring ``is_deterministic = True``, 15 for one
  declaring False; for an undeclared one (None) the runner does what the VOT toolkit
  does: stop after 3 runs when :func:`trajectories_identical` holds between run 1 and
  runs 2 and 3 (:func:`should_stop` on trajectories; the runner's check of written files
  is :func:`trackbench.execution.layout.plan_units`), else run all 15 (see :mod:`trackbench.tracker`).

The protocol returns data and never writes: the files are :mod:`trackbench.results.layout`'s
(``write_repetition``, ``read_repetition``).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence as SequenceOf

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_bbox, polygon_to_box_area_preserving
from trackbench.initbox import init_box, tracker_convention
from trackbench.imageio import image_size
from trackbench.metrics.region_overlap import CORNER_RULES, vot_overlap
from trackbench.metrics.vot import SKIP_INITIALIZE
from trackbench.protocols.ope import accepts_image_paths, frame_path_argument
from trackbench.sequence import Sequence
from trackbench.trajectory import FAILURE, INIT, REGION, SKIPPED, SupervisedTrajectory
from trackbench.tracker import split_output

__all__ = [
    "SupervisedTrajectory",
    "INIT_RULES",
    "run_supervised",
    "initialization_box",
    "sequence_image_size",
    "trajectory_overlaps",
    "trajectories_identical",
    "should_stop",
]

INIT_RULES = ("area", "bbox")
#: The VOT toolkit's overlap threshold for "the same trajectory" (``is_deterministic.m``).
IDENTICAL_OVERLAP = 0.999


def initialization_box(region: np.ndarray, init_rule: str = "area") -> np.ndarray:
    """The ``[x, y, w, h]`` box a tracker is initialised with for a ground-truth region."""
    region = np.asarray(region, dtype=np.float64)
    if init_rule not in INIT_RULES:
        raise TrackbenchError(f"unknown init rule {init_rule!r} (expected one of {', '.join(INIT_RULES)})")
    if region.shape[-1] == 4:
        return region.copy()
    return polygon_to_box_area_preserving(region) if init_rule == "area" else polygon_to_bbox(region)


def sequence_image_size(sequence: Sequence) -> tuple[int, int]:
    """``(W, H)`` from the sequence's metadata, else from its first image's header."""
    if sequence.image_size is not None:
        return int(sequence.image_size[0]), int(sequence.image_size[1])
    if not sequence.frames:
        raise TrackbenchError(f"sequence {sequence.name!r} has no image size and no images", sequence.annotation_path)
    return image_size(sequence.frames[0])


def run_supervised(
    tracker: Any,
    sequence: Sequence,
    *,
    skip_initialize: int = SKIP_INITIALIZE,
    init_rule: str = "area",
    corner_rule: str = "x+w",
    progress: Callable[[int], None] | None = None,
) -> SupervisedTrajectory:
    """Run one repetition of the supervised protocol (rules in the module docstring).

    ``progress``, if given, is called as frames are passed: with ``1`` after each
    ``init``/``update``, and with the number of frames skipped after a failure (so the
    calls add up to the sequence length). A tracker with ``accepts_image_paths`` also
    gets ``path=`` (the frame's file) in ``init``/``update``.
    """
    if skip_initialize < 1:
        raise TrackbenchError(f"skip_initialize must be >= 1, got {skip_initialize}")
    if init_rule not in INIT_RULES:
        raise TrackbenchError(f"unknown init rule {init_rule!r} (expected one of {', '.join(INIT_RULES)})")
    if corner_rule not in CORNER_RULES:
        raise TrackbenchError(f"unknown corner rule {corner_rule!r} (expected one of {', '.join(CORNER_RULES)})")
    ground_truth = sequence.ground_truth
    bad = np.flatnonzero(np.isnan(ground_truth).any(axis=1))
    if len(bad):
        raise TrackbenchError(
            f"sequence {sequence.name!r}: ground truth is NaN at frame {bad[0] + 1} (1-based); "
            "the supervised protocol needs a region on every frame",
            sequence.annotation_path,
        )
    width, height = sequence_image_size(sequence)
    bounds = (width - 1, height - 1)
    n = len(sequence)
    codes = np.full(n, SKIPPED, dtype=np.int64)
    regions = np.full((n, 8), np.nan)
    is_rect = np.zeros(n, dtype=bool)
    times = np.full(n, np.nan)

    def advance(frames: int) -> None:
        if progress is not None and frames > 0:
            progress(frames)

    with_paths = accepts_image_paths(tracker)
    convention = tracker_convention(tracker)
    frame = 0
    while frame < n:
        image = sequence.image(frame)
        extra = frame_path_argument(sequence, frame) if with_paths else {}
        if convention == "exact":
            box = initialization_box(ground_truth[frame], init_rule)
        else:  # a code base's own rule (trackbench.initbox)
            box = init_box(ground_truth[frame], convention, "vot")
        start = time.perf_counter()
        tracker.init(image, box, **extra)
        times[frame] = time.perf_counter() - start
        codes[frame] = INIT
        frame += 1
        advance(1)
        while frame < n:
            image = sequence.image(frame)
            extra = frame_path_argument(sequence, frame) if with_paths else {}
            start = time.perf_counter()
            output = tracker.update(image, **extra)
            times[frame] = time.perf_counter() - start
            advance(1)
            region, _ = split_output(output)
            overlap = vot_overlap(region, ground_truth[frame], bounds, corner_rule)
            if not overlap > 0:  # NaN (a NaN output) is a failure too
                codes[frame] = FAILURE
                advance(min(frame + skip_initialize, n) - (frame + 1))
                frame += skip_initialize
                break
            codes[frame] = REGION
            regions[frame, : len(region)] = region
            is_rect[frame] = len(region) == 4
            frame += 1
    return SupervisedTrajectory(codes, regions, is_rect, times)


def trajectory_overlaps(
    trajectory: SupervisedTrajectory,
    reference: np.ndarray | SupervisedTrajectory,
    bounds: tuple[float, float] | None = None,
    corner_rule: str = "x+w",
) -> np.ndarray:
    """Per-frame rasterised overlap of the trajectory's regions with ``reference`` (a
    ground-truth ``(N, 4|8)`` array or another trajectory); NaN where either is special."""
    n = len(trajectory)
    if isinstance(reference, SupervisedTrajectory):
        ref_codes, ref_regions, ref_rect = reference.codes, reference.regions, reference.is_rect
    else:
        reference = np.asarray(reference, dtype=np.float64)
        ref_codes = np.full(len(reference), REGION)
        ref_regions = np.full((len(reference), 8), np.nan)
        ref_regions[:, : reference.shape[1]] = reference
        ref_rect = np.full(len(reference), reference.shape[1] == 4)
    if len(ref_codes) != n:
        raise TrackbenchError(f"trajectory has {n} frames but the reference has {len(ref_codes)}")
    out = np.full(n, np.nan)
    both = (trajectory.codes == REGION) & (ref_codes == REGION)
    for rect_a in (True, False):
        for rect_b in (True, False):
            rows = np.flatnonzero(both & (trajectory.is_rect == rect_a) & (ref_rect == rect_b))
            if len(rows):
                a = trajectory.regions[rows, :4] if rect_a else trajectory.regions[rows]
                b = ref_regions[rows, :4] if rect_b else ref_regions[rows]
                out[rows] = vot_overlap(a, b, bounds, corner_rule)
    return out


def trajectories_identical(
    a: SupervisedTrajectory,
    b: SupervisedTrajectory,
    bounds: tuple[float, float] | None = None,
    corner_rule: str = "x+w",
    threshold: float = IDENTICAL_OVERLAP,
) -> bool:
    """The VOT toolkit's test (``is_deterministic.m``): the same special frames (codes)
    and, on every other frame, region overlap > ``threshold`` (0.999). The toolkit bounds
    the overlap to ``(W - 1, H - 1)``; pass ``bounds`` to do the same."""
    if len(a) != len(b) or not np.array_equal(a.codes, b.codes):
        return False
    overlaps = trajectory_overlaps(a, b, bounds, corner_rule)
    tracked = a.codes == REGION
    return bool(np.all(overlaps[tracked] > threshold))


def should_stop(
    trajectories: SequenceOf[SupervisedTrajectory],
    bounds: tuple[float, float] | None = None,
    corner_rule: str = "x+w",
) -> bool:
    """True when at least 3 repetitions exist and run 1 is identical to runs 2 and 3 (the
    VOT toolkit then stops instead of running all 15)."""
    if len(trajectories) < 3:
        return False
    first = trajectories[0]
    return all(trajectories_identical(first, other, bounds, corner_rule) for other in trajectories[1:3])
