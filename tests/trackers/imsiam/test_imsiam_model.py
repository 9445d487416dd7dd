"""IMSiam network: shapes at every stage, parameter counts, ablations, BN folding."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from trackbench.trackers.imsiam.config import load_config
from trackbench.trackers.imsiam.model import IMSiam, parameter_counts
from trackbench.trackers.imsiam.model.inference import fold_batchnorm


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def small_model(name: str = "imsiam_small", **model_changes) -> IMSiam:
    cfg = load_config(name)
    if model_changes:
        cfg = dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, **model_changes))
    torch.manual_seed(0)
    return IMSiam(cfg)


def inputs(batch: int = 1, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    z = torch.rand(batch, 3, 127, 127, generator=g) * 255
    x = torch.rand(batch, 3, 255, 255, generator=g) * 255
    boxes = torch.tensor([[30.0, 40.0, 95.0, 90.0]]).repeat(batch, 1)
    return z, x, boxes


@pytest.fixture(scope="module")
def authors_model() -> IMSiam:
    """The authors' configuration (ResNet-50, 256 channels, shared sampling layer)."""
    torch.manual_seed(0)
    return IMSiam(load_config("imsiam_code")).eval()


def test_parameter_counts_of_the_authors_configuration(authors_model):
    counts = parameter_counts(authors_model)
    assert f"{counts['backbone'] / 1e6:.1f}" == "45.5"
    assert f"{counts['neck'] / 1e6:.2f}" == "6.23"
    assert f"{counts['head'] / 1e6:.2f}" == "3.96"
    backbone = authors_model.backbone
    frozen = sum(p.numel() for name in ("conv1", "bn1", "layer1") for p in getattr(backbone, name).parameters())
    assert f"{frozen / 1e6:.3f}" == "0.225"
    assert all(not p.requires_grad for p in backbone.layer1.parameters())
    assert all(p.requires_grad for p in backbone.layer2.parameters())
    # the paper's per-stage sampling layers add two 1x1 768->256 Conv+GN per extra stage
    paper = parameter_counts(IMSiam(load_config("imsiam")))
    assert paper["head"] - counts["head"] == 2 * 2 * (768 * 256 + 256 + 2 * 256)


def test_shapes_at_every_stage(authors_model):
    z, x, boxes = inputs()
    bb = authors_model.backbone
    with torch.no_grad():
        stem = bb.maxpool(bb.relu(bb.bn1(bb.conv1(z))))
        assert bb.conv1(z).shape[-1] == 61 and stem.shape[-1] == 31 and bb.layer1(stem).shape[-1] == 31
        zf, xf = bb(z), bb(x)
        assert [tuple(f.shape) for f in zf] == [(1, 512, 15, 15), (1, 1024, 15, 15), (1, 2048, 15, 15)]
        assert [tuple(f.shape) for f in xf] == [(1, 512, 31, 31), (1, 1024, 31, 31), (1, 2048, 31, 31)]
        neck = authors_model.neck
        templates = neck.encode_template(zf, boxes)
        assert all(t.vector.shape == (1, 256, 1, 1) and t.kernel.shape == (1, 256, 5, 5) for t in templates)
        feats = neck.search_features(templates, xf)
        assert [tuple(f.shape) for f in feats] == [(1, 768, 29, 29)] * 3
        outputs = authors_model.head(feats)
    assert len(outputs) == 3
    for out in outputs:
        assert {k: tuple(v.shape) for k, v in out.items()} == {
            "cls": (1, 2, 29, 29), "cen": (1, 1, 29, 29), "reg": (1, 4, 29, 29), "iou": (1, 1, 29, 29)
        }
        assert (out["reg"] > 0).all()
    keys = authors_model.state_dict()
    assert keys["head.cls_tower.0.weight"].shape == (256, 768, 1, 1)
    assert keys["head.bbox_tower.0.weight"].shape == (256, 768, 1, 1)
    assert keys["backbone.layer2.0.downsample.0.weight"].shape == (512, 256, 3, 3)
    for k in (2, 3, 4):
        assert f"neck.downsample{k}.downsample.0.weight" in keys and f"neck.matchcat{k}.conv_diff.0.weight" in keys
    assert keys["head.scales.2.scale"].shape == ()


