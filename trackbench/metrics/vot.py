"""VOT supervised (reset-based) experiment: accuracy, failures, robustness, EAO.

Rules: docs/metrics.md §5.2 (VOT MATLAB toolkit and pysot). Frames are 0-based.

* Overlaps are rasterised (:func:`vot_overlap`), bounded by ``(W, H)`` for accuracy and
  ``(W - 1, H - 1)`` for EAO; special frames (codes 1, 2, 0) are NaN. If any sequence's
  image size is unknown (no images, no ``sequence`` metadata, no JSON ``width``/``height``),
  no overlap is bounded and a :class:`~trackbench.errors.TrackbenchWarning` says how many
  sequences lack a size (regions reaching past the image then score differently from the
  toolkit's).
* Accuracy ignores special frames and the 10 frames starting at every initialisation
  (burn-in); per frame, overlaps are averaged over repetitions (NaN ignored); then either
  pooled over all frames of all sequences or tag-weighted.
* Failures: code-2 frames; per sequence averaged over repetitions, summed over
  sequences. Robustness R = 100 x failures / frames (failures per 100 frames).
* EAO: fragments from every (re)initialisation, failed ones zero-padded, the last one
  NaN-padded; expected overlap Phi(Ns) = weighted mean over usable fragments of the mean
  overlap of frames 1..Ns-1; EAO = mean of Phi over Ns in [low, high].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import warnings

import numpy as np

from trackbench.errors import TrackbenchError, TrackbenchWarning
from trackbench.metrics.bootstrap import RatioMetric, eao_ratio_metric
from trackbench.metrics.region_overlap import to_polygons, vot_overlap
from trackbench.trajectory import INIT, REGION, SupervisedTrajectory

#: The tags of the tag-weighted accuracy (got10k / VOT toolkit "weighted mean").
VOT_TAGS = ("camera_motion", "illum_change", "occlusion", "size_change", "motion_change", "empty")
#: Frames after an initialisation left out of accuracy (the VOT toolkit's default burn-in).
BURNIN = 10
#: Frames skipped after a failure before re-initialising (the VOT toolkit's default).
SKIP_INITIALIZE = 5
AR_SENSITIVITY = 30.0


def trajectory_polygons(trajectory: SupervisedTrajectory, corner_rule: str) -> np.ndarray:
    """``(N, 8)`` float32 polygons of a trajectory (rectangles converted by ``corner_rule``)."""
    polys = trajectory.regions.astype(np.float32)
    if trajectory.is_rect.any():
        polys[trajectory.is_rect] = to_polygons(trajectory.regions[trajectory.is_rect, :4], corner_rule)
    polys[trajectory.codes != REGION] = np.nan
    return polys


@dataclass
class VotRuns:
    """All repetitions of all sequences, frames concatenated (run-major within a sequence).

    ``codes``/``polygons``: per frame of every run; ``seq``: sequence index per frame;
    ``run_start``: first frame of each run; ``run_seq``: sequence of each run;
    ``frame``: frame number within its sequence.
    """

    codes: np.ndarray
    polygons: np.ndarray
    seq: np.ndarray
    frame: np.ndarray
    run_start: np.ndarray
    run_length: np.ndarray
    run_seq: np.ndarray


def stack_runs(trajectories: list[list[SupervisedTrajectory]], corner_rule: str) -> VotRuns:
    """Concatenate ``trajectories[s][r]`` (sequence s, repetition r)."""
    codes, polys, seq, frame, starts, lengths, run_seq = [], [], [], [], [], [], []
    offset = 0
    for s, runs in enumerate(trajectories):
        if not runs:
            raise TrackbenchError(f"sequence {s}: no VOT repetitions")
        for traj in runs:
            n = len(traj)
            codes.append(traj.codes)
            polys.append(trajectory_polygons(traj, corner_rule))
            seq.append(np.full(n, s))
            frame.append(np.arange(n))
            starts.append(offset)
            lengths.append(n)
            run_seq.append(s)
            offset += n
    return VotRuns(
        np.concatenate(codes), np.concatenate(polys), np.concatenate(seq), np.concatenate(frame),
        np.array(starts), np.array(lengths), np.array(run_seq),
    )


def frame_overlaps(runs: VotRuns, gt_polygons: list[np.ndarray], sizes: list[tuple[int, int] | None],
                   bound_offset: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Overlap of every run frame with its GT; bounds ``(W, H) - bound_offset`` (None: unbounded).

    ``mask``: frames to compute (others NaN).
    """
    gt = _stacked_gt(runs, gt_polygons)
    todo = runs.codes == REGION
    if mask is not None:
        todo &= mask
    wh = _frame_sizes(runs, sizes)
    out = np.full(len(runs.codes), np.nan)
    idx = np.flatnonzero(todo)
    out[idx] = vot_overlap(runs.polygons[idx], gt[idx], None if wh is None else wh[idx] - bound_offset)
    return out


