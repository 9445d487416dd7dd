"""NfS, TC128 / TPL-noOTB, LaSOT-ext, TNL2K and TrackingNet from fixtures in their exact download
layouts (tests/helpers/official_layouts.py): the readers against got10k's readers on the same files
(where got10k has one) or against the files parsed by hand, then `run` + `eval` + `report`
end to end with the identity tracker, whose scores are computed by hand here."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from helpers.official_layouts import (
    INIT,
    LASOT_EXT_ABSENT,
    LASOT_EXT_SEQUENCES,
    NFS_SEQUENCES,
    NFS_SHIFT,
    TC128_SEQUENCES,
    TNL2K_SEQUENCES,
    TRACKINGNET_TEST,
    TRACKINGNET_TRAIN,
    make_lasot_ext,
    make_nfs,
    make_tc128,
    make_tnl2k,
    make_trackingnet,
)
from trackbench.cli import main
from trackbench.data.nfs import read_nfs
from trackbench.data.tc128 import read_tc128
from trackbench.data.tnl2k import read_tnl2k
from trackbench.data.trackingnet import read_trackingnet
from trackbench.errors import TrackbenchError
from trackbench.suites import get_suite

PERFECT_AUC = 20 / 21  # IoU 1 passes the thresholds 0 .. 0.95, not 1 (strict test)


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("layouts")
    return {
        "nfs": make_nfs(base / "NfS"),
        "tc128": make_tc128(base / "Temple-color-128"),
        "lasot-ext": make_lasot_ext(base / "LaSOT_extension_subset"),
        "tnl2k": make_tnl2k(base / "TNL2K_test_subset"),
        "trackingnet": make_trackingnet(base / "TrackingNet"),
    }


def run_eval_report(suite: str, root: Path, out: Path, capsys, sequences: str | None = None) -> dict:
    """`run identity`, then `eval --json` and `report` of its results; the eval metrics."""
    subset = ["--sequences", sequences] if sequences else []
    assert main(["run", "identity", "--suite", suite, "--root", str(root), "--out", str(out), "--no-progress",
                 *subset]) == 0
    result_dir = out / suite / "identity"
    capsys.readouterr()
    assert main(["eval", "--suite", suite, "--root", str(root), "--json", *subset, str(result_dir)]) == 0
    metrics = json.loads(capsys.readouterr().out)[0]["metrics"]
    pages = out / "reports"
    assert main(["report", "--suite", suite, "--root", str(root), "--out", str(pages), "--html", f"{suite}.html",
                 *subset, str(result_dir)]) == 0
    html = (pages / f"{suite}.html").read_text(encoding="utf-8")
    assert "identity" in html and "Success plot" in html
    return metrics


# -- NfS ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("fps", [30, 240])
def test_nfs_reader_equals_got10k(layouts, fps: int) -> None:
    from got10k.datasets import NfS

    ours = read_nfs(layouts["nfs"], fps=fps)
    theirs = NfS(str(layouts["nfs"]), fps=fps)
    assert theirs.seq_names == [s.name for s in ours]
    for index, name in enumerate(theirs.seq_names):
        img_files, anno = theirs[index]
        np.testing.assert_array_equal(ours[name].ground_truth, anno)
        assert [str(p) for p in ours[name].frames] == img_files


def test_nfs_30fps_samples_every_8th_row_and_keeps_flags(layouts) -> None:
    nfs30 = read_nfs(layouts["nfs"], fps=30)
    assert {s.name: len(s) for s in nfs30} == {"Gymnastics": 6, "airboard_1": 5, "bee": 4}
    for seq in nfs30:
        np.testing.assert_array_equal(seq.ground_truth, np.tile(INIT, (len(seq), 1)))  # rows 0, 8, 16 ...
    assert nfs30["Gymnastics"].tags["occlusion"].tolist() == [False, True, False, False, False, False]
    assert nfs30["Gymnastics"].attributes == {"OCC": True} and nfs30["bee"].attributes == {"OCC": True}
    nfs240 = read_nfs(layouts["nfs"], fps=240)
    assert nfs240["bee"].ground_truth[3].tolist() == [INIT[0] + 3 * NFS_SHIFT, *INIT[1:]]
    assert nfs240["bee"].frames[0].parts[-3:] == ("240", "bee", "00001.jpg")


def test_nfs30_run_eval_report(layouts, tmp_path, capsys) -> None:
    metrics = run_eval_report("nfs30", layouts["nfs"], tmp_path, capsys)
    assert metrics["success_auc"] == pytest.approx(PERFECT_AUC)
    assert metrics["precision"] == pytest.approx(1.0)


def test_nfs240_run_eval_hand_computed(layouts, tmp_path, capsys) -> None:
    """Row i is INIT moved right by s = (i % 8) * 3 px: IoU (MATLAB pixel-inclusive boxes,
    w = 20) = (20 - s) / (20 + s), centre error s (s = 21 > 20 px fails)."""
    metrics = run_eval_report("nfs240", layouts["nfs"], tmp_path, capsys, sequences="Gymnastics,bee")
    thresholds = np.linspace(0, 1, 21)
    auc, precision = [], []
    for seq in ("Gymnastics", "bee"):
        shifts = np.array([(i % 8) * NFS_SHIFT for i in range(NFS_SEQUENCES[seq])])
        ious = (INIT[2] - shifts) / (INIT[2] + shifts)
        auc.append(np.mean([(ious > t).mean() for t in thresholds]))
        precision.append((shifts <= 20).mean())
    assert metrics["success_auc"] == pytest.approx(np.mean(auc))
    assert metrics["precision"] == pytest.approx(np.mean(precision))


def test_nfs_result_names_of_pytracking(layouts, tmp_path, capsys) -> None:
    results = tmp_path / "DiMP"
    results.mkdir()
    for seq, n240 in NFS_SEQUENCES.items():
        rows = {"Gymnastics": 6, "airboard_1": 5, "bee": 4}[seq]
        np.savetxt(results / f"nfs_{seq}.txt", np.tile(INIT, (rows, 1)), fmt="%d", delimiter="\t")
    capsys.readouterr()
    assert main(["eval", "--suite", "nfs30", "--root", str(layouts["nfs"]), "--json", str(results)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["metrics"]["precision"] == pytest.approx(1.0)


# -- TC128 -------------------------------------------------------------------------------------
def test_tc128_reader_equals_got10k(layouts) -> None:
    from got10k.datasets import TColor128

    ours = read_tc128(layouts["tc128"])
    theirs = TColor128(str(layouts["tc128"]), download=False)
    assert sorted(theirs.seq_names) == sorted(s.name for s in ours)
    for index, name in enumerate(theirs.seq_names):
        img_files, anno = theirs[index]
        np.testing.assert_array_equal(ours[name].ground_truth, anno)
        assert [str(p) for p in ours[name].frames] == img_files
    assert ours["Busstation_ce2"].start_frame == 6
    assert ours["Busstation_ce2"].frames[0].name == "0006.jpg"


def test_tc128_tabs_and_pytracking_folder_names(tmp_path) -> None:
    root = make_tc128(tmp_path / "tc", tab_delimited="Pool_ce3")
    (root / "Pool_ce3").rename(root / "tpl_Pool_ce3")
    dataset = read_tc128(root)
    np.testing.assert_array_equal(dataset["Pool_ce3"].ground_truth, np.tile(INIT, (10, 1)))
    assert dataset["Pool_ce3"].aliases == ("tpl_Pool_ce3",)


def test_tc128_frame_range_mismatch_is_an_error(tmp_path) -> None:
    root = make_tc128(tmp_path / "tc")
    (root / "Pool_ce3" / "Pool_ce3_frames.txt").write_text("1,11\n")
    with pytest.raises(TrackbenchError, match=r"Pool_ce3_gt.txt: 10 ground-truth rows but Pool_ce3_frames.txt says images 1-11"):
        read_tc128(root)


def test_tpl_nootb_leaves_out_the_otb_sequences(layouts) -> None:
    names = [s.name for s in get_suite("tc128-nootb").load(layouts["tc128"])]
    assert names == ["Busstation_ce2", "Pool_ce3"]  # Skating2 and Jogging1 are OTB sequences


def test_tc128_run_eval_report(layouts, tmp_path, capsys) -> None:
    metrics = run_eval_report("tc128", layouts["tc128"], tmp_path, capsys)
    assert metrics["success_auc"] == pytest.approx(PERFECT_AUC)
    assert metrics["precision"] == pytest.approx(1.0)


# -- LaSOT-ext ---------------------------------------------------------------------------------
def test_lasot_ext_reader_against_the_files(layouts) -> None:
    """Absent = full occlusion or out of view (pytracking's target_visible is both 0)."""
    root = layouts["lasot-ext"]
    dataset = get_suite("lasot-ext").load(root, list(LASOT_EXT_SEQUENCES))
    for name in LASOT_EXT_SEQUENCES:
        folder = root / name.rsplit("-", 1)[0] / name
        occlusion = np.loadtxt(folder / "full_occlusion.txt", delimiter=",")
        out_of_view = np.loadtxt(folder / "out_of_view.txt", delimiter=",")
        visible = (occlusion == 0) & (out_of_view == 0)
        np.testing.assert_array_equal(dataset[name].absent, ~visible)
        np.testing.assert_array_equal(dataset[name].ground_truth, np.loadtxt(folder / "groundtruth.txt", delimiter=","))
        assert dataset[name].language == f"the {name.split('-')[0]} in the middle"


def test_lasot_ext_without_every_sequence_names_the_first_missing(layouts) -> None:
    with pytest.raises(TrackbenchError, match=r"no sequence 'atv-2' in this dataset"):
        get_suite("lasot-ext").load(layouts["lasot-ext"])


def test_lasot_ext_run_eval_report(layouts, tmp_path, capsys) -> None:
    """LaSOT rules: absent frames stay in the denominator and never succeed."""
    metrics = run_eval_report("lasot-ext", layouts["lasot-ext"], tmp_path, capsys,
                              sequences=",".join(LASOT_EXT_SEQUENCES))
    visible = [1 - len(LASOT_EXT_ABSENT[s]) / n for s, n in LASOT_EXT_SEQUENCES.items()]
    assert metrics["success_auc"] == pytest.approx(PERFECT_AUC * np.mean(visible))
    assert metrics["precision"] == pytest.approx(np.mean(visible))
    assert metrics["norm_precision"] == pytest.approx(np.mean(visible))


# -- TNL2K -------------------------------------------------------------------------------------
def test_tnl2k_reader_language_and_frame_order(layouts) -> None:
    dataset = read_tnl2k(layouts["tnl2k"])
    assert sorted(s.name for s in dataset) == sorted(TNL2K_SEQUENCES)
    woman = dataset["INF_woman46"]
    assert [p.name for p in woman.frames] == [f"{i}.jpg" for i in range(1, 12)]  # 2.jpg before 10.jpg
    assert dataset["Arrow_Video_ZZ04_done"].frames[0].name == "00001.png"
    assert woman.language == "the target inf_woman46 moving"
    assert woman.image_size == (64, 48)


def test_tnl2k_found_one_folder_deeper(layouts) -> None:
    dataset = get_suite("tnl2k").load(layouts["tnl2k"].parent)  # <root>/TNL2K_test_subset/<seq>
    assert len(dataset) == len(TNL2K_SEQUENCES)


def test_tnl2k_run_eval_report(layouts, tmp_path, capsys) -> None:
    metrics = run_eval_report("tnl2k", layouts["tnl2k"], tmp_path, capsys)
    assert metrics["success_auc"] == pytest.approx(PERFECT_AUC)
    assert metrics["norm_precision"] == pytest.approx(1.0)


# -- TrackingNet -------------------------------------------------------------------------------
def test_trackingnet_reader_against_got10k_listing(layouts) -> None:
    """got10k's TrackingNet lists the same sequences and annotation files; its __getitem__
    looks for frames in TEST/<seq> instead of TEST/frames/<seq> (and sorts them with int() of
    the whole path), so only the listing is compared."""
    from got10k.datasets import TrackingNet

    root = layouts["trackingnet"]
    for split, chunk, sequences in (("test", "TEST", TRACKINGNET_TEST), ("train", "TRAIN_0", TRACKINGNET_TRAIN)):
        ours = read_trackingnet(root, split=split)
        if split == "test":
            theirs = TrackingNet(str(root), subset="test")
            assert theirs.seq_names == [s.name for s in ours]
            for name, anno in zip(theirs.seq_names, theirs.anno_files):
                np.testing.assert_array_equal(ours[name].ground_truth[0], np.loadtxt(anno, delimiter=","))
        for name, count in sequences.items():
            seq = ours[name]
            assert len(seq) == count and seq.frames[-1].parts[-3:] == ("frames", name, f"{count - 1}.jpg")
            assert seq.meta["chunk"] == chunk
            assert np.isnan(seq.ground_truth[1:]).all() == (split == "test")


def test_trackingnet_pack_for_the_server(layouts, tmp_path, capsys) -> None:
    root = layouts["trackingnet"]
    out = tmp_path / "results"
    assert main(["run", "identity", "--suite", "trackingnet", "--root", str(root), "--out", str(out),
                 "--no-progress"]) == 0
    zip_path = tmp_path / "identity.zip"
    assert main(["pack", "trackingnet", str(out / "trackingnet" / "identity"), "--root", str(root),
                 "--output", str(zip_path)]) == 0
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == sorted(f"{n}.txt" for n in TRACKINGNET_TEST)
        for name, count in TRACKINGNET_TEST.items():
            boxes = np.loadtxt(archive.read(f"{name}.txt").decode().splitlines(), delimiter=",")
            np.testing.assert_array_equal(boxes, np.tile(INIT, (count, 1)))


def test_trackingnet_train_run_eval_report_server_rules(layouts, tmp_path, capsys) -> None:
    """Server rules (TrackingNet-devkit metrics.py): trapezoidal areas over 21 thresholds,
    success tested IoU >= t. Identity on a static target: IoU 1 passes every threshold, also
    t = 1 (under OTB's strict test it would not: 20/21) -> area 1; precision and normalised
    precision 1 everywhere -> area 1."""
    metrics = run_eval_report("trackingnet-train", layouts["trackingnet"], tmp_path, capsys)
    assert metrics["success_auc"] == pytest.approx(1.0)
    assert metrics["precision"] == pytest.approx(1.0)
    assert metrics["norm_precision"] == pytest.approx(1.0)


def test_trackingnet_server_rules_hand_computed() -> None:
    """One 3-frame sequence, ground truth 10,10,10,10 throughout; results: frame 1 anything
    (replaced by the ground truth), frame 2 shifted 5 px right (IoU 5x10 / 150 = 1/3, distance
    5), frame 3 = 10.4,10.6,9.6,10.2 -> rounded 10,11,10,10 (IoU 90/110, distance 1,
    normalised 0.1)."""
    from trackbench.metrics.trackingnet import evaluate_trackingnet

    gt = np.tile([10.0, 10, 10, 10], (3, 1))
    result = np.array([[0, 0, 1, 1], [15, 10, 10, 10], [10.4, 10.6, 9.6, 10.2]])
    scores = evaluate_trackingnet([gt], [result], ["s"])
    thresholds = np.linspace(0, 1, 21)
    ious = np.array([1.0, 1 / 3, 90 / 110])
    success = np.array([(ious >= t).mean() for t in thresholds])
    np.testing.assert_allclose(scores.success_curve, success)
    assert scores.success == pytest.approx(np.trapezoid(success, thresholds))
    distances = np.array([0.0, 5.0, 1.0])
    precision = np.array([(distances <= t).mean() for t in np.linspace(0, 50, 21)])
    assert scores.precision == pytest.approx(np.trapezoid(precision, thresholds))
    norm = np.array([(np.array([0, 0.5, 0.1]) <= t).mean() for t in np.linspace(0, 0.5, 21)])
    assert scores.norm_precision == pytest.approx(np.trapezoid(norm, thresholds))


def test_list_suites_shows_every_new_suite(capsys) -> None:
    capsys.readouterr()
    assert main(["list", "suites"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]}
    assert {"uav123", "uav20l", "uav123-10fps", "dtb70", "nfs30", "nfs240", "tc128", "tc128-nootb", "lasot-ext",
            "tnl2k", "trackingnet", "trackingnet-train"} <= listed


@pytest.mark.parametrize("suite", ["uav123", "dtb70", "nfs30", "tc128", "lasot-ext", "tnl2k", "trackingnet"])
def test_missing_data_names_where_it_looked(suite, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("TRACKBENCH_DATASETS", raising=False)
    assert main(["datasets", "check", suite]) != 0
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1
    assert f"dataset for suite '{suite}' not found; looked in: datasets/" in message
    assert f"TRACKBENCH_{suite.upper().replace('-', '_')}_ROOT" in message
