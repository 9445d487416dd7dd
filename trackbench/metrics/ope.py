"""One-pass evaluation (OTB, LaSOT): success, precision and normalised precision.

Boxes are ``[x, y, w, h]`` (see :mod:`trackbench`). All functions are pure and work on
a whole dataset at once: per-frame arrays of all sequences are concatenated and a
``seq_index`` array says which sequence each frame belongs to.

Rules (docs/metrics.md §1-§3), switchable by :class:`RuleProfile`:

* success: frame succeeds at threshold t iff IoU > t (strict), 21 thresholds 0..1;
* precision: centre error <= t px (inclusive), t = 0..50; score at 20 px;
* normalised precision: centre error divided by the ground-truth size <= t,
  t = 0, 0.01, ..., 0.50; score at 0.20 (or the curve mean, got10k);
* per sequence: counts divided by the number of frames of the sequence (absent frames
  count in the denominator but never succeed), then curves averaged over sequences
  with equal weight; AUC = mean of the 21-point success curve;
* frames whose ground truth is NaN (no box: UAV123 marks absent targets so; ``inf`` is
  read as NaN, :func:`trackbench.data.common.read_ground_truth`) are invalid under every
  profile: IoU -1 (a success failure) and centre errors -1 (a precision pass), as the
  OTB/UAV123 toolkit (``calcSeqErrRobust.m``), pysot (``success_error``) and pytracking
  (``calc_seq_err_robust``, its ``'uav'`` rule) score them; got10k drops them
  (``drop_nan_gt``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.metrics.profiles import RuleProfile
from trackbench.metrics.thresholds import count_below

PRECISION_THRESHOLDS = np.arange(51, dtype=np.float64)
NORM_PRECISION_THRESHOLDS = np.arange(51, dtype=np.float64) / 100


def overlap_thresholds(grid: str = "numpy") -> np.ndarray:
    """The 21 overlap thresholds 0, 0.05, ..., 1.

    ``"numpy"``: ``np.arange(0, 1.05, 0.05)`` (pysot, pytracking, got10k; bit-identical
    to ``linspace``). ``"matlab"``: MATLAB's ``0:0.05:1``, whose upper half is built from
    the end point (``1 - (20 - k) * 0.05``), differing in the last ulp for some values.
    """
    if grid == "numpy":
        return np.arange(0, 1.05, 0.05)
    if grid == "matlab":
        n = 20
        k = np.arange(n + 1)
        low = k * 0.05
        high = 1.0 - (n - k) * 0.05
        return np.where(k <= n // 2, low, high)
    raise TrackbenchError(f"unknown threshold grid {grid!r}")


@dataclass
class OpeFrameScores:
    """Per-frame scores of a whole dataset (all arrays ``(F,)`` over concatenated frames).

    ``ious``: -1 where the frame is invalid; ``errors`` / ``norm_errors``: centre errors
    (-1 passes, inf fails); ``counted``: frames that may count as successes (absent and
    dropped frames do not); ``seq_index``: sequence of each frame; ``denominators``:
    ``(S,)`` frames per sequence used as denominators.
    """

    ious: np.ndarray
    errors: np.ndarray
    norm_errors: np.ndarray
    counted: np.ndarray
    seq_index: np.ndarray
    denominators: np.ndarray


def sanitize_predictions(pred: np.ndarray, seq_start: np.ndarray, rule: str, where: str = "results",
                         gt_missing: np.ndarray | None = None, padded: np.ndarray | None = None, *,
                         copy: bool = True) -> np.ndarray:
    """Apply a profile's result sanitation (see :class:`RuleProfile`).

    ``seq_start``: ``(F,)`` bool, True at the first frame of each sequence (never replaced).
    ``gt_missing``: ``(F,)`` bool, frames whose ground truth is NaN: never replaced (OTB
    ``calcSeqErrRobust.m`` and pytracking's ``calc_seq_err_robust`` only replace a result
    where the annotation is not NaN), though a later frame may take their box.
    ``padded``: ``(F,)`` bool, frames after the end of a short result: left alone (their
    score is the short-result policy's, see :func:`ope_frame_scores`).
    ``copy=False``: the result may be ``pred`` itself (when nothing is replaced).
    """
    pred = np.array(pred, dtype=np.float64, copy=True if copy else None)
    if rule == "none":
        return pred
    keep = seq_start.copy()
    for mask in (gt_missing, padded):
        if mask is not None:
            keep |= mask
    if rule == "strict":
        bad = np.isnan(pred).any(axis=1) | (pred[:, 2:4] < 0).any(axis=1)
        if padded is not None:
            bad &= ~padded
        if bad.any():
            raise TrackbenchError(f"invalid result box (NaN or negative size) at frame {int(np.argmax(bad))}", where)
        replace = (pred[:, 2:4] == 0).any(axis=1)
    elif rule == "previous":
        # NaN anywhere, w <= 0 or h <= 0 (a NaN w or h is not > 0)
        replace = np.isnan(pred[:, 0]) | np.isnan(pred[:, 1]) | ~(pred[:, 2] > 0) | ~(pred[:, 3] > 0)
    else:
        raise TrackbenchError(f"unknown sanitation rule {rule!r}")
    replace &= ~keep
    if not replace.any():
        return pred
    source = np.where(replace, 0, np.arange(len(pred)))
    source = np.maximum.accumulate(source)
    return pred[source]


def box_iou(a: np.ndarray, b: np.ndarray, form: str) -> np.ndarray:
    """IoU of ``[x, y, w, h]`` rows in a toolkit's arithmetic (``RuleProfile.iou_form``)."""
    return _iou_columns(_columns(a), _columns(b), form)


def _columns(boxes: np.ndarray) -> np.ndarray:
    """The ``(4, F)`` contiguous columns ``x, y, w, h`` of ``(F, >=4)`` rows: the same
    operations on the same numbers as on the strided columns, at a fraction of the cost."""
    return np.ascontiguousarray(np.asarray(boxes, dtype=np.float64)[:, :4].T)


def _iou_columns(a: np.ndarray, b: np.ndarray, form: str) -> np.ndarray:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    with np.errstate(divide="ignore", invalid="ignore"):
        if form == "plus_one":
            ra, rb = ax + aw - 1, bx + bw - 1
            ta, tb = ay + ah - 1, by + bh - 1
            iw = np.maximum(0, np.minimum(ra, rb) - np.maximum(ax, bx) + 1)
            ih = np.maximum(0, np.minimum(ta, tb) - np.maximum(ay, by) + 1)
            inter = iw * ih
            return inter / (aw * ah + bw * bh - inter)
        iw = np.maximum(np.minimum(ax + aw, bx + bw) - np.maximum(ax, bx), 0)
        ih = np.maximum(np.minimum(ay + ah, by + bh) - np.maximum(ay, by), 0)
        inter = iw * ih
        union = aw * ah + bw * bh - inter
        if form == "continuous_eps":
            union = union + np.finfo(float).eps
        elif form != "continuous":
            raise TrackbenchError(f"unknown IoU form {form!r}")
        return np.clip(inter / union, 0.0, 1.0)


def _centres(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre ``x + (w - 1) / 2``, ``y + (h - 1) / 2`` of ``(4, F)`` columns."""
    return columns[0] + (columns[2] - 1) / 2, columns[1] + (columns[3] - 1) / 2


def ope_frame_scores(
    gt: list[np.ndarray],
    pred: list[np.ndarray],
    profile: RuleProfile,
    absent: list[np.ndarray | None] | None = None,
    names: list[str] | None = None,
) -> OpeFrameScores:
    """Per-frame IoU and centre errors of every sequence under ``profile``.

    ``gt[s]`` is ``(N_s, 4)``, ``pred[s]`` ``(n_s, 4)`` with ``1 <= n_s <= N_s`` (readers
    have already cut longer results); a shorter result is scored by the profile's
    ``short_results`` policy (:mod:`trackbench.results.lengths`). ``absent[s]`` is a bool
    ``(N_s,)`` or ``None``. ``names``: the sequences' names, for error messages.
    """
    if len(gt) != len(pred):
        raise TrackbenchError("ope_frame_scores: as many result arrays as sequences are needed")
    gt, pred, absent, padded = _apply_short_results(gt, pred, absent, profile.short_results)
    lengths = np.array([len(g) for g in gt], dtype=np.int64)
    n_seq = len(gt)
    seq_index = np.repeat(np.arange(n_seq), lengths)
    starts = np.cumsum(lengths) - lengths
    seq_start = np.zeros(len(seq_index), dtype=bool)
    seq_start[starts[lengths > 0]] = True
    g = np.concatenate(gt).astype(np.float64, copy=False) if n_seq else np.zeros((0, 4))
    p = np.concatenate(pred).astype(np.float64, copy=False)[:, :4] if n_seq else np.zeros((0, 4))
    if profile.first_frame_gt:
        p[seq_start] = g[seq_start]
    gc = _columns(g)
    gt_nan = np.isnan(gc[0]) | np.isnan(gc[1]) | np.isnan(gc[2]) | np.isnan(gc[3])
    if profile.sanitize == "strict":
        _refuse_invalid_boxes(p, padded, seq_index, starts, names)
    p = sanitize_predictions(p, seq_start, profile.sanitize, gt_missing=gt_nan, padded=padded, copy=False)
    if profile.short_results == "zero_pad":
        p[padded] = 0.0

    pc = _columns(p)
    gcx, gcy = _centres(gc)
    gw, gh = gc[2], gc[3]
    validity = {  # built on use: each is a pass over every frame
        "all_positive": lambda: (gc[0] > 0) & (gc[1] > 0) & (gw > 0) & (gh > 0),
        "wh_positive": lambda: (gw > 0) & (gh > 0),
        "none": lambda: np.ones(len(g), dtype=bool),
        "center_positive": lambda: (gcx > 0) & (gcy > 0),
    }
    ok_success = validity[profile.success_validity]()
    ok_precision = ok_success if profile.precision_validity == profile.success_validity else \
        validity[profile.precision_validity]()

    ious = _iou_columns(pc, gc, profile.iou_form)
    ious = np.where(ok_success & ~np.isnan(ious), ious, -1.0)

    pcx, pcy = _centres(pc)
    dx, dy = pcx - gcx, pcy - gcy
    errors = np.sqrt(dx ** 2 + dy ** 2)  # (np.sqrt((d**2).sum(axis=1)) bit for bit: a two-term sum is a + b)
    errors = np.where(ok_precision, errors, profile.invalid_error)
    errors = np.where(gt_nan, -1.0, errors)  # no box (absent): passes under every profile
    errors = np.where(np.isnan(errors), np.inf, errors)

    if profile.norm_divisor == "gt":
        with np.errstate(divide="ignore", invalid="ignore"):
            nx, ny = pcx / gw - gcx / gw, pcy / gh - gcy / gh
    elif profile.norm_divisor == "gt_eps":
        nx, ny = pcx / (gw + 1e-16) - gcx / (gw + 1e-16), pcy / (gh + 1e-16) - gcy / (gh + 1e-16)
    elif profile.norm_divisor == "gt_min1":
        nx, ny = dx / np.maximum(1.0, gw), dy / np.maximum(1.0, gh)
    else:
        raise TrackbenchError(f"unknown normalisation {profile.norm_divisor!r}")
    norm_errors = np.sqrt(nx ** 2 + ny ** 2)
    if profile.norm_divisor == "gt_eps":
        ok_norm = (gcx / (gw + 1e-16) > 0) & (gcy / (gh + 1e-16) > 0)
    else:
        ok_norm = ok_precision
    norm_errors = np.where(ok_norm, norm_errors, profile.invalid_norm_error)
    norm_errors = np.where(gt_nan, -1.0, norm_errors)
    norm_errors = np.where(np.isnan(norm_errors), np.inf, norm_errors)

    # "fail": frames missing from a short result never succeed ("zero_pad" scores its zero boxes)
    counted = ~padded if profile.short_results == "fail" else np.ones(len(g), dtype=bool)
    if absent is not None and profile.absent == "fail":
        flags = [np.zeros(n, dtype=bool) if a is None else np.asarray(a, dtype=bool)[:n] for a, n in zip(absent, lengths)]
        counted &= ~np.concatenate(flags) if n_seq else counted
    denominators = lengths.astype(np.float64)
    if profile.drop_nan_gt:
        counted &= ~gt_nan
        denominators = denominators - np.bincount(seq_index, weights=gt_nan, minlength=n_seq)
    return OpeFrameScores(ious, errors, norm_errors, counted, seq_index, denominators)


def _refuse_invalid_boxes(p: np.ndarray, padded: np.ndarray, seq_index: np.ndarray, starts: np.ndarray,
                          names: list[str] | None) -> None:
    """pytracking's ``calc_seq_err_robust`` refuses NaN or negative-size result boxes: a
    TrackbenchError naming the sequence and the 1-based frame of the first one."""
    bad = (np.isnan(p).any(axis=1) | (p[:, 2:4] < 0).any(axis=1)) & ~padded
    if bad.any():
        i = int(np.argmax(bad))
        s = int(seq_index[i])
        name = names[s] if names is not None else f"#{s}"
        raise TrackbenchError(f"sequence {name!r}, frame {i - int(starts[s]) + 1}: the result box is NaN or has a "
                              "negative size, which pytracking refuses (other profiles take the previous box)")


def _apply_short_results(gt: list[np.ndarray], pred: list[np.ndarray], absent: list[np.ndarray | None] | None,
                         policy: str) -> tuple[list, list, list | None, np.ndarray]:
    """Results shorter than their ground truth made scorable under ``policy``: padded
    (``fail``, ``zero_pad``; the returned ``(F,)`` mask marks the padded frames) or the
    ground truth and absent flags cut (``truncate``). Longer results or an empty one -> error."""
    out_gt, out_pred, out_absent, masks = [], [], [] if absent is not None else None, []
    for s, (g, p) in enumerate(zip(gt, pred)):
        p = np.asarray(p, dtype=np.float64)
        a = absent[s] if absent is not None else None
        if len(p) > len(g) or (len(p) == 0 and len(g) > 0):
            raise TrackbenchError(f"sequence {s}: {len(p)} result rows for {len(g)} ground-truth rows")
        missing = len(g) - len(p)
        if missing and policy == "truncate":
            g = g[: len(p)]
            a = None if a is None else np.asarray(a)[: len(p)]
        elif missing:
            if policy not in ("fail", "zero_pad"):
                raise TrackbenchError(f"unknown short-result policy {policy!r}")
            p = np.vstack([p[:, :4], np.full((missing, 4), np.nan)])
        mask = np.zeros(len(g), dtype=bool)
        if policy != "truncate":
            mask[len(g) - missing:] = True
        out_gt.append(g)
        out_pred.append(p)
        masks.append(mask)
        if out_absent is not None:
            out_absent.append(a)
    padded = np.concatenate(masks) if masks else np.zeros(0, dtype=bool)
    return out_gt, out_pred, out_absent, padded


def success_curves(ious: np.ndarray, seq_index: np.ndarray, counted: np.ndarray, denominators: np.ndarray,
                   thresholds: np.ndarray) -> np.ndarray:
    """``(S, T)`` fraction of frames with IoU > t per sequence (strict)."""
    n_seq, n_thr = len(denominators), len(thresholds)
    above = count_below(thresholds, ious)  # thresholds strictly below the IoU
    hist = np.bincount(seq_index[counted] * (n_thr + 1) + above[counted], minlength=n_seq * (n_thr + 1))
    hist = hist.reshape(n_seq, n_thr + 1)
    passing = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        return passing / denominators[:, None]


def precision_curves(errors: np.ndarray, seq_index: np.ndarray, counted: np.ndarray, denominators: np.ndarray,
                     thresholds: np.ndarray) -> np.ndarray:
    """``(S, T)`` fraction of frames with error <= t per sequence (inclusive)."""
    n_seq, n_thr = len(denominators), len(thresholds)
    first = count_below(thresholds, errors)  # first threshold >= error
    hist = np.bincount(seq_index[counted] * (n_thr + 1) + first[counted], minlength=n_seq * (n_thr + 1))
    passing = np.cumsum(hist.reshape(n_seq, n_thr + 1), axis=1)[:, :n_thr]
    with np.errstate(divide="ignore", invalid="ignore"):
        return passing / denominators[:, None]


@dataclass
class OpeCurves:
    """Per-sequence curves: ``success (S, 21)``, ``precision (S, 51)``, ``norm_precision (S, 51)``."""

    success: np.ndarray
    precision: np.ndarray
    norm_precision: np.ndarray
    success_thresholds: np.ndarray


def ope_curves(scores: OpeFrameScores, profile: RuleProfile) -> OpeCurves:
    """Per-sequence success / precision / normalised precision curves."""
    thr = overlap_thresholds(profile.overlap_grid)
    args = (scores.seq_index, scores.counted, scores.denominators)
    return OpeCurves(
        success=success_curves(scores.ious, *args, thr),
        precision=precision_curves(scores.errors, *args, PRECISION_THRESHOLDS),
        norm_precision=precision_curves(scores.norm_errors, *args, NORM_PRECISION_THRESHOLDS),
        success_thresholds=thr,
    )


#: Frames scored at a time by :func:`ope_curves_in_chunks` (bounds the temporary arrays).
CHUNK_FRAMES = 1 << 14


def ope_curves_in_chunks(
    gt: list[np.ndarray],
    pred: Callable[[slice], list[np.ndarray]],
    profile: RuleProfile,
    absent: list[np.ndarray | None] | None = None,
    chunk_frames: int = CHUNK_FRAMES,
    names: list[str] | None = None,
) -> OpeCurves:
    """:func:`ope_curves` of :func:`ope_frame_scores`, computed over groups of whole
    sequences of about ``chunk_frames`` frames (every curve is per sequence, so the result
    is identical). ``pred(part)`` gives the result arrays of the sequences ``gt[part]``, so
    that a caller can read them one group at a time: memory then holds one group's results
    and a few MB of per-frame temporaries instead of the whole dataset's (LaSOT: 685k frames)."""
    absent = absent if absent is not None else [None] * len(gt)
    parts: list[OpeCurves] = []
    for part in _chunks([len(g) for g in gt], chunk_frames):
        scores = ope_frame_scores(gt[part], pred(part), profile, absent[part], None if names is None else names[part])
        parts.append(ope_curves(scores, profile))
    return OpeCurves(
        success=np.concatenate([c.success for c in parts]),
        precision=np.concatenate([c.precision for c in parts]),
        norm_precision=np.concatenate([c.norm_precision for c in parts]),
        success_thresholds=parts[0].success_thresholds,
    )


def _chunks(lengths: list[int], chunk_frames: int) -> list[slice]:
    """Consecutive groups of sequences of at most ``chunk_frames`` frames (a longer
    sequence alone); one empty group for no sequences."""
    parts, start = [], 0
    while start < len(lengths) or not parts:
        stop, frames = start, 0
        while stop < len(lengths) and (stop == start or frames + lengths[stop] <= chunk_frames):
            frames += lengths[stop]
            stop += 1
        parts.append(slice(start, stop))
        start = stop
    return parts


def ope_scores(success: np.ndarray, precision: np.ndarray, norm_precision: np.ndarray,
               profile: RuleProfile) -> dict[str, float]:
    """Scores of curves averaged over sequences (1-D curves) or per sequence (2-D: last axis)."""
    norm = norm_precision.mean(axis=-1) if profile.norm_precision_score == "mean" else norm_precision[..., 20]
    return {
        "success_auc": success.mean(axis=-1),
        "precision": precision[..., 20],
        "norm_precision": norm,
        "success_50": success[..., 10],
        "success_75": success[..., 15],
    }


def evaluate_ope(
    gt: list[np.ndarray],
    pred: list[np.ndarray],
    profile: RuleProfile,
    absent: list[np.ndarray | None] | None = None,
) -> tuple[dict[str, float], OpeCurves]:
    """Dataset scores (equal weight per sequence) and per-sequence curves."""
    curves = ope_curves(ope_frame_scores(gt, pred, profile, absent), profile)
    scores = ope_scores(curves.success.mean(axis=0), curves.precision.mean(axis=0),
                        curves.norm_precision.mean(axis=0), profile)
    return {k: float(v) for k, v in scores.items()}, curves


def fps(times: list[np.ndarray | None]) -> float:
    """Speed, defined once for every suite: timed frames / summed tracker time (seconds),
    over all sequences (and runs) that have times; frames with a NaN or non-positive time
    (skipped VOT frames) are left out. NaN when nothing is timed. (GOT-10k's own speed, the
    mean of 1 / t, is :func:`trackbench.metrics.got10k.pooled_fps`.)"""
    pooled = [np.asarray(t, dtype=np.float64).ravel() for t in times if t is not None]
    if not pooled:
        return float("nan")
    t = np.concatenate(pooled)
    t = t[np.isfinite(t) & (t > 0)]
    return float(len(t) / t.sum()) if len(t) else float("nan")
