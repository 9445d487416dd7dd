"""OpenCV's deep trackers: opencv-nano on the real NanoTrack v2 ONNX pair and real frames
(../shared/data), and the one-line errors of opencv-nano / opencv-vit / opencv-dasiamrpn."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.data.vot import read_vot_sequence
from trackbench.errors import TrackbenchError
from trackbench.geometry import iou
from trackbench.imageio import read_rgb
from trackbench.protocols.ope import run_one_pass
from trackbench.registry import available_trackers, create_tracker
from trackbench.textio import read_table
from trackbench.trackers.opencv.dnn import DaSiamRPNTracker, NanoTracker, VitTracker


@pytest.fixture(scope="module")
def nano_files(shared_data):
    folder = shared_data / "models" / "nanotrack-v2"
    return {"backbone": str(folder / "nanotrack_backbone_sim.onnx"), "neckhead": str(folder / "nanotrack_head_sim.onnx")}


@pytest.fixture
def no_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "trackbench" / "config.yaml"


def test_registered():
    found = available_trackers()
    for name, cls in (("opencv-nano", NanoTracker), ("opencv-vit", VitTracker), ("opencv-dasiamrpn", DaSiamRPNTracker)):
        assert found[name].target == f"trackbench.trackers.opencv.dnn:{cls.__name__}"


def test_nano_on_real_crossing_matches_the_models_documented_accuracy(shared_data, nano_files):
    """The model folder's README: mean IoU 0.77 over the 119 tracked frames of Crossing."""
    root = shared_data / "sequences" / "otb" / "Crossing"
    gt = read_table(root / "groundtruth_rect.txt", 4)
    tracker = create_tracker("opencv-nano", nano_files)
    tracker.init(read_rgb(root / "img" / "0001.jpg"), gt[0])
    outputs = [tracker.update(read_rgb(root / "img" / f"{i:04d}.jpg")) for i in range(2, len(gt) + 1)]
    boxes = np.array([box for box, _ in outputs])
    scores = np.array([score for _, score in outputs])
    assert abs(float(iou(boxes, gt[1:]).mean()) - 0.77) < 0.01
    assert np.all((scores > 0) & (scores <= 1))
    assert tracker.config_summary()["files"] == nano_files


def test_nano_on_real_bag_polygons_one_pass(shared_data, nano_files):
    sequence = read_vot_sequence(shared_data / "sequences" / "vot" / "bag")
    trajectory = run_one_pass(create_tracker("opencv-nano", nano_files), sequence)
    assert trajectory.boxes.shape == (len(sequence), 4) and np.all(np.isfinite(trajectory.boxes))
    from trackbench.geometry import polygon_to_bbox

    overlap = iou(trajectory.boxes[1:], polygon_to_bbox(sequence.ground_truth[1:]))
    assert np.mean(overlap > 0.3) > 0.8  # the bag is followed through the sequence
    again = run_one_pass(create_tracker("opencv-nano", nano_files), sequence)
    np.testing.assert_array_equal(again.boxes, trajectory.boxes)  # declared deterministic


def test_model_files_from_the_user_config(nano_files, no_user_config):
    no_user_config.parent.mkdir(parents=True)
    no_user_config.write_text(
        f"models:\n  nanotrack_backbone: {nano_files['backbone']}\n  nanotrack_neckhead: {nano_files['neckhead']}\n")
    assert create_tracker("opencv-nano").paths == nano_files


@pytest.mark.parametrize(
    "name, options, fragment",
    [
        ("opencv-nano", {}, "needs the NanoTrack model file 'backbone': pass --set backbone=PATH or set models.nanotrack_backbone"),
        ("opencv-vit", {}, "needs the VitTrack model file 'net': pass --set net=PATH or set models.vit_net"),
        ("opencv-dasiamrpn", {}, "needs the DaSiamRPN model file 'model': pass --set model=PATH or set models.dasiamrpn_model"),
        ("opencv-vit", {"net": "/nonexistent/vittrack.onnx"}, "model file for 'net' not found"),
    ],
)
def test_missing_model_files_are_one_line_errors(name, options, fragment, no_user_config):
    with pytest.raises(TrackbenchError) as info:
        create_tracker(name, options)
    assert fragment in str(info.value) and "\n" not in str(info.value)
    if not options:
        assert str(no_user_config) in str(info.value)


def test_unreadable_model_files_are_one_line_errors(tmp_path, nano_files, no_user_config):
    bogus = tmp_path / "not_a_model.onnx"
    bogus.write_text("not an ONNX file")
    cases = [
        ("opencv-vit", {"net": str(bogus)}),
        ("opencv-dasiamrpn", {"model": str(bogus), "kernel_cls1": str(bogus), "kernel_r1": str(bogus)}),
        ("opencv-nano", {"backbone": nano_files["backbone"], "neckhead": str(bogus)}),
    ]
    for name, options in cases:
        with pytest.raises(TrackbenchError, match="OpenCV could not load the model files") as info:
            create_tracker(name, options)
        assert "\n" not in str(info.value)
    with pytest.raises(TrackbenchError, match="no option"):
        create_tracker("opencv-nano", {"backbone": nano_files["backbone"], "neckhead": nano_files["neckhead"], "head": "x"})


def test_one_pass_scores_of_polygon_ground_truth_use_the_polygons_bounds(shared_data, nano_files, tmp_path):
    """bag run one-pass: scored against each polygon's min/max box (computed here by hand),
    exactly as against a rectangle copy of the annotation."""
    from trackbench.metrics.evaluate import evaluate
    from trackbench.results.layout import write_ope_result
    from trackbench.suites import get_suite

    source = shared_data / "sequences" / "vot" / "bag"
    polygons = read_table(source / "groundtruth.txt", 8)
    xs, ys = polygons[:, 0::2], polygons[:, 1::2]
    rects = np.stack([xs.min(1), ys.min(1), xs.max(1) - xs.min(1), ys.max(1) - ys.min(1)], axis=1)
    roots = {}
    for kind, rows in (("polygon", polygons), ("rect", rects)):
        folder = tmp_path / kind / "bag"
        folder.mkdir(parents=True)
        (folder / "color").symlink_to(source / "color")
        (folder / "groundtruth.txt").write_text("\n".join(",".join(f"{v:.4f}" for v in r) for r in rows) + "\n")
        roots[kind] = tmp_path / kind
    suite = get_suite("custom")
    trajectory = run_one_pass(create_tracker("opencv-nano", nano_files), suite.load(roots["polygon"]).sequences[0])
    write_ope_result(tmp_path / "res" / "opencv-nano", "bag", trajectory)
    scores = {k: evaluate(suite, suite.load(r), tmp_path / "res" / "opencv-nano", "official").metrics for k, r in roots.items()}
    # x + w rebuilt from the rectangle file can differ from max(x) by one ulp: at most one
    # frame may flip at one threshold (1 / (196 frames x 21 thresholds) = 2.4e-4)
    for key in ("success_auc", "precision", "norm_precision"):
        assert scores["polygon"][key] == pytest.approx(scores["rect"][key], abs=1 / (196 * 21) + 1e-9)
    assert scores["polygon"]["success_auc"] > 0.6  # NanoTrack follows the bag
