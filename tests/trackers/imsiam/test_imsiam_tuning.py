"""Validation-data tuning of a trained IMSiam (trackers/imsiam/tuning.py)."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.data.synthetic import random_spec, render
from trackbench.textio import read_table
from trackbench.trackers.imsiam.tuning import ValidationSet, main, write_validation_set


def test_validation_set_is_the_seeded_generator_in_otb_layout_and_is_kept(tmp_path):
    spec = ValidationSet(seed=7, count=2, length=12, difficulty=0.5, figures=("person",))
    root = write_validation_set(tmp_path / "val", spec)
    assert sorted(p.name for p in root.iterdir()) == ["Val00", "Val01"]
    rng = np.random.default_rng([7, 1])
    expected = render(rng, random_spec(rng, 12, (320, 240), 0.5, (0.33, 3.5), ("person",)))
    assert expected.spec.figure == "person"
    boxes = read_table(root / "Val01" / "groundtruth_rect.txt")
    np.testing.assert_array_equal(boxes, expected.boxes)
    assert len(list((root / "Val01" / "img").glob("*.jpg"))) == 12
    stamp = (root / "Val00" / "groundtruth_rect.txt").stat().st_mtime_ns
    write_validation_set(root, spec)  # a second call keeps what is there
    assert (root / "Val00" / "groundtruth_rect.txt").stat().st_mtime_ns == stamp


def test_tuning_refuses_a_run_without_checkpoints_and_bad_grids(tmp_path, capsys):
    assert main(["--run", str(tmp_path), "--model", "imsiam_nano", "--out", str(tmp_path / "t")]) == 2
    err = capsys.readouterr().err
    assert "no epoch checkpoint" in err and str(tmp_path / "checkpoints") in err
    assert main(["--run", str(tmp_path), "--model", "imsiam_nano", "--out", str(tmp_path / "t"), "--scale-lr", "0.2,x"]) == 2
    assert "expected comma-separated numbers, got '0.2,x'" in capsys.readouterr().err
    assert main(["--run", str(tmp_path), "--model", "imsiam_nano", "--out", str(tmp_path / "t"), "--size-update", "always"]) == 2
    assert "--size-update: expected fixed and/or score, got 'always'" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()  # refused before any validation data is written


@pytest.mark.slow
def test_tuning_runs_each_epoch_and_grid_point_on_validation_data(tmp_path, capsys):
    import shutil

    import pandas as pd

    from helpers.paths import REPO_ROOT

    # the bundled demo model as "epoch 0" of a run: it tracks, so the scores are not trivial
    (tmp_path / "run" / "checkpoints").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "trackers" / "imsiam" / "weights" / "imsiam_demo.safetensors",
                tmp_path / "run" / "checkpoints" / "model_e000.safetensors")
    argv = ["--run", str(tmp_path / "run"), "--model", "imsiam_demo", "--out", str(tmp_path / "t"), "--count", "1",
            "--window-influence", "0.3,0.6", "--no-progress"]
    assert main(argv) == 0
    table = pd.read_csv(tmp_path / "t" / "tuning.csv")
    assert list(table["window_influence"]) == [0.3, 0.6] and set(table["epoch"]) == {0}
    assert table["success_auc"].between(0, 1).all()
    out = capsys.readouterr().out
    assert "best on validation: epoch 0" in out
    # the runner's own result files back each row (one per grid point), and the got10k
    # package's IoU / centre error on those files give the same scores (OTB thresholds 0:0.05:1)
    from got10k.utils.metrics import center_error, rect_iou

    results = tmp_path / "t" / "results" / "custom"
    assert sorted(p.name for p in results.iterdir()) == ["e000-wi0.3-sl0.25", "e000-wi0.6-sl0.25"]
    truth = read_table(tmp_path / "t" / "validation" / "Val00" / "groundtruth_rect.txt")
    for _, row in table.iterrows():
        boxes = read_table(results / f"e000-wi{row['window_influence']:g}-sl0.25" / "Val00.txt")
        ious = rect_iou(boxes, truth)
        auc = np.mean([(ious > t).mean() for t in np.linspace(0, 1, 21)])
        assert row["success_auc"] == pytest.approx(auc, abs=2e-3)
        assert row["precision"] == pytest.approx((center_error(boxes, truth) <= 20).mean(), abs=2e-3)


def test_tuning_grid_covers_the_penalty_and_size_update_and_records_them(tmp_path):
    """The change penalty and the score-weighted update are grid axes: one result folder per
    point (named after the non-default values), recorded in the table and in each run.json."""
    import json
    import shutil

    import pandas as pd

    from helpers.paths import REPO_ROOT

    (tmp_path / "run" / "checkpoints").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "trackers" / "imsiam" / "weights" / "imsiam_demo.safetensors",
                tmp_path / "run" / "checkpoints" / "model_e000.safetensors")
    argv = ["--run", str(tmp_path / "run"), "--model", "imsiam_demo", "--out", str(tmp_path / "t"), "--count", "1",
            "--penalty-k", "0,0.3", "--size-update", "score", "--figures", "walker", "--no-progress"]
    assert main(argv) == 0
    table = pd.read_csv(tmp_path / "t" / "tuning.csv")
    assert list(table["penalty_k"]) == [0.0, 0.3] and set(table["size_update"]) == {"score"}
    results = tmp_path / "t" / "results" / "custom"
    names = ["e000-wi0.45-sl0.25-pk0-score", "e000-wi0.45-sl0.25-pk0.3-score"]
    assert sorted(p.name for p in results.iterdir()) == names
    for name, penalty_k in zip(names, (0.0, 0.3)):
        summary = json.loads((results / name / "run.json").read_text())["tracker_config"]
        assert summary["penalty_k"] == penalty_k and summary["size_update"] == "score"
