"""IMSiam losses against hand-computed values (spec section 5), with the variant switches."""

from __future__ import annotations

import math

import pytest
import torch

from trackbench.trackers.imsiam.training.loss import LossConfig, iou_loss, select_cross_entropy_loss, total_loss


def _bce(logit: float, target: float) -> float:
    p = 1 / (1 + math.exp(-logit))
    return -(target * math.log(p) + (1 - target) * math.log(1 - p))


def test_cross_entropy_averages_positives_and_negatives_separately():
    # 4 locations: label 1 with logits (0, 0), label 1 with (0, 2), label 0 with (2, 0), label -1 ignored.
    logits = torch.tensor([[0.0, 0.0, 2.0, 5.0], [0.0, 2.0, 0.0, -5.0]]).reshape(1, 2, 2, 2)
    labels = torch.tensor([1, 1, 0, -1]).reshape(1, 2, 2)
    pos = (math.log(2) + math.log(1 + math.exp(-2))) / 2
    neg = math.log(1 + math.exp(-2))
    assert select_cross_entropy_loss(logits, labels).item() == pytest.approx(0.5 * pos + 0.5 * neg, rel=1e-6)
    # No positive location: only the negative half remains.
    labels = torch.tensor([0, -1, 0, -1]).reshape(1, 2, 2)
    neg2 = (math.log(2) + math.log(1 + math.exp(-2))) / 2
    assert select_cross_entropy_loss(logits, labels).item() == pytest.approx(0.5 * neg2, rel=1e-6)


def test_iou_loss_with_plus_one_smoothing_and_weights():
    pred = torch.tensor([[10.0, 10.0, 10.0, 10.0], [4.0, 4.0, 4.0, 4.0]])
    target = torch.tensor([[5.0, 5.0, 15.0, 15.0], [4.0, 4.0, 4.0, 4.0]])
    # Row 0: areas 400 and 400, intersection (5 + 10) * (5 + 10) = 225, union 575.
    iou0 = 226 / 576
    loss, ious = iou_loss(pred, target)
    assert ious.tolist() == pytest.approx([iou0, 1.0])
    assert loss.item() == pytest.approx(-math.log(iou0) / 2, rel=1e-6)
    loss, _ = iou_loss(pred, target, torch.tensor([3.0, 1.0]))
    assert loss.item() == pytest.approx(3 * -math.log(iou0) / 4, rel=1e-6)
    empty, _ = iou_loss(pred[:0], target[:0])
    assert empty.item() == 0.0


def _one_stage(cls_logit: float, cen_logit: float, iou_logit: float, reg: list[float]):
    """A 1x2 map: location 0 is the target's centre (label 1), location 1 is in the ring (-1)."""
    out = {
        "cls": torch.tensor([[[[cls_logit, 0.0]]], [[[0.0, 0.0]]]]).reshape(1, 2, 1, 2),
        "cen": torch.tensor([cen_logit, cen_logit]).reshape(1, 1, 1, 2),
        "reg": torch.tensor([reg, reg]).T.reshape(1, 4, 1, 2).clone().requires_grad_(True),
        "iou": torch.tensor([iou_logit, iou_logit]).reshape(1, 1, 1, 2),
    }
    return out


