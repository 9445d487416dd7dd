"""IMSiam tracker: configs, crops, score rule, and runs on real sequences (random weights)."""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np
import pytest
import torch

from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_box_area_preserving
from trackbench.imageio import read_rgb
from trackbench.registry import create_tracker
from trackbench.textio import read_table
from trackbench.trackers.imsiam import tracker as tracker_module
from trackbench.trackers.imsiam.config import available_configs, load_config
from trackbench.trackers.imsiam.crop import get_subwindow
from trackbench.trackers.imsiam.decoding import combine_stages
from trackbench.trackers.imsiam.model import IMSiam
from trackbench.trackers.imsiam.tracker import IMSiamTracker
from trackbench.trackers.imsiam.weights import save_checkpoint

FRAMES = 24
COMPARED = 8  # frames on which the eager (unfolded, NCHW) tracker is compared


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def load_frames(root, frames: int):
    if (root / "img").is_dir():
        images = sorted((root / "img").glob("*.jpg"))[:frames]
        boxes = read_table(root / "groundtruth_rect.txt", 4)
    else:
        images = sorted((root / "color").glob("*.jpg"))[:frames]
        boxes = polygon_to_box_area_preserving(read_table(root / "groundtruth.txt", 8))
    return [read_rgb(p) for p in images], boxes[0]


# ------------------------------------------------------------------ configs


