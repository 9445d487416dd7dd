"""Synthetic stand-ins for report tests: TrackerEvaluation-like records and checkpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

OVERLAP = np.linspace(0.0, 1.0, 21)
PIXELS = np.arange(51, dtype=np.float64)


@dataclass
class FakeEvaluation:
    """Has the fields of trackbench.metrics.evaluate.TrackerEvaluation that reports read."""

    tracker: str
    suite: str = "otb2015"
    rules: str = "official"
    sequences: int = 4
    metrics: dict = field(default_factory=dict)
    curves: dict = field(default_factory=dict)
    thresholds: dict = field(default_factory=dict)
    per_sequence: pd.DataFrame | None = None
    per_attribute: pd.DataFrame | None = None
    per_tag: pd.DataFrame | None = None
    ar: tuple[float, float] | None = None


def ope_evaluation(name: str, strength: float, seed: int = 0, sequence_names=None) -> FakeEvaluation:
    """An OTB-like evaluation whose success curve is 1 - t**strength (AUC grows with strength)."""
    rng = np.random.default_rng(seed)
    success = 1.0 - OVERLAP ** strength
    success[-1] = 0.0
    precision = np.clip(PIXELS / (40.0 / strength), 0.0, 1.0)
    sequence_names = sequence_names or ["Basketball", "Biker", "Bird1", "<b>Car</b>"]
    per_sequence = pd.DataFrame(
        {"success_auc": rng.uniform(0.1, 0.9, len(sequence_names)), "precision": rng.uniform(0.1, 0.9, len(sequence_names))},
        index=pd.Index(sequence_names, name="sequence"),
    )
    per_attribute = pd.DataFrame(
        {"success_auc": rng.uniform(0.2, 0.8, 3), "precision": rng.uniform(0.2, 0.8, 3), "sequences": [38, 49, 44]},
        index=pd.Index(["IV", "OCC", "SV"], name="attribute"),
    )
    return FakeEvaluation(
        tracker=name, sequences=len(sequence_names),
        metrics={"success_auc": float(success.mean()), "precision": float(precision[20]), "fps": 20.0 + strength},
        curves={"success": success, "precision": precision},
        thresholds={"success": OVERLAP, "precision": PIXELS},
        per_sequence=per_sequence, per_attribute=per_attribute,
    )


def vot_evaluation(name: str, eao: float, accuracy: float, robustness: float, length: int = 400) -> FakeEvaluation:
    lengths = np.arange(1, length + 1)
    curve = eao * 1.3 * np.exp(-lengths / 600.0)
    per_tag = pd.DataFrame({"accuracy": [accuracy - 0.05, accuracy + 0.02]}, index=["occlusion", "camera_motion"])
    per_sequence = pd.DataFrame({"accuracy": [accuracy, accuracy - 0.1], "failures": [0.0, 3.0]}, index=["ants1", "bag"])
    return FakeEvaluation(
        tracker=name, suite="vot2018", sequences=2,
        metrics={"eao": eao, "accuracy": accuracy, "robustness": robustness, "failures": 10.0},
        curves={"expected_overlap": curve}, thresholds={"expected_overlap": lengths.astype(float)},
        per_sequence=per_sequence, per_tag=per_tag, ar=(accuracy, float(np.exp(-30 * robustness / 100))),
    )


def random_checkpoint(path: Path, channels: int = 8, *, wrap: bool = True, seed: int = 0) -> dict:
    """Write a torch (or .safetensors, by suffix) checkpoint with IMSiam's projection keys;
    returns the raw (C, 3C) matrices by branch."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    tensors = {
        "head.cls_tower.0.weight": torch.randn(channels, 3 * channels, 1, 1, generator=generator),
        "head.bbox_tower.0.weight": torch.randn(channels, 3 * channels, 1, 1, generator=generator) * 0.5,
        "backbone.conv1.weight": torch.randn(4, 3, 3, 3, generator=generator),
    }
    if path.suffix == ".safetensors":
        from safetensors.torch import save_file

        save_file(tensors, str(path))
    else:
        payload = {"state_dict": {f"module.{k}": v for k, v in tensors.items()}, "epoch": 3} if wrap else tensors
        torch.save(payload, str(path))
    return {"cls": tensors["head.cls_tower.0.weight"][:, :, 0, 0].double().numpy(),
            "reg": tensors["head.bbox_tower.0.weight"][:, :, 0, 0].double().numpy()}
