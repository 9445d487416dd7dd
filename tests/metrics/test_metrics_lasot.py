"""LaSOT test set (280 sequences): SiamRPN++ and DiMP50 raw results (read from their
tar.xz archives in place) against the recomputed numbers of ../shared/data/README.md."""

from __future__ import annotations

import pytest

from trackbench.metrics.evaluate import evaluate
from trackbench.results.read import ResultIndex
from trackbench.suites import get_suite

# (AUC, precision@20px, normalised precision@0.20) under the official LaSOT toolkit rules
LASOT = {"SiamRPN++": (0.4956, 0.4914, 0.5694), "DiMP50": (0.5708, 0.5690, 0.6518)}


@pytest.fixture(scope="module")
def lasot(shared_data):
    return get_suite("lasot").load(shared_data / "lasot")


@pytest.fixture(scope="module")
def archives(shared_data):
    """Each tracker's archive, read once (tarfile, no unpacking)."""
    return {t: ResultIndex.build(shared_data / "lasot" / "results" / f"{t}.tar.xz") for t in LASOT}


@pytest.mark.parametrize("tracker", sorted(LASOT))
def test_lasot_official_numbers(tracker, lasot, archives):
    assert len(lasot) == 280
    result = evaluate(get_suite("lasot"), lasot, archives[tracker])
    auc, prec, norm = LASOT[tracker]
    assert result.tracker == tracker and result.sequences == 280
    assert result.metrics["success_auc"] == pytest.approx(auc, abs=5e-4)
    assert result.metrics["precision"] == pytest.approx(prec, abs=5e-4)
    assert result.metrics["norm_precision"] == pytest.approx(norm, abs=5e-4)
    assert result.per_attribute is not None and len(result.per_attribute) == 14


def test_lasot_visible_only_denominator_differs(lasot, archives):
    """The README's warning: the denominator must include absent frames (0.5055 otherwise)."""
    from trackbench.metrics.ope import evaluate_ope
    from trackbench.metrics.profiles import get_profile
    from trackbench.results.read import read_ope_results

    results = read_ope_results(archives["SiamRPN++"], lasot)
    seqs = list(lasot)
    visible_gt = [s.ground_truth[~s.absent] for s in seqs]
    visible_pred = [results[s.name][~s.absent] for s in seqs]
    scores, _ = evaluate_ope(visible_gt, visible_pred, get_profile("official"))
    assert scores["success_auc"] == pytest.approx(0.5055, abs=5e-4)