def accuracy_and_eao_overlaps(runs: VotRuns, gt_polygons: list[np.ndarray], sizes: list[tuple[int, int] | None],
                              accuracy_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Overlaps bounded by ``(W, H)`` where ``accuracy_mask`` (else NaN) and by ``(W-1, H-1)``.

    The two bounds give the same raster unless a region reaches past column W-1 or row
    H-1, so the accuracy overlaps are only recomputed for those frames.
    """
    eao = frame_overlaps(runs, gt_polygons, sizes, 1)
    acc = np.where(accuracy_mask, eao, np.nan)
    wh = _frame_sizes(runs, sizes)
    if wh is None:
        return acc, eao
    gt = _stacked_gt(runs, gt_polygons)
    with np.errstate(invalid="ignore"):
        right = np.maximum(np.ceil(runs.polygons[:, 0::2].max(axis=1)), np.ceil(gt[:, 0::2].max(axis=1)))
        bottom = np.maximum(np.ceil(runs.polygons[:, 1::2].max(axis=1)), np.ceil(gt[:, 1::2].max(axis=1)))
        near_edge = (right > wh[:, 0] - 1) | (bottom > wh[:, 1] - 1)
    redo = accuracy_mask & near_edge & (runs.codes == REGION)
    if redo.any():
        acc[redo] = frame_overlaps(runs, gt_polygons, sizes, 0, mask=redo)[redo]
    return acc, eao


def _stacked_gt(runs: VotRuns, gt_polygons: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([gt_polygons[s][: runs.run_length[i]] for i, s in enumerate(runs.run_seq)])


def _frame_sizes(runs: VotRuns, sizes: list[tuple[int, int] | None]) -> np.ndarray | None:
    """``(W, H)`` per run frame, or ``None`` (unbounded overlaps) if any size is unknown."""
    if not all(size is not None for size in sizes):
        return None
    return np.array(sizes, dtype=np.float64)[runs.seq]


def warn_unknown_sizes(sizes: list[tuple[int, int] | None]) -> None:
    """One :class:`TrackbenchWarning` when some image sizes are unknown (overlaps unbounded)."""
    missing = sum(size is None for size in sizes)
    if missing:
        warnings.warn(
            f"{missing} of {len(sizes)} sequences have no known image size: VOT overlaps are not bounded "
            "by the image (give images or width/height metadata to match the toolkit)",
            TrackbenchWarning,
            stacklevel=3,
        )


def burnin_mask(runs: VotRuns, burnin: int = BURNIN) -> np.ndarray:
    """True where a frame is within ``burnin`` frames from an initialisation (inclusive)."""
    pos = np.arange(len(runs.codes))
    last_init = np.maximum.accumulate(np.where(runs.codes == INIT, pos, -(10**12)))
    run_start = np.repeat(runs.run_start, runs.run_length)
    return (last_init >= run_start) & (pos - last_init < burnin)


def per_frame_mean_over_runs(values: np.ndarray, runs: VotRuns, lengths: list[int]) -> list[np.ndarray]:
    """Per sequence: nanmean over repetitions of each frame's value."""
    out = []
    for s, n in enumerate(lengths):
        rows = [values[start:start + n] for start, rs in zip(runs.run_start, runs.run_seq) if rs == s]
        stack = np.vstack(rows)
        valid = ~np.isnan(stack)
        count = valid.sum(axis=0)
        total = np.where(valid, stack, 0).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(np.where(count > 0, total / count, np.nan))
    return out


def accuracy_pooled(frame_means: list[np.ndarray]) -> float:
    """Mean of all non-NaN per-frame accuracies of all sequences (pysot, VM "Pooled")."""
    values = np.concatenate(frame_means)
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else float("nan")


def tag_masks(tags: dict[str, np.ndarray], length: int) -> dict[str, np.ndarray]:
    """The frames of every tag of :data:`VOT_TAGS` (``empty`` = no tag at all), plus ``all``."""
    masks = {}
    any_tag = np.zeros(length, dtype=bool)
    for flags in tags.values():
        any_tag |= _padded(flags, length)
    for name in VOT_TAGS:
        masks[name] = ~any_tag if name == "empty" else _padded(tags.get(name), length)
    masks["all"] = np.ones(length, dtype=bool)
    return masks


def _padded(flags: np.ndarray | None, length: int) -> np.ndarray:
    """Tag flags as bool ``(length,)``: shorter files are padded with 0 (VOT tag files end early)."""
    out = np.zeros(length, dtype=bool)
    if flags is not None:
        flags = np.asarray(flags, dtype=bool)[:length]
        out[: len(flags)] = flags
    return out


def accuracy_by_tag(frame_means: list[np.ndarray], masks: list[dict[str, np.ndarray]]) -> dict[str, tuple[float, int]]:
    """Per tag: (nanmean accuracy over the tag's frames, number of frames with the tag)."""
    out = {}
    for name in (*VOT_TAGS, "all"):
        vals = np.concatenate([m[name] for m in masks])
        acc = np.concatenate(frame_means)[vals]
        acc = acc[~np.isnan(acc)]
        out[name] = (float(acc.mean()) if len(acc) else float("nan"), int(vals.sum()))
    return out


def accuracy_weighted(by_tag: dict[str, tuple[float, int]]) -> float:
    """Tag-weighted accuracy over :data:`VOT_TAGS` (got10k, VM summary): NaN tags count 0."""
    accs = np.array([by_tag[t][0] for t in VOT_TAGS])
    frames = np.array([by_tag[t][1] for t in VOT_TAGS], dtype=np.float64)
    accs = np.where(np.isnan(accs), 0.0, accs)
    return float(np.sum(accs * frames / frames.sum()))


def eao_fragments(overlaps: np.ndarray, runs: VotRuns, n_runs_per_seq: np.ndarray, reinit_limit: str = "vm",
                  skip: int = SKIP_INITIALIZE, *, with_sequences: bool = False):
    """Fragment matrix ``(F, L)`` (NaN-padded where unusable) and weights ``(F,)``
    (and, ``with_sequences``, ``(F, 3)`` ints: each fragment's sequence index and its
    first and past-the-last frame in that sequence).

    ``overlaps``: per run frame, EAO bounds, NaN at specials. ``reinit_limit``: ``"vm"``
    (a failure at 0-based f restarts if f + skip <= N - 1) or ``"pysot"`` (f + skip <= N).
    Weight of each fragment: 1 / repetitions of its sequence.
    """
    max_len = int(runs.run_length.max())
    rows: list[tuple[np.ndarray, bool]] = []
    weights: list[float] = []
    sequences: list[int] = []
    for start, n, s in zip(runs.run_start, runs.run_length, runs.run_seq):
        o = np.nan_to_num(overlaps[start:start + n], nan=0.0)
        codes = runs.codes[start:start + n]
        fails = np.flatnonzero(codes == 2)
        limit = n - 1 if reinit_limit == "vm" else n
        points = [0] + [int(f) + skip for f in fails if f + skip <= limit]
        w = 1.0 / n_runs_per_seq[s]
        for j, p in enumerate(points):
            if j + 1 < len(points):
                rows.append((o[p:points[j + 1] + 1], True))
            else:
                rows.append((o[p:], False))
            weights.append(w)
            sequences.append((int(s), p, points[j + 1] + 1 if j + 1 < len(points) else int(n)))
    frag = np.full((len(rows), max_len), np.nan)
    for i, (values, failed) in enumerate(rows):
        if failed:
            frag[i] = 0.0
        frag[i, : len(values)] = values[:max_len]
    if with_sequences:
        return frag, np.array(weights), np.array(sequences, dtype=np.int64).reshape(-1, 3)
    return frag, np.array(weights)


def expected_overlap_curve(fragments: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Phi(Ns) for Ns = 1..L (index Ns - 1); Phi(1) = 1, lengths without fragments 0."""
    n_frag, max_len = fragments.shape
    curve = np.zeros(max_len)
    curve[0] = 1.0
    if max_len < 2 or n_frag == 0:
        return curve
    usable = ~np.isnan(fragments[:, 1:])  # column i (Ns = i + 1 >= 2)
    values = np.nan_to_num(fragments[:, 1:], nan=0.0)
    running_mean = np.cumsum(values, axis=1) / np.arange(1, max_len)
    w = weights[:, None] * usable
    total_w = w.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        curve[1:] = np.where(total_w > 0, (w * running_mean).sum(axis=0) / total_w, 0.0)
    return curve


def tag_eao(fragments: np.ndarray, weights: np.ndarray, spans: np.ndarray, masks: list[dict[str, np.ndarray]],
            tag: str, interval: tuple[int, int] | None) -> float:
    """EAO of the frames with ``tag`` as pysot's ``EAOBenchmark`` computes it per tag: each
    fragment's weight is multiplied by the share of its frames that carry the tag
    (``spans`` from :func:`eao_fragments`; ``masks[s][tag]`` per-frame flags)."""
    if interval is None or not len(weights):
        return float("nan")
    share = np.array([masks[s][tag][start:stop].mean() if stop > start else 0.0 for s, start, stop in spans])
    return eao_from_curve(expected_overlap_curve(fragments, weights * share), interval)


def eao_from_curve(curve: np.ndarray, interval: tuple[int, int]) -> float:
    """Mean of Phi(Ns) over Ns in [low, high] (inclusive)."""
    low, high = interval
    part = curve[low - 1:high]
    return float(part.mean()) if len(part) else float("nan")


@dataclass
class VotResult:
    """Scores of one tracker on a VOT dataset."""

    accuracy: float
    accuracy_pooled: float
    accuracy_weighted: float
    failures: float
    frames: int
    robustness: float
    eao: float
    expected_overlap: np.ndarray
    per_sequence: dict[str, np.ndarray]  # "accuracy", "failures", "frames" (S,)
    per_tag: dict[str, dict[str, float]]
    #: the scores as per-sequence ratios, for bootstrap intervals over sequences
    #: (:mod:`trackbench.metrics.bootstrap`); the tag-weighted accuracy has none
    resampling: dict[str, RatioMetric] = field(default_factory=dict)


def evaluate_vot(
    gt: list[np.ndarray],
    trajectories: list[list[SupervisedTrajectory]],
    sizes: list[tuple[int, int] | None],
    tags: list[dict[str, np.ndarray]],
    *,
    corner_rule: str = "x+w",
    eao_interval: tuple[int, int] | None = (100, 356),
    accuracy_rule: str = "pooled",
    reinit_limit: str = "vm",
    burnin: int = BURNIN,
) -> VotResult:
    """Accuracy, robustness and EAO of one tracker over sequences ``gt[s]`` with repetitions
    ``trajectories[s]`` (already truncated to the GT length), image ``sizes[s] = (W, H)``
    (None: unbounded, for every sequence, with a warning) and per-frame ``tags[s]``.
    """
    warn_unknown_sizes(sizes)
    lengths = [len(g) for g in gt]
    gt_polys = [to_polygons(np.asarray(g, dtype=np.float64), corner_rule) for g in gt]
    runs = stack_runs(trajectories, corner_rule)
    if (runs.run_length != np.array(lengths)[runs.run_seq]).any():
        raise TrackbenchError("every VOT repetition must have as many frames as its sequence")
    in_burnin = burnin_mask(runs, burnin)
    acc_overlaps, eao_overlaps = accuracy_and_eao_overlaps(runs, gt_polys, sizes, ~in_burnin)

    frame_means = per_frame_mean_over_runs(acc_overlaps, runs, lengths)
    masks = [tag_masks(t, n) for t, n in zip(tags, lengths)]
    by_tag = accuracy_by_tag(frame_means, masks)
    pooled = accuracy_pooled(frame_means)
    weighted = accuracy_weighted(by_tag)

    n_runs = np.bincount(runs.run_seq, minlength=len(gt))
    fail_flags = (runs.codes == 2).astype(np.float64)
    fails_per_run = np.add.reduceat(fail_flags, runs.run_start) if len(fail_flags) else np.zeros(0)
    seq_failures = np.bincount(runs.run_seq, weights=fails_per_run, minlength=len(gt)) / n_runs
    total_failures = float(seq_failures.sum())
    frames = int(sum(lengths))

    fragments, weights, spans = eao_fragments(eao_overlaps, runs, n_runs, reinit_limit, with_sequences=True)
    curve = expected_overlap_curve(fragments, weights)
    eao = eao_from_curve(curve, eao_interval) if eao_interval is not None else float("nan")

    fail_means = per_frame_mean_over_runs(fail_flags, runs, lengths)
    per_tag = {}
    for name, (acc, count) in by_tag.items():
        tag_fail = float(sum(f[m[name]].sum() for f, m in zip(fail_means, masks)))
        per_tag[name] = {"accuracy": acc, "failures": tag_fail, "frames": count,
                         "eao": tag_eao(fragments, weights, spans, masks, name, eao_interval)}
    per_sequence = {
        "accuracy": np.array([np.nanmean(m) if np.any(~np.isnan(m)) else np.nan for m in frame_means]),
        "failures": seq_failures,
        "frames": np.array(lengths),
    }
    valid_frames = np.array([np.sum(~np.isnan(m)) for m in frame_means], dtype=np.float64)
    resampling = {
        "failures": RatioMetric(seq_failures, np.full(len(gt), 1.0 / max(len(gt), 1))),  # the resampled sum
        "robustness": RatioMetric(100.0 * seq_failures, np.array(lengths, dtype=np.float64)),
    }
    if accuracy_rule == "pooled":
        resampling["accuracy"] = RatioMetric(np.array([np.nansum(m) for m in frame_means]), valid_frames)
    if eao_interval is not None:
        resampling["eao"] = eao_ratio_metric(fragments, weights, spans[:, 0], len(gt), eao_interval)
    return VotResult(
        accuracy=pooled if accuracy_rule == "pooled" else weighted,
        accuracy_pooled=pooled,
        accuracy_weighted=weighted,
        failures=total_failures,
        frames=frames,
        robustness=100.0 * total_failures / frames if frames else float("nan"),
        eao=eao,
        expected_overlap=curve,
        per_sequence=per_sequence,
        per_tag=per_tag,
        resampling=resampling,
    )
