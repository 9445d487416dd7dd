"""Training-data readers on small fixtures written in the datasets' real layouts."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from helpers.paths import REPO_ROOT
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset, Sequence
from trackbench.trackers.imsiam.training.sources import (
    lasot_train_names,
    read_coco,
    read_got10k_train,
    read_lasot_train,
    read_vid,
    synthetic_tracks,
    tracks_from_dataset,
)



def _jpeg(path: Path, width: int = 64, height: int = 48, value: int = 100) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((height, width, 3), value, dtype=np.uint8))


def test_coco_instances_json(tmp_path):
    root = tmp_path / "coco"
    _jpeg(root / "train2017" / "000000000009.jpg")
    _jpeg(root / "train2017" / "000000000025.jpg")
    data = {
        "images": [{"id": 9, "file_name": "000000000009.jpg", "width": 64, "height": 48},
                   {"id": 25, "file_name": "000000000025.jpg", "width": 64, "height": 48}],
        "annotations": [
            {"id": 1, "image_id": 9, "bbox": [1.5, 2.0, 20.0, 10.0], "iscrowd": 0, "category_id": 1},
            {"id": 2, "image_id": 9, "bbox": [0, 0, 30, 30], "iscrowd": 1, "category_id": 1},  # crowd: dropped
            {"id": 3, "image_id": 25, "bbox": [5, 5, 4.0, 20], "iscrowd": 0, "category_id": 3},  # w <= 4: dropped
            {"id": 4, "image_id": 25, "bbox": [5, 5, 8, 6], "iscrowd": 0, "category_id": 3},
        ],
        "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}],
    }
    (root / "annotations").mkdir()
    (root / "annotations" / "instances_train2017.json").write_text(json.dumps(data))
    tracks = read_coco(root)
    assert [t.name for t in tracks] == ["coco-1", "coco-4"]
    np.testing.assert_allclose(tracks[0].boxes, [[1.5, 2.0, 20.0, 10.0]])
    assert tracks[1].frames == [root / "train2017" / "000000000025.jpg"]
    assert tracks[1].image(0).shape == (48, 64, 3)

    (root / "annotations" / "instances_train2017.json").write_text('{"images": [\n{"id": 1,,}]}')
    with pytest.raises(TrackbenchError, match=r"instances_train2017.json:2: invalid JSON"):
        read_coco(root)
    with pytest.raises(TrackbenchError, match="not found"):
        read_coco(root, split="val2017")


def _vid_xml(path: Path, objects: list[tuple[int, tuple[int, int, int, int], int]]) -> None:
    parts = [f"<annotation><folder>x</folder><filename>{path.stem}</filename><size><width>64</width><height>48</height></size>"]
    for track_id, (x1, y1, x2, y2), occluded in objects:
        parts.append(
            f"<object><trackid>{track_id}</trackid><name>n02958343</name><bndbox><xmax>{x2}</xmax><xmin>{x1}</xmin>"
            f"<ymax>{y2}</ymax><ymin>{y1}</ymin></bndbox><occluded>{occluded}</occluded><generated>0</generated></object>"
        )
    parts.append("</annotation>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts))


def test_imagenet_vid_xml(tmp_path):
    root = tmp_path / "ILSVRC2015"
    video = "ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000000"
    ann = root / "Annotations" / "VID" / "train" / video
    _vid_xml(ann / "000000.xml", [(0, (10, 12, 30, 40), 0), (1, (40, 5, 60, 20), 0)])
    _vid_xml(ann / "000001.xml", [(0, (11, 12, 31, 40), 1)])  # track 0 occluded, track 1 absent
    _vid_xml(ann / "000002.xml", [(0, (12, 12, 32, 40), 0), (1, (41, 5, 61, 20), 0)])
    for k in range(3):
        _jpeg(root / "Data" / "VID" / "train" / video / f"{k:06d}.JPEG")
    tracks = read_vid(root)
    assert [t.name for t in tracks] == [f"{video}/0", f"{video}/1"]
    t0, t1 = tracks
    np.testing.assert_allclose(t0.boxes[0], [10, 12, 20, 28])
    assert t0.valid.tolist() == [True, False, True]
    assert t1.valid.tolist() == [True, False, True]
    assert np.isnan(t1.boxes[1]).all()
    assert t0.frames[2] == root / "Data" / "VID" / "train" / video / "000002.JPEG"
    assert t0.image(2).shape == (48, 64, 3)

    (ann / "000001.xml").write_text("<annotation><object><trackid>0</trackid>")
    with pytest.raises(TrackbenchError, match="000001.xml:1: invalid XML"):
        read_vid(root)


def test_got10k_train_folder(tmp_path):
    root = tmp_path / "GOT-10k"
    seq = root / "train" / "GOT-10k_Train_000001"
    seq.mkdir(parents=True)
    (seq / "groundtruth.txt").write_text("10,10,20,20\n11,10,20,20\n12,10,9,20\n13,10,20,20\n")
    (seq / "absence.label").write_text("0\n0\n0\n1\n")
    (root / "train" / "list.txt").write_text("GOT-10k_Train_000001\n")
    tracks = read_got10k_train(root)
    assert len(tracks) == 1
    t = tracks[0]
    assert t.valid.tolist() == [True, True, False, False]  # frame 3: w = 9 <= 10; frame 4 absent
    assert t.frames[0] == seq / "00000001.jpg"
    (seq / "groundtruth.txt").write_text("10,10,20,20\n11,10,20\n")
    with pytest.raises(TrackbenchError, match="groundtruth.txt:2: expected 4 numbers"):
        read_got10k_train(root)


def test_lasot_train_split_and_folders(tmp_path):
    names = lasot_train_names()
    test_names = [
        line.strip()
        for line in (REPO_ROOT / "trackbench" / "data" / "lasot_testing_set.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(names) == 1120 and len(set(names)) == 1120
    assert not set(names) & set(test_names)
    assert len({n.rsplit("-", 1)[0] for n in names}) == 70
    assert "airplane-2" in names and "airplane-1" not in names  # airplane-1 is a test video

    root = tmp_path / "LaSOT"
    for name in ("airplane-2", "airplane-1"):
        seq = root / "airplane" / name
        seq.mkdir(parents=True)
        (seq / "groundtruth.txt").write_text("10,10,20,20\n11,10,3,20\n12,10,20,20\n13,10,20,20\n14,10,20,20\n")
        (seq / "full_occlusion.txt").write_text("0,0,1,0,0\n")
        (seq / "out_of_view.txt").write_text("0,0,0,1,0\n")
    tracks = read_lasot_train(root)
    assert [t.name for t in tracks] == ["airplane-2"]  # the test video is not trained on
    assert tracks[0].valid.tolist() == [True, False, False, False, True]  # w=3 <= 4, occluded, out of view
    assert tracks[0].frames[4] == root / "airplane" / "airplane-2" / "img" / "00000005.jpg"
    with pytest.raises(TrackbenchError, match="no LaSOT training sequence"):
        read_lasot_train(root, names=["cat-2"])


def test_harness_dataset_tracks(tmp_path):
    frames = [tmp_path / f"{i:04d}.jpg" for i in range(1, 4)]
    for f in frames:
        _jpeg(f)
    polygon = Sequence(
        "poly", np.array([[10, 10, 30, 10, 30, 20, 10, 20], [np.nan] * 8, [11, 10, 31, 10, 31, 20, 11, 20]]), frames=frames
    )
    boxes = Sequence("boxes", np.array([[1, 1, 5, 5], [2, 2, 5, 5], [3, 3, 0, 5]]), frames=frames, absent=np.array([0, 1, 0], bool))
    tracks = tracks_from_dataset(Dataset("mine", [polygon, boxes]))
    np.testing.assert_allclose(tracks[0].boxes[0], [10, 10, 20, 10])
    assert tracks[0].valid.tolist() == [True, False, True]
    assert tracks[1].valid.tolist() == [True, False, False]  # absent, then zero width


def test_synthetic_tracks_are_seeded_and_jpeg_encoded():
    a = synthetic_tracks(2, seed=5, length=4, difficulty=0.3)
    b = synthetic_tracks(2, seed=5, length=4, difficulty=0.3)
    assert len(a) == 2 and len(a[0]) == 4
    assert isinstance(a[0].images[0], bytes)
    np.testing.assert_array_equal(a[1].boxes, b[1].boxes)
    assert not np.array_equal(a[0].boxes, a[1].boxes)
    image = a[0].image(3)
    assert image.dtype == np.uint8 and image.shape == (240, 320, 3)
    raw = synthetic_tracks(1, seed=5, length=4, difficulty=0.3, jpeg_quality=0)
    assert np.abs(raw[0].image(3).astype(int) - image.astype(int)).mean() < 6  # JPEG q90 is close
