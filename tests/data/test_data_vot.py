"""VOT readers: pysot VOT2018.json, the toolkit folder layouts, the real bag sequence."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from trackbench.data.pysot_json import read_pysot_json
from trackbench.data.vot import read_vot
from trackbench.data.attributes import VOT_TAGS


@pytest.fixture(scope="module")
def vot2018_json(shared_data: Path) -> dict:
    return json.loads((shared_data / "vot2018" / "VOT2018.json").read_text())


def test_vot2018_json(shared_data: Path, vot2018_json: dict) -> None:
    ds = read_pysot_json(shared_data / "vot2018" / "VOT2018.json", family="vot")
    assert len(ds) == 60
    assert ds.total_frames == 21356
    ants = ds["ants1"]
    assert ants.is_polygon and ants.image_size == (1024, 1024)
    assert ants.frames[0] == shared_data / "vot2018" / "ants1" / "color" / "00000001.jpg"
    for seq in ds:
        raw = vot2018_json[seq.name]
        assert seq.image_size == (raw["width"], raw["height"])
        assert set(seq.tags) == set(VOT_TAGS)
        for tag in VOT_TAGS:
            assert len(seq.tags[tag]) == len(seq)
            assert int(seq.tags[tag].sum()) == sum(raw[tag])  # shorter lists padded with 0
    assert ds["conduction1"].ground_truth.shape == (345, 4)  # a rectangle-annotated sequence
    assert not ds["ball1"].tags["occlusion"].any()  # empty list in the JSON


def write_vot_folder(root: Path, ds, names: list[str], *, flat: bool = False, tag_ext: str = ".tag") -> None:
    (root / "list.txt").write_text("\n".join(names) + "\n")
    for name in names:
        seq = ds[name]
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "groundtruth.txt").write_text(
            "".join(",".join(repr(float(v)) for v in row) + "\n" for row in seq.ground_truth)
        )
        for tag, flags in seq.tags.items():
            last = int(np.flatnonzero(flags)[-1]) + 1 if flags.any() else 0  # files end at the last 1
            if last:
                (folder / f"{tag}{tag_ext}").write_text("".join(f"{int(f)}\n" for f in flags[:last]))
        image_folder = folder if flat else folder / "color"
        image_folder.mkdir(exist_ok=True)
        image = np.zeros((12, 16, 3), np.uint8)
        for i in range(len(seq)):
            cv2.imwrite(str(image_folder / f"{i + 1:08d}.jpg"), image)


@pytest.mark.parametrize("flat, tag_ext", [(False, ".tag"), (True, ".label")])
def test_folder_layouts_match_json(shared_data: Path, tmp_path: Path, flat: bool, tag_ext: str) -> None:
    ds = read_pysot_json(shared_data / "vot2018" / "VOT2018.json", family="vot")
    names = ["ball1", "matrix", "conduction1"]
    write_vot_folder(tmp_path, ds, names, flat=flat, tag_ext=tag_ext)
    folder_ds = read_vot(tmp_path, require_images=True)
    assert [s.name for s in folder_ds] == names
    for name in names:
        seq, ref = folder_ds[name], ds[name]
        np.testing.assert_allclose(seq.ground_truth, ref.ground_truth, atol=1e-9)
        for tag in VOT_TAGS:
            np.testing.assert_array_equal(seq.tags[tag], ref.tags[tag])
        assert seq.image_size == (16, 12)  # from the first image's header
        assert seq.frames[0].parent == (tmp_path / name if flat else tmp_path / name / "color")
        assert seq.has_images()


def test_sequence_metadata_file(tmp_path: Path) -> None:
    folder = tmp_path / "seq"
    folder.mkdir()
    (tmp_path / "list.txt").write_text("seq\n")
    (folder / "groundtruth.txt").write_text("1,2,3,4\n5,6,7,8,9,10,11,12\n")  # mixed: read as polygons
    (folder / "sequence").write_text("name=seq\nfps=30\nchannels.color=color/%08d.png\nwidth=640\nheight=480\n")
    seq = read_vot(tmp_path)["seq"]
    np.testing.assert_array_equal(seq.ground_truth[0], [1, 2, 4, 2, 4, 6, 1, 6])
    assert seq.image_size == (640, 480)
    assert seq.frames[1] == folder / "color" / "00000002.png"
    assert seq.meta["fps"] == "30"


def test_real_bag_sequence(shared_data: Path) -> None:
    ds = read_vot(shared_data / "sequences" / "vot", require_images=True)
    bag = ds["bag"]
    assert len(bag) == 196 and bag.is_polygon
    assert bag.image_size == (480, 360)
    image = bag.image(195)
    assert image.shape == (360, 480, 3) and image.dtype == np.uint8


def test_list_names_match_folders_case_insensitively(tmp_path: Path) -> None:
    from trackbench.errors import TrackbenchError

    for folder in ("Ball1", "bag"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "groundtruth.txt").write_text("1,2,3,4\n2,3,4,5\n")
    (tmp_path / "list.txt").write_text("ball1\nBag\n")
    ds = read_vot(tmp_path)
    assert [s.name for s in ds] == ["ball1", "Bag"]
    assert ds["ball1"].annotation_path == tmp_path / "Ball1" / "groundtruth.txt"
    (tmp_path / "list.txt").write_text("ball1\nmissing\n")
    with pytest.raises(TrackbenchError, match=r"missing: sequence folder not found \(listed in .*list\.txt:2\)"):
        read_vot(tmp_path)