def test_bundled_configs_load_and_suite_overrides():
    names = available_configs()
    for name in ("imsiam", "imsiam_code", "imsiam_small", "imsiam_torchvision", "ablation_baseline"):
        assert name in names
    for name in names:
        load_config(name)
    paper, code = load_config("imsiam"), load_config("imsiam_code")
    assert (paper.tracking.score, paper.model.head_init, paper.model.sampling_layer) == ("paper", "kaiming", "per_stage")
    assert (code.tracking.score, code.model.head_init, code.model.sampling_layer) == ("code", "normal", "shared")
    assert paper.tracking.for_suite("otb2015").scale_lr == 0.35
    assert paper.tracking.for_suite("vot2018").scale_lr == 0.25
    assert paper.tracking.for_suite(None) is paper.tracking


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("model: {blockz: 3}\n", "unknown config key model.blockz"),
        ("model: {backbone: {width: 1.5}}\n", "model.backbone.width"),
        ("model: {stages: [4, 2]}\n", "increasing subset"),
        ("model: {l1_difference: false, search_identity: false, pdw_xcorr: false}\n", "at least one"),
        ("tracking: {score: both}\n", "tracking.score"),
        ("tracking: {suites: {otb: {size_update: score}}}\n", "tracking.suites.otb.size_update"),
        ("tracking: {size_update: always}\n", "tracking.size_update"),
        ("tracking: {penalty_k: -1}\n", "tracking.penalty_k"),
        ("tracking: {suites: {uav: {scale_lr: 0.1}}}\n", "unknown suite family"),
        ("extends: imsiam\nmodel: {head_channels: 100}\n", "divisible"),
        ("model: [1, 2\n", "invalid YAML"),
    ],
)
def test_bad_configs_are_errors_naming_the_file(tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(TrackbenchError) as err:
        load_config(path)
    assert fragment in str(err.value) and "bad.yaml" in str(err.value)


def test_unknown_config_name():
    with pytest.raises(TrackbenchError, match="imsiam_small"):
        load_config("imsiam_huge")


# ------------------------------------------------------------------ crop


def pysot_reference_crop(image, center, model_size, original_size, average):
    """pysot's get_subwindow written the straightforward way: pad the whole image."""
    sz = original_size
    c = (sz + 1) / 2
    xmin = math.floor(center[0] - c + 0.5)
    ymin = math.floor(center[1] - c + 0.5)
    xmax, ymax = xmin + sz - 1, ymin + sz - 1
    h, w = image.shape[:2]
    left, top = int(max(0, -xmin)), int(max(0, -ymin))
    right, bottom = int(max(0, xmax - w + 1)), int(max(0, ymax - h + 1))
    padded = np.zeros((h + top + bottom, w + left + right, 3), np.uint8)
    padded[:, :] = average  # numpy truncates the float mean, as pysot's assignment
    padded[top : top + h, left : left + w] = image
    patch = padded[ymin + top : ymax + top + 1, xmin + left : xmax + left + 1]
    return cv2.resize(patch, (model_size, model_size)) if model_size != sz else patch


@pytest.mark.parametrize("center, size", [((50.0, 40.0), 61), ((3.2, 5.7), 120), ((315.5, 230.0), 301), ((160.0, 120.0), 127)])
def test_get_subwindow_matches_pysot(center, size):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    average = image.mean(axis=(0, 1))
    ours = get_subwindow(image, center, 127, size, average)
    assert ours.shape == (127, 127, 3) and ours.dtype == np.uint8
    np.testing.assert_array_equal(ours, pysot_reference_crop(image, center, 127, size, average))


# ------------------------------------------------------------------ tracker


def test_score_rule_paper_and_code():
    g = torch.Generator().manual_seed(0)
    outputs = [{k: torch.randn(1, c, 5, 5, generator=g) for k, c in (("cls", 2), ("cen", 1), ("iou", 1), ("reg", 4))} for _ in range(3)]
    expected_cp = sum(torch.softmax(o["cls"][0], 0)[1] * torch.sigmoid(o["cen"][0, 0]) for o in outputs) / 3
    expected_cpi = sum(torch.softmax(o["cls"][0], 0)[1] * torch.sigmoid(o["cen"][0, 0]) * torch.sigmoid(o["iou"][0, 0]) for o in outputs) / 3
    for use_iou, expected in ((True, expected_cpi), (False, expected_cp)):
        score, reg = combine_stages(outputs, use_iou)
        assert score.shape == (1, 5, 5) and reg.shape == (1, 4, 5, 5)
        torch.testing.assert_close(score[0].float(), expected)
        torch.testing.assert_close(reg[0].float(), sum(o["reg"][0] for o in outputs) / 3)


@pytest.mark.parametrize("sequence", ["otb/Couple", "vot/bag"])
def test_tracker_runs_on_real_sequences(shared_data, sequence):
    images, box = load_frames(shared_data / "sequences" / sequence, FRAMES)
    tracker = create_tracker("imsiam", {"config": "imsiam_small", "random_init": "true", "suite": "otb2015"})
    assert tracker.is_deterministic
    tracker.init(images[0], box)
    boxes = []
    for image in images[1:]:
        out, score = tracker.update(image)
        h, w = image.shape[:2]
        assert out.shape == (4,) and np.all(np.isfinite(out)) and 0.0 <= score <= 1.0
        cx, cy = out[0] + out[2] / 2, out[1] + out[3] / 2
        assert 0 <= cx <= w and 0 <= cy <= h  # the centre stays inside the image
        assert 10 <= out[2] <= w and 10 <= out[3] <= h  # and the size within [10, image size]
        boxes.append(out)
    summary = tracker.config_summary()
    assert summary["components"] == {
        "stages": [2, 3, 4], "pdw_xcorr": True, "l1_difference": True, "search_identity": True, "cls_cen_reg": True, "iou": True
    }
    assert summary["scale_lr"] == 0.35 and summary["random_init"] is True
    # deterministic, and BN folding does not change the boxes beyond float tolerance
    again = IMSiamTracker(config="imsiam_small", random_init=True, suite="otb", fold_bn=False, channels_last=False)
    again.init(images[0], box)
    for image, expected in zip(images[1 : COMPARED + 1], boxes):
        np.testing.assert_allclose(again.update(image)[0], expected, rtol=1e-3, atol=1e-3)


def test_missing_weights_and_bad_options(tmp_path, monkeypatch):
    monkeypatch.setattr(tracker_module, "DEMO_CHECKPOINT", tmp_path / "absent.safetensors")
    with pytest.raises(TrackbenchError, match="--set checkpoint=") as err:
        IMSiamTracker()
    assert "random_init=true" in str(err.value)
    with pytest.raises(TrackbenchError, match="not found"):
        IMSiamTracker(checkpoint=str(tmp_path / "nope.pth"))
    with pytest.raises(TrackbenchError, match="random_init"):
        IMSiamTracker(random_init="maybe")
    with pytest.raises(TrackbenchError, match="tracking.score"):
        IMSiamTracker(config="imsiam_small", random_init=True, score="both")
    tracker = IMSiamTracker(config="imsiam_small", random_init=True)
    with pytest.raises(TrackbenchError, match="before init"):
        tracker.update(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(TrackbenchError, match="w, h > 0"):
        tracker.init(np.zeros((10, 10, 3), np.uint8), np.array([1.0, 1.0, 0.0, 4.0]))


def test_checkpoint_with_embedded_config_drives_the_tracker(tmp_path):
    cfg = load_config("ablation_iou")
    small = load_config("imsiam_small").model
    cfg = dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, backbone=small.backbone, neck_channels=16, head_channels=16, gn_groups=4))
    path = tmp_path / "tiny.safetensors"
    save_checkpoint(IMSiam(cfg), path, cfg)
    tracker = IMSiamTracker(checkpoint=str(path), window_influence="0.3")
    summary = tracker.config_summary()
    assert summary["config_name"] == "ablation_iou" and summary["window_influence"] == 0.3
    assert summary["components"]["l1_difference"] is False and summary["checkpoint"] == str(path)
    image = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    tracker.init(image, np.array([50.0, 40.0, 30.0, 20.0]))
    assert np.all(np.isfinite(tracker.update(image)[0]))


