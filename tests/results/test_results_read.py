"""Result readers: every layout in the wild, delimiters, name styles, length rules, errors."""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.results.read import (
    read_ope_results,
    read_repeated_results,
    read_times,
    read_vot_results,
)
from trackbench.sequence import Dataset, Sequence

BOXES = np.array([[10.5, 20.25, 30.0, 40.0], [11.0, 21.0, 31.0, 41.0], [12.0, 22.0, 32.0, 42.0]])


def _dataset(*names: str, length: int = 3) -> Dataset:
    return Dataset("toy", [Sequence(n, np.tile([1, 1, 5, 5.0], (length, 1))) for n in names])


def _write(path: Path, rows: np.ndarray, fmt: str = "%.4f", delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(delimiter.join(fmt % v for v in row) + "\n" for row in rows))


def test_pysot_layout_and_name_styles(tmp_path):
    _write(tmp_path / "jogging_1.txt", BOXES)
    _write(tmp_path / "human4-2.txt", BOXES)
    _write(tmp_path / "Skating2.1.txt", BOXES)
    results = read_ope_results(tmp_path, _dataset("Jogging-1", "Human4_2", "Skating2-1"))
    assert set(results) == {"Jogging-1", "Human4_2", "Skating2-1"}
    np.testing.assert_allclose(results["Jogging-1"], BOXES)


def test_tab_integers_equal_comma_floats(tmp_path):
    ints = np.floor(BOXES)
    _write(tmp_path / "tab" / "seq.txt", ints, fmt="%d", delimiter="\t")
    _write(tmp_path / "comma" / "seq.txt", ints, fmt="%.1f", delimiter=",")
    _write(tmp_path / "space" / "seq.txt", ints, fmt="%g", delimiter="  ")
    ds = _dataset("seq")
    tab = read_ope_results(tmp_path / "tab", ds)["seq"]
    np.testing.assert_array_equal(tab, read_ope_results(tmp_path / "comma", ds)["seq"])
    np.testing.assert_array_equal(tab, read_ope_results(tmp_path / "space", ds)["seq"])


def test_pytracking_times_and_got10k_times(tmp_path):
    _write(tmp_path / "pt" / "seq.txt", np.floor(BOXES), fmt="%d", delimiter="\t")
    (tmp_path / "pt" / "seq_time.txt").write_text("0.1\n0.2\n0.3\n")
    _write(tmp_path / "g" / "seq.txt", BOXES)
    _write(tmp_path / "g" / "times" / "seq_time.txt", np.array([[0.1], [0.2], [0.3], [0.4]]))
    ds = _dataset("seq")
    np.testing.assert_allclose(read_times(tmp_path / "pt", ds)["seq"], [0.1, 0.2, 0.3])
    np.testing.assert_allclose(read_times(tmp_path / "g", ds)["seq"], [0.1, 0.2, 0.3])  # truncated to GT


def test_longer_results_truncated_shorter_kept_strict_refuses_both(tmp_path):
    found = []
    _write(tmp_path / "seq.txt", np.vstack([BOXES, BOXES]))
    assert read_ope_results(tmp_path, _dataset("seq"), mismatches=found)["seq"].shape == (3, 4)
    _write(tmp_path / "seq.txt", BOXES[:2])
    np.testing.assert_array_equal(read_ope_results(tmp_path, _dataset("seq"), mismatches=found)["seq"], BOXES[:2])
    assert [(m.sequence, m.found, m.expected) for m in found] == [("seq", 6, 3), ("seq", 2, 3)]
    assert found[1].where == str(tmp_path / "seq.txt")
    with pytest.raises(TrackbenchError, match=r"seq\.txt: 2 result rows but the ground truth of 'seq' has 3 frames"):
        read_ope_results(tmp_path, _dataset("seq"), strict=True)
    _write(tmp_path / "seq.txt", np.vstack([BOXES, BOXES]))
    with pytest.raises(TrackbenchError, match=r"seq\.txt: 6 result rows"):
        read_ope_results(tmp_path, _dataset("seq"), strict=True)
    with pytest.raises(TrackbenchError, match=r"seq\.txt: 6 result rows"):
        read_repeated_results(tmp_path, _dataset("seq"), strict=True)
    _write(tmp_path / "seq.txt", BOXES[:2])
    with pytest.raises(TrackbenchError, match=r"seq\.txt: 2 result rows"):  # got10k asserts equal lengths too
        read_repeated_results(tmp_path, _dataset("seq"))


def test_malformed_and_missing_files_name_file_and_line(tmp_path):
    (tmp_path / "seq.txt").write_text("1,2,3,4\n1,2,x,4\n1,2,3,4\n")
    with pytest.raises(TrackbenchError, match=r"seq\.txt:2: not a number: 'x'"):
        read_ope_results(tmp_path, _dataset("seq"))
    (tmp_path / "seq.txt").write_text("1,2,3,4\n1,2,3\n1,2,3,4\n")
    with pytest.raises(TrackbenchError, match=r"seq\.txt:2: expected 4 numbers"):
        read_ope_results(tmp_path, _dataset("seq"))
    with pytest.raises(TrackbenchError, match="no results for sequence 'other'"):
        read_ope_results(tmp_path, _dataset("other"))
    with pytest.raises(TrackbenchError, match="result folder not found"):
        read_ope_results(tmp_path / "nope", _dataset("seq"))


def test_nan_results_are_read_as_nan(tmp_path):
    (tmp_path / "seq.txt").write_text("1,2,3,4\nnan,nan,nan,nan\n1,2,3,4\n")
    boxes = read_ope_results(tmp_path, _dataset("seq"))["seq"]
    assert np.isnan(boxes[1]).all()


