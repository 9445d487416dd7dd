"""Statistics over sequences: bootstrap confidence intervals and paired tests.

No peer toolkit gives these. Conventions:

* The unit of resampling is the **sequence** (a benchmark is a sample of videos; the
  frames of one video are not independent).
* Every headline metric is written as a ratio of per-sequence sums,
  ``metric = mean_k( sum_s num[s, k] / sum_s den[s, k] )``:
  a plain mean over sequences (OTB / LaSOT AUC and precision) has ``num = score``,
  ``den = 1``; a frame-pooled mean (GOT-10k AO, VOT pooled accuracy) has ``num = sum of
  the sequence's frame overlaps`` and ``den = its frame count``; VOT EAO has one column
  ``k`` per sequence length of the EAO interval (``num`` = the sequence's summed fragment
  overlaps at that length, ``den`` = its fragment weight). A bootstrap resample is then a
  vector of multiplicities ``w`` (how often each sequence was drawn) and the resampled
  metric is ``mean_k( (w @ num)[k] / (w @ den)[k] )``: all resamples are two matrix
  products, so 10,000 resamples of LaSOT take milliseconds.
* Intervals are percentile intervals (``scipy.stats.bootstrap(method="percentile")``
  defines the same), seeded: the same data and seed give the same interval.
* Trackers are compared on the **same** resamples (paired), so the difference between two
  trackers has its own, narrower interval.

Tests: ``tests/metrics/test_metrics_bootstrap.py`` (closed-form standard error of a mean, scipy's
bootstrap on the same data, scipy's Wilcoxon signed-rank test).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 10_000
DEFAULT_CONFIDENCE = 0.95
DEFAULT_SEED = 0
#: Two adjacent trackers whose paired test gives p >= this are flagged as a tie.
TIE_LEVEL = 0.05


@dataclass(frozen=True)
class RatioMetric:
    """A metric as per-sequence numerators and denominators (see the module docstring).

    ``num`` and ``den``: ``(S,)`` or ``(S, K)`` arrays over S sequences.
    """

    num: np.ndarray
    den: np.ndarray
    #: the value of a column whose resampled denominator is 0 (NaN for a mean; EAO's
    #: expected-overlap curve is 0 at lengths no fragment reaches)
    empty: float = float("nan")

    @staticmethod
    def mean_of(scores: np.ndarray) -> "RatioMetric":
        """The plain mean over sequences of per-sequence ``scores`` (NaN scores dropped)."""
        scores = np.asarray(scores, dtype=np.float64)
        valid = np.isfinite(scores)
        return RatioMetric(np.where(valid, scores, 0.0), valid.astype(np.float64))

    def __post_init__(self) -> None:
        num = np.asarray(self.num, dtype=np.float64)
        den = np.asarray(self.den, dtype=np.float64)
        if num.ndim == 1:
            num, den = num[:, None], den[:, None]
        if num.shape != den.shape or num.ndim != 2:
            raise ValueError(f"numerators {num.shape} and denominators {den.shape} differ")
        object.__setattr__(self, "num", num)
        object.__setattr__(self, "den", den)

    @property
    def sequences(self) -> int:
        return self.num.shape[0]

    def value(self) -> float:
        """The metric on the full set of sequences."""
        return float(self.evaluate(np.ones((1, self.sequences)))[0])

    def evaluate(self, weights: np.ndarray) -> np.ndarray:
        """The metric under each row of ``weights`` ``(B, S)`` (sequence multiplicities)."""
        den = weights @ self.den
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(den > 0, (weights @ self.num) / den, self.empty)
        return ratio.mean(axis=1)


def resample_weights(sequences: int, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> np.ndarray:
    """``(resamples, sequences)`` multiplicities of sequences drawn with replacement.

    Row ``b`` counts how often each sequence occurs in bootstrap sample ``b`` (each row
    sums to ``sequences``); drawn from ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, sequences, size=(resamples, sequences))
    weights = np.zeros((resamples, sequences), dtype=np.float64)
    np.add.at(weights, (np.arange(resamples)[:, None], draws), 1.0)
    return weights


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap interval and standard error."""

    value: float
    low: float
    high: float
    stderr: float
    confidence: float

    def to_json(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high, "stderr": self.stderr,
                "confidence": self.confidence}


def percentile_interval(value: float, samples: np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """The percentile interval of bootstrap ``samples`` around ``value``."""
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return Interval(value, float("nan"), float("nan"), float("nan"), confidence)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.percentile(samples, [100 * alpha, 100 * (1 - alpha)])
    return Interval(float(value), float(low), float(high), float(np.std(samples, ddof=1)), confidence)


def bootstrap_interval(metric: RatioMetric, *, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                       confidence: float = DEFAULT_CONFIDENCE, weights: np.ndarray | None = None) -> Interval:
    """Percentile bootstrap interval of ``metric`` over sequences.

    ``weights`` (from :func:`resample_weights`) may be passed to share resamples between
    trackers (paired comparisons); otherwise they are drawn with ``seed``.
    """
    if weights is None:
        weights = resample_weights(metric.sequences, resamples, seed)
    return percentile_interval(metric.value(), metric.evaluate(weights), confidence)


@dataclass(frozen=True)
class PairedComparison:
    """Tracker ``a`` (ranked above) against ``b`` (ranked just below) on the same sequences.

    ``difference``: metric(a) - metric(b) with its paired bootstrap interval;
    ``bootstrap_p``: two-sided paired-bootstrap p-value of a zero difference;
    ``wilcoxon_p``: two-sided Wilcoxon signed-rank p-value on the per-sequence scores
    (``scipy.stats.wilcoxon``; NaN where all differences are zero or there are none);
    ``tie``: the ranking of the two is not supported at level :data:`TIE_LEVEL`.
    """

    a: str
    b: str
    difference: Interval
    bootstrap_p: float
    wilcoxon_p: float
    tie: bool

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "difference": self.difference.to_json(), "bootstrap_p": self.bootstrap_p,
                "wilcoxon_p": self.wilcoxon_p, "tie": self.tie}


def paired_bootstrap(a: RatioMetric, b: RatioMetric, weights: np.ndarray,
                     confidence: float = DEFAULT_CONFIDENCE) -> tuple[Interval, float]:
    """``(interval of a - b, two-sided p-value)`` on shared resamples ``weights``.

    The p-value is twice the smaller share of resampled differences on either side of 0
    (the percentile-bootstrap test), at least ``1 / resamples``.
    """
    diff = a.evaluate(weights) - b.evaluate(weights)
    diff = diff[np.isfinite(diff)]
    interval = percentile_interval(a.value() - b.value(), diff, confidence)
    if diff.size == 0:
        return interval, float("nan")
    below, above = np.mean(diff <= 0.0), np.mean(diff >= 0.0)
    return interval, float(min(1.0, max(2.0 * min(below, above), 1.0 / diff.size)))


def wilcoxon_p(a_scores: np.ndarray, b_scores: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value of per-sequence scores (pairs with a NaN
    dropped); NaN when no pair differs."""
    from scipy.stats import wilcoxon

    a_scores, b_scores = np.asarray(a_scores, float), np.asarray(b_scores, float)
    keep = np.isfinite(a_scores) & np.isfinite(b_scores)
    diff = a_scores[keep] - b_scores[keep]
    if not np.any(diff != 0):
        return float("nan")
    return float(wilcoxon(a_scores[keep], b_scores[keep]).pvalue)


