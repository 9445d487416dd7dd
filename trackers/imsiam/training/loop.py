"""The IMSiam training loop (spec section 6): SGD, warm-up + exponential schedule, DDP, resume.

* SGD, momentum and weight decay from the config; two parameter groups: the trainable
  backbone layers at ``backbone_lr_mult`` (0.1) times the rate, neck and head at the rate
  of :func:`~.schedule.learning_rate` for the epoch.
* Gradient-norm clipping (``grad_clip``, 10); a step whose loss is not finite or above
  ``max_loss`` (1e4) is skipped (counted in the log); in DDP the decision is shared by all
  processes so they stay in step.
* Checkpoint (atomic) at every epoch end and optionally every ``checkpoint_every_steps``;
  ``resume=True`` continues from ``<out>/last.pt`` exactly: model, optimiser (momentum),
  schedule position, RNG states and data position (samples are index-seeded, see
  :mod:`.dataset`).
* Distributed: started by ``torchrun`` (``WORLD_SIZE`` > 1) -> ``DistributedDataParallel``
  with gloo on CPU, NCCL on GPU; ``optim.batch_size`` is the global batch, split evenly.
* Progress with tqdm (rank 0), CSV logs, TensorBoard scalars if ``tensorboard`` is installed.

See :mod:`.checkpoint` for the output folder layout.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import yaml

from trackbench.errors import TrackbenchError
from trackbench.trackers.imsiam.training.checkpoint import (
    EPOCH_FIELDS,
    LOG_FIELDS,
    load_state,
    read_csv_rows,
    rng_state,
    save_state,
    set_rng_state,
    write_csv_rows,
)
from trackbench.trackers.imsiam.training.config import TrainConfig, config_to_dict
from trackbench.trackers.imsiam.training.dataset import PairDataset, StepSampler, load_source
from trackbench.trackers.imsiam.training.loss import LOSS_NAMES, total_loss
from trackbench.trackers.imsiam.training.sampling import PairSampler, Source
from trackbench.trackers.imsiam.training.schedule import learning_rate

LABEL_KEYS = ("cls", "reg", "cen")


@dataclass
class TrainResult:
    output_dir: Path
    epoch: int  # next epoch to run (== epochs when finished)
    step: int  # next step within that epoch
    global_step: int
    skipped_steps: int
    finished: bool
    model: torch.nn.Module | None = field(default=None, repr=False)  # the trained network (unwrapped from DDP)


@dataclass
class _Context:
    rank: int = 0
    world: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def distributed(self) -> bool:
        return self.world > 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def build_model(cfg: TrainConfig) -> tuple[torch.nn.Module, Any]:
    """The IMSiam network of ``cfg.model``, randomly initialised from
    the current torch seed, with optional pretrained backbone weights and optional
    whole-model weights to fine-tune (``init_weights``)."""
    from trackbench.trackers.imsiam.config import load_config
    from trackbench.trackers.imsiam.model import IMSiam

    model_config = load_config(cfg.model)
    model = IMSiam(model_config)
    if cfg.pretrained_backbone:
        from trackbench.trackers.imsiam.weights import load_pretrained_backbone

        load_pretrained_backbone(model, cfg.pretrained_backbone, strict=False)
    if cfg.init_weights:
        from trackbench.trackers.imsiam.weights import load_matching, read_state_dict

        load_matching(model, read_state_dict(cfg.init_weights)[0], cfg.init_weights, strict=True)
    if cfg.train_stem:  # BatchNorm of these layers stays in eval mode (a learned affine)
        for name in ("conv1", "bn1", "layer1"):
            for p in getattr(model.backbone, name).parameters():
                p.requires_grad_(True)
    return model, model_config


def build_sampler(cfg: TrainConfig) -> PairSampler:
    sources: list[Source] = [load_source(s) for s in cfg.data.sources]
    return PairSampler(sources, frame_range=cfg.data.frame_range, negative_prob=cfg.data.negative_prob)


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.SGD:
    """SGD with a backbone group (``lr_mult`` = backbone_lr_mult) and a neck+head group."""
    backbone = [p for n, p in model.named_parameters() if n.startswith("backbone.") and p.requires_grad]
    others = [p for n, p in model.named_parameters() if not n.startswith("backbone.") and p.requires_grad]
    groups = [{"params": others, "lr_mult": 1.0}]
    if backbone:
        groups.append({"params": backbone, "lr_mult": cfg.optim.backbone_lr_mult})
    return torch.optim.SGD(groups, lr=cfg.optim.base_lr, momentum=cfg.optim.momentum, weight_decay=cfg.optim.weight_decay)


def epoch_learning_rate(cfg: TrainConfig, epoch: int) -> float:
    o = cfg.optim
    return learning_rate(epoch, base_lr=o.base_lr, warmup_start_lr=o.warmup_start_lr, warmup_epochs=o.warmup_epochs, gamma=o.gamma)


def _setup(cfg: TrainConfig) -> _Context:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    use_cuda = cfg.device.startswith("cuda") or (cfg.device == "auto" and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        raise TrackbenchError(f"device {cfg.device!r} requested but CUDA is not available")
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    if use_cuda:
        index = int(os.environ.get("LOCAL_RANK", "0")) if world > 1 else (int(cfg.device.split(":")[1]) if ":" in cfg.device else 0)
        torch.cuda.set_device(index)
        device = torch.device("cuda", index)
    else:
        device = torch.device("cpu")
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    # OpenCV runs single-threaded here, set BEFORE loader workers fork: reconfiguring its
    # thread pool inside a forked worker deadlocks (the pool's threads do not exist there).
    import cv2

    cv2.setNumThreads(1)
    return _Context(rank=rank, world=world, device=device)


def _worker_init(_: int) -> None:
    torch.set_num_threads(1)


def _to_device(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def train(
    cfg: TrainConfig,
    *,
    resume: bool = False,
    stop_after_steps: int | None = None,
    show_progress: bool = True,
    sampler: PairSampler | None = None,
) -> TrainResult:
    """Train IMSiam as configured; returns where it stopped.

    ``stop_after_steps``: stop once the global step count reaches this (as if interrupted:
    nothing is saved beyond the regular checkpoints). ``sampler``: pre-built pair sampler
    (default: read ``cfg.data.sources``)."""
    ctx = _setup(cfg)
    out = Path(cfg.output_dir)
    o = cfg.optim
    if o.batch_size % ctx.world:
        raise TrackbenchError(f"optim.batch_size {o.batch_size} is not divisible by the {ctx.world} processes")
    local_batch = o.batch_size // ctx.world
    steps_per_epoch = cfg.data.samples_per_epoch // o.batch_size

    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed % 2**32)
    model, model_config = build_model(cfg)
    model.to(ctx.device)
    optimizer = make_optimizer(model, cfg)
    epoch, step, global_step = 0, 0, 0
    sums = _zero_sums()
    log_rows: list[dict[str, Any]] = []
    epoch_rows: list[dict[str, Any]] = []
    if resume:
        state = load_state(out / "last.pt")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        set_rng_state(state["rng"])
        epoch, step, global_step = int(state["epoch"]), int(state["step"]), int(state["global_step"])
        sums = state.get("epoch_sums", _zero_sums())
        log_rows = [r for r in read_csv_rows(out / "log.csv") if int(r["global_step"]) <= global_step]
        epoch_rows = [r for r in read_csv_rows(out / "epochs.csv") if int(r["epoch"]) < epoch]
    elif (out / "last.pt").exists():
        raise TrackbenchError("output folder already holds a training run; use --resume or another output_dir", out)
    if ctx.main:
        from trackbench.textio import atomic_write_text

        atomic_write_text(out / "config.yaml", yaml.safe_dump(config_to_dict(cfg), sort_keys=False))

    net: torch.nn.Module = model
    if ctx.distributed:
        ids = [ctx.device.index] if ctx.device.type == "cuda" else None
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids, find_unused_parameters=True)
    writer = _tensorboard(out, cfg) if ctx.main else None
    sampler = sampler or build_sampler(cfg)
    dataset = PairDataset(sampler, cfg.data, cfg.seed)
    params = [p for p in model.parameters() if p.requires_grad]

    def snapshot(next_epoch: int, next_step: int) -> dict[str, Any]:
        return {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": next_epoch,
            "step": next_step,
            "global_step": global_step,
            "epoch_sums": sums,
            "rng": rng_state(),
            "config": config_to_dict(cfg),
        }

    interrupted = False
    while epoch < o.epochs and not interrupted:
        lr = epoch_learning_rate(cfg, epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr * group["lr_mult"]
        dataset.set_epoch(epoch)
        loader = torch.utils.data.DataLoader(
            dataset,
            batch_size=local_batch,
            sampler=StepSampler(steps_per_epoch, o.batch_size, ctx.rank, ctx.world, start_step=step),
            num_workers=cfg.data.num_workers,
            worker_init_fn=_worker_init if cfg.data.num_workers else None,
            drop_last=True,
        )
        net.train()
        progress = _progress(ctx, show_progress, steps_per_epoch, step, epoch)
        window = _zero_sums()
        for batch in loader:
            started = time.time()
            batch = _to_device(batch, ctx.device)
            outputs = net(batch["template"], batch["search"], batch["template_box"])
            losses = total_loss(outputs, {k: batch[k] for k in LABEL_KEYS}, cfg.loss)
            values = torch.stack([losses["total"].detach()] + [losses[n].detach() for n in LOSS_NAMES]).float()
            optimizer.zero_grad(set_to_none=True)
            losses["total"].backward()
            bad = torch.tensor([float(not torch.isfinite(values).all() or values[0] > o.max_loss)], device=ctx.device)
            if ctx.distributed:
                dist.all_reduce(bad, op=dist.ReduceOp.MAX)
                dist.all_reduce(values, op=dist.ReduceOp.SUM)
                values /= ctx.world
            if bad.item() > 0:
                optimizer.zero_grad(set_to_none=True)
                _add(sums, None)
                _add(window, None)
            else:
                torch.nn.utils.clip_grad_norm_(params, o.grad_clip)
                optimizer.step()
                _add(sums, values)
                _add(window, values)
            elapsed = time.time() - started
            window["seconds"] += elapsed
            sums["seconds"] += elapsed
            step += 1
            global_step += 1
            if progress is not None:
                progress.update(1)
                progress.set_postfix(loss=f"{values[0].item():.3f}", lr=f"{lr:.2e}")
            if ctx.main and (step % max(1, cfg.log_every_steps) == 0 or step == steps_per_epoch):
                row = _row(window, epoch, step, global_step, lr, LOG_FIELDS)
                log_rows.append(row)
                write_csv_rows(out / "log.csv", LOG_FIELDS, log_rows)
                if writer is not None:
                    for name in ("total",) + LOSS_NAMES:
                        if row[name] != "":
                            writer.add_scalar(f"loss/{name}", row[name], global_step)
                    writer.add_scalar("lr", lr, global_step)
                window = _zero_sums()
            if step == steps_per_epoch:
                break
            if cfg.checkpoint_every_steps and step % cfg.checkpoint_every_steps == 0:
                if ctx.main:
                    save_state(out / "last.pt", snapshot(epoch, step))
                _barrier(ctx)
            if stop_after_steps is not None and global_step >= stop_after_steps:
                interrupted = True
                break
        if progress is not None:
            progress.close()
        if interrupted:
            break
        if ctx.main:
            epoch_rows.append(_row(sums, epoch, step, global_step, lr, EPOCH_FIELDS))
            write_csv_rows(out / "epochs.csv", EPOCH_FIELDS, epoch_rows)
        sums = _zero_sums()
        epoch, step = epoch + 1, 0
        if ctx.main:
            _save_epoch(out, epoch - 1, snapshot(epoch, 0), model, model_config)
        _barrier(ctx)
        if stop_after_steps is not None and global_step >= stop_after_steps:
            interrupted = True
    if writer is not None:
        writer.close()
    skipped = int(sum(int(float(r["skipped"] or 0)) for r in log_rows)) if ctx.main else 0
    return TrainResult(out, epoch, step, global_step, skipped, finished=epoch >= o.epochs, model=model)


def _save_epoch(out: Path, epoch: int, state: dict[str, Any], model: torch.nn.Module, model_config: Any) -> None:
    from trackbench.trackers.imsiam.weights import save_checkpoint

    save_state(out / "checkpoints" / f"epoch_{epoch:03d}.pt", state)
    save_checkpoint(model, out / "checkpoints" / f"model_e{epoch:03d}.safetensors", model_config)
    save_state(out / "last.pt", state)


def _barrier(ctx: _Context) -> None:
    if ctx.distributed:
        dist.barrier()


def _zero_sums() -> dict[str, float]:
    return {"steps": 0, "skipped": 0, "seconds": 0.0, **{k: 0.0 for k in ("total",) + LOSS_NAMES}}


def _add(sums: dict[str, float], values: torch.Tensor | None) -> None:
    if values is None:
        sums["skipped"] += 1
        return
    sums["steps"] += 1
    for key, value in zip(("total",) + LOSS_NAMES, values.tolist()):
        sums[key] += value


def _row(sums: dict[str, float], epoch: int, step: int, global_step: int, lr: float, fields: tuple[str, ...]) -> dict[str, Any]:
    n = sums["steps"]
    row: dict[str, Any] = {"epoch": epoch, "step": step, "global_step": global_step, "lr": lr}
    row.update({k: (sums[k] / n if n else "") for k in ("total",) + LOSS_NAMES})
    row.update({"skipped": sums["skipped"], "steps": n + sums["skipped"], "seconds": sums["seconds"]})
    return {k: row[k] for k in fields}


def _progress(ctx: _Context, show: bool, total: int, initial: int, epoch: int):
    if not (show and ctx.main):
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=f"epoch {epoch}", unit="step", dynamic_ncols=True)


def _tensorboard(out: Path, cfg: TrainConfig):
    if not cfg.tensorboard:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except Exception:  # tensorboard not installed: CSV logs only
        return None
    return SummaryWriter(str(out / "tensorboard"))
