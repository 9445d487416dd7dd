"""OTB reader: the official folder layout built from the toolkit's annotations (no images)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from trackbench.data.otb import otb_sequence_list, read_otb
from trackbench.data.pysot_json import read_pysot_json
from trackbench.sequence import normalize_name
from trackbench.textio import read_table


def build_official_otb(anno: Path, dst: Path) -> Path:
    """``<Seq>/groundtruth_rect.txt`` per video, ``groundtruth_rect.<k>.txt`` for the
    multi-target ones (file names as in the official download), Human4's empty ``.1``."""
    for path in anno.glob("*.txt"):
        match = re.match(r"^(.+?)[-.](\d)$", path.stem)
        if match:
            folder = dst / (match.group(1)[0].upper() + match.group(1)[1:])
            folder.mkdir(exist_ok=True)
            shutil.copy(path, folder / f"groundtruth_rect.{match.group(2)}.txt")
        else:
            folder = dst / (path.stem[0].upper() + path.stem[1:])
            folder.mkdir()
            shutil.copy(path, folder / "groundtruth_rect.txt")
    (dst / "Human4" / "groundtruth_rect.1.txt").write_text("")
    return dst


@pytest.fixture(scope="module")
def otb_root(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_official_otb(shared_data / "otb100" / "anno", tmp_path_factory.mktemp("otb"))


def test_tb100_counts_and_tiger1(otb_root: Path, shared_data: Path) -> None:
    all_rows = read_otb(otb_root, sequence_list="tb100", init_omit=False)
    assert len(all_rows) == 100
    assert all_rows.total_frames == 59040
    official = read_otb(otb_root, sequence_list="tb100")
    assert len(official) == 100
    tiger = official["Tiger1"]
    assert tiger.start_frame == 6 and len(tiger) == 349
    assert tiger.frames[0].name == "0006.jpg"
    tiger_file = read_table(shared_data / "otb100" / "anno" / "tiger1.txt")
    np.testing.assert_array_equal(tiger.ground_truth, tiger_file[5:])
    # Only Tiger1's start moves under the official rule.
    assert official.total_frames == 59040 - 5
    assert [s.name for s in official if s.start_frame != all_rows[s.name].start_frame] == ["Tiger1"]


def test_sequence_lists_and_names(otb_root: Path) -> None:
    found = read_otb(otb_root)  # no list: every target found in the folder
    assert sorted(normalize_name(s.name) for s in found) == sorted(normalize_name(n) for n in otb_sequence_list("tb100"))
    assert {"Jogging-1", "Jogging-2", "Skating2-1", "Skating2-2", "Human4-2"} <= {s.name for s in found}
    assert found.get("Human4-1") is None  # the empty .1 file is not a target
    otb2013 = read_otb(otb_root, sequence_list="otb2013")
    tb50 = read_otb(otb_root, sequence_list="tb50")
    assert (len(otb2013), len(tb50)) == (51, 50)
    for style in ("Jogging-1", "Jogging.1", "jogging_1", "Jogging1"):
        assert otb2013[style].name == "Jogging-1"


def test_special_frame_ranges(otb_root: Path) -> None:
    ds = read_otb(otb_root, sequence_list="tb100")
    expected = {  # (first image, last image) 1-based, metrics spec section 2.2
        "David": (300, 770), "Football1": (1, 74), "Freeman3": (1, 460), "Freeman4": (1, 283),
        "Diving": (1, 215), "BlurCar1": (247, 988), "BlurCar3": (3, 359), "BlurCar4": (18, 397),
        "Board": (1, 698),
    }
    for name, (first, last) in expected.items():
        seq = ds[name]
        assert len(seq) == last - first + 1, name
        assert seq.start_frame == first
        assert int(seq.frames[0].stem) == first and int(seq.frames[-1].stem) == last
        assert seq.frames[0].parent.name == "img"
    assert ds["Board"].frames[0].name == "00001.jpg"
    assert ds["David"].frames[0].name == "0300.jpg"


def test_attributes_give_the_published_per_attribute_counts(otb_root: Path, shared_data: Path) -> None:
    # The shipped table is the one behind the OTB-2015 paper's per-attribute plots, whose
    # titles give these sequence counts (e.g. "illumination variation (38)").
    published = {"IV": 38, "OPR": 63, "SV": 64, "OCC": 49, "DEF": 44, "MB": 29, "FM": 39, "IPR": 51,
                 "OV": 14, "BC": 31, "LR": 9}
    ds = read_otb(otb_root, sequence_list="tb100")
    assert all(len(seq.attributes) == 11 for seq in ds)
    counts = {a: sum(seq.attributes[a] for seq in ds) for a in published}
    assert counts == published
    pysot = read_pysot_json(shared_data / "otb100" / "OTB100.pysot.json", family="otb")
    for seq in ds:
        assert seq.attributes == pysot[seq.name].attributes, seq.name


def test_matches_pysot_json_and_toolkit_layout(otb_root: Path, shared_data: Path) -> None:
    official = read_otb(otb_root, sequence_list="tb100")
    pysot = read_pysot_json(shared_data / "otb100" / "OTB100.pysot.json", family="otb")
    toolkit = read_otb(shared_data / "otb100", sequence_list="tb100")  # anno/, anno/att, initOmit/
    assert len(pysot) == 100
    for seq in official:
        np.testing.assert_array_equal(seq.ground_truth, pysot[seq.name].ground_truth, err_msg=seq.name)
        np.testing.assert_array_equal(seq.ground_truth, toolkit[seq.name].ground_truth, err_msg=seq.name)
        assert seq.start_frame == pysot[seq.name].start_frame == toolkit[seq.name].start_frame, seq.name
    # The toolkit layout's own anno/att files win over the shipped table.
    for name in ("Biker", "Bird1", "BlurCar1"):
        flags = (shared_data / "otb100" / "anno" / "att" / f"{name}.txt").read_text().replace(",", " ").split()
        assert [int(float(f)) for f in flags] == [int(v) for v in toolkit[name].attributes.values()], name


def test_delimiters_and_per_sequence_attributes(tmp_path: Path) -> None:
    rows = ["10,20,30,40", "11\t21\t31\t41", "12 22 32 42", "13, 23, 33, 43"]
    for i, row in enumerate(rows):
        folder = tmp_path / f"Seq{i}"
        folder.mkdir()
        (folder / "groundtruth_rect.txt").write_text(row + "\n" + row + "\n")
    (tmp_path / "Seq0" / "attrs.txt").write_text("SV, OCC\n")
    ds = read_otb(tmp_path)
    assert [s.name for s in ds] == ["Seq0", "Seq1", "Seq2", "Seq3"]
    for i, seq in enumerate(ds):
        np.testing.assert_array_equal(seq.ground_truth[0], [10 + i, 20 + i, 30 + i, 40 + i])
        assert seq.frames[1] == tmp_path / f"Seq{i}" / "img" / "0002.jpg"
    assert {a for a, f in ds["Seq0"].attributes.items() if f} == {"SV", "OCC"}


def test_real_sequences_load_with_images(shared_data: Path) -> None:
    ds = read_otb(shared_data / "sequences" / "otb", require_images=True)
    assert [s.name for s in ds] == ["Couple", "Crossing"]
    assert (len(ds["Couple"]), len(ds["Crossing"])) == (140, 120)
    couple = ds["Couple"]
    assert couple.has_images() and couple.frames[-1].name == "0140.jpg"
    image = couple.image(0)
    assert image.dtype == np.uint8 and image.shape[2] == 3
    assert couple.image_size == (image.shape[1], image.shape[0])
    assert {a for a, f in couple.attributes.items() if f} == {"SV", "DEF", "FM", "OPR", "BC"}
