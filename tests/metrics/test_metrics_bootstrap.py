"""Bootstrap intervals and paired tests against closed forms and scipy on the same data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from trackbench.metrics.bootstrap import (
    RatioMetric,
    bootstrap_interval,
    compare_adjacent,
    difficulty_order,
    paired_bootstrap,
    resample_weights,
    wilcoxon_p,
)


def test_resample_weights_are_multinomial_counts():
    weights = resample_weights(7, 500, seed=3)
    assert weights.shape == (500, 7)
    assert np.all(weights.sum(axis=1) == 7)
    assert np.array_equal(weights, resample_weights(7, 500, seed=3))  # seeded
    # each sequence is drawn 1 time per sample on average
    assert abs(weights.mean() - 1.0) < 0.02


def test_mean_standard_error_matches_the_closed_form():
    """The bootstrap distribution of a mean has variance sigma_hat^2 / n with the plug-in
    (ddof=0) variance: sqrt(sum((x - mean)^2)) / n."""
    rng = np.random.default_rng(11)
    scores = rng.beta(4, 3, size=60)
    interval = bootstrap_interval(RatioMetric.mean_of(scores), resamples=20_000, seed=5)
    closed_form = np.sqrt(np.sum((scores - scores.mean()) ** 2)) / len(scores)
    assert interval.value == pytest.approx(scores.mean(), abs=1e-15)
    assert interval.stderr == pytest.approx(closed_form, rel=0.03)
    # a 95 % percentile interval of a near-normal statistic spans about +-1.96 standard errors
    assert interval.high - interval.low == pytest.approx(2 * 1.96 * closed_form, rel=0.05)


def test_interval_matches_scipy_bootstrap_percentile():
    rng = np.random.default_rng(2)
    scores = rng.uniform(0.2, 0.9, size=40)
    ours = bootstrap_interval(RatioMetric.mean_of(scores), resamples=10_000, seed=1)
    reference = stats.bootstrap((scores,), np.mean, n_resamples=10_000, method="percentile",
                                confidence_level=0.95, random_state=np.random.default_rng(1))
    width = reference.confidence_interval.high - reference.confidence_interval.low
    # different random draws: the end points agree to Monte Carlo error (a few % of the width)
    assert ours.low == pytest.approx(reference.confidence_interval.low, abs=0.04 * width)
    assert ours.high == pytest.approx(reference.confidence_interval.high, abs=0.04 * width)
    assert ours.stderr == pytest.approx(reference.standard_error, rel=0.04)


def test_ratio_metric_is_the_frame_pooled_mean():
    """GOT-10k AO pools frames: sum of overlaps / number of frames; a resample that draws
    sequence 0 twice and sequence 1 never weighs its frames twice."""
    overlaps = [np.array([0.5, 0.7, 0.9]), np.array([0.1]), np.array([0.4, 0.6])]
    metric = RatioMetric(np.array([o.sum() for o in overlaps]), np.array([len(o) for o in overlaps], float))
    assert metric.value() == pytest.approx(np.concatenate(overlaps).mean(), abs=1e-15)
    resampled = metric.evaluate(np.array([[2.0, 0.0, 1.0]]))[0]
    assert resampled == pytest.approx(np.concatenate([overlaps[0], overlaps[0], overlaps[2]]).mean(), abs=1e-15)


def test_mean_of_drops_nan_sequences():
    metric = RatioMetric.mean_of(np.array([0.2, np.nan, 0.6]))
    assert metric.value() == pytest.approx(0.4)


def test_wilcoxon_equals_scipy_and_handles_no_difference():
    rng = np.random.default_rng(4)
    a = rng.uniform(size=30)
    b = a - rng.normal(0.03, 0.05, size=30)
    assert wilcoxon_p(a, b) == pytest.approx(stats.wilcoxon(a, b).pvalue, abs=0)
    assert np.isnan(wilcoxon_p(a, a))
    with_nan = a.copy()
    with_nan[3] = np.nan
    keep = np.isfinite(with_nan)
    assert wilcoxon_p(with_nan, b) == pytest.approx(stats.wilcoxon(a[keep], b[keep]).pvalue, abs=0)


def test_paired_bootstrap_p_value_of_a_clear_and_a_null_difference():
    rng = np.random.default_rng(8)
    base = rng.uniform(0.3, 0.7, size=50)
    better = RatioMetric.mean_of(base + 0.05 + rng.normal(0, 0.01, size=50))
    same = RatioMetric.mean_of(base + rng.normal(0, 0.05, size=50))
    weights = resample_weights(50, 5_000, seed=0)
    interval, p = paired_bootstrap(better, RatioMetric.mean_of(base), weights)
    assert p == pytest.approx(1 / 5_000)  # no resample reverses a 5-sd difference
    assert interval.low > 0.04 and interval.high < 0.06
    _, p_null = paired_bootstrap(same, RatioMetric.mean_of(base), weights)
    assert p_null > 0.05


def test_compare_adjacent_flags_ties_by_both_tests():
    rng = np.random.default_rng(9)
    base = rng.uniform(0.3, 0.7, size=40)
    per_sequence = {"A": base + 0.1, "B": base + rng.normal(0, 0.02, size=40), "C": base - 0.1}
    metrics = {name: RatioMetric.mean_of(values) for name, values in per_sequence.items()}
    pairs = compare_adjacent(["A", "B", "C"], metrics, per_sequence, resamples=2_000)
    assert [(p.a, p.b) for p in pairs] == [("A", "B"), ("B", "C")]
    assert not pairs[0].tie and not pairs[1].tie
    tied = compare_adjacent(["B", "B2"], {"B": metrics["B"], "B2": RatioMetric.mean_of(per_sequence["B"] + 1e-4 * rng.normal(size=40))},
                            {"B": per_sequence["B"], "B2": per_sequence["B"] + 1e-4 * rng.normal(size=40)},
                            resamples=2_000)
    assert tied[0].tie
    for pair in pairs:
        assert pair.wilcoxon_p == pytest.approx(stats.wilcoxon(per_sequence[pair.a], per_sequence[pair.b]).pvalue)


def test_difficulty_order_hardest_first():
    matrix = np.array([[0.9, 0.8], [0.1, np.nan], [0.5, 0.4], [np.nan, np.nan]])
    assert list(difficulty_order(matrix)) == [1, 2, 0, 3]


@pytest.mark.parametrize("suite_name, annotations, results", [
    ("vot2018", "vot2018/VOT2018.json", "vot2018/results"),
    ("otb2015", "otb100/OTB100.pysot.json", "otb100/results"),
])
def test_every_headline_metric_decomposes_exactly_over_sequences(shared_data, suite_name, annotations, results):
    """On the real published results, each metric written as per-sequence ratios gives
    back the evaluated score (so its bootstrap resamples the right statistic)."""
    from trackbench.metrics.evaluate import evaluate
    from trackbench.suites import get_suite

    suite = get_suite(suite_name)
    dataset = suite.load(str(shared_data / annotations), None)
    folders = sorted((shared_data / results).iterdir())[:2]
    for folder in folders:
        for rules in ("official", "pysot"):
            evaluation = evaluate(suite, dataset, folder, rules)
            assert evaluation.resampling
            for key, metric in evaluation.resampling.items():
                assert metric.sequences == len(dataset)
                assert metric.value() == pytest.approx(evaluation.metrics[key], abs=1e-12), (folder.name, rules, key)


def test_tag_eao_weights_fragments_by_their_tagged_share():
    """pysot's per-tag EAO: with sequence A fully tagged and B untagged, the tag's EAO is
    A's EAO alone; a tag on every frame gives the overall EAO."""
    from trackbench.metrics.vot import eao_fragments, eao_from_curve, expected_overlap_curve, stack_runs, tag_eao
    from trackbench.trajectory import SupervisedTrajectory

    def run(overlap_rows: int, fail_at: int | None):
        codes = np.full(overlap_rows, -1)
        codes[0] = 1
        if fail_at is not None:
            codes[fail_at] = 2
            codes[fail_at + 1:fail_at + 5] = 0
            codes[fail_at + 5] = 1
        regions = np.full((overlap_rows, 8), np.nan)
        regions[codes == -1, :4] = [0, 0, 10, 10]
        return SupervisedTrajectory(codes, regions, codes == -1)

    runs = stack_runs([[run(30, 9)], [run(24, None)]], "x+w")
    overlaps = np.where(runs.codes == -1, np.where(runs.seq == 0, 0.8, 0.4), np.nan)
    fragments, weights, spans = eao_fragments(overlaps, runs, np.array([1, 1]), with_sequences=True)
    masks = [{"t": np.ones(30, bool), "all": np.ones(30, bool)}, {"t": np.zeros(24, bool), "all": np.ones(24, bool)}]
    interval = (2, 20)
    only_a = spans[:, 0] == 0
    expected = eao_from_curve(expected_overlap_curve(fragments[only_a], weights[only_a]), interval)
    assert tag_eao(fragments, weights, spans, masks, "t", interval) == pytest.approx(expected, abs=1e-12)
    overall = eao_from_curve(expected_overlap_curve(fragments, weights), interval)
    assert tag_eao(fragments, weights, spans, masks, "all", interval) == pytest.approx(overall, abs=1e-12)
    assert list(spans[:, 0]) == [0, 0, 1] and spans[0, 1] == 0 and spans[1, 1] == 14  # restart 5 frames after the failure
