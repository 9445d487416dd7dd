"""Generic folder of sequences and pysot JSON details (OTB attributes, LaSOT absent)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from trackbench.data.generic import read_folder
from trackbench.data.pysot_json import read_pysot_json


def test_generic_folder(tmp_path: Path) -> None:
    for name, n in (("walker", 3), ("ball", 2)):
        folder = tmp_path / name
        (folder / "img").mkdir(parents=True)
        for i in range(n):
            cv2.imwrite(str(folder / "img" / f"frame_{i:02d}.png"), np.full((10, 20, 3), i, np.uint8))
        (folder / "groundtruth.txt").write_text("".join(f"{i}\t{i}\t5\t6\n" for i in range(n)))
    (tmp_path / "walker" / "absent.txt").write_text("0\n1\n0\n")
    (tmp_path / "walker" / "attrs.txt").write_text("OCC, Fast Motion\n")
    ds = read_folder(tmp_path, require_images=True)
    assert [s.name for s in ds] == ["ball", "walker"]
    walker = ds["walker"]
    assert [p.name for p in walker.frames] == ["frame_00.png", "frame_01.png", "frame_02.png"]
    np.testing.assert_array_equal(walker.absent, [False, True, False])
    assert walker.attributes == {"OCC": True, "FM": True}
    assert walker.image_size == (20, 10)
    assert walker.image(2)[0, 0].tolist() == [2, 2, 2]
    (tmp_path / "list.txt").write_text("walker\n")
    assert [s.name for s in read_folder(tmp_path)] == ["walker"]


def test_generic_reads_the_real_sequences(shared_data: Path) -> None:
    otb = read_folder(shared_data / "sequences" / "otb", require_images=True)
    assert [len(s) for s in otb] == [140, 120]
    vot = read_folder(shared_data / "sequences" / "vot", require_images=True)
    assert vot["bag"].is_polygon and vot["bag"].frames[0].parent.name == "color"


def test_pysot_json_attributes_and_absent(tmp_path: Path) -> None:
    data = {
        "cat-1": {
            "video_dir": "cat-1",
            "init_rect": [1, 2, 3, 4],
            "img_names": [f"cat/cat-1/img/{i:08d}.jpg" for i in range(1, 4)],
            "gt_rect": [[1, 2, 3, 4], [0, 0, 0, 0], [2, 3, 4, 5]],
            "attr": ["Partial Occlusion", "Aspect Ratio Change"],
            "absent": [0, 1, 0],
        }
    }
    path = tmp_path / "LaSOT.json"
    path.write_text(json.dumps(data))
    seq = read_pysot_json(path, family="lasot")["cat_1"]
    np.testing.assert_array_equal(seq.absent, [False, True, False])
    assert len(seq.attributes) == 14
    assert {a for a, f in seq.attributes.items() if f} == {"POC", "ARC"}
    assert seq.frames[2] == tmp_path / "cat" / "cat-1" / "img" / "00000003.jpg"
    assert seq.tags == {}


def test_generic_attrs_txt_with_otb_or_lasot_flags(tmp_path: Path) -> None:
    import pytest

    from trackbench.data.attributes import LASOT_ATTRIBUTES, OTB_ATTRIBUTES
    from trackbench.errors import TrackbenchError

    for name in ("otbstyle", "lasotstyle", "odd"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "groundtruth.txt").write_text("1,2,3,4\n")
    # OTB anno/att order: IV, OPR, SV, OCC, DEF, MB, FM, IPR, OV, BC, LR
    (tmp_path / "otbstyle" / "attrs.txt").write_text("1,0,0,1,0,0,0,0,0,0,1\n")
    (tmp_path / "lasotstyle" / "attrs.txt").write_text(" ".join("1" if i == 13 else "0" for i in range(14)))
    (tmp_path / "odd" / "attrs.txt").write_text("1 0 1\n")
    ds = read_folder(tmp_path, ["otbstyle", "lasotstyle"])
    otb = ds["otbstyle"].attributes
    assert list(otb) == list(OTB_ATTRIBUTES)
    assert sorted(a for a, on in otb.items() if on) == ["IV", "LR", "OCC"]
    assert [a for a, on in ds["lasotstyle"].attributes.items() if on] == ["ARC"] and len(LASOT_ATTRIBUTES) == 14
    with pytest.raises(TrackbenchError, match=r"odd/attrs\.txt:1: 3 attribute flags"):
        read_folder(tmp_path, ["odd"])


def test_generic_list_names_match_folders_in_any_style(tmp_path: Path) -> None:
    (tmp_path / "Walker_One").mkdir()
    (tmp_path / "Walker_One" / "groundtruth.txt").write_text("1,2,3,4\n")
    (tmp_path / "list.txt").write_text("walker-one\n")
    ds = read_folder(tmp_path)
    assert [s.name for s in ds] == ["Walker_One"]
