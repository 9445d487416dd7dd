"""VOT supervised metrics: hand-built trajectories and the published VOT2018/2019 results."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.metrics.evaluate import evaluate
from trackbench.metrics.vot import (
    burnin_mask,
    eao_fragments,
    evaluate_vot,
    expected_overlap_curve,
    stack_runs,
)
from trackbench.results.layout import parse_vot_trajectory
from trackbench.trajectory import REGION, SupervisedTrajectory
from trackbench.suites import get_suite


def _trajectory(n: int, failure: int | None, box=(10.0, 10.0, 20.0, 20.0)) -> SupervisedTrajectory:
    """Codes as the supervised protocol writes them (metrics.md §8)."""
    codes = np.full(n, REGION)
    codes[0] = 1
    if failure is not None:
        codes[failure] = 2
        codes[failure + 1:failure + 5] = 0
        if failure + 5 < n:
            codes[failure + 5] = 1
    regions = np.full((n, 8), np.nan)
    regions[codes == REGION, :4] = box
    return SupervisedTrajectory(codes, regions, codes == REGION)


def test_burnin_and_accuracy_frames_of_the_worked_example():
    traj = _trajectory(200, 50)
    runs = stack_runs([[traj]], "x+w")
    ignored = burnin_mask(runs) | (runs.codes != REGION)
    counted = np.flatnonzero(~ignored)
    assert counted.tolist() == list(range(10, 50)) + list(range(65, 200))


def test_eao_fragments_of_the_worked_example():
    traj = _trajectory(200, 50)
    runs = stack_runs([[traj]], "x+w")
    overlaps = np.where(traj.codes == REGION, 0.5, np.nan)
    frag, weights = eao_fragments(overlaps, runs, np.array([1]))
    assert frag.shape == (2, 200) and weights.tolist() == [1.0, 1.0]
    # fragment 1: frames 0..55, zero-padded (failed); fragment 2: frames 55..199, NaN beyond
    assert np.all(frag[0, 1:50] == 0.5) and np.all(frag[0, 50:] == 0.0)
    assert np.all(frag[1, 1:145] == 0.5) and np.all(np.isnan(frag[1, 145:]))
    curve = expected_overlap_curve(frag, weights)
    assert curve[0] == 1.0
    # Ns = 10: both fragments usable, mean over frames 1..9 = 0.5 each
    assert curve[9] == pytest.approx(0.5)
    # Ns = 180: only the failed fragment reaches it: 49 frames of 0.5 out of 179
    assert curve[179] == pytest.approx(49 * 0.5 / 179)


def test_failure_in_the_last_frames_pysot_vs_vm():
    n = 100
    traj = _trajectory(n, 95)  # 0-based f + 5 == N: pysot still counts a failed fragment
    runs = stack_runs([[traj]], "x+w")
    overlaps = np.where(traj.codes == REGION, 1.0, np.nan)
    frag_vm, _ = eao_fragments(overlaps, runs, np.array([1]), "vm")
    frag_ps, _ = eao_fragments(overlaps, runs, np.array([1]), "pysot")
    assert len(frag_vm) == 1 and np.isnan(frag_vm[0]).sum() == 0  # single, complete fragment
    assert len(frag_ps) == 2 and np.all(np.isnan(frag_ps[1]))


def test_evaluate_vot_counts_failures_and_robustness():
    gt = np.tile([10.0, 10.0, 30.0, 10.0, 30.0, 30.0, 10.0, 30.0], (200, 1))
    runs = [_trajectory(200, 50), _trajectory(200, None)]
    result = evaluate_vot([gt], [runs], [(640, 480)], [{}], corner_rule="x+w", eao_interval=(5, 20))
    assert result.failures == pytest.approx(0.5)  # mean over repetitions
    assert result.robustness == pytest.approx(100 * 0.5 / 200)
    assert result.accuracy == pytest.approx(1.0)


def test_unknown_image_sizes_warn_and_leave_overlaps_unbounded(recwarn):
    from trackbench.errors import TrackbenchWarning

    gt = np.tile([10.0, 10.0, 30.0, 10.0, 30.0, 30.0, 10.0, 30.0], (40, 1))
    # twice as wide as the GT (x 10..30), reaching past the right edge of a 25-pixel-wide
    # image: clipped to the image both are x 10..25 (overlap 1); unclipped, the rasterised
    # columns 10..30 of 10..50 overlap 21/41. One unknown size leaves every overlap unbounded.
    runs = [_trajectory(40, None, box=(10.0, 10.0, 40.0, 20.0))]
    bounded = evaluate_vot([gt], [runs], [(25, 480)], [{}], eao_interval=(5, 20))
    assert not [w for w in recwarn if issubclass(w.category, TrackbenchWarning)]
    with pytest.warns(TrackbenchWarning, match=r"^1 of 2 sequences have no known image size: VOT overlaps are not bounded"):
        unbounded = evaluate_vot([gt, gt], [runs, runs], [(25, 480), None], [{}, {}], eao_interval=(5, 20))
    assert bounded.accuracy == pytest.approx(1.0) and unbounded.accuracy == pytest.approx(21 / 41)


def test_cli_prints_the_size_warning_on_one_line(tmp_path, capsys):
    import warnings

    from trackbench.cli import _one_line_warning
    from trackbench.errors import TrackbenchWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _one_line_warning(warnings.showwarning)
        warnings.warn("3 of 60 sequences have no known image size", TrackbenchWarning)
    assert capsys.readouterr().err == "trackbench: warning: 3 of 60 sequences have no known image size\n"


def test_vot_result_file_parsing_and_bad_codes(tmp_path):
    traj = parse_vot_trajectory("1\n10,10,20,20\n2\n0\n1,2,3,4,5,6,7,8\n", "x.txt")
    assert traj.codes.tolist() == [1, REGION, 2, 0, REGION]
    assert traj.is_rect.tolist() == [False, True, False, False, False]
    from trackbench.errors import TrackbenchError

    with pytest.raises(TrackbenchError, match=r"x.txt:2: unknown VOT code"):
        parse_vot_trajectory("1\n7\n", "x.txt")
    with pytest.raises(TrackbenchError, match=r"x.txt:2: expected 1, 4 or 8 numbers"):
        parse_vot_trajectory("1\n1,2,3\n", "x.txt")


# (EAO, A, failures) under pysot's rules, from ../shared/data/README.md
VOT = [
    ("vot2018", "LightTrack", (0.418, 0.529, 38)),
    ("vot2018", "NanoTrackV1", (0.311, 0.542, 70)),
    ("vot2019", "NanoTrackV1", (0.247, 0.535, 112)),
]


@pytest.fixture(scope="module")
def vot_datasets(shared_data):
    return {name: get_suite(name).load(shared_data / name / f"{name.upper()}.json") for name in ("vot2018", "vot2019")}


@pytest.mark.parametrize("suite_name,tracker,expected", VOT)
def test_published_vot_results_pysot_rules(suite_name, tracker, expected, vot_datasets, shared_data):
    suite = get_suite(suite_name)
    result = evaluate(suite, vot_datasets[suite_name], shared_data / suite_name / "results" / tracker, "pysot")
    eao, accuracy, failures = expected
    assert round(result.metrics["eao"], 3) == eao
    assert round(result.metrics["accuracy"], 3) == accuracy
    assert result.metrics["failures"] == failures
    frames = vot_datasets[suite_name].total_frames
    assert result.metrics["robustness"] == pytest.approx(100 * failures / frames)
    assert result.curves["expected_overlap"][0] == 1.0
    assert {"camera_motion", "occlusion", "empty", "all"} <= set(result.per_tag.index)


def test_vot2019_official_uses_the_2019_corner_rule(vot_datasets, shared_data):
    suite = get_suite("vot2019")
    subset = vot_datasets["vot2019"].subset([s.name for s in vot_datasets["vot2019"]][:8])
    path = shared_data / "vot2019" / "results" / "NanoTrackV1"
    official = evaluate(suite, subset, path, "official")
    pysot = evaluate(suite, subset, path, "pysot")
    assert official.metrics["failures"] == pysot.metrics["failures"]
    # one pixel of rectangle size: a small but real difference
    assert 1e-4 < abs(official.metrics["accuracy"] - pysot.metrics["accuracy"]) < 0.02
