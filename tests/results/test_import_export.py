"""Import of published results, export to other layouts, round trips, OTB .mat, GOT-10k pack."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from trackbench.cli import main
from trackbench.errors import TrackbenchError, TrackbenchWarning
from trackbench.results.convert import EXPORT_FORMATS, export_results, import_results, detect_corners, pack_got10k
from trackbench.results.read import read_ope_results, read_vot_results
from trackbench.results.layout import write_got10k_result
from trackbench.trajectory import Trajectory
from trackbench.sequence import Dataset, Sequence
from trackbench.suites import get_suite
from trackbench.textio import read_table

OTB_SUBSET = ["Basketball", "Jogging-1", "Skating2-2", "Human4-2", "Tiger1"]


@pytest.fixture(scope="module")
def otb100(shared_data):
    return get_suite("otb2015").load(shared_data / "otb100")


def _tiny_dataset(name: str = "tiny") -> Dataset:
    gt_a = np.array([[10, 20, 30, 40], [11, 21, 30, 40], [12, 22, 31, 41], [13, 23, 32, 42]], dtype=float)
    gt_b = np.array([[5, 6, 7, 8], [6, 7, 7, 8], [7, 8, 7, 8], [8, 9, 7, 8]], dtype=float)
    return Dataset(name, [Sequence("Jogging-1", gt_a), Sequence("Car4", gt_b)])


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- the published OTB results ----------------------------------------------------------------
def test_import_published_otb_results_then_eval_gives_the_same_numbers(tmp_path, shared_data, capsys):
    """`trackbench import` then `trackbench eval` == `trackbench eval` of the original folders,
    exactly: imported boxes keep every digit (the published SiamBAN/SiamRPN++ files have up
    to 16), so no frame's IoU can move across a threshold by rounding."""
    root = str(shared_data / "otb100")
    sources = [str(p) for p in sorted((shared_data / "otb100" / "results").iterdir())]
    assert main(["import", *sources, "--suite", "otb2015", "--root", root, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    imported = [str(tmp_path / "otb2015" / Path(s).name) for s in sources]
    assert main(["eval", *sources, "--suite", "otb100", "--root", root, "--json"]) == 0
    original = {row["tracker"]: row for row in json.loads(capsys.readouterr().out)}
    assert main(["eval", *imported, "--suite", "otb100", "--root", root, "--json"]) == 0
    ours = {row["tracker"]: row for row in json.loads(capsys.readouterr().out)}
    assert sorted(ours) == sorted(original) == ["DaSiamRPN", "SiamBAN", "SiamRPN++"]
    for name, row in original.items():
        assert ours[name]["sequences"] == row["sequences"] == 100
        for key, value in row["metrics"].items():
            if value is None:  # fps: the published files carry no times
                assert ours[name]["metrics"][key] is None
            else:
                assert ours[name]["metrics"][key] == pytest.approx(value, abs=1e-12, rel=0), (name, key)
    # and these are the README's official-rule numbers
    assert original["SiamBAN"]["metrics"]["success_auc"] == pytest.approx(0.6958, abs=6e-5)
    assert ours["SiamBAN"]["metrics"]["precision"] == pytest.approx(0.9103, abs=6e-5)


def test_imported_boxes_equal_the_originals_exactly(tmp_path, shared_data, otb100):
    dataset = otb100.subset(OTB_SUBSET)
    source = shared_data / "otb100" / "results" / "SiamBAN"
    summary = import_results(source, get_suite("otb2015"), dataset, tmp_path)
    assert summary.tracker == "SiamBAN" and summary.corner_sequences == []
    original = read_ope_results(source, dataset)
    for name in OTB_SUBSET:
        ours = read_table(tmp_path / "otb2015" / "SiamBAN" / f"{name}.txt", 4)
        np.testing.assert_array_equal(ours, original[name])
    second = (tmp_path / "otb2015" / "SiamBAN" / "Tiger1.txt").read_text().splitlines()[1]
    assert second == "286.5706919186197,106.64165523530767,69.44386510990421,84.03367513653188"


# -- layouts in the wild ---------------------------------------------------------------------
def test_import_pysot_pytracking_got10k_lasot_layouts_and_name_styles(tmp_path):
    dataset = _tiny_dataset()
    suite = get_suite("otb2015")
    a, b = dataset["Jogging-1"].ground_truth, dataset["Car4"].ground_truth
    layouts = {
        # pysot: comma floats
        "pysot": {"Jogging-1.txt": "\n".join(",".join(f"{v:.2f}" for v in r) for r in a),
                  "Car4.txt": "\n".join(",".join(f"{v:.1f}" for v in r) for r in b)},
        # pytracking: tab-separated integers, lower-case names, times files
        "pytracking": {"jogging_1.txt": "\n".join("\t".join(str(int(v)) for v in r) for r in a),
                       "car4.txt": "\n".join("\t".join(str(int(v)) for v in r) for r in b),
                       "jogging_1_time.txt": "0.5\n0.25\n0.25\n0.25\n",
                       "car4_time.txt": "0.1\n0.1\n0.1\n0.1\n"},
        # got10k toolkit (OTB experiment): space separated, times/ folder, dot-separated name
        "got10k": {"Jogging.1.txt": "\n".join(" ".join(f"{v:.3f}" for v in r) for r in a),
                   "Car4.txt": "\n".join(" ".join(f"{v:.3f}" for v in r) for r in b),
                   "times/Jogging.1_time.txt": "1\n2\n3\n4\n"},
        # LaSOT toolkit: <tracker>_tracking_result/<seq>.txt, longer than the GT (truncated)
        "lasot/Mine_tracking_result": {"jogging-1.txt": "\n".join(",".join(str(v) for v in r) for r in np.vstack([a, a[:2]])),
                                       "car4.txt": "\n".join(",".join(str(v) for v in r) for r in b)},
    }
    for layout, files in layouts.items():
        folder = tmp_path / "in" / layout
        for rel, text in files.items():
            _write(folder / rel, text + ("\n" if not text.endswith("\n") else ""))
        summary = import_results(folder, suite, dataset, tmp_path / "out", tracker_name=layout.split("/")[0])
        out = tmp_path / "out" / "otb2015" / layout.split("/")[0]
        assert summary.destination == out
        np.testing.assert_array_equal(read_table(out / "Jogging-1.txt", 4), a)
        np.testing.assert_array_equal(read_table(out / "Car4.txt", 4), b)
    times = read_table(tmp_path / "out" / "otb2015" / "pytracking" / "times" / "Jogging-1_time.txt", 1)[:, 0]
    np.testing.assert_array_equal(times, [0.5, 0.25, 0.25, 0.25])
    times = read_table(tmp_path / "out" / "otb2015" / "got10k" / "times" / "Jogging-1_time.txt", 1)[:, 0]
    np.testing.assert_array_equal(times, [1, 2, 3, 4])
    pysot_times = read_table(tmp_path / "out" / "otb2015" / "pysot" / "times" / "Car4_time.txt", 1, allow_nan=True)
    assert np.all(np.isnan(pysot_times))  # pysot keeps no times


def test_corner_format_first_lines_are_detected_where_unambiguous(tmp_path):
    dataset = _tiny_dataset()
    a, b = dataset["Jogging-1"].ground_truth, dataset["Car4"].ground_truth
    corners = np.hstack([a[:, :2], a[:, :2] + a[:, 2:]])  # x1,y1,x2,y2 with x2 = x + w
    inclusive = np.hstack([b[:, :2], b[:, :2] + b[:, 2:] - 1])  # x2 = x + w - 1
    _write(tmp_path / "in" / "Jogging-1.txt", "".join(",".join(map(str, r)) + "\n" for r in corners))
    _write(tmp_path / "in" / "Car4.txt", "".join(",".join(map(str, r)) + "\n" for r in inclusive))
    summary = import_results(tmp_path / "in", get_suite("otb2015"), dataset, tmp_path / "out", "T")
    assert sorted(summary.corner_sequences) == ["Car4", "Jogging-1"]
    np.testing.assert_array_equal(read_table(tmp_path / "out" / "otb2015" / "T" / "Jogging-1.txt", 4), a)
    np.testing.assert_array_equal(read_table(tmp_path / "out" / "otb2015" / "T" / "Car4.txt", 4), b)
    # Hand-made cases: plain boxes, and an ambiguous box at the origin, stay as they are.
    assert detect_corners(np.array([10, 20, 30, 40.]), np.array([10, 20, 30, 40.])) is None
    assert detect_corners(np.array([10.5, 20, 30, 40.]), np.array([10, 20, 30, 40.])) is None
    assert detect_corners(np.array([10, 20, 40, 60.]), np.array([10, 20, 30, 40.])) == 0
    assert detect_corners(np.array([10, 20, 39, 59.]), np.array([10, 20, 30, 40.])) == 1
    assert detect_corners(np.array([0, 0, 10, 10.]), np.array([0, 0, 10, 10.])) is None
    assert detect_corners(np.array([50, 50, 90, 90.]), np.array([10, 20, 30, 40.])) is None


def test_import_errors_name_the_file(tmp_path):
    dataset = _tiny_dataset()
    suite = get_suite("otb2015")
    _write(tmp_path / "short" / "Jogging-1.txt", "1,2,3,4\n")
    _write(tmp_path / "short" / "Car4.txt", "1,2,3,4\n" * 4)
    with pytest.raises(TrackbenchError, match=r"Jogging-1\.txt: 1 result rows but the ground truth.*--strict"):
        import_results(tmp_path / "short", suite, dataset, tmp_path / "out", strict=True)
    with pytest.warns(TrackbenchWarning, match=r"Jogging-1\.txt: 1 result rows but the ground truth of 'Jogging-1' "
                                               r"has 4 frames: kept as is"):
        import_results(tmp_path / "short", suite, dataset, tmp_path / "out")
    assert read_table(tmp_path / "out" / "otb2015" / "short" / "Jogging-1.txt", 4).tolist() == [[1, 2, 3, 4]]
    _write(tmp_path / "missing" / "Car4.txt", "1,2,3,4\n" * 4)
    with pytest.raises(TrackbenchError, match="no results for sequence 'Jogging-1'"):
        import_results(tmp_path / "missing", suite, dataset, tmp_path / "out")
    with pytest.raises(TrackbenchError, match="not found"):
        import_results(tmp_path / "nowhere", suite, dataset, tmp_path / "out")


# -- OTB MATLAB .mat -------------------------------------------------------------------------
def _otb_mat(path: Path, res: np.ndarray, kind: str = "rect", start: int = 1, fps: float = 25.0) -> None:
    """The OTB MATLAB toolkit's structure, written with scipy only: results{1}.res/.type/..."""
    cell = np.empty((1, 1), dtype=object)
    cell[0, 0] = {"res": res, "type": kind, "fps": fps, "len": len(res), "annoBegin": 1, "startFrame": start}
    scipy.io.savemat(str(path), {"results": cell})


def test_otb_mat_results_import(tmp_path):
    dataset = _tiny_dataset()
    a, b = dataset["Jogging-1"].ground_truth, dataset["Car4"].ground_truth
    folder = tmp_path / "mat"
    folder.mkdir()
    _otb_mat(folder / "jogging-1_My_KCF.mat", a + 0.25, fps=50.0)
    _otb_mat(folder / "car4_My_KCF.mat", np.vstack([b, b[:1]]), fps=20.0)  # one extra row: truncated
    summary = import_results(folder, get_suite("otb2015"), dataset, tmp_path / "out")
    assert summary.tracker == "My_KCF"
    out = tmp_path / "out" / "otb2015" / "My_KCF"
    np.testing.assert_array_equal(read_table(out / "Jogging-1.txt", 4), a + 0.25)
    np.testing.assert_array_equal(read_table(out / "Car4.txt", 4), b)
    np.testing.assert_allclose(read_table(out / "times" / "Jogging-1_time.txt", 1)[:, 0], 1 / 50.0)

    import_results(folder, get_suite("otb2015"), dataset, tmp_path / "out", tracker_name="Renamed")
    np.testing.assert_array_equal(read_table(tmp_path / "out" / "otb2015" / "Renamed" / "Car4.txt", 4), b)

    _otb_mat(folder / "car4_Aff.mat", b, kind="ivtAff")
    _otb_mat(folder / "jogging-1_Aff.mat", a)
    with pytest.raises(TrackbenchError, match=r"car4_Aff\.mat: result type 'ivtAff' is not supported"):
        import_results(folder, get_suite("otb2015"), dataset, tmp_path / "out", tracker_name="Aff")
    with pytest.raises(TrackbenchError, match="several trackers"):
        import_results(folder, get_suite("otb2015"), dataset, tmp_path / "out")


def test_otb_mat_import_on_the_command_line(tmp_path, shared_data, otb100):
    folder = tmp_path / "mat"
    folder.mkdir()
    for name in ("Basketball", "Skating2-2"):
        _otb_mat(folder / f"{name.lower()}_Struck.mat", otb100[name].ground_truth + 1.5)
    assert main(["import", str(folder), "--suite", "otb100", "--root", str(shared_data / "otb100"),
                 "--sequences", "Basketball,Skating2-2", "--out", str(tmp_path / "out")]) == 0
    for name in ("Basketball", "Skating2-2"):
        boxes = read_table(tmp_path / "out" / "otb2015" / "Struck" / f"{name}.txt", 4)
        np.testing.assert_array_equal(boxes, otb100[name].ground_truth + 1.5)


def test_otb_mat_rows_are_never_shifted_by_start_frame(tmp_path):
    """genPerfMat.m compares row 1 of res with the first evaluated annotation row, whatever
    startFrame says: a 5-frame sequence starting at image 3 takes the first 5 of 7 rows."""
    gt = np.arange(20, dtype=float).reshape(5, 4) + 1
    dataset = Dataset("d", [Sequence("Tiger1", gt, start_frame=3)])
    res = np.vstack([gt, np.zeros((2, 4)) + 99])
    _otb_mat(tmp_path / "Tiger1_T.mat", res, start=1)
    with pytest.warns(TrackbenchWarning, match="7 result rows but the ground truth of 'Tiger1' has 5 frames"):
        import_results(tmp_path, get_suite("otb2015"), dataset, tmp_path / "out")
    np.testing.assert_array_equal(read_table(tmp_path / "out" / "otb2015" / "T" / "Tiger1.txt", 4), gt)


# -- round trips ------------------------------------------------------------------------------
def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.txt"))}


def _values(files: dict[str, bytes]) -> dict[str, list[list[float]]]:
    """The numbers of each file (so ``10.5000`` and ``10.5`` compare equal, exactly)."""
    return {name: [[float(v) for v in line.split(",")] for line in text.decode().splitlines()]
            for name, text in files.items()}


@pytest.mark.parametrize("fmt", ["pysot", "pytracking", "got10k", "lasot", "otb-mat"])
def test_ope_export_import_round_trip_is_exact(tmp_path, fmt):
    dataset = _tiny_dataset()
    suite = get_suite("otb2015")
    rng = np.random.default_rng(1)
    source = tmp_path / "src"
    for seq in dataset:
        boxes = np.round(seq.ground_truth + rng.normal(0, 2, seq.ground_truth.shape), 4)
        times = np.round(rng.uniform(0.001, 0.1, len(seq)), 8)
        _write(source / f"{seq.name}.txt", "".join(",".join(f"{v:.4f}" for v in r) + "\n" for r in boxes))
        _write(source / "times" / f"{seq.name}_time.txt", "".join(f"{t:.8f}\n" for t in times))
    import_results(source, suite, dataset, tmp_path / "ours", tracker_name="Mine")
    ours = tmp_path / "ours" / "otb2015" / "Mine"
    export_results(ours, suite, dataset, tmp_path / "exported" / fmt, fmt)
    if fmt == "otb-mat":
        assert sorted(p.name for p in (tmp_path / "exported" / fmt).iterdir()) == ["Car4_Mine.mat", "Jogging-1_Mine.mat"]
    import_results(tmp_path / "exported" / fmt, suite, dataset, tmp_path / "back", tracker_name="Mine")
    back = tmp_path / "back" / "otb2015" / "Mine"
    before, after = _files(ours), _files(back)
    for seq in dataset:
        assert after[f"{seq.name}.txt"] == before[f"{seq.name}.txt"]
        if fmt in ("pytracking", "got10k"):  # the layouts that carry times
            assert after[f"times/{seq.name}_time.txt"] == before[f"times/{seq.name}_time.txt"]
    if fmt == "pytracking":
        assert "\t" in (tmp_path / "exported" / fmt / "Car4.txt").read_text()


def test_got10k_export_import_round_trip_and_pack(tmp_path):
    dataset = Dataset("got", [Sequence("GOT-10k_Test_000001", np.array([[1, 2, 3, 4]] + [[np.nan] * 4] * 3)),
                              Sequence("GOT-10k_Test_000002", np.array([[5, 6, 7, 8]] + [[np.nan] * 4] * 4))])
    suite = get_suite("got10k-test")
    rng = np.random.default_rng(2)
    ours = tmp_path / "ours" / "got10k-test" / "Mine"
    for seq in dataset:
        for run in (1, 2, 3):
            boxes = np.round(rng.uniform(1, 50, (len(seq), 4)), 4)
            times = np.round(rng.uniform(0.01, 0.1, len(seq)), 8)
            write_got10k_result(ours, seq.name, run, 3, Trajectory(boxes, times, np.full(len(seq), np.nan)))
    for fmt in ("got10k", "pysot"):
        export_results(ours, suite, dataset, tmp_path / "exported" / fmt, fmt)
        import_results(tmp_path / "exported" / fmt, suite, dataset, tmp_path / "back" / fmt, tracker_name="Mine")
        back = _files(tmp_path / "back" / fmt / "got10k-test" / "Mine")
        assert _values(back) == _values(_files(ours))
        assert {n: t for n, t in back.items() if n.endswith("_time.txt")} == \
            {n: t for n, t in _files(ours).items() if n.endswith("_time.txt")}

    zip_path = pack_got10k(ours, dataset, tmp_path / "Mine.zip")
    with zipfile.ZipFile(zip_path) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{s}/{s}_{suffix}.txt" for s in ("GOT-10k_Test_000001", "GOT-10k_Test_000002")
                               for suffix in ("001", "002", "003", "time"))
        packed = {name: archive.read(name) for name in names}
        assert _values(packed) == _values({name: (ours / name).read_bytes() for name in names})


def test_pack_keeps_a_deterministic_run_and_rejects_partial_runs(tmp_path):
    dataset = Dataset("got", [Sequence("GOT-10k_Test_000009", np.array([[1, 2, 3, 4]] + [[np.nan] * 4] * 2))])
    ours = tmp_path / "Det"
    boxes = np.array([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6.5]])
    write_got10k_result(ours, "GOT-10k_Test_000009", 1, 1, Trajectory(boxes, np.array([0.1, 0.2, 0.3]), np.full(3, np.nan)))
    with zipfile.ZipFile(pack_got10k(ours, dataset, tmp_path / "Det.zip")) as archive:
        # one run, as got10k's ExperimentGOT10k records a deterministic tracker
        assert sorted(archive.namelist()) == ["GOT-10k_Test_000009/GOT-10k_Test_000009_001.txt",
                                              "GOT-10k_Test_000009/GOT-10k_Test_000009_time.txt"]
        run = archive.read("GOT-10k_Test_000009/GOT-10k_Test_000009_001.txt").decode()
        assert np.allclose(np.loadtxt(run.splitlines(), delimiter=","), boxes)
    write_got10k_result(ours, "GOT-10k_Test_000009", 2, 3, Trajectory(boxes, np.zeros(3), np.full(3, np.nan)))
    with pytest.raises(TrackbenchError, match="has 2 runs; GOT-10k needs 3"):
        pack_got10k(ours, dataset, tmp_path / "Det.zip")