def test_decoding_of_a_known_peak():
    """A fake network output with its peak 2 rows below and 3 columns left of the centre."""
    tracker = IMSiamTracker(config="imsiam_small", random_init=True, window_influence=0.0, scale_lr=0.25, backend="torch")
    image = np.full((300, 400, 3), 90, np.uint8)
    tracker.init(image, np.array([100.0, 80.0, 40.0, 60.0]))  # centre (119.5, 109.5)
    s_z = math.sqrt((40 + 50) * (60 + 50))  # context 0.5 * (w + h) = 50
    scale_z = 127 / s_z

    def fake_track(x, template):
        assert x.shape[-2:] == (255, 255)
        cls = torch.zeros(1, 2, 29, 29)
        cls[0, 1, 16, 11] = 5.0  # row 14 + 2, column 14 - 3
        reg = torch.tensor([20.0, 10.0, 30.0, 40.0]).reshape(1, 4, 1, 1).expand(1, 4, 29, 29)
        return [{"cls": cls, "cen": torch.zeros(1, 1, 29, 29), "reg": reg, "iou": torch.zeros(1, 1, 29, 29)}] * 3

    tracker.model.track = fake_track
    box, score = tracker.update(image)
    loc_x, loc_y = 119.5 - 3 * 8 / scale_z, 109.5 + 2 * 8 / scale_z
    cx = ((loc_x - 20 / scale_z) + (loc_x + 30 / scale_z)) / 2
    cy = ((loc_y - 10 / scale_z) + (loc_y + 40 / scale_z)) / 2
    w = 0.75 * 40 + 0.25 * 50 / scale_z
    h = 0.75 * 60 + 0.25 * 50 / scale_z
    np.testing.assert_allclose(box, [cx - w / 2, cy - h / 2, w, h], rtol=1e-9)
    peak = 1 / (1 + math.exp(-5)) * 0.5 * 0.5  # softmax fg x sigmoid(0) x sigmoid(0)
    assert abs(score - peak) < 1e-6


def test_change_penalty_and_score_weighted_size_update_by_hand():
    """SiamRPN's penalty (Li et al. 2018, Eq. 13-14) computed by hand for two locations: one
    whose box keeps the previous size and aspect (penalty 1) and one twice as wide; with
    ``penalty_k`` the peak moves to the unchanged box, and ``size_update=score`` smooths the
    size with gamma x penalty x score."""
    from trackbench.trackers.imsiam.decoding import TargetState, change_penalty, decode_step

    state = TargetState(np.array([100.0, 100.0]), np.array([20.0, 40.0]), np.zeros(3))
    scale_z = 2.0  # previous target in search pixels: 40 x 80
    reg = np.zeros((4, 3, 3))
    reg[:, 1, 1] = [20.0, 40.0, 20.0, 40.0]  # 40 x 80: no change
    reg[:, 1, 2] = [40.0, 40.0, 40.0, 40.0]  # 80 x 80: s_c = sqrt(160 * 160) / sqrt(100 * 140)
    score = np.zeros((3, 3))
    score[1, 1], score[1, 2] = 0.5, 0.6
    k = 0.3
    s_c = 160 / math.sqrt(100 * 140)
    expected = math.exp(-(2.0 * s_c - 1) * k)  # r_c = (40 / 80) / (80 / 80) -> 2
    penalty = change_penalty(reg, state.size * scale_z, k)
    assert penalty[1, 1] == 1.0 and abs(penalty[1, 2] - expected) < 1e-12
    window = np.zeros((3, 3))
    plain, _ = decode_step(score, reg, state, scale_z, (400, 400, 3), window, 0.0, 0.5)
    assert plain.size[0] == 0.5 * 20 + 0.5 * 40  # the wider box wins without the penalty
    penalised, _ = decode_step(score, reg, state, scale_z, (400, 400, 3), window, 0.0, 0.5, penalty_k=k)
    np.testing.assert_allclose(penalised.size, [20.0, 40.0])  # 0.6 x penalty 0.60 < 0.5: the unchanged box
    weighted, _ = decode_step(score, reg, state, scale_z, (400, 400, 3), window, 0.0, 0.5, size_update="score")
    lr = 0.5 * 1.0 * 0.6  # gamma x penalty (k = 0: 1) x score at the peak
    np.testing.assert_allclose(weighted.size, [(1 - lr) * 20 + lr * 40, 40.0])


