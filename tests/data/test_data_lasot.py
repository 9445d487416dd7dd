"""LaSOT reader: the protocol-II test split in the official download layout (no images),
built from the official toolkit's annotation copies; the toolkit layout itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from trackbench.data.attributes import LASOT_ATTRIBUTES
from trackbench.data.lasot import lasot_testing_set, read_lasot
from trackbench.errors import TrackbenchError
from trackbench.textio import read_flags


def build_official_lasot(lasot: Path, dst: Path, *, with_list: bool = True) -> Path:
    """``<class>/<seq>/groundtruth.txt`` + ``full_occlusion.txt`` / ``out_of_view.txt``
    (comma-separated one-line flags): the toolkit's absent flags are split between the
    two files (odd frames -> full occlusion, even -> out of view) so that absent = either."""
    names = (lasot / "testing_set.txt").read_text().split()
    for name in names:
        folder = dst / name.rsplit("-", 1)[0] / name
        folder.mkdir(parents=True)
        shutil.copy(lasot / "annos" / f"{name}.txt", folder / "groundtruth.txt")
        absent = (lasot / "annos" / "absent" / f"{name}.txt").read_text().split()
        (folder / "full_occlusion.txt").write_text(",".join(a if i % 2 else "0" for i, a in enumerate(absent)) + "\n")
        (folder / "out_of_view.txt").write_text(",".join("0" if i % 2 else a for i, a in enumerate(absent)) + "\n")
    if with_list:
        shutil.copy(lasot / "testing_set.txt", dst / "testing_set.txt")
    return dst


@pytest.fixture(scope="module")
def lasot_root(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_official_lasot(shared_data / "lasot", tmp_path_factory.mktemp("lasot"))


@pytest.fixture(scope="module")
def lasot_test(lasot_root: Path):
    return read_lasot(lasot_root)


def test_test_split_counts(lasot_test, shared_data: Path) -> None:
    assert len(lasot_test) == 280
    assert lasot_test.total_frames == 685360
    assert sum(int(s.absent.sum()) for s in lasot_test) == 18346
    names = (shared_data / "lasot" / "testing_set.txt").read_text().split()
    assert [s.name for s in lasot_test] == names == lasot_testing_set()


def test_sequence_contents(lasot_test, lasot_root: Path, shared_data: Path) -> None:
    seq = lasot_test["airplane-1"]
    assert seq.frames[0] == lasot_root / "airplane" / "airplane-1" / "img" / "00000001.jpg"
    assert seq.frames[-1].name == f"{len(seq):08d}.jpg"
    att = np.asarray((shared_data / "lasot" / "annos" / "att" / "airplane-1.txt").read_text().strip().split(","), int)
    assert list(seq.attributes) == list(LASOT_ATTRIBUTES)
    assert [int(v) for v in seq.attributes.values()] == att.tolist()
    absent = read_flags(shared_data / "lasot" / "annos" / "absent" / "airplane-15.txt")
    np.testing.assert_array_equal(lasot_test["airplane-15"].absent, absent != 0)


def test_toolkit_layout_matches(lasot_test, shared_data: Path) -> None:
    toolkit = read_lasot(shared_data / "lasot", ["airplane-1", "basketball-1", "monkey-17"])
    for seq in toolkit:
        np.testing.assert_array_equal(seq.ground_truth, lasot_test[seq.name].ground_truth)
        np.testing.assert_array_equal(seq.absent, lasot_test[seq.name].absent)
        assert seq.attributes == lasot_test[seq.name].attributes


def test_without_list_and_subset(shared_data: Path, tmp_path: Path) -> None:
    lasot = shared_data / "lasot"
    for name in ("bear-2", "bear-17", "cat-1"):  # a partial download: every sequence found
        folder = tmp_path / name.rsplit("-", 1)[0] / name
        folder.mkdir(parents=True)
        shutil.copy(lasot / "annos" / f"{name}.txt", folder / "groundtruth.txt")
    ds = read_lasot(tmp_path)
    assert [s.name for s in ds] == ["bear-2", "bear-17", "cat-1"]  # natural order
    assert all(s.absent is None for s in ds)  # no flag files
    assert read_lasot(tmp_path, ["Cat_1"])["cat-1"].name == "cat-1"


def test_listed_sequence_missing(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cat" / "cat-1"
    folder.mkdir(parents=True)
    shutil.copy(shared_data / "lasot" / "annos" / "cat-1.txt", folder / "groundtruth.txt")
    (tmp_path / "testing_set.txt").write_text("cat-1\ncat-3\n")
    with pytest.raises(TrackbenchError) as error:
        read_lasot(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / 'testing_set.txt'}:2: sequence 'cat-3' listed but not found")
