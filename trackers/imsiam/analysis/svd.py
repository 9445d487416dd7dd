"""Singular-value analysis of IMSiam's neck-to-head sampling projection (the paper's Fig. 7).

The classification and regression branches each start with a 1x1 convolution of shape
``(H, 3C, 1, 1)`` (H = C = 256 in the full model) whose input channels are three blocks,
in this order: ``L`` = L1 difference ``[0:C]``, ``I`` = search identity ``[C:2C]``,
``X`` = cross-correlation ``[2C:3C]``. In the authors' layout (``sampling_layer:
shared``) they are ``head.cls_tower.0.weight`` / ``head.bbox_tower.0.weight``, shared
by the stages (branches ``cls`` and ``reg``); in the paper's per-stage layout they are
``head.cls_samplers.{i}.0.weight`` / ``head.bbox_samplers.{i}.0.weight`` (branches
``cls.{i}`` and ``reg.{i}``). For each branch we take ``W`` (H x 3C), split it into the
three H x C blocks and compute the singular values of L, I, X and W (min(H, C) each).
C is the neck width, read from ``neck.downsample*`` weights when present (else 3C / 3).

The plotted "normalised distribution" of a spectrum is ``s_k / sum(s)`` against the
rank ``k`` (1-based): it shows how evenly a block uses its C directions, independent
of the block's overall scale. The absolute values are in the CSV.

Works on the checkpoint's state dict only (no model import): a ``.safetensors`` file,
or a torch file read with ``torch.load(..., weights_only=True)``, possibly wrapped in
``{"state_dict": ...}`` (or ``{"model": ...}``) with ``module.`` prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from trackbench.errors import TrackbenchError
from trackbench.report.plots import COLORS, new_figure, save_figure
from trackbench.report.tables import to_csv

BRANCH_KEYS = {"cls": "head.cls_tower.0.weight", "reg": "head.bbox_tower.0.weight"}
BRANCH_TITLES = {"cls": "Classification branch", "reg": "Regression branch"}
_NECK_KEY = re.compile(r"^neck\.downsample\d+\..*weight$")
_SAMPLER_KEY = re.compile(r"^head\.(?:cls|bbox)_samplers\.(\d+)\.0\.weight$")
BLOCKS = ("L", "I", "X")
BLOCK_TITLES = {"L": "L (L1 difference)", "I": "I (search identity)", "X": "X (cross-correlation)", "W": "W (all)"}


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """The checkpoint's ``head.*`` and ``neck.downsample*`` tensors as float64 numpy arrays
    (all this analysis needs), ``module.`` prefixes removed."""
    path = Path(path)
    if not path.is_file():
        raise TrackbenchError("checkpoint not found", path)
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            raw = load_file(str(path), device="cpu")
        else:
            import torch

            raw = torch.load(str(path), map_location="cpu", weights_only=True)
    except TrackbenchError:
        raise
    except Exception as exc:  # torch/safetensors raise many types for a bad file
        raise TrackbenchError(f"cannot read checkpoint: {type(exc).__name__}: {exc}".splitlines()[0], path) from None
    if isinstance(raw, dict):
        for wrapper in ("state_dict", "model"):
            if isinstance(raw.get(wrapper), dict):
                raw = raw[wrapper]
                break
    if not isinstance(raw, dict):
        raise TrackbenchError("checkpoint is not a state dict", path)
    out: dict[str, np.ndarray] = {}
    for key, value in raw.items():
        name = key[len("module."):] if key.startswith("module.") else key
        if not (name.startswith("head.") or name.startswith("neck.downsample")):
            continue
        if hasattr(value, "detach"):
            out[name] = value.detach().to("cpu").double().numpy()
        elif isinstance(value, np.ndarray):
            out[name] = value.astype(np.float64)
    return out


def neck_channels(state_dict: dict[str, np.ndarray]) -> int | None:
    """C, the neck width: output channels of a ``neck.downsample*`` 1x1 convolution, if any."""
    for key, value in state_dict.items():
        if _NECK_KEY.match(key) and np.ndim(value) == 4:
            return int(np.shape(value)[0])
    return None


def projection_keys(state_dict: dict[str, np.ndarray]) -> dict[str, str]:
    """Branch name -> state-dict key of its sampling projection (shared or per-stage layout)."""
    first = state_dict.get(BRANCH_KEYS["cls"])
    if first is not None and np.shape(first)[2:] in ((1, 1), ()):
        return dict(BRANCH_KEYS)  # shared layout (a 3x3 head.cls_tower.0 means per-stage samplers)
    stages = sorted({int(m.group(1)) for key in state_dict for m in [_SAMPLER_KEY.match(key)] if m})
    keys = {}
    for i in stages:
        for branch, prefix in (("cls", "cls_samplers"), ("reg", "bbox_samplers")):
            key = f"head.{prefix}.{i}.0.weight"
            if key in state_dict:
                keys[f"{branch}.{i}"] = key
    return keys


def projection_weight(state_dict: dict[str, np.ndarray], key: str, source: str | Path | None = None,
                      channels: int | None = None) -> np.ndarray:
    """The (H, 3C) projection matrix stored under ``key``."""
    if key not in state_dict:
        raise TrackbenchError(f"no {key!r} in the checkpoint (not an IMSiam checkpoint?)", source)
    weight = np.asarray(state_dict[key], dtype=np.float64)
    if weight.ndim == 4 and weight.shape[2:] == (1, 1):
        weight = weight[:, :, 0, 0]
    if weight.ndim != 2:
        raise TrackbenchError(f"{key} has shape {tuple(np.shape(state_dict[key]))}, expected (C, 3C, 1, 1)", source)
    width = channels if channels is not None else weight.shape[1] // 3
    if width == 0 or weight.shape[1] != 3 * width:
        raise TrackbenchError(
            f"{key} has shape {tuple(np.shape(state_dict[key]))}, expected (C, 3C, 1, 1) with 3 input blocks "
            f"[L1 difference | search identity | cross-correlation] of C = {width} channels "
            "(a variant without all three branches cannot be split)", source)
    return weight


def split_blocks(weight: np.ndarray) -> dict[str, np.ndarray]:
    """``{"L": W[:, :C], "I": W[:, C:2C], "X": W[:, 2C:]}`` for an (H, 3C) matrix."""
    channels = weight.shape[1] // 3
    return {name: weight[:, i * channels:(i + 1) * channels] for i, name in enumerate(BLOCKS)}


@dataclass
class SvdAnalysis:
    """Singular values (descending) per branch and block: ``spectra["cls"]["L"]`` ...;
    blocks are "L", "I", "X" and "W" (the whole projection). Branches are ``cls`` and
    ``reg`` (shared layout) or ``cls.{i}`` / ``reg.{i}`` per stage. ``channels`` = C."""

    spectra: dict[str, dict[str, np.ndarray]]
    channels: int
    source: str = ""


def analyze_state_dict(state_dict: dict[str, np.ndarray], source: str | Path | None = None) -> SvdAnalysis:
    """Singular values of L, I, X and W for every branch's sampling projection."""
    keys = projection_keys(state_dict)
    if not keys:
        raise TrackbenchError(f"no {BRANCH_KEYS['cls']!r} (or per-stage head.cls_samplers.*) in the checkpoint "
                              "(not an IMSiam checkpoint?)", source)
    width = neck_channels(state_dict)
    spectra: dict[str, dict[str, np.ndarray]] = {}
    for branch, key in keys.items():
        weight = projection_weight(state_dict, key, source, width)
        width = weight.shape[1] // 3
        spectra[branch] = {name: np.linalg.svd(block, compute_uv=False) for name, block in split_blocks(weight).items()}
        spectra[branch]["W"] = np.linalg.svd(weight, compute_uv=False)
    return SvdAnalysis(spectra, int(width), "" if source is None else str(source))


