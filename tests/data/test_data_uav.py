"""UAV123 / UAV20L / UAV123@10fps on the real annotation files (../shared/data/uav123): counts,
frame ranges, absent rows, attributes; the official download layout read by got10k's reader
too; the UAV scoring of absent (NaN) rows against got10k's ExperimentUAV123 and by hand."""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from trackbench.data.attributes import UAV_ATTRIBUTES
from trackbench.data.uav import UAV20L_SEQUENCES, read_uav, uav_sequence_table
from trackbench.errors import TrackbenchError
from trackbench.metrics.evaluate import evaluate
from trackbench.sequence import normalize_name
from trackbench.suites import get_suite

# Sequences per attribute in pytracking's dataset_attribute_specs/UAV123_attributes.json
# (an independent per-sequence list of attribute names), counted by hand from that file.
UAV123_ATTRIBUTE_COUNTS = {"SV": 109, "ARC": 68, "LR": 48, "FM": 28, "FOC": 33, "POC": 73, "OV": 30, "BC": 21,
                           "IV": 31, "VC": 60, "CM": 70, "SOB": 39}
# UAV20L: the 20 long videos' att files summed column by column with awk.
UAV20L_ATTRIBUTE_COUNTS = {"SV": 19, "ARC": 16, "LR": 11, "FM": 7, "FOC": 9, "POC": 18, "OV": 13, "BC": 5,
                           "IV": 8, "VC": 13, "CM": 19, "SOB": 12}


@pytest.fixture(scope="module")
def uav_root(shared_data: Path) -> Path:
    return shared_data / "uav123"


@pytest.fixture(scope="module")
def uav123(uav_root: Path):
    return read_uav(uav_root, split="UAV123")


def _attribute_counts(dataset) -> dict[str, int]:
    return {a: sum(int(s.attributes[a]) for s in dataset) for a in UAV_ATTRIBUTES}


def test_uav123_counts_absent_rows_and_attributes(uav123) -> None:
    assert len(uav123) == 123
    assert uav123.total_frames == 112578
    nan_rows = sum(int(np.isnan(s.ground_truth).all(axis=1).sum()) for s in uav123)
    assert nan_rows == 2683
    assert all(s.absent is None for s in uav123)  # no separate flag: the NaN rows are the absence
    counts = _attribute_counts(uav123)
    print("UAV123 sequences per attribute:", counts)
    assert counts == UAV123_ATTRIBUTE_COUNTS


def test_uav20l_counts_and_attributes(uav_root: Path) -> None:
    uav20l = read_uav(uav_root, split="UAV20L")
    assert [s.name for s in uav20l] == sorted(UAV20L_SEQUENCES)
    assert uav20l.total_frames == 58670
    counts = _attribute_counts(uav20l)
    print("UAV20L sequences per attribute:", counts)
    assert counts == UAV20L_ATTRIBUTE_COUNTS


def test_bird1_2_maps_to_images_775_to_1477(uav123) -> None:
    seq = uav123["bird1_2"]
    assert seq.start_frame == 775
    assert len(seq) == 1477 - 775 + 1
    assert seq.frames[0].parts[-3:] == ("UAV123", "bird1", "000775.jpg")
    assert seq.frames[-1].name == "001477.jpg"
    assert uav123["car1_1"] is not uav123["car11"]  # names differing only by "_" between digits
    assert normalize_name("Skating2.1") == normalize_name("skating2-1") != normalize_name("Skating21")
    assert normalize_name("Jogging-1") == normalize_name("jogging1")


def test_shipped_ranges_equal_the_shared_csv_and_got10k(uav_root: Path) -> None:
    with open(uav_root / "uav123_sequences.csv", newline="") as handle:
        rows = {r["name"].removeprefix("uav_"): r for r in csv.DictReader(handle)}
    table = {r.sequence: r for r in uav_sequence_table("UAV123")}
    assert set(table) == set(rows)
    for name, row in rows.items():
        entry = table[name]
        assert (entry.start, entry.end) == (int(row["start_frame"]), int(row["end_frame"])), name
        assert row["path"] == f"data_seq/UAV123/{entry.video}"
    got10k_meta = json.loads(resources.files("got10k.datasets").joinpath("uav123.json").read_text())
    for version in ("UAV123", "UAV20L"):
        ours = {r.sequence: (r.video, r.start, r.end) for r in uav_sequence_table(version)}
        theirs = {k: (v["folder_name"], v["start_frame"], v["end_frame"]) for k, v in got10k_meta[version].items()}
        assert ours == theirs