def test_neck_feature_blocks_are_l1_identity_xcorr():
    model = small_model().eval()
    z, x, boxes = inputs()
    with torch.no_grad():
        template = model.neck.matchcat2.encode_template(model.neck.downsample2(model.backbone(z)[0]), boxes)
        xs = model.neck.downsample2(model.backbone(x)[0])
        feat = model.neck.matchcat2.search_features(template, xs)
        diff = model.neck.matchcat2.conv_diff(xs)
    c = 64
    torch.testing.assert_close(feat[:, :c], (diff - template.vector).abs())
    torch.testing.assert_close(feat[:, c : 2 * c], diff)
    assert feat.shape == (1, 3 * c, 29, 29)


@pytest.mark.parametrize(
    "config, branches, iou, stages",
    [
        ("ablation_baseline", 1, False, 3),
        ("ablation_l1", 2, False, 3),
        ("ablation_l1_identity", 3, False, 3),
        ("ablation_iou", 1, True, 3),
        ("ablation_iou_l1", 2, True, 3),
        ("ablation_no_pdw_xcorr", 2, True, 3),
        ("ablation_stages_3_4", 3, True, 2),
    ],
)
def test_ablations_remove_branches(config, branches, iou, stages):
    full = load_config(config).model
    small = load_config("imsiam_small").model
    cfg = dataclasses.replace(full, backbone=small.backbone, neck_channels=16, head_channels=16, gn_groups=4, head_convs=1)
    assert cfg.branches == branches
    model = IMSiam(cfg).eval()
    keys = model.state_dict()
    assert keys["head.cls_samplers.0.0.weight"].shape == (16, 16 * branches, 1, 1)
    assert ("head.iou_pred.weight" in keys) == iou
    assert any(".conv_kernel." in k for k in keys) == cfg.pdw_xcorr
    assert any(".conv_diff." in k for k in keys) == (cfg.l1_difference or cfg.search_identity)
    z, x, boxes = inputs()
    with torch.no_grad():
        outputs = model(z, x, boxes)
    assert len(outputs) == stages
    assert ("iou" in outputs[0]) == iou
    assert outputs[0]["cls"].shape == (1, 2, 29, 29)
    components = cfg.components()
    assert components["iou"] == iou and components["cls_cen_reg"] is True
    assert components["stages"] == list(cfg.stages)


def test_small_config_is_small_and_trainable():
    model = small_model()
    counts = parameter_counts(model)
    assert counts["total"] < 2.5e6
    assert 4 * counts["total"] < 10e6  # fp32 checkpoint size in bytes
    keys = model.state_dict()
    assert keys["head.cls_tower.0.weight"].shape == (64, 3 * 64, 1, 1)  # 3 x C input blocks
    model.train()
    assert not model.backbone.bn1.training and not model.backbone.layer1[0].bn1.training
    assert model.backbone.layer2[0].bn1.training
    z, x, boxes = inputs(batch=2)
    boxes.requires_grad_(True)
    outputs = model(z, x, boxes)
    loss = sum(o["cls"].mean() + o["cen"].mean() + o["reg"].mean() + o["iou"].mean() for o in outputs)
    loss.backward()
    assert model.backbone.layer2[0].conv1.weight.grad is not None
    assert model.backbone.conv1.weight.grad is None
    assert boxes.grad is not None and torch.isfinite(boxes.grad).all()


def test_one_by_one_downsample_variant_is_the_centre_tap_of_the_three_by_three():
    three = small_model().eval()
    one = small_model(backbone=dataclasses.replace(load_config("imsiam_small").model.backbone, downsample_kernel=1)).eval()
    state = one.state_dict()
    for k in (2, 3, 4):  # 3x3 kernels that are zero except the centre tap = the 1x1 weights
        key = f"backbone.layer{k}.0.downsample.0.weight"
        w3 = torch.zeros_like(three.state_dict()[key])
        w3[:, :, 1, 1] = state[key][:, :, 0, 0]
        state = {**state, key: w3}
    three.load_state_dict(state)
    z, x, _ = inputs()
    with torch.no_grad():
        for a, b in zip(one.backbone(x), three.backbone(x)):
            assert a.shape[-1] == 31
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-3)
        assert [f.shape[-1] for f in one.backbone(z)] == [15, 15, 15]


def test_batchnorm_folding_keeps_outputs():
    model = small_model()
    g = torch.Generator().manual_seed(3)
    for m in model.modules():  # non-trivial running statistics and affine parameters
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    model.eval()
    folded = fold_batchnorm(model)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    z, x, boxes = inputs()
    with torch.no_grad():
        reference, result = model(z, x, boxes), folded(z, x, boxes)
    for ref, out in zip(reference, result):
        for key in ref:
            scale = ref[key].abs().max().clamp(min=1.0)
            assert ((ref[key] - out[key]).abs().max() / scale).item() < 1e-4, key
