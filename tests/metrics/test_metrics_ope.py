"""One-pass metrics: hand-computed cases and the OTB100 numbers of ../shared/data/README.md."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.metrics.evaluate import evaluate
from trackbench.metrics.ope import (NORM_PRECISION_THRESHOLDS, PRECISION_THRESHOLDS, box_iou, evaluate_ope,
                                    ope_frame_scores, overlap_thresholds)
from trackbench.metrics.thresholds import count_below
from trackbench.metrics.profiles import get_profile
from trackbench.suites import get_suite

OFFICIAL = get_profile("official")
PYSOT = get_profile("pysot")


def test_iou_forms_and_worked_example():
    a, b = np.array([[10, 10, 20, 20.0]]), np.array([[15, 15, 20, 20.0]])
    for form in ("plus_one", "continuous", "continuous_eps"):
        assert box_iou(a, b, form)[0] == pytest.approx(225 / 575, abs=1e-12)
    frac_a, frac_b = np.array([[10.3, 12.7, 20.1, 18.4]]), np.array([[15.2, 14.9, 19.6, 21.3]])
    assert box_iou(frac_a, frac_b, "plus_one")[0] == pytest.approx(box_iou(frac_a, frac_b, "continuous")[0], abs=1e-12)


def test_centre_and_normalised_errors():
    # [0,0,10,10] vs [3,4,10,10] (metrics.md §8); GT x = 0 is "invalid" for MATLAB, so use pysot
    gt = [np.array([[0, 0, 10, 10.0], [0, 0, 10, 10.0]])]
    pred = [np.array([[0, 0, 10, 10.0], [3, 4, 10, 10.0]])]
    scores = ope_frame_scores(gt, pred, PYSOT)
    assert scores.errors[1] == pytest.approx(5.0)
    assert scores.norm_errors[1] == pytest.approx(0.5)
    official = ope_frame_scores(gt, pred, OFFICIAL)
    assert official.errors[1] == -1.0 and official.ious[1] == -1.0  # invalid GT: error passes, IoU fails


def test_auc_is_mean_of_21_points_not_mean_iou():
    gt = np.tile([0, 0, 100, 100.0], (10, 1))
    pred = np.tile([0, 0, 62, 100.0], (10, 1))  # IoU 0.62 everywhere
    pred[0] = gt[0]
    scores, curves = evaluate_ope([gt[1:]], [pred[1:]], PYSOT)
    assert scores["success_auc"] == pytest.approx(13 / 21)
    assert curves.success[0, -1] == 0.0


def test_iou_exactly_on_a_threshold_fails_strict_test():
    gt = np.tile([0, 0, 10, 10.0], (4, 1))
    pred = np.tile([0, 0, 10, 5.0], (4, 1))  # IoU exactly 0.5
    _, curves = evaluate_ope([gt[1:]], [pred[1:]], PYSOT)
    thr = overlap_thresholds("numpy")
    assert curves.success[0, 10] == 0.0 and thr[10] == 0.5
    assert curves.success[0, 9] == 1.0


def test_matlab_grid_differs_in_last_ulp_where_documented():
    matlab, numpy_grid = overlap_thresholds("matlab"), overlap_thresholds("numpy")
    differ = np.flatnonzero(matlab != numpy_grid)
    assert set(np.round(numpy_grid[differ], 2)) == {0.6, 0.65, 0.7, 0.85, 0.95}
    assert matlab[14] == 0.7 and numpy_grid[14] == 0.7000000000000001


def test_invalid_gt_fails_success_passes_precision_official():
    n = 10
    gt = np.tile([5, 5, 20, 20.0], (n, 1))
    gt[4] = [0, 5, 20, 20]  # x = 0: invalid under the MATLAB rule (all four > 0)
    scores, _ = evaluate_ope([gt], [gt.copy()], OFFICIAL)
    assert scores["success_auc"] == pytest.approx((n - 1) * 20 / 21 / n)
    assert scores["precision"] == 1.0
    # pysot only needs w, h > 0: the frame is valid there
    scores, _ = evaluate_ope([gt], [gt.copy()], PYSOT)
    assert scores["success_auc"] == pytest.approx(20 / 21)
    # pytracking: invalid frames fail precision too
    scores, _ = evaluate_ope([gt], [gt.copy()], get_profile("pytracking"))
    assert scores["precision"] == pytest.approx((n - 1) / n)


def test_zero_size_and_nan_results_take_the_previous_box_official():
    gt = np.tile([5, 5, 20, 20.0], (5, 1))
    pred = gt.copy()
    pred[2] = [5, 5, 0, 20]
    pred[3] = [np.nan] * 4
    official, _ = evaluate_ope([gt], [pred], OFFICIAL)
    assert official["success_auc"] == pytest.approx(20 / 21)
    pysot, _ = evaluate_ope([gt], [pred], PYSOT)  # untouched: both frames fail
    assert pysot["success_auc"] == pytest.approx(3 / 5 * 20 / 21)
    with pytest.raises(TrackbenchError, match="NaN"):
        evaluate_ope([gt], [pred], get_profile("pytracking"))


def test_first_frame_overwrite():
    gt = np.tile([5, 5, 20, 20.0], (2, 1))
    pred = np.array([[100, 100, 5, 5], [5, 5, 20, 20.0]])
    assert evaluate_ope([gt], [pred], OFFICIAL)[0]["success_auc"] == pytest.approx(20 / 21)
    assert evaluate_ope([gt], [pred], PYSOT)[0]["success_auc"] == pytest.approx(10 / 21)


def test_absent_frames_fail_but_stay_in_denominator():
    gt = np.tile([5, 5, 20, 20.0], (4, 1))
    absent = np.array([False, True, True, False])
    scores, _ = evaluate_ope([gt], [gt.copy()], OFFICIAL, [absent])
    assert scores["success_auc"] == pytest.approx(0.5 * 20 / 21)
    assert scores["precision"] == 0.5 and scores["norm_precision"] == 0.5
    got10k, _ = evaluate_ope([gt], [gt.copy()], get_profile("got10k"), [absent])  # no absent handling
    assert got10k["precision"] == 1.0


def test_equal_weight_per_sequence():
    long_gt = np.tile([5, 5, 20, 20.0], (100, 1))
    short_gt = np.tile([5, 5, 20, 20.0], (2, 1))
    bad = short_gt.copy()
    bad[1] = [200, 200, 20, 20]
    scores, _ = evaluate_ope([long_gt, short_gt], [long_gt.copy(), bad], OFFICIAL)
    assert scores["precision"] == pytest.approx((1.0 + 0.5) / 2)


# README table: (official AUC, official precision, pysot AUC, pysot precision)
OTB100 = {
    "SiamRPN++": (0.6953, 0.9054, 0.6955, 0.9054),
    "SiamBAN": (0.6958, 0.9103, 0.6961, 0.9103),
    "DaSiamRPN": (0.6578, 0.8807, 0.6578, 0.8802),
}


@pytest.fixture(scope="module")
def otb_official(shared_data):
    return get_suite("otb2015").load(shared_data / "otb100")


@pytest.fixture(scope="module")
def otb_pysot(shared_data):
    return get_suite("otb2015").load(shared_data / "otb100" / "OTB100.pysot.json")


@pytest.mark.parametrize("tracker", sorted(OTB100))
def test_otb100_official_and_pysot_rules(tracker, shared_data, otb_official, otb_pysot):
    auc, prec, pauc, pprec = OTB100[tracker]
    result_dir = shared_data / "otb100" / "results" / tracker
    suite = get_suite("otb2015")
    tiger = otb_official["Tiger1"]
    assert len(tiger) == 349 and tiger.start_frame == 6
    official = evaluate(suite, otb_official, result_dir, "official")
    assert official.sequences == 100
    assert round(official.metrics["success_auc"], 3) == round(auc, 3)
    assert round(official.metrics["precision"], 3) == round(prec, 3)
    assert official.metrics["success_auc"] == pytest.approx(auc, abs=6e-5)
    assert official.metrics["precision"] == pytest.approx(prec, abs=6e-5)
    pysot = evaluate(suite, otb_pysot, result_dir, "pysot")
    assert pysot.metrics["success_auc"] == pytest.approx(pauc, abs=6e-5)
    assert pysot.metrics["precision"] == pytest.approx(pprec, abs=6e-5)
    # per-attribute breakdown over the 11 OTB attributes
    assert official.per_attribute is not None and len(official.per_attribute) == 11
    assert official.per_sequence.shape[0] == 100
    assert official.curves["success"].shape == (21,) and official.curves["precision"].shape == (51,)


def test_rule_profile_docstring_documents_exactly_its_fields():
    import dataclasses
    import re

    from trackbench.metrics.profiles import OFFICIAL as official, PROFILES, RuleProfile

    documented = set(re.findall(r"^ {8}(\w+): ", RuleProfile.__doc__, flags=re.MULTILINE))
    fields = {f.name for f in dataclasses.fields(RuleProfile)} - {"name"}
    assert documented == fields
    # every profile is `official` plus its differences; the names are distinct
    assert sorted(PROFILES) == ["got10k", "official", "pysot", "pytracking", "vot-toolkit"]
    assert PROFILES["pytracking"].invalid_error == float("inf") and official.invalid_error == -1.0


def test_threshold_counting_equals_searchsorted_on_every_grid():
    """``count_below`` (the curves' arithmetic index) is ``np.searchsorted(side="left")``
    exactly, at the thresholds, one ulp either side of them, and for -1, 0, -0.0, inf, NaN."""
    rng = np.random.default_rng(0)
    for grid in (overlap_thresholds("numpy"), overlap_thresholds("matlab"), PRECISION_THRESHOLDS,
                 NORM_PRECISION_THRESHOLDS, np.array([0.0, 0.3, 0.7])):
        values = np.concatenate([rng.uniform(-2, 60, 20000), rng.uniform(0, 1, 20000), grid,
                                 np.nextafter(grid, np.inf), np.nextafter(grid, -np.inf), np.arange(0, 1.0001, 0.01),
                                 np.arange(51) * 0.01, np.arange(21) * 0.05, [-1.0, 0.0, -0.0, np.inf, 1e300]])
        np.testing.assert_array_equal(count_below(grid, values), np.searchsorted(grid, values, side="left"))
        with_nan = np.append(values, np.nan)
        np.testing.assert_array_equal(count_below(grid, with_nan), np.searchsorted(grid, with_nan, side="left"))
