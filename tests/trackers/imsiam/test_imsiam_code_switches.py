"""The authors' loss / label edge cases as switches (pyvis model/loss/loss.py get_cls_loss,
datasets/point_target.py get_sample_region), the imsiam_code recipe that turns them on, and
the ablation configs composed onto either scale."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from trackbench.trackers.imsiam.config import load_config
from trackbench.trackers.imsiam.model import IMSiam
from trackbench.trackers.imsiam.training.config import load_training_config
from trackbench.trackers.imsiam.training.labels import point_targets
from trackbench.trackers.imsiam.training.loss import LossConfig, select_cross_entropy_loss, total_loss

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_single_positive_location_gives_no_class_term_in_the_authors_code():
    torch.manual_seed(0)
    logits = torch.randn(2, 2, 5, 5)
    labels = torch.zeros(2, 5, 5, dtype=torch.long)
    labels[1, 2, 3] = 1  # one positive location in the whole batch
    log_p = F.log_softmax(logits.permute(0, 2, 3, 1).reshape(-1, 2), dim=1)
    negative = -log_p[labels.reshape(-1) == 0, 0].mean()
    positive = -log_p[labels.reshape(-1) == 1, 1].mean()
    # by hand: the paper's / pysot-on-a-multi-element-index 0.5 * (pos + neg) ...
    torch.testing.assert_close(select_cross_entropy_loss(logits, labels), 0.5 * positive + 0.5 * negative)
    # ... and the authors' squeeze: a 0-d index tensor is read as empty, the term is 0
    torch.testing.assert_close(select_cross_entropy_loss(logits, labels, single_location_zero=True), 0.5 * negative)
    labels[0, 0, 0] = 1  # two positives: both rules agree again
    torch.testing.assert_close(select_cross_entropy_loss(logits, labels, True), select_cross_entropy_loss(logits, labels))


def test_box_centre_at_x_zero_means_no_ground_truth():
    box = [-40.0, 60.0, 40.0, 140.0]  # centre x = 0 exactly, a real box over the left border
    usual = point_targets(box)
    assert (usual.cls == 1).sum() > 0
    code = point_targets(box, zero_center_no_gt=True)
    assert (code.cls == 1).sum() == 0
    assert ((code.cls == -1) == ((usual.cls == -1) | (usual.cls == 1))).all()  # inside the box: ignored
    assert (point_targets([-39.0, 60.0, 40.0, 140.0], zero_center_no_gt=True).cls == 1).sum() > 0


def test_imsiam_code_recipe_switches_them_on_and_the_paper_recipe_does_not():
    code, paper = load_training_config("imsiam_code"), load_training_config("imsiam_r50")
    assert code.model == "imsiam_code" and code.loss.single_location_zero and code.data.zero_center_no_gt
    assert not paper.loss.single_location_zero and not paper.data.zero_center_no_gt
    assert LossConfig().single_location_zero is False


@pytest.mark.parametrize("overlay", ["ablation_baseline", "ablation_l1", "ablation_iou", "ablation_l1_identity", "ablation_iou_l1"])
def test_ablation_configs_load_for_both_scales_and_train(overlay):
    alone = load_config(overlay)
    for base in ("imsiam", "imsiam_demo"):
        cfg = load_config(f"{base}+{overlay}")
        assert cfg.model.components() == alone.model.components()
        assert cfg.model.neck_channels == load_config(base).model.neck_channels
    model = IMSiam(load_config(f"imsiam_demo+{overlay}"))  # one training step's losses
    outputs = model(torch.rand(2, 3, 127, 127) * 255, torch.rand(2, 3, 255, 255) * 255, torch.tensor([[40.0, 40, 90, 90]] * 2))
    targets = [point_targets([100.0, 100, 160, 150]) for _ in range(2)]
    labels = {"cls": torch.stack([torch.from_numpy(t.cls) for t in targets]),
              "reg": torch.stack([torch.from_numpy(t.reg) for t in targets]),
              "cen": torch.stack([torch.from_numpy(t.cen) for t in targets])}
    losses = total_loss(outputs, labels, LossConfig())
    assert torch.isfinite(losses["total"]) and (losses["iou"] == 0) == (not alone.model.iou_head)
    losses["total"].backward()


def test_ablation_driver_variants_and_table(tmp_path, capsys):
    import json

    from trackbench.trackers.imsiam.ablation_study import VARIANTS, VariantResult, main, variant_config, write_table

    assert variant_config("imsiam_demo", "full") == "imsiam_demo"
    assert variant_config("imsiam", "l1") == "imsiam+ablation_l1"
    assert main(["--variants", "l1,bogus", "--out", str(tmp_path / "x")]) == 2
    assert "unknown ablation variant 'bogus'" in capsys.readouterr().err
    results = []
    for i, name in enumerate(("baseline", "full")):
        folder = tmp_path / name
        folder.mkdir()
        components = load_config(variant_config("imsiam_demo", name)).model.components()
        (folder / "run.json").write_text(json.dumps({"tracker_config": {"components": components}}))
        results.append(VariantResult(name, variant_config("imsiam_demo", name), folder / "w", folder, 0.3 + 0.2 * i, 0.5 + 0.1 * i))
    frame = write_table(results, tmp_path)
    assert list(frame.index) == ["baseline", "full"] and set(VARIANTS) >= set(frame.index)
    lines = (tmp_path / "ablation.md").read_text().splitlines()
    assert lines[0].startswith("| Variant | Stages | PDW-XCorr | L1 difference")
    assert lines[2] == "| baseline | 2+3+4 | \u2713 |  |  | \u2713 |  | 0.300 | 0.500 |"
    assert lines[3] == "| full | 2+3+4 | \u2713 | \u2713 | \u2713 | \u2713 | \u2713 | 0.500 | 0.600 |"
    assert (tmp_path / "ablation.csv").read_text().splitlines()[1].startswith("baseline,2+3+4,1,0,0,1,0,0.3")
