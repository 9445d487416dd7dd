"""Summary, per-sequence and ablation tables, with their CSV and LaTeX exports parsed back."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from trackbench.errors import TrackbenchError
from trackbench.report import tables
from trackbench.trackers.imsiam.analysis import ablation

METRICS = {
    "A": {"success_auc": 0.60, "precision": 0.80, "fps": 50.0},
    "B & co_%": {"success_auc": 0.70, "precision": 0.75, "fps": float("nan")},
    "C": {"success_auc": 0.65, "precision": 0.90},
}


def test_summary_table_ranked_with_all_metrics(tmp_path):
    frame = tables.summary_table(METRICS, "success_auc")
    assert list(frame.index) == ["B & co_%", "C", "A"]
    assert list(frame.columns) == ["success_auc", "precision", "fps"]
    path = tables.to_csv(frame, tmp_path / "summary.csv")
    back = pd.read_csv(path, index_col=0)
    assert list(back.index) == list(frame.index)
    np.testing.assert_allclose(back["precision"], [0.75, 0.90, 0.80])
    assert back.loc["A", "fps"] == 50.0 and np.isnan(back.loc["C", "fps"])


def test_lower_is_better_ranking_and_fps_dropped_without_times():
    frame = tables.summary_table({"x": {"robustness": 0.3, "fps": float("nan")}, "y": {"robustness": 0.1}}, "robustness")
    assert list(frame.index) == ["y", "x"] and "fps" not in frame.columns
    assert tables.best_per_column(frame)["robustness"] == {"y"}


def test_latex_escapes_names_and_bolds_best():
    text = tables.to_latex(tables.summary_table(METRICS, "success_auc"), caption="OTB 100%")
    assert r"B \& co\_\%" in text
    assert r"\caption{OTB 100\%}" in text
    rows = {line.split(" & ")[0]: line for line in text.splitlines() if line.endswith(r"\\") and " & " in line}
    assert r"\textbf{0.700}" in rows[r"B \& co\_\%"]
    assert r"\textbf{0.900}" in rows["C"]
    assert r"\textbf{50.0}" in rows["A"]
    assert rows["C"].rstrip(r" \\").endswith("--")  # missing FPS
    assert text.count(r"\toprule") == 1 and text.strip().endswith(r"\end{table}")


def test_sequence_extremes():
    per_sequence = {
        "A": pd.DataFrame({"success_auc": [0.9, 0.1, 0.5, np.nan]}, index=["s1", "s2", "s3", "s4"]),
        "B": pd.DataFrame({"precision": [0.2]}, index=["s1"]),
    }
    (result,) = tables.sequence_extremes(per_sequence, "success_auc", count=2)
    assert result.tracker == "A"
    assert result.best == [("s1", 0.9), ("s3", 0.5)]
    assert result.worst == [("s2", 0.1), ("s3", 0.5)]
    failures = {"A": pd.DataFrame({"failures": [3.0, 0.0, 1.0]}, index=["a", "b", "c"])}
    (result,) = tables.sequence_extremes(failures, "failures", count=1)
    assert result.best == [("b", 0.0)] and result.worst == [("a", 3.0)]


def _run_json(directory, components):
    directory.mkdir(parents=True)
    info = {"tracker": "imsiam", "suite": "otb2015", "tracker_config": {"components": components}}
    (directory / "run.json").write_text(json.dumps(info))


def test_ablation_from_run_json(tmp_path):
    variants = {
        "baseline": {"stages": [4], "pdw_xcorr": False, "l1_difference": False, "search_identity": False,
                     "cls_cen_reg": True, "iou": False},
        "+L1": {"stages": [4], "pdw_xcorr": False, "l1_difference": True, "search_identity": False,
                "cls_cen_reg": True, "iou": False},
        "full": {"stages": [2, 3, 4], "pdw_xcorr": True, "l1_difference": True, "search_identity": True,
                 "cls_cen_reg": True, "iou": True},
    }
    for name, comps in variants.items():
        _run_json(tmp_path / name, comps)
    read = {name: ablation.read_components(tmp_path / name) for name in variants}
    assert read == variants
    scores = {"baseline": 0.660, "+L1": 0.665, "full": 0.697}
    frame = ablation.ablation_table(read, scores, "success_auc")
    assert list(frame.index) == ["baseline", "+L1", "full"]
    assert frame.loc["full", "stages"] == "2+3+4"
    assert frame.loc["+L1", "l1_difference"] and not frame.loc["baseline", "l1_difference"]
    csv = tables.to_csv(ablation.ablation_csv_frame(frame), tmp_path / "ablation.csv")
    back = pd.read_csv(csv, index_col=0)
    assert back.loc["full"].to_dict() == {"stages": "2+3+4", "pdw_xcorr": 1, "l1_difference": 1, "search_identity": 1,
                                          "cls_cen_reg": 1, "iou": 1, "success_auc": 0.697}
    latex = ablation.ablation_latex(frame, "success_auc")
    full_row = next(line for line in latex.splitlines() if line.startswith("full"))
    assert full_row.count(r"\checkmark") == 5 and r"\textbf{0.697}" in full_row
    base_row = next(line for line in latex.splitlines() if line.startswith("baseline"))
    assert base_row.count(r"\checkmark") == 1
    cells = ablation.ablation_cells(frame, "success_auc")
    assert cells[1]["checks"] == [False, True, False, True, False]


def test_read_components_absent_and_malformed(tmp_path):
    assert ablation.read_components(tmp_path) is None
    (tmp_path / "run.json").write_text(json.dumps({"tracker": "kcf", "tracker_config": {}}))
    assert ablation.read_components(tmp_path) is None
    (tmp_path / "run.json").write_text('{"tracker": "imsiam",\n "tracker_config": {')
    with pytest.raises(TrackbenchError, match=r"run\.json:\d+: malformed JSON"):
        ablation.read_components(tmp_path)
