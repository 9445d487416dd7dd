"""Singular-value analysis of the sampling projection on random checkpoints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.paths import REPO_ROOT
from helpers.report_fakes import random_checkpoint
from trackbench.cli import main
from trackbench.errors import TrackbenchError
from trackbench.trackers.imsiam.analysis import svd


@pytest.mark.parametrize("name", ["model.pth", "model.safetensors"])
def test_four_spectra_per_branch_consistent_with_blocks(tmp_path, name):
    matrices = random_checkpoint(tmp_path / name, channels=8)
    analysis = svd.analyze_checkpoint(tmp_path / name)
    assert analysis.channels == 8
    for branch in ("cls", "reg"):
        spectra = analysis.spectra[branch]
        assert sorted(spectra) == ["I", "L", "W", "X"]
        assert all(len(v) == 8 and np.all(np.diff(v) <= 1e-12) for v in spectra.values())
        # Blocks are W's column blocks in the order L1 difference, identity, cross-correlation.
        weight = matrices[branch]
        np.testing.assert_allclose(spectra["L"], np.linalg.svd(weight[:, :8], compute_uv=False), rtol=1e-6)
        np.testing.assert_allclose(spectra["X"], np.linalg.svd(weight[:, 16:], compute_uv=False), rtol=1e-6)
        # sigma_max(W) >= sigma_max of each block; Frobenius norms add up.
        for block in ("L", "I", "X"):
            assert spectra["W"][0] >= spectra[block][0] - 1e-9
        total = sum(np.sum(spectra[b] ** 2) for b in ("L", "I", "X"))
        assert np.sum(spectra["W"] ** 2) == pytest.approx(total, rel=1e-9)
    summary = svd.summary_frame(analysis)
    shares = summary.xs("cls", level="branch")["energy_share"]
    assert shares[["L", "I", "X"]].sum() == pytest.approx(1.0) and shares["W"] == pytest.approx(1.0)


def test_block_order_is_l1_identity_xcorr():
    weight = np.zeros((4, 12))
    weight[:, 0:4] = np.eye(4) * 3.0      # L
    weight[:, 4:8] = np.eye(4) * 2.0      # I
    weight[0, 8] = 5.0                    # X: rank one
    analysis = svd.analyze_state_dict({svd.BRANCH_KEYS["cls"]: weight[:, :, None, None],
                                       svd.BRANCH_KEYS["reg"]: weight[:, :, None, None]})
    spectra = analysis.spectra["cls"]
    np.testing.assert_allclose(spectra["L"], [3, 3, 3, 3])
    np.testing.assert_allclose(spectra["I"], [2, 2, 2, 2])
    np.testing.assert_allclose(spectra["X"], [5, 0, 0, 0], atol=1e-12)
    assert svd.effective_rank(spectra["L"]) == pytest.approx(4.0)
    assert svd.effective_rank(spectra["X"]) == pytest.approx(1.0)


def test_figure_two_panels_four_curves(tmp_path):
    random_checkpoint(tmp_path / "m.pth", channels=6)
    figure = svd.svd_figure(svd.analyze_checkpoint(tmp_path / "m.pth"))
    assert [a.get_title() for a in figure.axes] == ["Classification branch", "Regression branch"]
    for axes in figure.axes:
        lines = axes.get_lines()
        assert len(lines) == 4
        for line in lines:
            assert np.sum(line.get_ydata()) == pytest.approx(1.0)  # normalised distributions


def test_analyze_svd_command(tmp_path, capsys):
    random_checkpoint(tmp_path / "m.pth", channels=6, wrap=False)
    assert main(["analyze", "svd", str(tmp_path / "m.pth"), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "cls:" in printed and "reg:" in printed and "6 x 18" in printed
    assert (tmp_path / "out" / "svd.png").read_bytes()[:4] == b"\x89PNG"
    spectra = pd.read_csv(tmp_path / "out" / "svd_spectra.csv")
    assert len(spectra) == 2 * 4 * 6
    assert set(spectra["block"]) == {"L", "I", "X", "W"}


def test_bad_checkpoints(tmp_path):
    with pytest.raises(TrackbenchError, match="checkpoint not found"):
        svd.analyze_checkpoint(tmp_path / "missing.pth")
    (tmp_path / "junk.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(TrackbenchError, match=r"junk\.pth: cannot read checkpoint"):
        svd.analyze_checkpoint(tmp_path / "junk.pth")
    with pytest.raises(TrackbenchError, match="head.cls_tower.0.weight"):
        svd.analyze_state_dict({"backbone.x": np.zeros((2, 2))}, tmp_path / "x.pth")
    with pytest.raises(TrackbenchError, match=r"expected \(C, 3C, 1, 1\)"):
        svd.analyze_state_dict({svd.BRANCH_KEYS["cls"]: np.zeros((4, 8, 1, 1))})


def test_per_stage_layout_and_neck_width():
    """The paper's layout: one sampler per stage; C read from the neck (H != C here)."""
    rng = np.random.default_rng(1)
    state = {"neck.downsample3.downsample.0.weight": rng.normal(size=(6, 32, 1, 1))}
    for i in range(2):
        state[f"head.cls_samplers.{i}.0.weight"] = rng.normal(size=(4, 18, 1, 1))
        state[f"head.bbox_samplers.{i}.0.weight"] = rng.normal(size=(4, 18, 1, 1))
    analysis = svd.analyze_state_dict(state)
    assert list(analysis.spectra) == ["cls.0", "reg.0", "cls.1", "reg.1"] and analysis.channels == 6
    weight = state["head.bbox_samplers.1.0.weight"][:, :, 0, 0]
    np.testing.assert_allclose(analysis.spectra["reg.1"]["I"], np.linalg.svd(weight[:, 6:12], compute_uv=False))
    figure = svd.svd_figure(analysis)
    assert len(figure.axes) == 4 and figure.axes[3].get_title() == "Regression branch, stage sampler 1"
    # A two-branch ablation variant (2C inputs) is refused rather than split wrongly.
    state["head.cls_samplers.0.0.weight"] = rng.normal(size=(4, 12, 1, 1))
    with pytest.raises(TrackbenchError, match="3 input blocks"):
        svd.analyze_state_dict(state)


def test_bundled_demo_checkpoint_if_present():
    """The demo checkpoint shipped with the IMSiam plugin (when one has been trained and bundled)."""
    weights = REPO_ROOT / "trackers" / "imsiam" / "weights"
    bundled = sorted(weights.glob("*.safetensors")) if weights.is_dir() else []
    if not bundled:
        pytest.skip(f"no bundled IMSiam checkpoint in {weights}")
    analysis = svd.analyze_checkpoint(bundled[0])
    for spectra in analysis.spectra.values():
        assert sorted(spectra) == ["I", "L", "W", "X"]
        assert all(spectra["W"][0] >= spectra[b][0] - 1e-9 for b in "LIX")
        total = sum(np.sum(spectra[b] ** 2) for b in "LIX")
        assert np.sum(spectra["W"] ** 2) == pytest.approx(total, rel=1e-9)
