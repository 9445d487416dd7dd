"""``trackbench run``: options, exit codes, the demo suite, and resuming after ``kill -9``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.paths import helpers_pythonpath
from helpers.trackers import alive, children, make_dataset, write_moving_square
from trackbench.cli import main
from trackbench.commands.run import parse_set_options
from trackbench.errors import TrackbenchError
from trackbench.textio import read_table

KILL_LENGTHS = {f"seq{i}": n for i, n in enumerate([24, 22, 20, 18, 16, 14, 12, 10])}


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    from trackbench.data.demo import ensure_demo

    return ensure_demo(tmp_path_factory.mktemp("datasets") / "demo")


def helper_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = helpers_pythonpath(env.get("PYTHONPATH"))
    return env


def test_set_values_are_parsed_as_yaml():
    assert parse_set_options(["a=0.3", "b=true", "c=[1, 2]", "d=cpu", "e=x=y", "f="]) == {
        "a": 0.3, "b": True, "c": [1, 2], "d": "cpu", "e": "x=y", "f": "",
    }
    with pytest.raises(TrackbenchError, match="key=value"):
        parse_set_options(["novalue"])
    with pytest.raises(TrackbenchError, match="--set a: cannot parse"):
        parse_set_options(["a=[1, 2"])


def test_run_identity_on_demo(demo_root, tmp_path, capsys):
    code = main(["run", "identity", "--suite", "demo", "--root", str(demo_root), "--out", str(tmp_path),
                 "--sequences", "DemoCar,DemoScale", "--no-progress"])
    assert code == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out.startswith("identity on demo: 2/2 sequences done") and "0 failed" in out and " FPS" in out
    tracker_dir = tmp_path / "demo" / "identity"
    for name in ("DemoCar", "DemoScale"):
        gt = read_table(demo_root / name / "groundtruth_rect.txt", 4)
        boxes = read_table(tracker_dir / f"{name}.txt", 4)
        np.testing.assert_array_equal(boxes, np.repeat(gt[:1], len(gt), axis=0))
        assert read_table(tracker_dir / "times" / f"{name}_time.txt", 1).shape == (len(gt), 1)
    assert sorted(json.loads((tracker_dir / "manifest.json").read_text())["units"]) == ["DemoCar", "DemoScale"]


def test_set_options_and_tracker_name_reach_the_tracker(demo_root, tmp_path):
    code = main(["run", "helpers.trackers:TemplateTracker", "--suite", "demo", "--root", str(demo_root),
                 "--out", str(tmp_path), "--sequences", "DemoFastMotion", "--set", "margin=12",
                 "--tracker-name", "tm12", "--no-progress"])
    assert code == 0
    info = json.loads((tmp_path / "demo" / "tm12" / "run.json").read_text())
    assert info["options"] == {"margin": 12} and info["tracker"] == "helpers.trackers:TemplateTracker"


def test_unknown_tracker_option_and_suite_are_one_line_errors(demo_root, tmp_path, capsys):
    assert main(["run", "no-such-tracker", "--suite", "demo", "--root", str(demo_root), "--out", str(tmp_path)]) == 2
    assert "unknown tracker 'no-such-tracker'" in capsys.readouterr().err
    assert main(["run", "identity", "--suite", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown suite 'nope'" in capsys.readouterr().err
    assert main(["run", "identity", "--suite", "demo", "--root", str(demo_root), "--out", str(tmp_path),
                 "--set", "speed=2"]) == 2
    err = capsys.readouterr().err.strip()
    assert "has no option speed" in err and len(err.splitlines()) == 1


def test_dataset_arguments_come_from_the_shared_helpers(demo_root, tmp_path, capsys):
    import argparse

    from trackbench.commands import run

    subparsers = argparse.ArgumentParser().add_subparsers()
    run.register(subparsers)
    parser = subparsers.choices["run"]
    actions = {a.dest: a for a in parser._actions}
    assert actions["suite"].required and "root" in actions and "sequences" in actions
    # --sequences is parsed by commands.common.parse_sequences: only commas is an error, not "all"
    assert main(["run", "identity", "--suite", "demo", "--root", str(demo_root), "--out", str(tmp_path),
                 "--sequences", " , ", "--no-progress"]) == 2
    assert "--sequences is empty" in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()


def test_failures_give_a_non_zero_exit_code(tmp_path, capsys):
    data = tmp_path / "data"
    make_dataset(data, {"ok1": 6, "ok2": 5})
    write_moving_square(data / "wide", 5, seed=4, size=(80, 48))
    code = main(["run", "helpers.trackers:FailOnImageWidth", "--suite", "custom", "--root", str(data),
                 "--out", str(tmp_path / "out"), "--no-progress"])
    assert code == 1
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "2/3 sequences done" in line and "1 failed: wide" in line
    log = tmp_path / "out" / "custom" / "fail-on-width" / "errors.log"
    assert f"first error (wide): RuntimeError: deliberate failure on a 80-pixel-wide image; see {log}" in line
    manifest = json.loads((tmp_path / "out" / "custom" / "fail-on-width" / "manifest.json").read_text())
    assert manifest["units"]["wide"]["status"] == "failed" and manifest["counts"] == {"done": 2, "failed": 1}


def _run_cli(args: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "trackbench", "run", *args], env=helper_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*.txt")) if "times" not in p.parts}


def test_kill_9_mid_run_then_rerun_completes_with_identical_files(tmp_path):
    data = tmp_path / "data"
    make_dataset(data, KILL_LENGTHS)
    common = ["helpers.trackers:SlowIdentity", "--suite", "custom", "--root", str(data), "--set", "delay=0.01",
              "--no-progress"]
    reference = _run_cli([*common, "--out", str(tmp_path / "reference")])
    assert reference.wait(timeout=60) == 0, reference.stderr.read().decode()
    expected = _files(tmp_path / "reference" / "custom" / "slow")
    assert len(expected) == len(KILL_LENGTHS)

    out = tmp_path / "killed"
    tracker_dir = out / "custom" / "slow"
    completed_before_kill = []
    for wait_for in (1, 3, 5):  # kill three times, at different points of the run
        proc = _run_cli([*common, "--out", str(out)])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(list(tracker_dir.glob("seq*.txt"))) < wait_for:
            time.sleep(0.005)
        time.sleep(0.05 * wait_for)  # land somewhere inside the next unit
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        completed_before_kill.append(len(list(tracker_dir.glob("seq*.txt"))))
    assert completed_before_kill[-1] < len(KILL_LENGTHS), "the run finished before it was killed"

    # every result file present after the kills is complete (atomic writes)
    for path in tracker_dir.glob("seq*.txt"):
        assert path.read_text() == expected[path.name]

    rerun = _run_cli([*common, "--out", str(out)])
    stdout, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stderr.decode()
    summary = stdout.decode().strip().splitlines()[-1]
    assert f"{completed_before_kill[-1]} already finished" in summary
    assert f"{len(KILL_LENGTHS) - completed_before_kill[-1]} units run" in summary
    assert _files(tracker_dir) == expected
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]
    assert leftovers == []
    for name, frames in KILL_LENGTHS.items():
        assert read_table(tracker_dir / "times" / f"{name}_time.txt", 1).shape == (frames, 1)
    manifest = json.loads((tracker_dir / "manifest.json").read_text())
    assert manifest["counts"] == {"done": len(KILL_LENGTHS)}


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the worker processes")
def test_kill_9_of_a_process_pool_run_leaves_no_workers_and_resumes(tmp_path):
    data = tmp_path / "data"
    make_dataset(data, KILL_LENGTHS)
    common = ["helpers.trackers:SlowIdentity", "--suite", "custom", "--root", str(data), "--set", "delay=0.01",
              "--executor", "process", "--workers", "2", "--no-progress", "--out", str(tmp_path / "out")]
    tracker_dir = tmp_path / "out" / "custom" / "slow"
    proc = _run_cli(common)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tracker_dir.glob("seq*.txt")):
        time.sleep(0.01)
    workers = children(proc.pid)
    assert workers, "the pool's worker processes were not found"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    done_before = len(list(tracker_dir.glob("seq*.txt")))
    assert 0 < done_before < len(KILL_LENGTHS)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "orphaned worker processes kept running"
    rerun = _run_cli(common)
    stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr.decode()
    assert f"{done_before} already finished" in stdout.decode()
    for name, frames in KILL_LENGTHS.items():
        assert read_table(tracker_dir / f"{name}.txt", 4).shape == (frames, 4)
    assert not [p for p in tracker_dir.rglob("*") if p.name.startswith(".")]


def test_workers_alone_selects_the_process_pool(demo_root, tmp_path, capsys):
    code = main(["run", "identity", "--suite", "demo", "--root", str(demo_root), "--out", str(tmp_path),
                 "--sequences", "DemoCar,DemoScale,DemoRotation", "--workers", "2", "--no-progress"])
    assert code == 0 and "3/3 sequences done" in capsys.readouterr().out
    units = json.loads((tmp_path / "demo" / "identity" / "manifest.json").read_text())["units"]
    assert all(not entry["worker"].endswith(f":{os.getpid()}") for entry in units.values())
