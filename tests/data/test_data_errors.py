"""Malformed dataset inputs: each gives one TrackbenchError line naming the file (and line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import pytest

from trackbench.data.generic import read_folder
from trackbench.data.lasot import read_lasot
from trackbench.data.otb import read_otb
from trackbench.data.pysot_json import read_pysot_json
from trackbench.data.vot import read_vot
from trackbench.errors import TrackbenchError, TrackbenchWarning

GOOD_ROWS = "10,20,30,40\n11,21,31,41\n12,22,32,42\n"


def otb_folder(root: Path, text: str = GOOD_ROWS, name: str = "Car") -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "groundtruth_rect.txt").write_text(text)
    return folder / "groundtruth_rect.txt"


def error_of(call: Callable[[], object]) -> str:
    with pytest.raises(TrackbenchError) as error:
        call()
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    "text, line, what",
    [
        ("", None, "file is empty"),
        ("   \n\n", None, "file is empty"),
        ("10,20,30,40\n11,21,31\n", 2, "expected 4 numbers, found 3"),
        ("10,20,30,40,50\n", 1, "expected 4 numbers, found 5"),
        ("10,20,30,40\nNaN,NaN,x,NaN\n", 2, "not a number: 'x'"),
        ("10,20,30,40\n\n11,21,31,41\n", 2, "blank line inside the table"),
        ("10,20,30,40\n11,21,x,41\n", 2, "not a number: 'x'"),
    ],
)
def test_bad_otb_ground_truth(tmp_path: Path, text: str, line: int | None, what: str) -> None:
    path = otb_folder(tmp_path, text)
    where = f"{path}:{line}: " if line else f"{path}: "
    message = error_of(lambda: read_otb(tmp_path))
    assert message.startswith(where) and what in message


def test_truncated_special_sequence(tmp_path: Path) -> None:
    path = otb_folder(tmp_path, GOOD_ROWS * 10, name="David")  # David is evaluated on 300-770
    message = error_of(lambda: read_otb(tmp_path))
    assert message.startswith(f"{path}: ") and "expected 471 rows, found 30" in message


def test_missing_folders(tmp_path: Path) -> None:
    assert error_of(lambda: read_otb(tmp_path / "nowhere")) == f"{tmp_path / 'nowhere'}: OTB dataset folder not found"
    otb_folder(tmp_path)
    otb_folder(tmp_path, name="Deer")
    message = error_of(lambda: read_otb(tmp_path, sequence_list="otb2013", name="otb2013"))
    assert message.startswith(f"{tmp_path}: 1 of the 51 otb2013 sequences found, 50 missing (Basketball, Bolt, ")
    assert message.endswith("pass --sequences to use those present, or --suite custom for a folder of your own")
    assert len(read_otb(tmp_path, ["deer"], sequence_list="otb2013")) == 1
    message = error_of(lambda: read_otb(tmp_path, ["Basketball"], sequence_list="otb2013"))
    assert message.startswith(str(tmp_path / "Basketball")) and "not found" in message
    (tmp_path / "Jogging").mkdir()
    message = error_of(lambda: read_otb(tmp_path, ["Jogging-1"], sequence_list="tb100"))
    assert message.startswith(str(tmp_path / "Jogging" / "groundtruth_rect.1.txt")) and "file not found" in message


def test_missing_image_folder(tmp_path: Path) -> None:
    otb_folder(tmp_path)
    assert len(read_otb(tmp_path)) == 1  # annotations alone are fine
    message = error_of(lambda: read_otb(tmp_path, require_images=True))
    assert message == f"{tmp_path / 'Car' / 'img'}: image folder of sequence 'Car' not found"
    otb_folder(tmp_path, "1,2,3,4\n" * 471, name="David")  # images 300-770
    (tmp_path / "David" / "img").mkdir()
    cv2.imwrite(str(tmp_path / "David" / "img" / "0300.jpg"), np.zeros((4, 4, 3), np.uint8))
    message = error_of(lambda: read_otb(tmp_path, ["David"], require_images=True))
    assert message == f"{tmp_path / 'David' / 'img' / '0770.jpg'}: image of sequence 'David' not found"


def test_unknown_sequence_name(tmp_path: Path) -> None:
    otb_folder(tmp_path)
    assert "no sequence 'Bus'" in error_of(lambda: read_otb(tmp_path, ["Bus"]))


def vot_folder(root: Path, text: str) -> Path:
    (root / "list.txt").write_text("bag\n")
    (root / "bag").mkdir(parents=True)
    (root / "bag" / "groundtruth.txt").write_text(text)
    return root / "bag" / "groundtruth.txt"


def test_bad_vot_inputs(tmp_path: Path) -> None:
    path = vot_folder(tmp_path, "1,2,3,4,5,6,7,8\n1,2,3,4,5,6\n")
    assert error_of(lambda: read_vot(tmp_path)) == f"{path}:2: expected 4 or 8 numbers, found 6"
    path.write_text("1,2,3,4\nnan,nan,nan,nan\n")
    assert error_of(lambda: read_vot(tmp_path)) == f"{path}:2: NaN value"
    path.write_text("")
    assert error_of(lambda: read_vot(tmp_path)) == f"{path}: file is empty (ground-truth regions expected)"
    (tmp_path / "list.txt").write_text("bag\nhand\n")
    path.write_text("1,2,3,4\n")
    message = error_of(lambda: read_vot(tmp_path))
    assert message.startswith(f"{tmp_path / 'hand'}: sequence folder not found (listed in {tmp_path / 'list.txt'}:2)")


def test_bad_lasot_flags(tmp_path: Path) -> None:
    folder = tmp_path / "cat" / "cat-1"
    folder.mkdir(parents=True)
    (folder / "groundtruth.txt").write_text(GOOD_ROWS)
    (folder / "full_occlusion.txt").write_text("0,0\n")
    message = error_of(lambda: read_lasot(tmp_path))
    assert message == f"{folder / 'full_occlusion.txt'}: expected 3 full_occlusion flags (one per frame), found 2"
    (folder / "full_occlusion.txt").write_text("0,1,zero\n")
    assert error_of(lambda: read_lasot(tmp_path)) == f"{folder / 'full_occlusion.txt'}:1: not an integer flag: 'zero'"


def test_bad_pysot_json(tmp_path: Path) -> None:
    path = tmp_path / "X.json"
    path.write_text('{\n  "a": {\n    "gt_rect": [[1, 2, 3, 4]],\n  }\n}\n')
    assert error_of(lambda: read_pysot_json(path)).startswith(f"{path}:4: not valid JSON")
    entry = {"video_dir": "a", "img_names": ["a/1.jpg", "a/2.jpg"], "gt_rect": [[1, 2, 3, 4], [1, 2, 3]]}
    path.write_text(json.dumps({"a": entry}, indent=1))
    assert error_of(lambda: read_pysot_json(path)) == f"{path}:2: sequence 'a': gt_rect row 2 has 3 numbers (expected 4 or 8)"
    entry["gt_rect"] = [[1, 2, 3, 4], [1, 2, "3", 4]]
    path.write_text(json.dumps({"a": entry}, indent=1))
    assert "gt_rect row 2 has a non-numeric value" in error_of(lambda: read_pysot_json(path))
    entry["gt_rect"] = [[1, 2, 3, 4]]
    path.write_text(json.dumps({"a": entry}, indent=1))
    assert error_of(lambda: read_pysot_json(path)) == f"{path}:2: sequence 'a': 2 img_names but 1 gt_rect rows"


def test_generic_image_count_mismatch_is_a_warning_and_a_run_stops(tmp_path: Path) -> None:
    folder = tmp_path / "toy"
    (folder / "img").mkdir(parents=True)
    (folder / "groundtruth.txt").write_text(GOOD_ROWS)
    for i in range(2):
        cv2.imwrite(str(folder / "img" / f"{i:03d}.png"), np.zeros((4, 4, 3), np.uint8))
    with pytest.warns(TrackbenchWarning, match=f"only 2 images in {folder / 'img'} for 3 ground-truth rows"):
        assert len(read_folder(tmp_path).sequences[0]) == 3  # evaluation needs no images
    with pytest.warns(TrackbenchWarning):
        assert "image of sequence 'toy' not found" in error_of(lambda: read_folder(tmp_path, require_images=True))
    for i in range(2, 6):  # 6 images for 3 rows: the ground-truth rows are the frame list
        cv2.imwrite(str(folder / "img" / f"{i:03d}.png"), np.zeros((4, 4, 3), np.uint8))
    with pytest.warns(TrackbenchWarning, match="6 images .* for 3 ground-truth rows: the first 3 are the frames"):
        seq = read_folder(tmp_path, require_images=True).sequences[0]
    assert [p.name for p in seq.frames] == ["000.png", "001.png", "002.png"]


def test_otb_extra_images_are_a_note(tmp_path: Path) -> None:
    path = otb_folder(tmp_path, GOOD_ROWS)
    (tmp_path / "Car" / "img").mkdir()
    for i in range(1, 5):
        cv2.imwrite(str(tmp_path / "Car" / "img" / f"{i:04d}.jpg"), np.zeros((4, 4, 3), np.uint8))
    with pytest.warns(TrackbenchWarning) as record:
        seq = read_otb(tmp_path, require_images=True).sequences[0]
    assert [str(w.message) for w in record] == [
        f"{path}: 4 images in {tmp_path / 'Car' / 'img'} for 3 ground-truth rows: the first 3 are the frames"]
    assert [p.name for p in seq.frames] == ["0001.jpg", "0002.jpg", "0003.jpg"]


def test_vot_extra_images_are_a_note(shared_data: Path, tmp_path: Path) -> None:
    path = vot_folder(tmp_path, "1,2,3,4\n")
    (tmp_path / "bag" / "color").mkdir()
    for i in range(1, 3):
        cv2.imwrite(str(tmp_path / "bag" / "color" / f"{i:08d}.jpg"), np.zeros((4, 4, 3), np.uint8))
    with pytest.warns(TrackbenchWarning, match=f"{path}: 2 images in .* for 1 ground-truth rows: the first 1 are"):
        assert len(read_vot(tmp_path)["bag"].frames) == 1