def test_vot_import_export_round_trip(tmp_path, shared_data):
    suite = get_suite("vot2018")
    dataset = suite.load(shared_data / "vot2018" / "VOT2018.json", ["ants1", "bag"])
    source = shared_data / "vot2018" / "results" / "LightTrack"
    import_results(source, suite, dataset, tmp_path / "ours")
    ours = tmp_path / "ours" / "vot2018" / "LightTrack"
    original = read_vot_results(source, dataset)
    imported = read_vot_results(ours, dataset)
    for name in ("ants1", "bag"):
        for a, b in zip(original[name], imported[name]):
            np.testing.assert_array_equal(a.codes, b.codes)
            np.testing.assert_array_equal(a.regions, b.regions)
    export_results(ours, suite, dataset, tmp_path / "exported", "vot")
    import_results(tmp_path / "exported", suite, dataset, tmp_path / "back", tracker_name="LightTrack")
    assert _files(tmp_path / "back" / "vot2018" / "LightTrack") == _files(ours)


def test_export_rejects_unknown_or_mismatched_formats(tmp_path):
    dataset = _tiny_dataset()
    with pytest.raises(TrackbenchError, match="unknown export format"):
        export_results(tmp_path, get_suite("otb2015"), dataset, tmp_path / "x", "matlab")
    with pytest.raises(TrackbenchError, match="cannot be exported in the VOT layout"):
        export_results(tmp_path, get_suite("otb2015"), dataset, tmp_path / "x", "vot")
    assert set(EXPORT_FORMATS) == {"pysot", "pytracking", "got10k", "lasot", "vot", "otb-mat"}