def test_got10k_repeated_runs_in_run_order(tmp_path):
    name = "GOT-10k_Val_000001"
    for run in (3, 1, 2):
        _write(tmp_path / name / f"{name}_{run:03d}.txt", BOXES + run)
    (tmp_path / name / f"{name}_time.txt").write_text("0.1,0.2,0.3\n0.1,0.2,0.3\n0.1,0.2,0.3\n")
    ds = _dataset(name)
    runs = read_repeated_results(tmp_path, ds)[name]
    assert [r[0, 0] for r in runs] == [BOXES[0, 0] + 1, BOXES[0, 0] + 2, BOXES[0, 0] + 3]
    assert read_times(tmp_path, ds)[name].shape == (3, 3)
    # the one-pass reader falls back to run 1
    np.testing.assert_allclose(read_ope_results(tmp_path, ds)[name], BOXES + 1)


def test_vot_baseline_layout(tmp_path):
    folder = tmp_path / "baseline" / "bag"
    folder.mkdir(parents=True)
    (folder / "bag_001.txt").write_text("1\n10,10,20,20\n2\n0\n0\n")
    (folder / "bag_002.txt").write_text("1\n10,10,20,20\n11,11,20,20\n12,12,20,20\n13,13,20,20\n14,14,20,20\n")
    runs = read_vot_results(tmp_path, _dataset("bag", length=5))["bag"]
    assert len(runs) == 2 and runs[0].failures.tolist() == [2] and len(runs[1]) == 5
    with pytest.raises(TrackbenchError, match="bag_001.txt: 5 result lines"):
        read_vot_results(tmp_path, _dataset("bag", length=6))


def test_lasot_toolkit_archive(tmp_path):
    folder = tmp_path / "MyTracker_tracking_result"
    _write(folder / "airplane-1.txt", BOXES, fmt="%d")
    archive = tmp_path / "MyTracker.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="MyTracker_tracking_result")
    results = read_ope_results(archive, _dataset("airplane-1"))
    np.testing.assert_array_equal(results["airplane-1"], np.floor(BOXES))
    assert read_ope_results(folder, _dataset("airplane-1"))["airplane-1"].shape == (3, 4)


def test_result_from_image_1_is_aligned_to_a_later_start_frame(tmp_path):
    # Tiger1-like: evaluated from image 6 (349 of 354 rows); a result covering the whole
    # video (354 rows) loses its first 5 rows, a 349-row result is kept as is.
    full = np.arange(354 * 4, dtype=np.float64).reshape(354, 4)
    seq = Sequence("Tiger1", np.tile([1, 1, 5, 5.0], (349, 1)), start_frame=6)
    _write(tmp_path / "whole" / "Tiger1.txt", full, fmt="%d")
    _write(tmp_path / "whole" / "times" / "Tiger1_time.txt", np.arange(354.0).reshape(-1, 1), fmt="%d")
    _write(tmp_path / "evaluated" / "Tiger1.txt", full[5:], fmt="%d")
    ds = Dataset("toy", [seq])
    np.testing.assert_array_equal(read_ope_results(tmp_path / "whole", ds)["Tiger1"], full[5:])
    np.testing.assert_array_equal(read_times(tmp_path / "whole", ds)["Tiger1"], np.arange(5.0, 354.0))
    np.testing.assert_array_equal(read_ope_results(tmp_path / "evaluated", ds)["Tiger1"], full[5:])
    # Any other longer length is simply truncated (extra rows at the end).
    _write(tmp_path / "longer" / "Tiger1.txt", full[:352], fmt="%d")
    np.testing.assert_array_equal(read_ope_results(tmp_path / "longer", ds)["Tiger1"], full[:349])


def test_real_otb_results_line_up_for_tiger1_and_david(shared_data):
    from trackbench.data.otb import read_otb

    dataset = read_otb(shared_data / "otb100", ["Tiger1", "David"], sequence_list="tb100")
    tiger, david = dataset["Tiger1"], dataset["David"]
    assert (tiger.start_frame, len(tiger), david.start_frame, len(david)) == (6, 349, 300, 471)
    results = read_ope_results(shared_data / "otb100" / "results" / "SiamBAN", dataset)
    # The published files already start at the evaluated frame: rows kept, frame 1 = init box.
    raw = np.loadtxt(shared_data / "otb100" / "results" / "SiamBAN" / "Tiger1.txt", delimiter=",")
    assert len(raw) == 349
    np.testing.assert_array_equal(results["Tiger1"], raw)
    np.testing.assert_allclose(results["David"][0], david.ground_truth[0], atol=1.0)


def test_names_normalising_alike_prefer_the_exact_name_else_error(tmp_path):
    _write(tmp_path / "Jogging-1.txt", BOXES)
    _write(tmp_path / "jogging_1.txt", BOXES + 100)
    np.testing.assert_allclose(read_ope_results(tmp_path, _dataset("Jogging-1"))["Jogging-1"], BOXES)
    np.testing.assert_allclose(read_ope_results(tmp_path, _dataset("jogging_1"))["jogging_1"], BOXES + 100)
    with pytest.raises(TrackbenchError, match=r"Jogging-1\.txt and .*jogging_1\.txt both match sequence 'JOGGING1'"):
        read_ope_results(tmp_path, _dataset("JOGGING1"))
    with pytest.raises(TrackbenchError, match="both match"):
        read_repeated_results(tmp_path, _dataset("jogging1"))