def test_total_loss_weights_and_stage_average_by_hand():
    labels = {
        "cls": torch.tensor([1, -1]).reshape(1, 1, 2),
        "reg": torch.tensor([[8.0, 8.0, 8.0, 8.0], [2.0, 8.0, 14.0, 8.0]]).T.reshape(1, 4, 1, 2),
        "cen": torch.tensor([1.0, math.sqrt(2 / 14)]).reshape(1, 1, 2),
    }
    stages = [_one_stage(0.0, 0.5, -0.5, [8.0, 8.0, 8.0, 8.0]), _one_stage(1.0, -1.0, 0.0, [4.0, 4.0, 4.0, 4.0])]
    losses = total_loss(stages, labels, LossConfig())

    def hand(cls_logit, cen_logit, iou_logit, p):
        l_cls = 0.5 * math.log(1 + math.exp(cls_logit))  # logits (c, 0), foreground = channel 1; no label-0 location
        c0, c1 = 1.0, math.sqrt(2 / 14)
        # location 0 target (8,8,8,8); location 1 target (2,8,14,8) (area 16*16 = 256)
        def iou(pr, tg):
            inter = (min(pr[0], tg[0]) + min(pr[2], tg[2])) * (min(pr[1], tg[1]) + min(pr[3], tg[3]))
            union = (pr[0] + pr[2]) * (pr[1] + pr[3]) + (tg[0] + tg[2]) * (tg[1] + tg[3]) - inter
            return (inter + 1) / (union + 1)
        i0, i1 = iou(p, [8, 8, 8, 8]), iou(p, [2, 8, 14, 8])
        l_reg = (c0 * -math.log(i0) + c1 * -math.log(i1)) / (c0 + c1)
        l_cen = (_bce(cen_logit, c0) + _bce(cen_logit, c1)) / 2
        l_iou = (_bce(iou_logit, i0) + _bce(iou_logit, i1)) / 2
        return l_cls, l_reg, l_cen, l_iou

    a = hand(0.0, 0.5, -0.5, [8, 8, 8, 8])
    b = hand(1.0, -1.0, 0.0, [4, 4, 4, 4])
    mean = [(x + y) / 2 for x, y in zip(a, b)]
    for name, value in zip(("cls", "reg", "cen", "iou"), mean):
        assert losses[name].item() == pytest.approx(value, rel=1e-5), name
    expected_total = 1.0 * mean[0] + 1.2 * mean[1] + 0.5 * mean[2] + 0.5 * mean[3]
    assert losses["total"].item() == pytest.approx(expected_total, rel=1e-5)


def test_positive_only_sample_set_and_plain_regression_mean():
    labels = {
        "cls": torch.tensor([1, -1]).reshape(1, 1, 2),
        "reg": torch.tensor([[8.0, 8.0, 8.0, 8.0], [2.0, 8.0, 14.0, 8.0]]).T.reshape(1, 4, 1, 2),
        "cen": torch.tensor([0.5, 0.25]).reshape(1, 1, 2),
    }
    stage = _one_stage(0.0, 0.0, 0.0, [4.0, 4.0, 4.0, 4.0])
    paper = LossConfig(sample_set="positive", reg_weighting="none")
    losses = total_loss([stage], labels, paper)
    iou0 = (64 + 1) / (256 + 1)  # pred 8x8 inside target 16x16
    assert losses["reg"].item() == pytest.approx(-math.log(iou0), rel=1e-6)
    assert losses["cen"].item() == pytest.approx(_bce(0.0, 0.5), rel=1e-6)
    assert losses["iou"].item() == pytest.approx(_bce(0.0, iou0), rel=1e-6)
    code = total_loss([stage], labels, LossConfig())
    assert code["cen"].item() == pytest.approx((_bce(0.0, 0.5) + _bce(0.0, 0.25)) / 2, rel=1e-6)


def test_iou_target_gradient_flows_unless_detached():
    labels = {
        "cls": torch.tensor([1, -1]).reshape(1, 1, 2),
        "reg": torch.tensor([[8.0, 8.0, 8.0, 8.0], [2.0, 8.0, 14.0, 8.0]]).T.reshape(1, 4, 1, 2),
        "cen": torch.tensor([1.0, 0.5]).reshape(1, 1, 2),
    }
    grads = {}
    for detach in (False, True):
        stage = _one_stage(0.0, 0.0, 3.0, [4.0, 4.0, 4.0, 4.0])
        stage["iou"].requires_grad_(True)
        total_loss([stage], labels, LossConfig(detach_iou_target=detach))["iou"].backward()
        grads[detach] = stage["reg"].grad
    assert grads[True] is None or float(grads[True].abs().sum()) == 0.0
    assert float(grads[False].abs().sum()) > 0.0


def test_no_sample_location_gives_zero_losses():
    labels = {"cls": torch.zeros(1, 1, 2, dtype=torch.long), "reg": torch.ones(1, 4, 1, 2), "cen": torch.zeros(1, 1, 2)}
    losses = total_loss([_one_stage(0.0, 0.0, 0.0, [4.0, 4.0, 4.0, 4.0])], labels, LossConfig())
    assert losses["reg"].item() == 0.0 and losses["cen"].item() == 0.0 and losses["iou"].item() == 0.0
    assert losses["cls"].item() == pytest.approx(0.5 * math.log(2), rel=1e-6)  # logits (0, 0) at both label-0 locations


def test_loss_config_rejects_unknown_variants():
    with pytest.raises(ValueError):
        LossConfig(sample_set="everything")
    with pytest.raises(ValueError):
        LossConfig(reg_weighting="focal")
