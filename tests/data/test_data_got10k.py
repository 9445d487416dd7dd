"""GOT-10k val/test reader on a small generated fixture, checked against the got10k package."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from trackbench.data.got10k import read_got10k
from trackbench.errors import TrackbenchError, TrackbenchWarning

META = """[METAINFO]
url: https://youtu.be/example
begin: 00:00:01
end: 00:00:03
anno_fps: 10Hz
object_class: {cls}
motion_class: running
major_class: {cls}
root_class: animal
motion_adverb: quickly
resolution: (32, 24)
"""


def make_got10k(root: Path, n_frames: tuple[int, ...] = (6, 4)) -> dict[str, dict[str, np.ndarray]]:
    """``root/val`` (full labels) and ``root/test`` (first box only) with tiny images.
    Returns what was written: ``{sequence: {"boxes", "cover"}}``."""
    rng = np.random.default_rng(0)
    truth: dict[str, dict[str, np.ndarray]] = {}
    for split in ("val", "test"):
        names = [f"GOT-10k_{split.capitalize()}_{i + 1:06d}" for i in range(len(n_frames))]
        (root / split).mkdir(parents=True)
        (root / split / "list.txt").write_text("\n".join(names) + "\n")
        for name, n in zip(names, n_frames):
            folder = root / split / name
            folder.mkdir()
            boxes = np.round(rng.uniform(1, 20, size=(n, 4)), 4)
            truth[name] = {"boxes": boxes}
            rows = boxes if split == "val" else boxes[:1]
            (folder / "groundtruth.txt").write_text("".join(",".join(f"{v:.4f}" for v in r) + "\n" for r in rows))
            (folder / "meta_info.ini").write_text(META.format(cls="dog"))
            for i in range(n):
                cv2.imwrite(str(folder / f"{i + 1:08d}.jpg"), np.zeros((24, 32, 3), np.uint8))
            if split == "val":
                cover = rng.integers(0, 9, size=n)
                truth[name]["cover"] = cover
                (folder / "cover.label").write_text("".join(f"{c}\n" for c in cover))
                (folder / "absence.label").write_text("".join(f"{int(c == 0)}\n" for c in cover))
                (folder / "cut_by_image.label").write_text("".join(f"{int(c < 4)}\n" for c in cover))
    return truth


@pytest.fixture()
def got_root(tmp_path: Path) -> Path:
    make_got10k(tmp_path)
    return tmp_path


def test_val_split(tmp_path: Path) -> None:
    truth = make_got10k(tmp_path)
    for root in (tmp_path, tmp_path / "val"):  # dataset folder or split folder
        ds = read_got10k(root, split="val", require_images=True)
        assert [s.name for s in ds] == ["GOT-10k_Val_000001", "GOT-10k_Val_000002"]
        for seq in ds:
            np.testing.assert_array_equal(seq.ground_truth, truth[seq.name]["boxes"])
            np.testing.assert_array_equal(seq.cover, truth[seq.name]["cover"])
            np.testing.assert_array_equal(seq.absent, truth[seq.name]["cover"] == 0)
            np.testing.assert_array_equal(seq.tags["cut_by_image"], truth[seq.name]["cover"] < 4)
            assert seq.image_size == (32, 24)
            assert seq.meta["object_class"] == "dog"
            assert seq.meta["url"] == "https://youtu.be/example"
            assert "resolution" not in seq.meta
            assert seq.frames[-1].name == f"{len(seq):08d}.jpg" and seq.has_images()


def test_val_split_matches_got10k_package(got_root: Path) -> None:
    pytest.importorskip("six", reason="got10k 0.1.3 imports six without declaring it")
    from got10k.datasets import GOT10k

    reference = GOT10k(str(got_root), subset="val", return_meta=True)
    for root in (got_root, got_root / "val"):  # dataset folder or split folder
        ds = read_got10k(root, split="val", require_images=True)
        assert len(ds) == len(reference) == 2
        for seq, (img_files, anno, meta) in zip(ds, reference):
            np.testing.assert_allclose(seq.ground_truth, anno)
            assert [str(p) for p in seq.frames] == img_files
            np.testing.assert_array_equal(seq.cover, meta["cover"])
            np.testing.assert_array_equal(seq.absent, meta["absence"] != 0)
            np.testing.assert_array_equal(seq.tags["cut_by_image"], meta["cut_by_image"] != 0)
            assert seq.image_size == (32, 24)
            assert seq.meta["object_class"] == meta["object_class"] == "dog"
            assert seq.meta["url"] == "https://youtu.be/example"


def test_test_split_first_box_only(tmp_path: Path) -> None:
    truth = make_got10k(tmp_path)
    ds = read_got10k(tmp_path, split="test")
    assert [len(s) for s in ds] == [6, 4]  # from the images
    for seq in ds:
        np.testing.assert_array_equal(seq.ground_truth[0], truth[seq.name]["boxes"][0])
        assert np.isnan(seq.ground_truth[1:]).all()
        assert seq.absent is None and seq.cover is None
        assert seq.image_size == (32, 24)


def test_nan_and_inf_rows_read_as_missing_in_val(got_root: Path) -> None:
    gt = got_root / "val" / "GOT-10k_Val_000002" / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    lines[2] = "nan,nan,nan,nan"
    lines[3] = "1,2,inf,4"
    gt.write_text("\n".join(lines) + "\n")
    seq = read_got10k(got_root, split="val")["GOT-10k_Val_000002"]
    assert seq.missing_gt.nonzero()[0].tolist() == [2, 3]
    assert np.isnan(seq.ground_truth[3]).all()


def test_label_length_and_missing_folder(got_root: Path) -> None:
    cover = got_root / "val" / "GOT-10k_Val_000001" / "cover.label"
    cover.write_text("1\n2\n")
    with pytest.raises(TrackbenchError, match="expected 6 cover labels"):
        read_got10k(got_root, split="val")
    (got_root / "test" / "list.txt").write_text("GOT-10k_Test_000001\nGOT-10k_Test_000009\n")
    with pytest.raises(TrackbenchError) as error:
        read_got10k(got_root, split="test")
    assert "GOT-10k_Test_000009" in str(error.value) and "list.txt:2" in str(error.value)


def test_truncated_val_ground_truth(got_root: Path) -> None:
    gt = got_root / "val" / "GOT-10k_Val_000001" / "groundtruth.txt"
    gt.write_text("".join(gt.read_text().splitlines(keepends=True)[:4]))
    with pytest.warns(TrackbenchWarning, match=f"{gt}: 6 images in {gt.parent} for 4 ground-truth rows"):
        with pytest.raises(TrackbenchError, match=r"label: expected 4 .* labels \(one per frame\), found 6"):
            read_got10k(got_root, split="val")  # the per-frame labels still disagree with the truncated file
