"""IMSiam weights: checkpoint round trips, the authors' format, ImageNet key layouts."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from trackbench.errors import TrackbenchError
from trackbench.trackers.imsiam.config import load_config
from trackbench.trackers.imsiam.model import IMSiam
from trackbench.trackers.imsiam.weights import (
    checkpoint_config,
    load_checkpoint,
    load_pretrained_backbone,
    save_checkpoint,
)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def small(downsample_kernel: int = 3, seed: int = 0) -> IMSiam:
    cfg = load_config("imsiam_small")
    cfg = dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, backbone=dataclasses.replace(cfg.model.backbone, downsample_kernel=downsample_kernel)))
    torch.manual_seed(seed)
    return IMSiam(cfg)


def resnet_state_dict(width: int, blocks: list[int], downsample_kernel: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """A fake ImageNet ResNet state dict written from the published key layout.

    Keys as in torchvision / pysot ``resnet50.model``: conv1, bn1, layer{k}.{i}.conv{1,2,3},
    bn{1,2,3}, layer{k}.0.downsample.{0,1}, fc; ResNet-50 when width=64, blocks=[3,4,6,3].
    """
    g = torch.Generator().manual_seed(seed)
    state: dict[str, torch.Tensor] = {}

    def conv(name, out_c, in_c, k):
        state[name + ".weight"] = torch.randn(out_c, in_c, k, k, generator=g)

    def bn(name, c):
        state[name + ".weight"] = torch.rand(c, generator=g) + 0.5
        state[name + ".bias"] = torch.randn(c, generator=g)
        state[name + ".running_mean"] = torch.randn(c, generator=g)
        state[name + ".running_var"] = torch.rand(c, generator=g) + 0.5
        state[name + ".num_batches_tracked"] = torch.tensor(100)

    conv("conv1", width, 3, 7)
    bn("bn1", width)
    inplanes = width
    for k, n in enumerate(blocks, start=1):
        planes = width * 2 ** (k - 1)
        for i in range(n):
            prefix = f"layer{k}.{i}"
            conv(f"{prefix}.conv1", planes, inplanes, 1)
            bn(f"{prefix}.bn1", planes)
            conv(f"{prefix}.conv2", planes, planes, 3)
            bn(f"{prefix}.bn2", planes)
            conv(f"{prefix}.conv3", planes * 4, planes, 1)
            bn(f"{prefix}.bn3", planes * 4)
            if i == 0:
                conv(f"{prefix}.downsample.0", planes * 4, inplanes, 1 if k == 1 else downsample_kernel)
                bn(f"{prefix}.downsample.1", planes * 4)
            inplanes = planes * 4
    state["fc.weight"] = torch.randn(1000, inplanes, generator=g)
    state["fc.bias"] = torch.randn(1000, generator=g)
    return state


def outputs_equal(a: IMSiam, b: IMSiam) -> None:
    g = torch.Generator().manual_seed(1)
    z, x = torch.rand(1, 3, 127, 127, generator=g) * 255, torch.rand(1, 3, 255, 255, generator=g) * 255
    boxes = torch.tensor([[30.0, 30.0, 90.0, 100.0]])
    with torch.no_grad():
        for oa, ob in zip(a.eval()(z, x, boxes), b.eval()(z, x, boxes)):
            for key in oa:
                torch.testing.assert_close(oa[key], ob[key])


@pytest.mark.parametrize("suffix", [".safetensors", ".pth"])
def test_checkpoint_round_trip(tmp_path, suffix):
    model, other = small(seed=0), small(seed=1)
    path = tmp_path / f"model{suffix}"
    save_checkpoint(model, path, load_config("imsiam_small"))
    report = load_checkpoint(other, path)
    assert report.ok and report.loaded == len(model.state_dict())
    outputs_equal(model, other)
    cfg = checkpoint_config(path)
    assert cfg is not None and cfg.model == load_config("imsiam_small").model
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically


def test_half_precision_checkpoint_is_small(tmp_path):
    path = tmp_path / "model.safetensors"
    save_checkpoint(small(), path, load_config("imsiam_small"), half=True)
    assert path.stat().st_size < 5e6
    other = small(seed=2)
    load_checkpoint(other, path)
    torch.testing.assert_close(other.state_dict()["head.cls_tower.0.weight"], small().state_dict()["head.cls_tower.0.weight"], rtol=1e-3, atol=1e-4)


def test_authors_checkpoint_format_with_module_prefix(tmp_path):
    model = small(seed=0)
    path = tmp_path / "model_e20.pth"
    state = {"module." + k: v for k, v in model.state_dict().items()}
    torch.save({"epoch": 20, "state_dict": state, "optimizer": {"state": {}, "param_groups": [{"lr": 0.005}]}}, path)
    other = small(seed=3)
    assert load_checkpoint(other, path).ok
    outputs_equal(model, other)


def test_mismatched_checkpoint_is_reported_in_one_line(tmp_path):
    path = tmp_path / "model.pth"
    state = small().state_dict()
    state.pop("head.iou_pred.weight")
    state["head.extra.weight"] = torch.zeros(3)
    state["head.cls_logits.weight"] = torch.zeros(2, 5, 3, 3)
    torch.save(state, path)
    with pytest.raises(TrackbenchError) as err:
        load_checkpoint(small(), path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    assert "1 missing key(s): head.iou_pred.weight" in message
    assert "1 unexpected key(s): head.extra.weight" in message
    assert "head.cls_logits.weight: file (2, 5, 3, 3) vs model (2, 64, 3, 3)" in message
    report = load_checkpoint(small(), path, strict=False)
    assert report.missing == ["head.iou_pred.weight"] and report.unexpected == ["head.extra.weight"]
    assert len(report.summary_lines()) == 3


def test_not_a_checkpoint(tmp_path):
    path = tmp_path / "junk.pth"
    path.write_bytes(b"not a torch file")
    with pytest.raises(TrackbenchError, match="junk.pth"):
        load_checkpoint(small(), path)
    with pytest.raises(TrackbenchError, match="not found"):
        load_checkpoint(small(), tmp_path / "absent.safetensors")


@pytest.mark.parametrize("kernel", [3, 1])
def test_imagenet_backbone_layouts(tmp_path, kernel):
    """pysot resnet50.model (3x3 downsample) and torchvision (1x1) layouts, scaled down."""
    bb = load_config("imsiam_small").model.backbone
    state = resnet_state_dict(bb.width, list(bb.blocks), kernel)
    path = tmp_path / "resnet.pth"
    torch.save({"module." + k: v for k, v in state.items()} if kernel == 1 else state, path)
    model = small(downsample_kernel=kernel)
    report = load_pretrained_backbone(model, path)
    assert report.ok and report.loaded == len(state) - 2  # all but fc
    own = model.backbone.state_dict()
    for key in ("conv1.weight", "layer2.0.downsample.0.weight", "layer4.1.bn3.running_var"):
        torch.testing.assert_close(own[key], state[key])
    # the other layout is refused with the switch to set
    with pytest.raises(TrackbenchError, match="downsample_kernel"):
        load_pretrained_backbone(small(downsample_kernel=4 - kernel), path)


def test_full_resnet50_key_layout_matches():
    """Key names and shapes of a real ResNet-50 file match the r50 model (no tensors built)."""
    for kernel, config in ((3, "imsiam"), (1, "imsiam_torchvision")):
        with torch.device("meta"):
            model = IMSiam(load_config(config))
            reference = resnet_state_dict(64, [3, 4, 6, 3], kernel)
        own = {k: tuple(v.shape) for k, v in model.backbone.state_dict().items()}
        expected = {k: tuple(v.shape) for k, v in reference.items() if not k.startswith("fc.")}
        assert own == expected


def test_incomplete_backbone_file_is_reported(tmp_path):
    bb = load_config("imsiam_small").model.backbone
    state = resnet_state_dict(bb.width, list(bb.blocks), 3)
    state = {k: v for k, v in state.items() if not k.startswith("layer4.1.")}
    path = tmp_path / "partial.pth"
    torch.save(state, path)
    with pytest.raises(TrackbenchError, match=r"missing key\(s\): layer4\.1\.conv1\.weight"):
        load_pretrained_backbone(small(), path)
