"""Training checkpoints (full state, for exact resume) and the training log.

Layout of an output folder::

    <out>/last.pt                      full state of the latest checkpoint (resume reads it)
    <out>/checkpoints/epoch_NNN.pt     full state at the end of epoch NNN (0-based)
    <out>/checkpoints/model_eNNN.safetensors   weights only, loadable by the tracker
    <out>/log.csv                      one row per logged step (losses, lr, skipped steps)
    <out>/epochs.csv                   one row per epoch (mean losses, lr, seconds)
    <out>/config.yaml                  the training config used

A full state is ``{"model", "optimizer", "epoch", "step", "global_step", "rng",
"config"}``: ``epoch``/``step`` are the next (0-based) epoch and step within it to run.
Every file is written atomically (temporary file + rename).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from trackbench.errors import TrackbenchError
from trackbench.textio import atomic_write_bytes, atomic_write_text

LOG_FIELDS = ("epoch", "step", "global_step", "lr", "total", "cls", "reg", "cen", "iou", "skipped", "seconds")
EPOCH_FIELDS = ("epoch", "lr", "steps", "skipped", "total", "cls", "reg", "cen", "iou", "seconds")


def rng_state() -> dict[str, Any]:
    """The global RNG states as tensors and plain lists, so that a training checkpoint
    loads with ``torch.load(..., weights_only=True)`` (no pickled code or numpy objects)."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "python": {"version": version, "internal": list(internal), "gauss": gauss},
    }


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if state.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    npy = state["numpy"]
    np.random.set_state((npy["kind"], npy["keys"].numpy().astype(np.uint32), npy["pos"], npy["has_gauss"],
                         npy["cached_gaussian"]))
    py = state["python"]
    random.setstate((py["version"], tuple(py["internal"]), py["gauss"]))


def save_state(path: Path, state: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_state(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise TrackbenchError("no checkpoint to resume from", path)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # truncated or foreign file
        raise TrackbenchError(f"cannot read training checkpoint ({str(exc).splitlines()[0]})", path) from None


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv_rows(path: Path, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _fmt(row.get(k, "")) for k in fields})
    atomic_write_text(path, text.getvalue())


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def export_weights(output_dir: str | Path, destination: str | Path, model_config: str, epoch: int | None = None) -> Path:
    """Copy the weights of epoch ``epoch`` (default: the last finished one) of a training
    run to ``destination`` (safetensors), embedding the model config ``model_config`` as
    it reads NOW (so its tracking hyper-parameters, e.g. chosen on validation data after
    training, travel with the weights). Returns the source checkpoint path."""
    from trackbench.trackers.imsiam.config import load_config
    from trackbench.trackers.imsiam.model import IMSiam
    from trackbench.trackers.imsiam.weights import load_checkpoint, save_checkpoint

    folder = Path(output_dir) / "checkpoints"
    if epoch is None:
        found = sorted(folder.glob("model_e*.safetensors"))
        if not found:
            raise TrackbenchError("no epoch checkpoint (model_eNNN.safetensors) to export", folder)
        source = found[-1]
    else:
        source = folder / f"model_e{epoch:03d}.safetensors"
    config = load_config(model_config)
    model = IMSiam(config)
    load_checkpoint(model, source, strict=True)
    save_checkpoint(model, destination, config)
    return source