def test_import_lasot_archive_of_integer_results(tmp_path, shared_data):
    import tarfile

    archive = shared_data / "lasot" / "results" / "DiMP50.tar.xz"
    names = ["airplane-1", "basketball-1"]
    assert main(["import", str(archive), "--suite", "lasot", "--root", str(shared_data / "lasot"),
                 "--sequences", ",".join(names), "--out", str(tmp_path)]) == 0
    dataset = get_suite("lasot").load(shared_data / "lasot", names)
    with tarfile.open(archive) as tar:
        members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
        for name in names:
            text = tar.extractfile(members[f"{name}.txt"]).read().decode()
            expected = np.array([[float(v) for v in line.replace("\t", ",").split(",")]
                                 for line in text.splitlines() if line.strip()])[: len(dataset[name])]
            ours = read_table(tmp_path / "lasot" / "DiMP50" / f"{name}.txt", 4)
            np.testing.assert_array_equal(ours, expected)


def test_run_then_pack_got10k_on_the_command_line(tmp_path):
    import cv2

    root = tmp_path / "got10k"
    names = ["GOT-10k_Test_000001", "GOT-10k_Test_000002"]
    _write(root / "test" / "list.txt", "\n".join(names) + "\n")
    for number, name in enumerate(names):
        folder = root / "test" / name
        _write(folder / "groundtruth.txt", f"{2 + number},3,10,12\n")
        for frame in range(1, 5 + number):
            cv2.imwrite(str(folder / f"{frame:08d}.jpg"), np.full((24, 32, 3), 40 * frame, dtype=np.uint8))
    out = tmp_path / "results"
    assert main(["run", "identity", "--suite", "got10k-test", "--root", str(root), "--out", str(out), "--no-progress"]) == 0
    zip_path = tmp_path / "submission.zip"
    assert main(["pack", "got10k", str(out / "got10k-test" / "identity"), "--root", str(root),
                 "--output", str(zip_path)]) == 0
    with zipfile.ZipFile(zip_path) as archive:
        assert len(archive.namelist()) == 4
        for number, name in enumerate(names):
            for run in ("001",):  # identity is deterministic: one run, as got10k records it
                boxes = np.loadtxt(archive.read(f"{name}/{name}_{run}.txt").decode().splitlines(), delimiter=",")
                np.testing.assert_array_equal(boxes, [[2 + number, 3, 10, 12]] * (4 + number))
            times = np.loadtxt(archive.read(f"{name}/{name}_time.txt").decode().splitlines(), delimiter=",")
            assert times.shape == (4 + number,) and np.all(times >= 0)


def test_published_results_round_trip_through_all_ope_formats(tmp_path, shared_data, otb100):
    names = ["BlurCar1", "Tiger1", "Jogging-2", "Skating2-1"]  # late start frames, multi-target names
    dataset = otb100.subset(names)
    assert dataset["BlurCar1"].start_frame > 1
    suite = get_suite("otb2015")
    import_results(shared_data / "otb100" / "results" / "SiamRPN++", suite, dataset, tmp_path / "ours")
    ours = tmp_path / "ours" / "otb2015" / "SiamRPN++"
    for fmt in ("pysot", "pytracking", "got10k", "lasot", "otb-mat"):
        export_results(ours, suite, dataset, tmp_path / fmt, fmt)
        import_results(tmp_path / fmt, suite, dataset, tmp_path / "back" / fmt, tracker_name="SiamRPN++")
        back = _files(tmp_path / "back" / fmt / "otb2015" / "SiamRPN++")
        assert back == _files(ours), fmt
