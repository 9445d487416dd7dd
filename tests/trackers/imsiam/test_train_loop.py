"""The training loop: schedule, config validation, overfitting a fixed batch, exact resume,
two-process torchrun (gloo) and the ``trackbench train`` command. Tiny model, tiny data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from helpers.paths import REPO_ROOT
from trackbench.errors import TrackbenchError
from trackbench.trackers.imsiam.training.config import load_training_config
from trackbench.trackers.imsiam.training.config import train_config_from_dict as config_from_dict
from trackbench.trackers.imsiam.training.loop import build_model, build_sampler, epoch_learning_rate, make_optimizer, train
from trackbench.trackers.imsiam.training.loss import total_loss
from trackbench.trackers.imsiam.training.dataset import PairDataset
from trackbench.trackers.imsiam.training.schedule import learning_rate

TINY_MODEL = {
    "extends": "imsiam_small",
    "model": {
        "backbone": {"blocks": [1, 1, 1, 1], "width": 4, "downsample_kernel": 1},
        "neck_channels": 8,
        "head_channels": 8,
        "head_convs": 1,
        "gn_groups": 4,
    },
}


def _tiny_config(tmp_path: Path, **changes) -> dict:
    model_path = tmp_path / "tiny_model.yaml"
    model_path.write_text(yaml.safe_dump(TINY_MODEL))
    data = {
        "model": str(model_path),
        "train_stem": True,
        "data": {
            "sources": [{"kind": "synthetic", "count": 2, "seed": 11, "length": 12, "difficulty": 0.3}],
            "samples_per_epoch": 12,
            "num_workers": 0,
        },
        "optim": {"epochs": 2, "batch_size": 4, "warmup_epochs": 1},
        "output_dir": str(tmp_path / "run"),
        "log_every_steps": 1,
        "tensorboard": False,
        "threads": 1,
    }
    for key, value in changes.items():
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return data


def test_learning_rate_schedule_matches_the_recipe():
    expected = [1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 5e-3, 4e-3, 3.2e-3, 2.56e-3]
    for epoch, lr in enumerate(expected):
        assert learning_rate(epoch) == pytest.approx(lr, rel=1e-9)
    assert learning_rate(20) == pytest.approx(5e-3 * 0.8**15, rel=1e-9)
    assert learning_rate(20) == pytest.approx(1.76e-4, abs=1e-6)
    cfg = load_training_config("imsiam_r50")
    assert [epoch_learning_rate(cfg, e) for e in range(6)] == pytest.approx(expected[:6])


def test_bundled_recipes_and_config_errors(tmp_path):
    r50 = load_training_config("imsiam_r50")
    assert [s.kind for s in r50.data.sources] == ["vid", "got10k", "lasot", "coco"]
    assert [s.weight for s in r50.data.sources] == [1, 1, 1, 2]
    assert (r50.optim.epochs, r50.data.samples_per_epoch, r50.optim.batch_size) == (20, 320_000, 64)
    assert r50.data.negative_prob == 0.2 and r50.data.frame_range == 50
    assert (r50.loss.reg_weight, r50.loss.cen_weight, r50.loss.iou_weight) == (1.2, 0.5, 0.5)
    small = load_training_config("imsiam_small_cpu", ["optim.epochs=3", "data.sources.0.count=7"])
    assert small.optim.epochs == 3 and small.data.sources[0].count == 7
    with pytest.raises(TrackbenchError, match="unknown config key optim.learning_rate"):
        config_from_dict({**_tiny_config(tmp_path), "optim": {"learning_rate": 1}}, "x.yaml")
    with pytest.raises(TrackbenchError, match="data.sources.0.kind"):
        config_from_dict(_tiny_config(tmp_path, **{"data.sources": [{"kind": "imagenet"}]}))
    with pytest.raises(TrackbenchError, match="loss.*sample_set"):
        config_from_dict({**_tiny_config(tmp_path), "loss": {"sample_set": "all"}})
    with pytest.raises(TrackbenchError, match="optim.epochs.*not a valid int"):
        load_training_config("imsiam_small_cpu", ["optim.epochs=two"])


def test_a_few_steps_on_a_fixed_batch_reduce_the_loss(tmp_path):
    cfg = config_from_dict(_tiny_config(tmp_path, **{"data.negative_prob": 0.0}))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # OpenMP threads on a shared, oversubscribed CPU are very slow
    torch.manual_seed(0)
    model, _ = build_model(cfg)
    model.train()
    dataset = PairDataset(build_sampler(cfg), cfg.data, seed=0)
    batch = torch.utils.data.default_collate([dataset[i] for i in range(4)])
    optimizer = make_optimizer(model, cfg)
    for group in optimizer.param_groups:
        group["lr"] = 0.02 * group["lr_mult"]
    labels = {k: batch[k] for k in ("cls", "reg", "cen")}
    history = []
    for _ in range(40):
        losses = total_loss(model(batch["template"], batch["search"], batch["template_box"]), labels, cfg.loss)
        optimizer.zero_grad()
        losses["total"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        optimizer.step()
        history.append(losses["total"].item())
    torch.set_num_threads(threads)
    assert history[-1] < 0.5 * history[0], history


def _parameters(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, map_location="cpu", weights_only=True)["model"]


def test_interrupt_and_resume_equals_an_uninterrupted_run(tmp_path):
    full_dir, cut_dir = tmp_path / "full", tmp_path / "cut"
    full = config_from_dict(_tiny_config(tmp_path, output_dir=str(full_dir), checkpoint_every_steps=2, **{"data.num_workers": 1}))
    result = train(full, show_progress=False)
    assert result.finished and result.global_step == 6
    cut = config_from_dict(_tiny_config(tmp_path, output_dir=str(cut_dir), checkpoint_every_steps=2, **{"data.num_workers": 1}))
    stopped = train(cut, show_progress=False, stop_after_steps=4)  # epoch 1, step 1: last checkpoint is step 3
    assert not stopped.finished and stopped.global_step == 4
    with pytest.raises(TrackbenchError, match="already holds a training run"):
        train(cut, show_progress=False)
    resumed = train(cut, resume=True, show_progress=False)
    assert resumed.finished and resumed.global_step == 6
    a, b = _parameters(full_dir / "last.pt"), _parameters(cut_dir / "last.pt")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    opt_a = torch.load(full_dir / "last.pt", weights_only=True)["optimizer"]["state"]
    opt_b = torch.load(cut_dir / "last.pt", weights_only=True)["optimizer"]["state"]
    assert all(torch.equal(opt_a[k]["momentum_buffer"], opt_b[k]["momentum_buffer"]) for k in opt_a)
    # Logs: one row per step, no duplicate of the redone step; one row per epoch.
    log = (cut_dir / "log.csv").read_text().splitlines()
    assert [int(r.split(",")[2]) for r in log[1:]] == [1, 2, 3, 4, 5, 6]
    assert (full_dir / "log.csv").read_text().splitlines()[1:] != []
    assert len((cut_dir / "epochs.csv").read_text().splitlines()) == 3
    assert (cut_dir / "checkpoints" / "model_e001.safetensors").is_file()


def test_checkpoint_loads_in_the_tracker(tmp_path):
    from trackbench.trackers.imsiam import IMSiamTracker

    cfg = config_from_dict(_tiny_config(tmp_path, **{"optim.epochs": 1, "data.samples_per_epoch": 4}))
    train(cfg, show_progress=False)
    tracker = IMSiamTracker(checkpoint=str(tmp_path / "run" / "checkpoints" / "model_e000.safetensors"))
    import numpy as np

    image = np.zeros((120, 160, 3), dtype=np.uint8)
    tracker.init(image, np.array([60.0, 40.0, 30.0, 20.0]))
    box, _ = tracker.update(image)
    assert np.all(np.isfinite(box))


def test_init_weights_starts_from_a_previous_model_and_refuses_another_config(tmp_path):
    """``init_weights`` loads a whole exported model strictly: the built model equals the file,
    and weights of a different model config are a one-line error naming the file."""
    from trackbench.trackers.imsiam.weights import read_state_dict

    first = config_from_dict(_tiny_config(tmp_path, **{"optim.epochs": 1, "data.samples_per_epoch": 4}))
    train(first, show_progress=False)
    exported = tmp_path / "run" / "checkpoints" / "model_e000.safetensors"
    torch.manual_seed(123)  # a different random initialisation underneath
    model, _ = build_model(config_from_dict(_tiny_config(tmp_path, init_weights=str(exported))))
    saved, _ = read_state_dict(exported)
    own = model.state_dict()
    assert saved.keys() <= own.keys()
    assert all(torch.equal(own[key], value) for key, value in saved.items())
    with pytest.raises(TrackbenchError, match="imsiam_demo.safetensors"):
        build_model(config_from_dict(_tiny_config(
            tmp_path, init_weights=str(REPO_ROOT / "trackers" / "imsiam" / "weights" / "imsiam_demo.safetensors"))))


@pytest.mark.slow
def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_process_torchrun_keeps_ranks_identical(tmp_path):
    cfg = _tiny_config(tmp_path, **{"optim.epochs": 1, "data.samples_per_epoch": 12})
    config_path = tmp_path / "train.yaml"
    config_path.write_text(yaml.safe_dump(cfg))
    script = tmp_path / "ddp_run.py"
    script.write_text(
        "import os, sys, torch\n"
        "from trackbench.trackers.imsiam.training.config import load_training_config\n"
        "from trackbench.trackers.imsiam.training.loop import train\n"
        "result = train(load_training_config(sys.argv[1]), show_progress=False)\n"
        "torch.save({k: v.detach().clone() for k, v in result.model.named_parameters()}, sys.argv[2] + f'/rank{os.environ[\"RANK\"]}.pt')\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(_free_port()),
               str(script), str(config_path), str(tmp_path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rank0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    initial = torch.load(tmp_path / "run" / "checkpoints" / "epoch_000.pt", weights_only=True)["model"]
    moved = 0
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), key
        assert torch.equal(rank0[key], initial[key])  # the saved checkpoint is the ranks' model
    torch.manual_seed(0)
    fresh, _ = build_model(config_from_dict(cfg))
    for key, value in fresh.named_parameters():
        moved += int(not torch.equal(value.detach(), rank0[key]))
    assert moved > 10  # three steps of training changed the parameters


def test_steps_with_a_loss_above_max_loss_are_skipped(tmp_path):
    cfg = config_from_dict(_tiny_config(tmp_path, **{"optim.epochs": 1, "data.samples_per_epoch": 8, "optim.max_loss": 1e-6}))
    result = train(cfg, show_progress=False)
    assert result.skipped_steps == 2 and result.global_step == 2
    torch.manual_seed(0)
    fresh, _ = build_model(cfg)
    for key, value in fresh.named_parameters():
        assert torch.equal(value.detach(), result.model.state_dict()[key]), key
    rows = (tmp_path / "run" / "log.csv").read_text().splitlines()
    assert [r.split(",")[-2] for r in rows[1:]] == ["1", "1"]  # "skipped" column


def test_train_command_trains_resumes_and_exports(tmp_path, capsys):
    from trackbench.cli import main
    from trackbench.trackers.imsiam.weights import checkpoint_config

    config_path = tmp_path / "train.yaml"
    config_path.write_text(yaml.safe_dump(_tiny_config(tmp_path, **{"optim.epochs": 1, "data.samples_per_epoch": 4})))
    assert main(["train", "imsiam", "--config", str(config_path), "--no-progress"]) == 0
    assert "training finished at epoch 1" in capsys.readouterr().out
    assert main(["train", "imsiam", "--config", str(config_path), "--resume", "--set", "optim.epochs=2", "--no-progress"]) == 0
    assert (tmp_path / "run" / "checkpoints" / "model_e001.safetensors").is_file()
    exported = tmp_path / "demo.safetensors"
    assert main(["train", "imsiam", "--config", str(config_path), "--export", str(exported), "--epoch", "0"]) == 0
    assert checkpoint_config(exported).model.neck_channels == 8
    assert main(["train", "kcf", "--config", str(config_path)]) == 2
    assert main(["train", "imsiam", "--config", str(config_path), "--set", "optim.batch_size=0"]) == 2
    assert "optim.batch_size" in capsys.readouterr().err