def analyze_checkpoint(path: str | Path) -> SvdAnalysis:
    """:func:`analyze_state_dict` of the checkpoint file ``path``."""
    return analyze_state_dict(load_state_dict(path), path)


def normalized(spectrum: np.ndarray) -> np.ndarray:
    """``s / sum(s)`` (zeros stay zeros)."""
    total = float(np.sum(spectrum))
    return spectrum / total if total > 0 else np.zeros_like(spectrum)


def effective_rank(spectrum: np.ndarray) -> float:
    """exp(entropy) of the normalised spectrum (Roy & Vetterli): C for a flat spectrum, 1 for rank one."""
    p = normalized(spectrum)
    p = p[p > 0]
    return float(np.exp(-np.sum(p * np.log(p)))) if len(p) else 0.0


def spectra_frame(analysis: SvdAnalysis) -> pd.DataFrame:
    """Long table: branch, block, rank (1-based), singular_value, normalized."""
    rows = []
    for branch, blocks in analysis.spectra.items():
        for block, values in blocks.items():
            for rank, (value, share) in enumerate(zip(values, normalized(values)), start=1):
                rows.append((branch, block, rank, float(value), float(share)))
    frame = pd.DataFrame(rows, columns=["branch", "block", "rank", "singular_value", "normalized"])
    return frame.set_index("branch")


