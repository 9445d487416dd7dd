"""Ground truth without a box (NaN / inf rows): the real UAV123 files and how every profile scores them."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from trackbench.data.common import read_ground_truth
from trackbench.data.generic import read_folder
from trackbench.metrics.ope import evaluate_ope
from trackbench.metrics.profiles import PROFILES


def test_every_uav123_annotation_file_loads(shared_data: Path) -> None:
    anno = shared_data / "uav123" / "anno"
    files = sorted(anno.glob("*.txt"))
    assert len(files) == 142  # UAV123's 123 sequences + full-length files of split videos (UAV20L)
    boxes = {p.name: read_ground_truth(p) for p in files}
    with open(shared_data / "uav123" / "uav123_sequences.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 123
    uav123 = [boxes[Path(r["anno"]).name] for r in rows]
    for row, gt in zip(rows, uav123):
        assert len(gt) == int(row["end_frame"]) - int(row["start_frame"]) + 1, row["name"]
    # README: UAV123 has 112,578 frames, 2,683 of them NaN rows (target absent)
    assert sum(len(gt) for gt in uav123) == 112_578
    assert sum(int(np.isnan(gt).any(axis=1).sum()) for gt in uav123) == 2_683
    # each missing row is all-NaN, every other row finite
    for gt in boxes.values():
        missing = np.isnan(gt).any(axis=1)
        assert np.isnan(gt[missing]).all() and np.isfinite(gt[~missing]).all()
    uav20l = ["bike1", "bird1", "car1", "car16", "car3", "car6", "car8", "car9", "group1", "group2", "group3",
              "person14", "person17", "person19", "person2", "person20", "person4", "person5", "person7", "uav1"]
    assert sum(len(boxes[f"{n}.txt"]) for n in uav20l) == 58_670  # README: UAV20L 58,670 frames


def test_inf_is_read_like_nan(tmp_path: Path) -> None:
    path = tmp_path / "gt.txt"
    path.write_text("1,2,3,4\nNaN,NaN,NaN,NaN\n5,inf,7,8\n-inf,1,1,1\n9,9,9,9\n")
    gt = read_ground_truth(path)
    assert np.isnan(gt).any(axis=1).tolist() == [False, True, True, True, False]
    assert np.isnan(gt[1:4]).all()


def _folder_with_missing_rows(root: Path) -> Path:
    seq = root / "seq"
    seq.mkdir(parents=True)
    (seq / "groundtruth.txt").write_text("10,10,20,20\n10,10,20,20\nNaN,NaN,NaN,NaN\n10,10,inf,20\n")
    return root


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_missing_rows_are_invalid_frames_under_every_profile(tmp_path: Path, profile: str) -> None:
    """4 frames, 2 without a box (NaN, inf), the tracker exact on the other two.

    Hand-computed from the toolkits' rules: OTB/UAV123 toolkit, pysot and pytracking give a
    missing frame IoU -1 (fails all 21 thresholds) and centre error -1 (passes): AUC =
    2 frames x 20/21 passing thresholds / 4 frames, precision 1; got10k drops both frames:
    AUC 20/21, precision 1. pysot has no frame-1 overwrite, but the boxes are exact anyway.
    """
    seq = read_folder(_folder_with_missing_rows(tmp_path)).sequences[0]
    assert seq.missing_gt.tolist() == [False, False, True, True]
    pred = np.array([[10, 10, 20, 20], [10, 10, 20, 20], [0, 0, 0, 0], [5, 5, 0, 0]], dtype=float)
    scores, _ = evaluate_ope([seq.ground_truth], [pred], PROFILES[profile])
    expected_auc = 20 / 21 if profile == "got10k" else 2 * 20 / 21 / 4
    assert scores["success_auc"] == pytest.approx(expected_auc, abs=1e-12)
    assert scores["precision"] == pytest.approx(1.0, abs=1e-12)
    assert scores["norm_precision"] == pytest.approx(1.0, abs=1e-12)


def test_sanitation_keeps_results_of_missing_frames(tmp_path: Path) -> None:
    """calcSeqErrRobust.m replaces a bad result only where the annotation is not NaN: frame
    3 (GT NaN, result w=0) keeps its box, so frame 4's bad result takes frame 3's box."""
    from trackbench.metrics.ope import sanitize_predictions

    pred = np.array([[1, 1, 5, 5], [2, 2, 5, 5], [3, 3, 0, 5], [4, 4, -1, 5]], dtype=float)
    start = np.array([True, False, False, False])
    missing = np.array([False, False, True, False])
    out = sanitize_predictions(pred, start, "previous", gt_missing=missing)
    np.testing.assert_array_equal(out, pred[[0, 1, 2, 2]])


@pytest.fixture(scope="module")
def pysot_lasot_json(shared_data: Path, tmp_path_factory) -> Path:
    """A pysot-style LaSOT.json built from the LaSOT toolkit's annotations, with pysot's
    polarity: ``absent`` = 1 on *visible* frames (pysot evaluates ``gt[absent == 1]``)."""
    import json

    annos = shared_data / "lasot" / "annos"
    content = {}
    for name in (shared_data / "lasot" / "testing_set.txt").read_text().split():
        gt = np.loadtxt(annos / f"{name}.txt", delimiter=",", ndmin=2)
        absent = np.loadtxt(annos / "absent" / f"{name}.txt", dtype=int, ndmin=1)
        # (img_names left out: evaluation needs none, and 685k paths only slow the test down)
        content[name] = {"video_dir": name, "init_rect": gt[0].tolist(), "gt_rect": gt.tolist(), "attr": [],
                         "absent": (1 - absent).tolist()}
    path = tmp_path_factory.mktemp("lasot_json") / "LaSOT.json"
    path.write_text(json.dumps(content))
    return path


@pytest.mark.slow
def test_pysot_lasot_json_visible_polarity_is_detected_with_a_warning(shared_data: Path, pysot_lasot_json: Path) -> None:
    from trackbench.errors import TrackbenchWarning
    from trackbench.metrics.evaluate import evaluate
    from trackbench.results.read import ResultIndex
    from trackbench.suites import get_suite

    suite = get_suite("lasot")
    with pytest.warns(TrackbenchWarning) as record:
        dataset = suite.load(pysot_lasot_json)
    lines = [str(w.message) for w in record]
    assert len(lines) == 1 and "'absent' is 1 on 667014 of 685360 frames: read as pysot's visible flags" in lines[0]
    assert sum(int(s.absent.sum()) for s in dataset) == 18_346  # README: absent frames of the test split
    index = ResultIndex.build(shared_data / "lasot" / "results" / "SiamRPN++.tar.xz")
    assert evaluate(suite, dataset, index).metrics["success_auc"] == pytest.approx(0.4956, abs=5e-4)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", TrackbenchWarning)  # stated explicitly: no warning
        same = suite.load(pysot_lasot_json, absent_flag="visible")
        wrong = suite.load(pysot_lasot_json, absent_flag="absent")
    assert all((a.absent == b.absent).all() for a, b in zip(same, dataset))
    assert evaluate(suite, wrong, index).metrics["success_auc"] < 0.05  # the silent 0.001 of the issue