def _official_layout(uav_root: Path, dst: Path, version: str, names: list[str]) -> Path:
    """``anno/<version>/<seq>.txt`` + ``anno/<version>/att/`` (links to the real files), empty
    ``data_seq/UAV123/<video>`` folders and the toolkit files beside them, as the download
    unpacks (got10k's reader wants more than three entries in the root)."""
    (dst / "anno" / version / "att").mkdir(parents=True)
    for extra in ("configSeqs.m", "ReadMe.txt"):
        (dst / extra).write_text("% toolkit file\n")
    for entry in uav_sequence_table(version):
        if entry.sequence in names:
            (dst / "anno" / version / f"{entry.sequence}.txt").symlink_to(uav_root / "anno" / f"{entry.sequence}.txt")
            (dst / "anno" / version / "att" / f"{entry.sequence}.txt").symlink_to(
                uav_root / "anno" / "att" / f"{entry.sequence}.txt")
            (dst / "data_seq" / "UAV123" / entry.video).mkdir(parents=True, exist_ok=True)
    return dst


@pytest.mark.parametrize("version", ["UAV123", "UAV20L"])
def test_official_layout_matches_got10k_reader(uav_root: Path, tmp_path: Path, version: str) -> None:
    from got10k.datasets import UAV123 as Got10kUAV

    names = [r.sequence for r in uav_sequence_table(version)]
    root = _official_layout(uav_root, tmp_path, version, names)
    ours = read_uav(root, split=version)
    theirs = Got10kUAV(str(root), version=version)
    assert sorted(theirs.seq_names) == sorted(s.name for s in ours)
    for name in ("bird1_2", "car16_2", "person19_3", "bird1", "car16"):
        if name not in theirs.seq_names:
            continue
        img_files, anno = theirs[name]
        seq = ours[name]
        np.testing.assert_array_equal(seq.ground_truth, anno)  # NaN rows in the same places
        assert [str(p) for p in seq.frames] == img_files


def test_10fps_ranges_and_layout(tmp_path: Path) -> None:
    table = {r.sequence: r for r in uav_sequence_table("UAV123_10fps")}
    assert len(table) == 123
    assert (table["bird1_2"].start, table["bird1_2"].end) == (259, 493)  # configSeqs.m of UAV123_10fps
    anno = tmp_path / "anno" / "UAV123_10fps"
    anno.mkdir(parents=True)
    for name in ("bird1_2", "uav1_3"):
        rows = "\n".join("10,20,30,40" if i else "NaN,NaN,NaN,NaN" for i in range(table[name].length))
        (anno / f"{name}.txt").write_text(rows + "\n")
    dataset = read_uav(tmp_path, ["bird1_2", "uav1_3"], split="UAV123_10fps")
    assert dataset["uav1_3"].frames[0].parts[-3:] == ("UAV123_10fps", "uav1", "000825.jpg")
    assert int(np.isnan(dataset["bird1_2"].ground_truth).all(axis=1).sum()) == 1


def test_row_count_against_the_frame_range_is_checked(tmp_path: Path) -> None:
    anno = tmp_path / "anno" / "UAV123"
    anno.mkdir(parents=True)
    (anno / "bike2.txt").write_text("1,2,3,4\n")
    with pytest.raises(TrackbenchError, match=r"bike2.txt: 1 rows, but UAV123 sequence 'bike2' covers images 1-553"):
        read_uav(tmp_path, ["bike2"], split="UAV123")


def _write_results(dataset, folder: Path, *, prefix: str = "") -> None:
    """Deterministic results: ground truth shifted by a per-frame offset; absent rows take
    the last visible box (what a tracker reports)."""
    rng = np.random.default_rng(7)
    folder.mkdir(parents=True)
    for seq in dataset:
        boxes = seq.ground_truth.copy()
        for i in range(len(boxes)):
            if np.isnan(boxes[i]).any():
                boxes[i] = boxes[i - 1] if i else [1, 1, 10, 10]
        boxes[:, :2] += rng.normal(0, 6, size=(len(boxes), 2))
        np.savetxt(folder / f"{prefix}{seq.name}.txt", boxes, fmt="%.3f", delimiter=",")


