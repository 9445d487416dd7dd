"""OTB robustness evaluations: temporal (TRE) and spatial (SRE), as the OTB MATLAB toolkit runs them.

Rules (Wu, Lim, Yang, "Online object tracking: a benchmark", CVPR 2013; the toolkit's
``util/splitSeqTRE.m``, ``util/shiftInitBB.m`` and ``main_running.m``), in our words.
Frames are the rows of the sequence as :mod:`trackbench.data.otb` loads it (row 0 = the
first frame the one-pass evaluation uses, image number ``sequence.start_frame``).

TRE (:func:`tre_starts`): candidate start frames are those outside every init-omit range
and whose ground truth has all four numbers > 0 (no NaN). The last usable candidate is
the last one with at least 20 frames from it to the end of the sequence (inclusive); call
``E`` its position (1-based) in the candidate list. The segment starts are the candidates
at positions ``floor(1 + k * E / 19)`` for every ``k >= 0`` with ``1 + k * E / 19 <= E``
(MATLAB's ``floor(1 : E/19 : E)``), followed by position ``E`` - 20 starts for any ``E >= 19``
(starts can repeat for short lists, as in MATLAB). Each segment is initialised with the
ground truth of its start and runs to the end of the sequence.

SRE (:func:`sre_boxes`): the first TRE segment (the one-pass start) is run 12 times, with
the initial box ``[x, y, w, h]`` perturbed, in this order: ``left``, ``right``, ``up``,
``down`` move the box by ``ceil(0.1 * w)`` (or ``h``) pixels; ``topLeft``, ``topRight``,
``bottomLeft``, ``bottomRight`` move that corner outward by ``round(0.1 * w)`` / ``round(0.1 * h)``
(the corner is rounded after moving; the opposite corner, ``x + w - 1`` / ``y + h - 1``, stays);
``scale_8``, ``scale_9``, ``scale_11``, ``scale_12`` scale ``w`` and ``h`` by 0.8 / 0.9 / 1.1 / 1.2
about the centre ``(x + w/2, y + h/2)`` and round all four numbers. Then the box is clamped
into the image: ``x, y >= 1``, and ``w`` / ``h`` cut so that ``x + w - 1 <= W``, ``y + h - 1 <= H``.
Rounding is MATLAB's ``round`` (half away from zero); the arithmetic is the toolkit's, in
doubles (``0.1 * 30`` is just above 3, so ``ceil`` gives 4, as in MATLAB).

Evaluation (genPerfMat.m) is in :mod:`trackbench.metrics.otb_robustness`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.protocols.ope import run_one_pass
from trackbench.results.otb_robustness_files import RobustnessResult, RobustnessRun
from trackbench.sequence import Sequence

TRE_SEGMENTS = 20
TRE_MIN_LENGTH = 20
SRE_SHIFTS = ("left", "right", "up", "down", "topLeft", "topRight", "bottomLeft", "bottomRight",
              "scale_8", "scale_9", "scale_11", "scale_12")
_SCALES = {"scale_8": 0.8, "scale_9": 0.9, "scale_11": 1.1, "scale_12": 1.2}


def matlab_round(value: float) -> float:
    """MATLAB ``round``: to the nearest integer, halves away from zero."""
    return float(math.copysign(math.floor(abs(value) + 0.5), value))


def tre_starts(
    ground_truth: np.ndarray,
    start_frame: int = 1,
    omit: list[tuple[int, int]] | None = None,
    segments: int = TRE_SEGMENTS,
    min_length: int = TRE_MIN_LENGTH,
) -> list[int]:
    """0-based rows where the TRE segments start (rules in the module docstring).

    ``start_frame``: image number of row 0; ``omit``: init-omit ranges as 1-based image
    numbers (inclusive pairs).
    """
    boxes = np.asarray(ground_truth, dtype=np.float64)
    n = len(boxes)
    omitted = np.zeros(n, dtype=bool)
    numbers = start_frame + np.arange(n)
    for first, last in omit or []:
        omitted |= (numbers >= first) & (numbers <= last)
    valid = ~omitted & ~np.isnan(boxes).any(axis=1) & (boxes > 0).all(axis=1)
    candidates = np.flatnonzero(valid)
    usable = np.flatnonzero(n - candidates >= min_length)
    if not len(usable):
        raise TrackbenchError(f"no TRE start with {min_length} frames left (sequence of {n} frames)")
    last = int(usable[-1]) + 1  # E: 1-based position in the candidate list
    steps = segments - 1
    positions = []
    k = 0
    while steps * 1 + k * last <= steps * last:  # 1 + k*E/steps <= E, in integers
        positions.append(1 + (k * last) // steps)
        k += 1
    positions.append(last)
    return [int(candidates[p - 1]) for p in positions]


def sre_boxes(box: np.ndarray, image_size: tuple[int, int]) -> list[tuple[str, np.ndarray]]:
    """The 12 perturbed initial boxes ``(shift name, [x, y, w, h])`` (module docstring)."""
    width, height = image_size
    return [(shift, _shift_box([float(v) for v in box], shift, width, height)) for shift in SRE_SHIFTS]


def _shift_box(r: list[float], shift: str, width: int, height: int) -> np.ndarray:
    cx, cy = r[0] + r[2] / 2, r[1] + r[3] / 2
    right, bottom = r[0] + r[2] - 1, r[1] + r[3] - 1
    if shift in _SCALES:
        w, h = _SCALES[shift] * r[2], _SCALES[shift] * r[3]
        r = [matlab_round(v) for v in (cx - w / 2, cy - h / 2, w, h)]
    elif shift == "left":
        r[0] -= math.ceil(0.1 * r[2])
    elif shift == "right":
        r[0] += math.ceil(0.1 * r[2])
    elif shift == "up":
        r[1] -= math.ceil(0.1 * r[3])
    elif shift == "down":
        r[1] += math.ceil(0.1 * r[3])
    else:
        if shift in ("topLeft", "bottomLeft"):
            r[0] = matlab_round(r[0] - 0.1 * r[2])
        if shift in ("topRight", "bottomRight"):
            right = matlab_round(right + 0.1 * r[2])
        if shift in ("topLeft", "topRight"):
            r[1] = matlab_round(r[1] - 0.1 * r[3])
        if shift in ("bottomLeft", "bottomRight"):
            bottom = matlab_round(bottom + 0.1 * r[3])
        r[2], r[3] = right - r[0] + 1, bottom - r[1] + 1
    r[0], r[1] = max(r[0], 1.0), max(r[1], 1.0)
    if r[0] + r[2] - 1 > width:
        r[2] = width - r[0] + 1
    if r[1] + r[3] - 1 > height:
        r[3] = height - r[1] + 1
    return np.asarray(r, dtype=np.float64)


def plan_runs(protocol: str, sequence: Sequence, omit: list[tuple[int, int]] | None,
              image_size: tuple[int, int]) -> list[tuple[str, int, np.ndarray]]:
    """``(label, start row, initial box)`` of every run of ``protocol`` on ``sequence``."""
    gt = np.asarray(sequence.ground_truth, dtype=np.float64)
    if protocol == "tre":
        starts = tre_starts(gt, sequence.start_frame, omit)
        return [(f"segment_{k}", s, gt[s].copy()) for k, s in enumerate(starts, 1)]
    if protocol == "sre":
        first = tre_starts(gt, sequence.start_frame, omit)[0]
        return [(shift, first, box) for shift, box in sre_boxes(gt[first], image_size)]
    raise TrackbenchError(f"unknown robustness protocol {protocol!r} (expected tre or sre)")


def sequence_omit(sequence: Sequence) -> list[tuple[int, int]]:
    """The OTB toolkit's init-omit ranges of ``sequence`` (by name; none for other data)."""
    from trackbench.data.otb import otb_init_omit_table
    from trackbench.sequence import normalize_name

    return otb_init_omit_table().get(normalize_name(sequence.name), [])


