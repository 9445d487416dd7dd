"""Serial, process-pool and Ray executors give identical result files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers.paths import helpers_pythonpath
from helpers.trackers import LocalSuite, make_dataset
from trackbench.execution.runner import RunOptions, run_suite

LENGTHS = {"alpha": 9, "beta": 14, "gamma": 6, "delta": 11, "eps": 7}
SPEC = "helpers.trackers:TemplateTracker"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data"), LENGTHS)


def result_files(tracker_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(tracker_dir.glob("*.txt"))}


def run(dataset, out, **kwargs):
    return run_suite(LocalSuite(), dataset, RunOptions(tracker=SPEC, out=out, progress=False, **kwargs))


@pytest.fixture(scope="module")
def serial_files(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    summary = run(dataset, out)
    assert summary.units_run == len(LENGTHS)
    files = result_files(out / "local" / "template")
    assert sorted(files) == sorted(f"{name}.txt" for name in LENGTHS)
    return files


def test_process_pool_with_two_workers_gives_identical_files(dataset, serial_files, tmp_path):
    summary = run(dataset, tmp_path, executor="process", workers=2)
    assert summary.units_run == len(LENGTHS) and not summary.failed
    assert result_files(tmp_path / "local" / "template") == serial_files
    units = json.loads((tmp_path / "local" / "template" / "manifest.json").read_text())["units"]
    # the units ran in the worker processes, not here
    assert all(not entry["worker"].endswith(f":{os.getpid()}") for entry in units.values())


def test_process_pool_pins_one_worker_per_device(dataset, serial_files, tmp_path):
    summary = run(
        dataset, tmp_path, executor="process", devices=["cpu:0", "cpu:1"], tracker_name="template",
    )
    assert summary.units_run == len(LENGTHS)
    units = json.loads((tmp_path / "local" / "template" / "manifest.json").read_text())["units"]
    workers = {}
    for entry in units.values():
        workers.setdefault(entry["worker"], set()).add(entry["device"])
    # each worker process kept one device; devices come from the list
    assert all(len(devices) == 1 for devices in workers.values())
    assert set().union(*workers.values()) <= {"cpu:0", "cpu:1"}
    assert result_files(tmp_path / "local" / "template") == serial_files


def test_device_is_passed_to_a_tracker_that_takes_one(dataset, tmp_path):
    summary = run_suite(
        LocalSuite(),
        dataset,
        RunOptions(tracker="helpers.trackers:DeviceTracker", out=tmp_path, progress=False,
                   executor="process", workers=2, devices=["cpu:0", "cpu:1"]),
    )
    assert not summary.failed
    tracker_dir = tmp_path / "local" / "device"
    for name, frames in LENGTHS.items():
        lines = (tracker_dir / f"{name}.txt").read_text().splitlines()
        # DeviceTracker writes its device index into the box width
        assert len(lines) == frames and {line.split(",")[2] for line in lines[1:]} <= {"0.0000", "1.0000"}


def test_ray_local_instance_with_two_cpus_gives_identical_files(dataset, serial_files, tmp_path, monkeypatch):
    pytest.importorskip("ray", reason='the Ray executor needs the optional extra: pip install "ray>=2.9"')
    # Ray workers of a local instance inherit the driver's environment
    monkeypatch.setenv("PYTHONPATH", helpers_pythonpath())
    summary = run(dataset, tmp_path, executor="ray", workers=2)
    assert summary.units_run == len(LENGTHS) and not summary.failed, summary.failed
    assert result_files(tmp_path / "local" / "template") == serial_files
    units = json.loads((tmp_path / "local" / "template" / "manifest.json").read_text())["units"]
    assert all(entry["status"] == "done" for entry in units.values())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from trackbench.suites import get_suite

    suite = get_suite("demo")
    return suite, suite.load(tmp_path_factory.mktemp("datasets") / "demo")


@pytest.fixture(scope="module")
def demo_serial_files(demo, tmp_path_factory):
    suite, dataset = demo
    out = tmp_path_factory.mktemp("demo-serial")
    summary = run_suite(suite, dataset, RunOptions(tracker=SPEC, out=out, progress=False))
    assert summary.units_run == len(dataset) == 8
    return result_files(out / "demo" / "template")


@pytest.mark.parametrize("executor", ["process", "ray"])
def test_demo_suite_gives_identical_files_on_every_executor(executor, demo, demo_serial_files, tmp_path, monkeypatch):
    if executor == "ray":
        pytest.importorskip("ray", reason='the Ray executor needs the optional extra: pip install "ray>=2.9"')
        monkeypatch.setenv("PYTHONPATH", helpers_pythonpath())
    suite, dataset = demo
    summary = run_suite(suite, dataset, RunOptions(tracker=SPEC, out=tmp_path, progress=False, executor=executor, workers=2))
    assert summary.units_run == 8 and not summary.failed
    assert result_files(tmp_path / "demo" / "template") == demo_serial_files


def test_a_worker_process_crash_fails_only_its_own_unit(dataset, tmp_path):
    from helpers.trackers import read_otb_folder, write_moving_square
    from trackbench.sequence import Dataset

    bad = read_otb_folder(write_moving_square(tmp_path / "data" / "wide", 15, seed=5, size=(80, 48)))
    data = Dataset("local", list(dataset) + [bad])
    summary = run_suite(LocalSuite(), data, RunOptions(tracker="helpers.trackers:CrashOnImageWidth", out=tmp_path,
                                                       progress=False, executor="process", workers=2))
    # os._exit(3) in the first update: the exit code and where it happened
    assert summary.failed == {"wide": "worker process exited with code 3 in update at frame 2"}
    tracker_dir = tmp_path / "local" / "crash-on-width"
    assert sorted(p.stem for p in tracker_dir.glob("*.txt")) == sorted(LENGTHS)
    units = json.loads((tracker_dir / "manifest.json").read_text())["units"]
    assert units["wide"]["status"] == "failed" and units["wide"]["attempts"] == 2
    assert all(units[name]["status"] == "done" and units[name]["attempts"] == 1 for name in LENGTHS)


def test_a_worker_that_cannot_build_the_tracker_reports_why(dataset, tmp_path):
    summary = run_suite(LocalSuite(), dataset, RunOptions(tracker="helpers.trackers:NeedsCpu1", out=tmp_path,
                                                          progress=False, executor="process", devices=["cpu:0"]))
    assert set(summary.failed) == set(LENGTHS)
    entry = json.loads((tmp_path / "local" / "needs-cpu1" / "manifest.json").read_text())["units"]["beta"]
    assert entry["error"] == "building the tracker on cpu:0 failed: RuntimeError: device cpu:0 is not available"
    assert "Traceback" in entry["traceback"] and entry["attempts"] == 2


def test_ray_actors_report_frames_while_a_long_sequence_runs(tmp_path, monkeypatch):
    pytest.importorskip("ray", reason='the Ray executor needs the optional extra: pip install "ray>=2.9"')
    monkeypatch.setenv("PYTHONPATH", helpers_pythonpath())
    from helpers.trackers import read_otb_folder, write_moving_square
    from trackbench.execution.ray_executor import RayExecutor
    from trackbench.execution.units import WorkUnit

    frames = 40
    sequence = read_otb_folder(write_moving_square(tmp_path / "long", frames, seed=3))
    executor = RayExecutor("helpers.trackers:SlowIdentity", {"delay": 0.03}, workers=1)
    reports: list[int] = []
    finished = []
    try:
        for outcomes in executor.run([[WorkUnit(sequence)]], reports.append):
            finished.append((list(reports), outcomes))
    finally:
        executor.close()
    [(before_outcome, [outcome])] = finished
    assert outcome.ok and outcome.frames == frames
    # reports arrived while the task still ran (the first is partial), and by the time the
    # outcome is yielded they add up to the sequence's frames
    assert len(before_outcome) >= 2 and 0 < before_outcome[0] < frames
    assert sum(before_outcome) == sum(reports) == frames


def test_a_crash_in_the_serial_worker_reruns_the_task_sent_ahead_of_it(dataset, tmp_path):
    from helpers.trackers import read_otb_folder, write_moving_square
    from trackbench.sequence import Dataset

    # the longest sequence runs first and crashes; the next one was already sent to the
    # worker behind it and must run (once, uncharged) on the worker that replaces it
    bad = read_otb_folder(write_moving_square(tmp_path / "data" / "wide", 15, seed=5, size=(80, 48)))
    data = Dataset("local", list(dataset) + [bad])
    summary = run_suite(LocalSuite(), data, RunOptions(tracker="helpers.trackers:CrashOnImageWidth", out=tmp_path,
                                                       progress=False))
    assert summary.failed == {"wide": "worker process exited with code 3 in update at frame 2"}
    tracker_dir = tmp_path / "local" / "crash-on-width"
    units = json.loads((tracker_dir / "manifest.json").read_text())["units"]
    assert all(units[name]["status"] == "done" and units[name]["attempts"] == 1 for name in LENGTHS)
    assert units["wide"]["attempts"] == 2
    assert sorted(p.stem for p in tracker_dir.glob("*.txt")) == sorted(LENGTHS)


def test_a_released_worker_is_replaced_by_the_next_task(dataset):
    from trackbench.execution.isolated import WorkerProcess
    from trackbench.execution.units import WorkUnit
    from trackbench.execution.watch import Limits

    worker = WorkerProcess("identity", {}, None, Limits(30))
    try:
        first = worker.run([WorkUnit(dataset["alpha"])])
        pid = worker.process.pid
        worker.release()  # told to exit, not waited for
        second = worker.run([WorkUnit(dataset["beta"])])
        assert worker.process.pid != pid
    finally:
        worker.stop()
    assert [o.key for o in first + second] == ["alpha", "beta"] and all(o.ok for o in first + second)
    assert [o.frames for o in first + second] == [LENGTHS["alpha"], LENGTHS["beta"]]


def test_only_tasks_that_fit_the_socket_buffer_are_sent_ahead(dataset):
    from multiprocessing.connection import wait

    from trackbench.execution.isolated import WorkerProcess
    from trackbench.execution.units import WorkUnit
    from trackbench.execution.watch import Limits
    from trackbench.sequence import Sequence

    alpha = dataset["alpha"]
    frames = [Path(str(alpha.frames[i % len(alpha)])) for i in range(2000)]  # distinct objects: no pickle memo
    long = Sequence("long", alpha.ground_truth[[i % len(alpha) for i in range(2000)]], frames)
    worker = WorkerProcess("identity", {}, None, Limits(30))
    outcomes = []
    try:
        worker.submit([WorkUnit(alpha)])
        assert not worker.queue([WorkUnit(long)])  # > QUEUE_BYTES pickled: waits for an idle worker
        assert worker.queue([WorkUnit(dataset["beta"])]) and not worker.queue([WorkUnit(dataset["gamma"])])
        while worker.busy:
            wait(worker.waitables(), timeout=1)
            outcomes += worker.poll() or []
    finally:
        worker.stop()
    assert [o.key for o in outcomes] == ["alpha", "beta"] and all(o.ok for o in outcomes)


@pytest.mark.parametrize("workers", [1, 2])
def test_tasks_sent_ahead_run_once_and_their_outcomes_come_from_run(dataset, workers):
    from trackbench.execution.isolated import IsolatedExecutor
    from trackbench.execution.units import WorkUnit
    from trackbench.execution.watch import Limits

    names = ["beta", "delta", "alpha", "eps", "gamma"]  # longest first, as the runner orders them
    tasks = [[WorkUnit(dataset[name])] for name in names]
    executor = IsolatedExecutor("identity", {}, workers, limits=Limits(30))
    frames = []
    try:
        executor.send_ahead(tasks)  # the first task(s) start before run() is called
        assert sum(w.busy for w in executor._pool) == workers
        outcomes = [o for batch in executor.run(tasks, frames.append) for o in batch]
    finally:
        executor.close()
    assert sorted(o.key for o in outcomes) == sorted(names)  # each task once: none sent twice, none lost
    assert all(o.ok and o.frames == LENGTHS[o.key] for o in outcomes)
    assert sum(frames) == sum(LENGTHS.values())
    if workers == 1:
        assert [o.key for o in outcomes] == names


_AFTER_OPENCV_THREADS = """
import os
import sys
from pathlib import Path

import cv2
import numpy as np

from helpers.trackers import LocalSuite, make_dataset
from trackbench.execution.runner import RunOptions, run_suite

os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])  # two cores: 2 threads here, 1 per worker
cv2.setNumThreads(2)  # this process runs OpenCV's pool, as one that decoded frames would
for _ in range(3):
    cv2.GaussianBlur(np.zeros((1080, 1920, 3), np.uint8), (15, 15), 0)
root, out = Path(sys.argv[1]), Path(sys.argv[2])
summary = run_suite(LocalSuite(), make_dataset(root, {"a": 5, "b": 6}),
                    RunOptions(tracker="helpers.trackers:TemplateTracker", out=out, progress=False,
                               executor="process", workers=2))
print(summary.units_run, len(summary.failed))
"""


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_workers_forked_after_opencv_ran_its_thread_pool_do_not_hang(tmp_path):
    # a forked child that sets OpenCV's threads (1 per worker here) waited forever for the
    # parent's pool threads, which a fork does not copy
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": helpers_pythonpath(), "TRACKBENCH_WORKER_START": "fork"}
    proc = subprocess.run([sys.executable, "-c", _AFTER_OPENCV_THREADS, str(tmp_path / "data"), str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["2", "0"]  # both units ran