def test_eval_matches_got10k_experiment_uav123(uav_root: Path, tmp_path: Path) -> None:
    from got10k.experiments import ExperimentUAV123

    names = ["bird1_2", "car16_2", "person19_3", "uav1_3", "group3_4", "wakeboard10"]
    root = _official_layout(uav_root, tmp_path / "UAV123", "UAV123", names)
    suite = get_suite("uav123")
    dataset = suite.load(root, names)
    _write_results(dataset, tmp_path / "results" / "UAV123" / "Noisy")
    ours = evaluate(suite, dataset, tmp_path / "results" / "UAV123" / "Noisy", "got10k")

    class Subset(ExperimentUAV123):
        def __init__(self):
            super().__init__(str(root), result_dir=str(tmp_path / "results"), report_dir=str(tmp_path / "reports"))
            keep = [self.dataset.seq_names.index(n) for n in names]
            for attr in ("seq_names", "anno_files", "seq_dirs"):
                setattr(self.dataset, attr, [getattr(self.dataset, attr)[i] for i in keep])

        def plot_curves(self, tracker_names):  # no figures needed
            return None

    theirs = Subset().report(["Noisy"])["Noisy"]["overall"]
    assert ours.metrics["success_auc"] == pytest.approx(theirs["success_score"], abs=1e-9)
    assert ours.metrics["precision"] == pytest.approx(theirs["precision_score"], abs=1e-9)


def test_absent_rows_fail_success_and_pass_precision_in_every_toolkit(tmp_path: Path) -> None:
    """Hand-computed: 4 frames, frame 3 NaN (absent), the result always equals the visible
    ground truth -> success 3/4 at every threshold below 1, precision 4/4 at 20 px
    (UAV toolkit, pysot, pytracking); got10k drops the row: 3/3."""
    anno = tmp_path / "anno" / "UAV123"
    anno.mkdir(parents=True)
    entry = next(r for r in uav_sequence_table("UAV123") if r.sequence == "uav6")
    rows = ["100,100,40,30"] * entry.length
    rows[2] = "NaN,NaN,NaN,NaN"
    (anno / "uav6.txt").write_text("\n".join(rows) + "\n")
    results = tmp_path / "Perfect"
    results.mkdir()
    (results / "uav_uav6.txt").write_text("100,100,40,30\n" * entry.length)  # pytracking's result name
    suite = get_suite("uav123")
    dataset = suite.load(tmp_path, ["uav6"])
    n = entry.length
    for rules in ("official", "pysot", "pytracking"):
        scores = evaluate(suite, dataset, results, rules).metrics
        assert scores["precision"] == pytest.approx(1.0), rules
        assert scores["success_50"] == pytest.approx((n - 1) / n), rules
    assert evaluate(suite, dataset, results, "got10k").metrics["success_50"] == pytest.approx(1.0)


def test_import_pytracking_names_and_export_pysot(uav_root: Path, tmp_path: Path) -> None:
    """pytracking writes ``uav_<seq>.txt`` (tab-separated integers): imported into our layout
    as ``<seq>.txt`` with the same numbers, exported for pysot as ``<seq>.txt`` again."""
    from trackbench.cli import main

    names = ["bird1_2", "car1_1", "car11"]
    source = tmp_path / "DiMP50"
    source.mkdir()
    dataset = read_uav(uav_root, names, split="UAV123")
    for seq in dataset:
        boxes = np.nan_to_num(seq.ground_truth, nan=5.0).round()
        np.savetxt(source / f"uav_{seq.name}.txt", boxes, fmt="%d", delimiter="\t")
    common = ["--suite", "uav123", "--root", str(uav_root), "--sequences", ",".join(names)]
    assert main(["import", str(source), *common, "--out", str(tmp_path / "ours")]) == 0
    ours = tmp_path / "ours" / "uav123" / "DiMP50"
    assert sorted(p.name for p in ours.glob("*.txt")) == sorted(f"{n}.txt" for n in names)
    assert main(["export", str(ours), *common, "--format", "pysot", "--out", str(tmp_path / "pysot")]) == 0
    for name in names:
        np.testing.assert_array_equal(np.loadtxt(tmp_path / "pysot" / f"{name}.txt", delimiter=","),
                                      np.loadtxt(source / f"uav_{name}.txt"))