def test_full_paper_model_tracks_a_few_real_frames(shared_data):
    # The full ResNet-50 model of the paper's configuration, random weights, on a real
    # sequence: finite boxes that keep their centre in the image (the authors' clipping).
    images, box = load_frames(shared_data / "sequences" / "otb" / "Crossing", 3)
    tracker = IMSiamTracker(config="imsiam", random_init=True, suite="otb2015")
    tracker.init(images[0], box)
    h, w = images[0].shape[:2]
    for image in images[1:]:
        out, score = tracker.update(image)
        assert np.all(np.isfinite(out)) and 0.0 <= score <= 1.0
        assert 0 <= out[0] + out[2] / 2 <= w and 0 <= out[1] + out[3] / 2 <= h
        assert 10 <= out[2] <= w and 10 <= out[3] <= h
    assert tracker.config_summary()["components"]["stages"] == [2, 3, 4]


def test_mixed_precision_is_an_option_checked_against_the_others():
    with pytest.raises(TrackbenchError, match="mixed_precision: 'int8' is not one of none, bf16, fp16"):
        IMSiamTracker(config="imsiam_small", random_init=True, mixed_precision="int8")
    with pytest.raises(TrackbenchError, match="mixed_precision=bf16 contradicts exact=true"):
        IMSiamTracker(config="imsiam_small", random_init=True, exact=True, mixed_precision="bf16")
    with pytest.raises(TrackbenchError, match="mixed_precision=bf16 contradicts dtype=float64"):
        IMSiamTracker(config="imsiam_small", random_init=True, dtype="float64", mixed_precision="bf16")
    with pytest.raises(TrackbenchError, match="backend=onnxruntime contradicts mixed_precision=fp16"):
        IMSiamTracker(config="imsiam_small", random_init=True, backend="onnxruntime", mixed_precision="fp16")
    tracker = IMSiamTracker(config="imsiam_small", random_init=True, mixed_precision="BF16")
    assert tracker.backend == "torch"  # auto: the ONNX graph is float32
    assert tracker.config_summary()["mixed_precision"] == "bf16"
    assert IMSiamTracker(config="imsiam_small", random_init=True).config_summary()["mixed_precision"] == "none"


def test_bf16_tracker_follows_the_float32_one_on_real_frames(shared_data):
    # the trained demo weights on real Crossing frames: bf16 arithmetic moves the boxes by
    # pixels, not by a different track
    from trackbench.geometry import iou

    images, box = load_frames(shared_data / "sequences" / "otb" / "Crossing", 20)
    exact, mixed = IMSiamTracker(config="imsiam_demo", backend="torch"), \
        IMSiamTracker(config="imsiam_demo", mixed_precision="bf16")
    exact.init(images[0], box)
    mixed.init(images[0], box)
    pairs = [(exact.update(image), mixed.update(image)) for image in images[1:]]
    overlaps = [iou(a[0], b[0]) for a, b in pairs]
    assert min(overlaps) > 0.85, overlaps
    assert any(not np.array_equal(a[0], b[0]) for a, b in pairs)  # it did run in bf16
    assert all(np.isfinite(b[1]) for _, b in pairs)
