"""The long-term, real-time, TRE and SRE protocols on every executor, and resuming."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from helpers.paths import helpers_pythonpath
from helpers.trackers import make_dataset
from trackbench.execution.runner import RunOptions, run_suite
from trackbench.results.vot_longterm import read_longterm
from trackbench.suites import otb, vot, vot_lt
from trackbench.suites.base import Suite

LENGTHS = {"alpha": 40, "beta": 46, "gamma": 38}  # >= 38 frames: 20 TRE segments
SPEC = "helpers.trackers:TemplateTracker"


def _suite(name: str, family, corner_rule: str | None = None) -> Suite:
    """A suite of the family's protocol over the generated folder (read by the runner only)."""
    return Suite(name, family, name, skip_initialize=5, corner_rule=corner_rule)


SUITES = {
    "longterm": _suite("lt", vot_lt.FAMILY),
    "realtime": _suite("rt", vot.REALTIME_FAMILY, "x+w"),
    "tre": _suite("tre", otb.TRE_FAMILY),
    "sre": _suite("sre", otb.SRE_FAMILY),
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data"), LENGTHS)


def content(tracker_dir: Path) -> dict[str, object]:
    """What must not depend on the executor: boxes, codes and confidences (not times)."""
    found: dict[str, object] = {}
    for path in sorted(tracker_dir.rglob("*")):
        rel = str(path.relative_to(tracker_dir))
        if path.suffix == ".txt" and not path.name.endswith("_time.txt"):
            found[rel] = path.read_text()
        elif path.name.endswith("_confidence.value"):
            found[rel] = path.read_text()
        elif path.suffix == ".mat":
            cells = scipy.io.loadmat(str(path))["results"].ravel()
            found[rel] = [(c["res"][0, 0].tolist(), float(c["startFrame"][0, 0][0, 0])) for c in cells]
    return found


def run(suite, dataset, out, **kwargs):
    return run_suite(suite, dataset, RunOptions(tracker=SPEC, out=out, progress=False, **kwargs))


@pytest.fixture(scope="module")
def serial(dataset, tmp_path_factory):
    results = {}
    for key, suite in SUITES.items():
        out = tmp_path_factory.mktemp(f"serial-{key}")
        summary = run(suite, dataset, out)
        assert summary.units_run == len(LENGTHS) and not summary.failed, summary.failed
        results[key] = (out / suite.name / "template", content(out / suite.name / "template"))
    return results


def test_layouts_written_serially(serial):
    lt_dir, lt = serial["longterm"]
    assert sorted(k for k in lt if k.endswith(".txt")) == [f"longterm/{n}/{n}_001.txt" for n in sorted(LENGTHS)]
    assert len(read_longterm(lt_dir, "beta")) == 46
    _, rt = serial["realtime"]
    assert sorted(rt) == [f"realtime/{n}/{n}_001.txt" for n in sorted(LENGTHS)]
    _, tre = serial["tre"]
    assert all(len(runs) == 20 for runs in tre.values())
    _, sre = serial["sre"]
    assert sorted(sre) == [f"results_SRE/{n}_template.mat" for n in sorted(LENGTHS)]
    assert all(len(runs) == 12 for runs in sre.values())


@pytest.mark.slow  # process ~25 s, Ray ~70 s (four Ray starts) on 2 shared cores
@pytest.mark.parametrize("executor", ["process", "ray"])
def test_every_executor_writes_the_same_results(executor, dataset, serial, tmp_path, monkeypatch):
    if executor == "ray":
        pytest.importorskip("ray", reason='the Ray executor needs the optional extra: pip install "ray>=2.9"')
        monkeypatch.setenv("PYTHONPATH", helpers_pythonpath())
    for key, suite in SUITES.items():
        out = tmp_path / key
        summary = run(suite, dataset, out, executor=executor, workers=2)
        assert summary.units_run == len(LENGTHS) and not summary.failed, (key, summary.failed)
        assert content(out / suite.name / "template") == serial[key][1], key


def test_rerun_only_runs_missing_units(dataset, serial, tmp_path):
    for key, suite in SUITES.items():
        out = tmp_path / key
        run(suite, dataset, out)
        tracker_dir = out / suite.name / "template"
        marker = {"longterm": "longterm/beta/beta_001.txt", "realtime": "realtime/beta/beta_001.txt",
                  "tre": "results_TRE/beta_template.mat", "sre": "results_SRE/beta_template.mat"}[key]
        (tracker_dir / marker).unlink()
        summary = run(suite, dataset, out)
        assert summary.units_run == 1, key
        assert content(tracker_dir) == serial[key][1], key


@pytest.mark.slow
def test_kill_9_during_tre_then_rerun_completes(tmp_path):
    data = tmp_path / "data"
    make_dataset(data, {f"seq{i}": 38 + i for i in range(5)})
    env = dict(os.environ)
    env["PYTHONPATH"] = helpers_pythonpath(env.get("PYTHONPATH"))
    command = [sys.executable, "-m", "trackbench", "run", "helpers.trackers:SlowIdentity", "--suite", "custom-tre",
               "--root", str(data), "--set", "delay=0.002", "--no-progress", "--out", str(tmp_path / "out")]
    folder = tmp_path / "out" / "custom-tre" / "slow" / "results_TRE"
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(folder.glob("*.mat"))) < 1:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    done_before = len(list(folder.glob("*.mat")))
    assert 1 <= done_before < 5, "the run finished before it was killed"
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done_before} already finished" in rerun.stdout.strip().splitlines()[-1]
    assert len(list(folder.glob("*.mat"))) == 5
    for path in folder.glob("*.mat"):
        cells = scipy.io.loadmat(str(path))["results"].ravel()
        assert len(cells) == 20
        # SlowIdentity keeps its initial box: every segment's rows equal its first row
        for cell in cells:
            res = cell["res"][0, 0]
            assert np.all(res == res[0])