def compare_adjacent(order: list[str], metrics: dict[str, RatioMetric], per_sequence: dict[str, np.ndarray] | None = None,
                     *, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                     confidence: float = DEFAULT_CONFIDENCE) -> list[PairedComparison]:
    """Paired comparisons of each tracker in ``order`` (ranked best first) with the next one.

    ``metrics[name]`` must cover the same sequences in the same order for every tracker;
    ``per_sequence[name]`` (per-sequence scores) feeds the Wilcoxon test, when given.
    A pair is a tie when the bootstrap p-value, and the Wilcoxon p-value where defined,
    are both at or above :data:`TIE_LEVEL`.
    """
    names = [n for n in order if n in metrics]
    if len(names) < 2:
        return []
    counts = {metrics[n].sequences for n in names}
    if len(counts) != 1:
        raise ValueError(f"trackers cover different numbers of sequences: {sorted(counts)}")
    weights = resample_weights(counts.pop(), resamples, seed)
    out = []
    for a, b in zip(names, names[1:]):
        interval, p_boot = paired_bootstrap(metrics[a], metrics[b], weights, confidence)
        p_wil = (wilcoxon_p(per_sequence[a], per_sequence[b])
                 if per_sequence is not None and a in per_sequence and b in per_sequence else float("nan"))
        tie = bool(not p_boot < TIE_LEVEL and not p_wil < TIE_LEVEL)
        out.append(PairedComparison(a, b, interval, p_boot, p_wil, tie))
    return out


def difficulty_order(matrix: np.ndarray) -> np.ndarray:
    """Row order of a sequences x trackers score matrix, hardest first (lowest mean
    score over trackers; NaN cells ignored, all-NaN rows last)."""
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(np.asarray(matrix, dtype=np.float64), axis=1)
    return np.argsort(np.where(np.isfinite(means), means, np.inf), kind="stable")


