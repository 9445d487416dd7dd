"""IMSiam losses (spec section 5), with the authors' variants and the paper's as switches.

Per stage: ``L = w_cls * L_cls + w_reg * L_reg + w_cen * L_cen + w_iou * L_iou`` (default
weights 1 / 1.2 / 0.5 / 0.5); each loss type is averaged over the stages.

* ``L_cls``: pysot ``select_cross_entropy_loss``: log-softmax over the 2 channels (index 1 =
  foreground), ``0.5 * NLL(mean over label-1 locations) + 0.5 * NLL(mean over label-0)``;
  label -1 is ignored; an empty class contributes 0. With ``single_location_zero`` (the
  authors' code, ``model/loss/loss.py: get_cls_loss``: the index tensor is squeezed, and a
  single selected location becomes a 0-d tensor that the length test reads as empty) a
  class with exactly one location in the whole batch contributes 0 as well.
* Sample set of the other three losses: ``"inside_box"`` (the authors' code: every label
  != 0, i.e. +1 and -1) or ``"positive"`` (the paper: label == 1 only).
* ``L_reg``: IoU loss ``-log((I + 1) / (U + 1))`` between predicted and target l,t,r,b,
  weighted by the centre-ness target (``reg_weighting="centerness"``, the code) or a plain
  mean (``"none"``, the paper).
* ``L_cen``: BCE-with-logits against the centre-ness target (mean).
* ``L_iou``: BCE-with-logits against the ``(I + 1) / (U + 1)`` values of the IoU loss; the
  target is not detached (``detach_iou_target=False``, the code) unless asked.
* An empty sample set gives 0 for the three losses (a sum over nothing, as in the code);
  a model without the IoU head (ablation) has no IoU term (0).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

LOSS_NAMES = ("cls", "reg", "cen", "iou")


@dataclass
class LossConfig:
    """Loss weights and variant switches (see module docstring)."""

    cls_weight: float = 1.0
    reg_weight: float = 1.2
    cen_weight: float = 0.5
    iou_weight: float = 0.5
    sample_set: str = "inside_box"  # "inside_box" (code) | "positive" (paper)
    reg_weighting: str = "centerness"  # "centerness" (code) | "none" (paper)
    detach_iou_target: bool = False  # False (code) | True
    single_location_zero: bool = False  # True (code): a class term over one location is 0

    def __post_init__(self) -> None:
        if self.sample_set not in ("inside_box", "positive"):
            raise ValueError(f"loss.sample_set must be 'inside_box' or 'positive', not {self.sample_set!r}")
        if self.reg_weighting not in ("centerness", "none"):
            raise ValueError(f"loss.reg_weighting must be 'centerness' or 'none', not {self.reg_weighting!r}")


def select_cross_entropy_loss(logits: torch.Tensor, labels: torch.Tensor, single_location_zero: bool = False) -> torch.Tensor:
    """pysot classification loss. ``logits`` (B,2,S,S) raw scores, ``labels`` (B,S,S) in {-1,0,1}."""
    log_probs = F.log_softmax(logits.permute(0, 2, 3, 1).reshape(-1, 2), dim=1)
    flat = labels.reshape(-1)
    total = logits.new_zeros(())
    for value in (1, 0):
        chosen = flat == value
        count = int(chosen.sum())
        if count > 1 or (count == 1 and not single_location_zero):
            total = total + 0.5 * F.nll_loss(log_probs[chosen], flat[chosen].long())
    return total


def iou_loss(pred: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(loss, ious)`` for (N,4) l,t,r,b distances; ``ious = (I + 1) / (U + 1)``.

    With ``weight`` (N,) and a positive weight sum the loss is ``sum(-log(iou) * w) / sum(w)``;
    otherwise the plain mean (0 for N = 0)."""
    pl, pt, pr, pb = pred.unbind(1)
    tl, tt, tr, tb = target.unbind(1)
    target_area = (tl + tr) * (tt + tb)
    pred_area = (pl + pr) * (pt + pb)
    inter = (torch.min(pl, tl) + torch.min(pr, tr)) * (torch.min(pt, tt) + torch.min(pb, tb))
    union = target_area + pred_area - inter
    ious = (inter + 1.0) / (union + 1.0)
    losses = -torch.log(ious)
    if pred.shape[0] == 0:
        return losses.sum(), ious
    if weight is not None and float(weight.sum()) > 0:
        return (losses * weight).sum() / weight.sum(), ious
    return losses.mean(), ious


def stage_losses(output: dict[str, torch.Tensor], labels: dict[str, torch.Tensor], cfg: LossConfig) -> dict[str, torch.Tensor]:
    """The four unweighted losses of one stage.

    ``output``: {"cls": (B,2,S,S), "cen": (B,1,S,S), "reg": (B,4,S,S), "iou": (B,1,S,S)};
    ``labels``: {"cls": (B,S,S) int, "reg": (B,4,S,S), "cen": (B,S,S)}.
    """
    cls_label = labels["cls"]
    l_cls = select_cross_entropy_loss(output["cls"], cls_label, cfg.single_location_zero)
    flat_label = cls_label.reshape(-1)
    chosen = (flat_label != 0) if cfg.sample_set == "inside_box" else (flat_label == 1)
    reg_pred = output["reg"].permute(0, 2, 3, 1).reshape(-1, 4)[chosen]
    reg_target = labels["reg"].permute(0, 2, 3, 1).reshape(-1, 4)[chosen]
    cen_target = labels["cen"].reshape(-1)[chosen]
    cen_pred = output["cen"].reshape(-1)[chosen]
    weight = cen_target if cfg.reg_weighting == "centerness" else None
    l_reg, ious = iou_loss(reg_pred, reg_target, weight)
    zero = output["cen"].sum() * 0.0
    if cen_pred.numel() == 0:
        return {"cls": l_cls, "reg": l_reg, "cen": zero, "iou": zero}
    l_cen = F.binary_cross_entropy_with_logits(cen_pred, cen_target)
    if "iou" not in output:  # the IoU head ablated (Table 1 rows without "IoU"): no IoU term
        return {"cls": l_cls, "reg": l_reg, "cen": l_cen, "iou": zero}
    iou_pred = output["iou"].reshape(-1)[chosen]
    iou_target = ious.detach() if cfg.detach_iou_target else ious
    l_iou = F.binary_cross_entropy_with_logits(iou_pred, iou_target)
    return {"cls": l_cls, "reg": l_reg, "cen": l_cen, "iou": l_iou}


def total_loss(
    outputs: list[dict[str, torch.Tensor]], labels: dict[str, torch.Tensor], cfg: LossConfig
) -> dict[str, torch.Tensor]:
    """Average each loss over the stages and combine; returns the four losses and ``"total"``."""
    per_stage = [stage_losses(out, labels, cfg) for out in outputs]
    losses = {name: torch.stack([s[name] for s in per_stage]).mean() for name in LOSS_NAMES}
    losses["total"] = (
        cfg.cls_weight * losses["cls"]
        + cfg.reg_weight * losses["reg"]
        + cfg.cen_weight * losses["cen"]
        + cfg.iou_weight * losses["iou"]
    )
    return losses
