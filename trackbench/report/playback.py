"""Per-frame playback of one tracker's results on one sequence, for the sequence viewer.

One-pass layouts (OTB, LaSOT, GOT-10k first run): the boxes as written; IoU is the
continuous box IoU (:func:`trackbench.geometry.iou`), NaN where the target is absent or
the ground truth has no box. VOT reset-based layouts (first repetition): the regions of
frames that hold one (NaN rows at the special codes); IoU is the VOT rasterised overlap
bounded by the image (:func:`trackbench.metrics.vot.frame_overlaps`, the accuracy
bounds), NaN at special frames; failures are code-2 frames and restarts code-1 frames
after the first.
"""

from __future__ import annotations

import numpy as np

from trackbench.geometry import iou
from trackbench.report.viewer import TrackPlayback
from trackbench.sequence import Dataset, Sequence


def one_pass_playback(sequence: Sequence, boxes: np.ndarray) -> TrackPlayback:
    """Playback of one-pass ``boxes`` ``(N, 4)`` on ``sequence`` (box ground truth)."""
    gt = sequence.ground_truth[:, :4]
    boxes = np.asarray(boxes, dtype=np.float64)[: len(gt)]
    overlap = np.full(len(gt), np.nan)
    overlap[: len(boxes)] = iou(gt[: len(boxes)], boxes)
    valid = np.all(np.isfinite(gt), axis=1) & (gt[:, 2] > 0) & (gt[:, 3] > 0)
    if sequence.absent is not None:
        valid &= ~np.asarray(sequence.absent, dtype=bool)
    overlap[~valid] = np.nan
    return TrackPlayback(regions=boxes, iou=overlap)


def supervised_playback(sequence: Sequence, trajectory, corner_rule: str = "x+w") -> TrackPlayback:
    """Playback of one VOT repetition (a :class:`VotTrajectory`) on ``sequence``."""
    from trackbench.metrics.region_overlap import to_polygons
    from trackbench.metrics.vot import frame_overlaps, stack_runs
    from trackbench.trajectory import FAILURE, INIT, REGION

    trajectory = trajectory.truncated(len(sequence))
    runs = stack_runs([[trajectory]], corner_rule)
    gt = sequence.ground_truth
    gt_polygons = gt if gt.shape[1] == 8 else to_polygons(gt, corner_rule)
    overlap = frame_overlaps(runs, [np.asarray(gt_polygons, dtype=np.float64)], [sequence.image_size], 0)
    regions = np.where((trajectory.codes == REGION)[:, None], runs.polygons, np.nan).astype(np.float64)
    restarts = np.flatnonzero(trajectory.codes == INIT)
    return TrackPlayback(regions=regions, iou=overlap, failures=np.flatnonzero(trajectory.codes == FAILURE),
                         restarts=restarts[restarts > 0])


#: The protocols whose results the viewer reads (long-term, real-time, TRE and SRE runs are
#: shown by their own plots instead).
PLAYBACK_PROTOCOLS = ("ope", "supervised")


def read_playbacks(index, dataset: Dataset, sequence: Sequence, protocol: str, corner_rule: str = "x+w") -> TrackPlayback:
    """The playback of ``sequence`` from one tracker's result ``index`` (a
    :class:`trackbench.results.read.ResultIndex`) under ``protocol`` (``"ope"`` or
    ``"supervised"``, the family record's protocol)."""
    from trackbench.results.read import read_ope_results, read_vot_results

    single = dataset.subset([sequence.name])
    readers = {
        "ope": lambda: one_pass_playback(sequence, read_ope_results(index, single)[sequence.name]),
        "supervised": lambda: supervised_playback(sequence, read_vot_results(index, single)[sequence.name][0],
                                                  corner_rule),
    }
    if protocol not in readers:
        from trackbench.errors import TrackbenchError

        raise TrackbenchError(f"the sequence viewer reads one-pass and VOT baseline results, not {protocol!r} runs")
    return readers[protocol]()