def eao_ratio_metric(fragments: np.ndarray, weights: np.ndarray, fragment_sequence: np.ndarray, sequences: int,
                     interval: tuple[int, int]) -> RatioMetric:
    """VOT EAO as a :class:`RatioMetric` over sequences.

    ``fragments`` ``(F, L)`` (NaN-padded) and ``weights`` ``(F,)`` are those of
    :func:`trackbench.metrics.vot.eao_fragments`; ``fragment_sequence[f]`` is the sequence
    index of fragment ``f``. Column ``k`` is sequence length ``Ns = low + k`` of the EAO
    ``interval`` (inclusive, 1-based; lengths beyond the longest fragment are left out, as
    :func:`trackbench.metrics.vot.eao_from_curve` leaves them out). With every sequence
    weighted once, the value equals ``eao_from_curve(expected_overlap_curve(...))``.
    """
    fragments = np.asarray(fragments, dtype=np.float64)
    n_frag, max_len = fragments.shape
    low, high = interval
    lengths = np.arange(low, min(high, max_len) + 1)
    num = np.zeros((sequences, len(lengths)))
    den = np.zeros((sequences, len(lengths)))
    if n_frag and max_len >= 2:
        usable = ~np.isnan(fragments[:, 1:])
        values = np.nan_to_num(fragments[:, 1:], nan=0.0)
        running_mean = np.cumsum(values, axis=1) / np.arange(1, max_len)
        w = np.asarray(weights, dtype=np.float64)[:, None] * usable
        columns = lengths - 2  # Ns >= 2 lives in column Ns - 2 of the [1:] part
        keep = columns >= 0
        contribution = np.zeros((n_frag, len(lengths)))
        weight = np.zeros((n_frag, len(lengths)))
        contribution[:, keep] = (w * running_mean)[:, columns[keep]]
        weight[:, keep] = w[:, columns[keep]]
        np.add.at(num, np.asarray(fragment_sequence), contribution)
        np.add.at(den, np.asarray(fragment_sequence), weight)
    # Phi(1) = 1 by definition: every sequence contributes 1 / 1 at Ns = 1.
    if len(lengths) and lengths[0] == 1:
        num[:, 0], den[:, 0] = 1.0, 1.0
    return RatioMetric(num, den, empty=0.0)


@dataclass
class Significance:
    """Intervals of every tracker's headline metrics and the paired tests of adjacent
    trackers on the ranking metric (``rank_key``), for ``eval --ci`` and the report."""

    intervals: dict[str, dict[str, Interval]]
    comparisons: list[PairedComparison]
    rank_key: str
    resamples: int
    seed: int
    confidence: float

    def to_json(self) -> dict:
        return {
            "resamples": self.resamples, "seed": self.seed, "confidence": self.confidence, "rank_key": self.rank_key,
            "comparisons": [c.to_json() for c in self.comparisons],
        }

    def tie_with_next(self) -> dict[str, PairedComparison]:
        """``{tracker: its comparison with the tracker ranked just below}``."""
        return {c.a: c for c in self.comparisons}


def significance(evaluations, rank_key: str, *, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                 confidence: float = DEFAULT_CONFIDENCE) -> Significance:
    """Bootstrap intervals (shared resamples, so they are paired) of the metrics each
    evaluation carries in ``resampling``, and adjacent-pair tests on ``rank_key`` for
    ``evaluations`` in ranked order (``tracker``, ``resampling``, ``per_sequence``)."""
    with_parts = [e for e in evaluations if e.resampling]
    counts = {m.sequences for e in with_parts for m in e.resampling.values()}
    if len(counts) > 1:
        raise ValueError(f"trackers cover different numbers of sequences: {sorted(counts)}")
    weights = resample_weights(counts.pop(), resamples, seed) if counts else None
    intervals = {e.tracker: {k: bootstrap_interval(m, weights=weights, confidence=confidence)
                             for k, m in e.resampling.items()} for e in with_parts}
    ranked = [e for e in with_parts if rank_key in e.resampling]
    per_sequence = {e.tracker: e.per_sequence[rank_key].to_numpy(dtype=np.float64) for e in ranked
                    if e.per_sequence is not None and rank_key in e.per_sequence.columns}
    comparisons = compare_adjacent([e.tracker for e in ranked], {e.tracker: e.resampling[rank_key] for e in ranked},
                                   per_sequence or None, resamples=resamples, seed=seed, confidence=confidence)
    return Significance(intervals, comparisons, rank_key, resamples, seed, confidence)
