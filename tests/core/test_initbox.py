"""Init-box conventions (exact / pysot / pyvis) against the code bases' own formulas, in both
protocols, through the CLI (``--init-box``, recorded in run.json) and as tracker defaults."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from trackbench.adapters import PysotAdapter
from trackbench.data.vot import read_vot_sequence
from trackbench.errors import TrackbenchError
from trackbench.initbox import CONVENTIONS, init_box, tracker_convention
from trackbench.protocols.ope import run_one_pass
from trackbench.protocols.supervised import run_supervised
from trackbench.registry import create_tracker
from trackbench.textio import read_table
from trackbench.trackers.identity import IdentityTracker

from helpers.trackers import read_otb_folder


class Recorder(IdentityTracker):
    def __init__(self, convention=None):
        super().__init__()
        if convention:
            self.init_box_convention = convention
        self.boxes = []

    def init(self, image, box):
        self.boxes.append(np.array(box, dtype=np.float64))
        super().init(image, box)


def pysot_axis_aligned(region):
    """pysot/utils/bbox.py get_axis_aligned_bbox, written out by hand for the test."""
    r = np.asarray(region, dtype=np.float64)
    if r.size == 8:
        xs, ys = r[0::2], r[1::2]
        a1 = np.linalg.norm(r[0:2] - r[2:4]) * np.linalg.norm(r[2:4] - r[4:6])
        a2 = (xs.max() - xs.min()) * (ys.max() - ys.min())
        s = np.sqrt(a1 / a2)
        return xs.mean(), ys.mean(), s * (xs.max() - xs.min()) + 1, s * (ys.max() - ys.min()) + 1
    return r[0] + r[2] / 2, r[1] + r[3] / 2, r[2], r[3]


def as_test_box(cx, cy, w, h):  # test.py: gt_bbox_ = [cx-(w-1)/2, cy-(h-1)/2, w, h]
    return np.array([cx - (w - 1) / 2, cy - (h - 1) / 2, w, h])


def vot_polygon_of_rect(r):  # test.py's conversion of a 4-number VOT ground truth
    x, y, w, h = r
    return np.array([x, y, x, y + h - 1, x + w - 1, y + h - 1, x + w - 1, y])


@pytest.fixture(scope="module")
def bag(shared_data):
    return read_vot_sequence(shared_data / "sequences" / "vot" / "bag")


@pytest.fixture(scope="module")
def couple(shared_data):
    return read_otb_folder(shared_data / "sequences" / "otb" / "Couple")


def test_hand_computed_rectangle_cases():
    r = np.array([10.0, 20.0, 30.0, 40.0])
    np.testing.assert_array_equal(init_box(r, "exact", "ope"), r)
    np.testing.assert_array_equal(init_box(r, "pysot", "ope"), [10.5, 20.5, 30, 40])
    np.testing.assert_array_equal(init_box(r, "pyvis", "ope"), [10.5, 20.5, 30, 40])
    np.testing.assert_array_equal(init_box(r, "pysot", "vot"), [10, 20, 30, 40])
    np.testing.assert_array_equal(init_box(r, "pyvis", "vot"), [10.5, 20.5, 29, 39])
    with pytest.raises(TrackbenchError, match="unknown init-box convention 'siamfc'"):
        init_box(r, "siamfc")
    with pytest.raises(TrackbenchError, match="4 or 8 numbers"):
        init_box(r[:3])


def test_real_polygons_match_the_code_bases_formulas(bag):
    """Every bag polygon: pysot = get_axis_aligned_bbox; pyvis VOT = get_min_max_bbox."""
    for region in bag.ground_truth:
        np.testing.assert_allclose(init_box(region, "pysot", "vot"), as_test_box(*pysot_axis_aligned(region)), rtol=0, atol=1e-9)
        np.testing.assert_allclose(init_box(region, "pyvis", "ope"), as_test_box(*pysot_axis_aligned(region)), rtol=0, atol=1e-9)
        xs, ys = region[0::2], region[1::2]
        min_max = (np.mean(xs), np.mean(ys), xs.max() - xs.min(), ys.max() - ys.min())
        np.testing.assert_allclose(init_box(region, "pyvis", "vot"), as_test_box(*min_max), rtol=0, atol=1e-9)
    # a VOT rectangle goes through test.py's corner polygon first
    r = np.array([12.0, 7.0, 50.0, 30.0])
    np.testing.assert_allclose(init_box(r, "pysot", "vot"), as_test_box(*pysot_axis_aligned(vot_polygon_of_rect(r))))
    xs, ys = vot_polygon_of_rect(r)[0::2], vot_polygon_of_rect(r)[1::2]
    np.testing.assert_allclose(init_box(r, "pyvis", "vot"), as_test_box(xs.mean(), ys.mean(), np.ptp(xs), np.ptp(ys)))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_one_pass_uses_the_trackers_convention(couple, convention):
    tracker = Recorder(convention)
    trajectory = run_one_pass(tracker, couple)
    expected = init_box(couple.ground_truth[0], convention, "ope")
    np.testing.assert_array_equal(tracker.boxes[0], expected)
    np.testing.assert_array_equal(trajectory.boxes[0], expected)  # row 0 = the box used
    if convention != "exact":
        np.testing.assert_array_equal(expected, couple.ground_truth[0] + [0.5, 0.5, 0, 0])


def test_supervised_reinitialisations_use_the_convention(bag):
    tracker = Recorder("pyvis")  # identity fails at some point and is re-initialised
    trajectory = run_supervised(tracker, bag)
    frames = np.flatnonzero(trajectory.codes == 1)
    assert len(frames) == len(tracker.boxes) >= 2
    for frame, box in zip(frames, tracker.boxes):
        np.testing.assert_allclose(box, init_box(bag.ground_truth[frame], "pyvis", "vot"))


def test_defaults_per_tracker():
    assert tracker_convention(IdentityTracker()) == "exact"
    assert tracker_convention(PysotAdapter(object())) == "pysot"
    assert create_tracker("identity", {"init_box": "pyvis"}).init_box_convention == "pyvis"
    with pytest.raises(TrackbenchError, match="unknown init-box convention"):
        create_tracker("identity", {"init_box": "nope"})


def test_cli_option_is_applied_and_recorded(shared_data, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "Couple").symlink_to(shared_data / "sequences" / "otb" / "Couple")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "trackbench", "run", "identity", "--suite", "custom", "--root", str(root),
               "--out", str(out), "--no-progress"]
    subprocess.run(command + ["--init-box", "pysot"], check=True, capture_output=True)
    info = json.loads((out / "custom" / "identity" / "run.json").read_text())
    assert info["init_box"] == "pysot" and info["options"] == {"init_box": "pysot"}
    boxes = read_table(out / "custom" / "identity" / "Couple.txt", 4)
    gt = read_table(shared_data / "sequences" / "otb" / "Couple" / "groundtruth_rect.txt", 4)
    np.testing.assert_allclose(boxes[0], gt[0] + [0.5, 0.5, 0, 0])
    subprocess.run(command + ["--tracker-name", "plain"], check=True, capture_output=True)
    assert json.loads((out / "custom" / "plain" / "run.json").read_text())["init_box"] == "exact"