def planned_frames(protocol: str, sequence: Sequence) -> int:
    """Frames tracked over all runs of ``protocol`` on ``sequence`` (for progress and scheduling)."""
    n = len(sequence)
    try:
        starts = tre_starts(sequence.ground_truth, sequence.start_frame, sequence_omit(sequence))
    except TrackbenchError:
        return n  # the run itself reports the error
    if protocol == "sre":
        return len(SRE_SHIFTS) * (n - starts[0])
    return sum(n - s for s in starts)


def run_robustness(
    tracker: Any,
    sequence: Sequence,
    protocol: str,
    omit: list[tuple[int, int]] | None = None,
    image_size: tuple[int, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> RobustnessResult:
    """Run every TRE segment / SRE perturbation of ``sequence`` one-pass; returns the runs
    (nothing is written). ``image_size`` ``(W, H)``: for the SRE clamp (read from the
    first image when ``None``)."""
    if image_size is None:
        from trackbench.protocols.supervised import sequence_image_size

        image_size = sequence_image_size(sequence)
    runs = []
    for label, start, box in plan_runs(protocol, sequence, omit, image_size):
        part = replace(
            sequence,
            ground_truth=sequence.ground_truth[start:],
            frames=list(sequence.frames[start:]),
            absent=None if sequence.absent is None else sequence.absent[start:],
            cover=None,
            tags={},
            start_frame=sequence.start_frame + start,
        )
        trajectory = run_one_pass(tracker, part, progress, init_box=box)
        runs.append(RobustnessRun(label, start, np.asarray(trajectory.boxes[:, :4], dtype=np.float64), trajectory.times))
    return RobustnessResult(protocol, runs, sequence.start_frame)