def summary_frame(analysis: SvdAnalysis) -> pd.DataFrame:
    """Per branch and block: largest singular value, energy share ||B||_F^2 / ||W||_F^2,
    effective rank."""
    rows = []
    for branch, blocks in analysis.spectra.items():
        total = float(np.sum(blocks["W"] ** 2))
        for block in (*BLOCKS, "W"):
            values = blocks[block]
            energy = float(np.sum(values ** 2))
            rows.append({
                "branch": branch, "block": block, "sigma_max": float(values[0]),
                "energy_share": energy / total if total > 0 else float("nan"),
                "effective_rank": effective_rank(values),
            })
    return pd.DataFrame(rows).set_index(["branch", "block"])


def branch_title(branch: str) -> str:
    """``cls`` -> "Classification branch"; ``reg.1`` -> "Regression branch, stage sampler 1"."""
    name, _, stage = branch.partition(".")
    return BRANCH_TITLES.get(name, name) + (f", stage sampler {stage}" if stage else "")


def svd_figure(analysis: SvdAnalysis):
    """Panels cls | reg (one row per stage sampler in the per-stage layout): normalised
    singular-value distributions of L, I, X and W."""
    branches = list(analysis.spectra)
    columns = 2 if len(branches) > 1 else 1
    rows = (len(branches) + columns - 1) // columns
    figure = new_figure(10.0, 4.0 * rows)
    styles = {"L": ("-", COLORS[0]), "I": ("-", COLORS[1]), "X": ("-", COLORS[2]), "W": ("--", "black")}
    for position, branch in enumerate(branches):
        axes = figure.add_subplot(rows, columns, position + 1)
        top, count = 0.0, 2
        for block in (*BLOCKS, "W"):
            values = normalized(analysis.spectra[branch][block])
            top, count = max(top, float(values.max(initial=0.0))), max(count, len(values))
            linestyle, color = styles[block]
            axes.plot(np.arange(1, len(values) + 1), values, linestyle=linestyle, color=color,
                      linewidth=1.8, label=BLOCK_TITLES[block])
        axes.set_title(branch_title(branch), fontsize=11, fontweight="bold")
        axes.set_xlabel("Singular value index")
        axes.set_ylabel("Normalised singular value")
        axes.set_xlim(1, count)
        axes.set_ylim(0.0, top * 1.08 if top > 0 else 1.0)
        axes.grid(True, linestyle=":", linewidth=0.7, color="#999999")
        axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


@dataclass
class SvdOutputs:
    """Files written by :func:`write_svd_analysis`."""

    analysis: SvdAnalysis
    figure: Path
    spectra_csv: Path
    summary_csv: Path


def write_svd_analysis(checkpoint: str | Path, out_dir: str | Path, *, stem: str = "svd") -> SvdOutputs:
    """Analyse ``checkpoint`` and write ``<stem>.png``, ``<stem>_spectra.csv`` and
    ``<stem>_summary.csv`` into ``out_dir``."""
    out_dir = Path(out_dir)
    analysis = analyze_checkpoint(checkpoint)
    figure_path = save_figure(svd_figure(analysis), out_dir / f"{stem}.png")
    spectra_path = to_csv(spectra_frame(analysis), out_dir / f"{stem}_spectra.csv", float_format="%.6g")
    summary_path = to_csv(summary_frame(analysis), out_dir / f"{stem}_summary.csv", float_format="%.6g")
    return SvdOutputs(analysis, figure_path, spectra_path, summary_path)


def summary_text(analysis: SvdAnalysis) -> str:
    """A few lines for the terminal: per branch, each block's sigma_max, energy share and effective rank."""
    summary = summary_frame(analysis)
    height = len(next(iter(analysis.spectra.values()))["W"])
    lines = [f"sampling projection {height} x {3 * analysis.channels} per branch (C = {analysis.channels})"]
    for branch in analysis.spectra:
        parts = []
        for block in (*BLOCKS, "W"):
            row = summary.loc[(branch, block)]
            parts.append(f"{block}: smax {row.sigma_max:.3f} energy {row.energy_share:.1%} erank {row.effective_rank:.1f}")
        lines.append(f"{branch}: " + " | ".join(parts))
    return "\n".join(lines)
