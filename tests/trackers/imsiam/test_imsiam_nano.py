"""IMSiam-nano: NanoTrack v2's MobileNetV3 backbone (../shared/data/models/nanotrack-v2)
re-written here, checked against the authors' own ONNX export; the atrous geometry IMSiam uses."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trackbench.trackers.imsiam.config import load_config
from trackbench.trackers.imsiam.model import IMSiam
from trackbench.trackers.imsiam.model.mobilenet import MobileNetV3Nano
from trackbench.trackers.imsiam.weights import load_pretrained_backbone, read_state_dict

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def nano_dir(shared_data):
    return shared_data / "models" / "nanotrack-v2"


def test_released_backbone_equals_the_authors_onnx_export(nano_dir):
    """Same weights, same 255x255 BGR 0-255 crop: our module vs nanotrack_backbone_sim.onnx
    (run by onnxruntime), on a real frame of Crossing."""
    import cv2
    import onnxruntime

    state, _ = read_state_dict(nano_dir / "nanotrackv2.safetensors")
    model = MobileNetV3Nano(atrous=False).eval()
    model.load_state_dict(model.select_pretrained(state), strict=True)  # every backbone key, no other
    image = cv2.imread(str(nano_dir.parents[1] / "sequences" / "otb" / "Crossing" / "img" / "0001.jpg"))
    crop = cv2.resize(image[40:290, 60:310], (255, 255)).transpose(2, 0, 1)[None].astype(np.float32)
    session = onnxruntime.InferenceSession(str(nano_dir / "nanotrack_backbone_sim.onnx"), providers=["CPUExecutionProvider"])
    reference = session.run(None, {session.get_inputs()[0].name: crop})[0]
    with torch.no_grad():
        ours = model(torch.from_numpy(crop))[0].numpy()
    assert ours.shape == reference.shape == (1, 48, 16, 16)
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-4 * np.abs(reference).max())


def test_atrous_geometry_matches_the_resnet_grid():
    """Stride 8, 15 / 31 cells; a bright dot at crop pixel (7 + 8 j) peaks at cell j."""
    model = MobileNetV3Nano(used_layers=(2, 3, 4)).eval()
    with torch.no_grad():
        shapes = [tuple(t.shape[1:]) for t in model(torch.zeros(1, 3, 127, 127))]
        assert shapes == [(24, 15, 15), (40, 15, 15), (48, 15, 15)]
        assert [tuple(t.shape[2:]) for t in model(torch.zeros(1, 3, 255, 255))] == [(31, 31)] * 3
    # centre of map cell i, followed through every conv's stride / padding / dilation
    # (in forward order; 1x1 convs and SE leave it unchanged): pixel(i) = a + b * i
    a, b = -1.0, 1.0  # the 1-pixel pad at the top-left: padded pixel p = crop pixel p - 1
    for module in model.features.modules():
        if isinstance(module, torch.nn.Conv2d):
            k, s, pad, d = module.kernel_size[0], module.stride[0], module.padding[0], module.dilation[0]
            a, b = a + b * (d * (k - 1) / 2 - pad), b * s
    # the first map row / column is dropped: cell j is map index j + 1
    assert (b, a + b) == (8.0, 7.0)  # cell j at crop pixel 7 + 8 j, as pysot's ResNet-50


def test_imsiam_nano_config_builds_with_frozen_pretrained_backbone(nano_dir):
    cfg = load_config("imsiam_nano")
    model = IMSiam(cfg)
    report = load_pretrained_backbone(model, nano_dir / "nanotrackv2.safetensors")
    file_keys = [k for k in read_state_dict(nano_dir / "nanotrackv2.safetensors")[0] if k.startswith("backbone.")]
    assert report.ok and report.loaded == len(file_keys) == len(model.backbone.state_dict())
    assert not any(p.requires_grad for p in model.backbone.parameters())
    model.train()
    assert not any(m.training for m in model.backbone.modules() if isinstance(m, torch.nn.BatchNorm2d))  # frozen BN
    assert all(p.requires_grad for p in model.neck.parameters())
    boxes = torch.tensor([[40.0, 30.0, 90.0, 100.0]])
    outputs = model(torch.rand(2, 3, 127, 127) * 255, torch.rand(2, 3, 255, 255) * 255, boxes.repeat(2, 1))
    assert [tuple(o["cls"].shape) for o in outputs] == [(2, 2, 29, 29)]


def test_bundled_imsiam_nano_loads_by_name_and_carries_the_frozen_nanotrack_backbone(nano_dir, shared_data):
    from trackbench.registry import create_tracker

    tracker = create_tracker("imsiam-nano", {"threads": 1})
    assert tracker.config.name == "imsiam_nano" and tracker.name == "imsiam-nano"
    bundled, _ = read_state_dict(tracker.checkpoint)
    released, _ = read_state_dict(nano_dir / "nanotrackv2.safetensors")
    backbone = [k for k in released if k.startswith("backbone.") and not k.endswith("num_batches_tracked")]
    for key in backbone:  # frozen during training: the released values, unchanged
        torch.testing.assert_close(bundled[key].float(), released[key].float(), rtol=0, atol=0)
    from trackbench.imageio import read_rgb
    from trackbench.textio import read_table

    root = shared_data / "sequences" / "otb" / "Crossing"
    box = read_table(root / "groundtruth_rect.txt", 4)[0]
    tracker.init(read_rgb(root / "img" / "0001.jpg"), box)
    out, score = tracker.update(read_rgb(root / "img" / "0002.jpg"))
    assert np.all(np.isfinite(out)) and 0 <= score <= 1
    assert abs(out[0] + out[2] / 2 - (box[0] + box[2] / 2)) < 20  # stays on the pedestrian
