"""Core contracts: text tables, atomic writes, name matching, the registry, boxes."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.geometry import center_error, iou, polygon_to_bbox, polygon_to_box_area_preserving
from trackbench.registry import available_trackers, create_tracker
from trackbench.sequence import Dataset, Sequence, normalize_name
from trackbench.textio import atomic_write_text, read_flags, read_table
from trackbench.tracker import split_output


@pytest.mark.parametrize("sep", [",", "\t", " ", ", "])
def test_read_table_any_delimiter(tmp_path, sep):
    path = tmp_path / "gt.txt"
    path.write_text(f"1{sep}2{sep}3{sep}4\n5{sep}6{sep}7{sep}8\n\n")
    assert read_table(path, 4).tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]


@pytest.mark.parametrize(
    "text, fragment, line",
    [
        ("1,2,3,4\n5,6,7\n", "expected 4 numbers, found 3", 2),
        ("1,2,3,4\n\n5,6,7,8\n", "blank line", 2),
        ("1,2,3,4\nNaN,1,2,3\n", "NaN", 2),
        ("1,2,3,4\n1,2,x,4\n", "not a number: 'x'", 2),
        ("", "empty", None),
    ],
)
def test_read_table_errors_name_file_and_line(tmp_path, text, fragment, line):
    path = tmp_path / "groundtruth.txt"
    path.write_text(text)
    with pytest.raises(TrackbenchError) as info:
        read_table(path, 4)
    message = str(info.value)
    assert fragment in message and "\n" not in message
    assert message.startswith(f"{path}:{line}:" if line else f"{path}:")


def test_read_flags_pads_short_files(tmp_path):
    path = tmp_path / "occlusion.tag"
    path.write_text("0\n1\n1\n")
    assert read_flags(path, 5).tolist() == [0, 1, 1, 0, 0]
    path.write_text("0,1,0,1\n")
    assert read_flags(path).tolist() == [0, 1, 0, 1]


def test_atomic_write_leaves_no_temporary(tmp_path):
    target = tmp_path / "a" / "res.txt"
    atomic_write_text(target, "1,2,3,4\n")
    assert target.read_text() == "1,2,3,4\n"
    assert [p.name for p in target.parent.iterdir()] == ["res.txt"]


def test_atomic_text_is_utf8_bytes_and_exact_rows_read_back_identically(tmp_path):
    from trackbench.textio import format_exact, format_rows_exact, is_float

    target = tmp_path / "note.txt"
    atomic_write_text(target, "Zürich\r\nx\n")
    assert target.read_bytes() == "Zürich\r\nx\n".encode("utf-8")
    rows = np.array([[282.5706919186197, 0.1 + 0.2, 1e-7, 12.0], [np.nan, -0.0, 1e300, 2 / 3]])
    atomic_write_text(target, format_rows_exact(rows))
    back = read_table(target, 4, allow_nan=True)
    assert np.array_equal(back, rows, equal_nan=True) and np.signbit(back[1, 1])
    assert format_exact(12.0) == "12.0" and format_exact(0.1 + 0.2) == "0.30000000000000004"
    assert is_float(" 1e-3 ") and is_float("nan") and not is_float("1,5")


def test_normalize_name_matches_toolkit_styles():
    assert len({normalize_name(n) for n in ["Jogging-1", "Jogging.1", "jogging_1", "JOGGING1"]}) == 1
    assert normalize_name("Human4-2") != normalize_name("Human4")


def test_dataset_lookup_and_duplicates():
    seq = Sequence("Skating2-1", np.ones((3, 4)))
    ds = Dataset("x", [seq])
    assert ds["skating2.1"] is seq and ds.get("skating2-2") is None
    with pytest.raises(TrackbenchError, match="no sequence"):
        ds["nope"]
    with pytest.raises(TrackbenchError, match="same name"):
        Dataset("x", [seq, Sequence("skating2_1", np.ones((3, 4)))])


def test_geometry_worked_examples():
    # ../shared/specs/metrics.md section 8.
    assert iou(np.array([10, 10, 20, 20]), np.array([15, 15, 20, 20])) == pytest.approx(225 / 575)
    assert center_error(np.array([0, 0, 10, 10]), np.array([3, 4, 10, 10])) == pytest.approx(5.0)
    square = np.array([0, 0, 10, 0, 10, 10, 0, 10], dtype=float)
    assert polygon_to_bbox(square).tolist() == [0, 0, 10, 10]
    # An axis-aligned square keeps its area: s = 1, w = 10 + 1 (pysot's +1), centre 5.
    assert polygon_to_box_area_preserving(square).tolist() == [0, 0, 11, 11]
    diamond = np.array([5, 0, 10, 5, 5, 10, 0, 5], dtype=float)
    x, y, w, h = polygon_to_box_area_preserving(diamond)
    assert w == pytest.approx(np.sqrt(50 / 100) * 10 + 1) and x + (w - 1) / 2 == pytest.approx(5)


def test_split_output_forms():
    assert split_output([1, 2, 3, 4])[1] is None
    box, score = split_output((np.array([1, 2, 3, 4]), 0.5))
    assert box.tolist() == [1, 2, 3, 4] and score == 0.5
    box, score = split_output({"target_bbox": [1, 2, 3, 4], "best_score": 0.9})
    assert score == 0.9
    with pytest.raises(TrackbenchError):
        split_output([1, 2, 3])


def test_identity_is_registered_and_runs():
    info = available_trackers()["identity"]
    assert info.deterministic is True and info.target.endswith(":IdentityTracker")
    tracker = create_tracker("identity")
    image = np.zeros((10, 10, 3), np.uint8)
    tracker.init(image, np.array([1, 2, 3, 4.0]))
    assert tracker.update(image).tolist() == [1, 2, 3, 4]
    with pytest.raises(TrackbenchError, match="unknown tracker 'nope'"):
        create_tracker("nope")
    with pytest.raises(TrackbenchError, match="no option speed"):
        create_tracker("identity", {"speed": 1})


def test_cli_reports_os_errors_in_one_line(tmp_path, capsys):
    from trackbench.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = main(["run", "identity", "--suite", "demo", "--root", str(tmp_path / "demo"), "--out", str(blocker / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("trackbench: error: ")
    assert str(blocker) in err[0]


def test_atomic_write_gives_the_usual_file_mode(tmp_path):
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    target = tmp_path / "res.txt"
    atomic_write_text(target, "x\n")
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_yaml_configs_by_name_or_path_with_line_numbered_errors(tmp_path):
    from trackbench.yamlconfig import read_yaml_mapping, resolve_named_yaml

    (tmp_path / "small.yaml").write_text("a: 1\n")
    assert resolve_named_yaml("small", tmp_path, "test config") == tmp_path / "small.yaml"
    with pytest.raises(TrackbenchError, match=r"unknown test config 'big' \(bundled: small"):
        resolve_named_yaml("big", tmp_path, "test config")
    with pytest.raises(TrackbenchError, match="file not found"):
        resolve_named_yaml(tmp_path / "missing.yaml", tmp_path, "test config")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [2\n")
    with pytest.raises(TrackbenchError) as info:
        read_yaml_mapping(bad, "test config")
    assert str(info.value).startswith(f"{bad}:")
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(TrackbenchError, match="must be a mapping"):
        read_yaml_mapping(tmp_path / "list.yaml", "test config")
