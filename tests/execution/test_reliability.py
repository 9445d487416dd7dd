"""Reliability and security (issue 13): crashes, hangs and bad outputs fail only their own
unit; names from data files never become paths outside the results folder; one run per
results folder; SIGTERM / second SIGINT; one-line errors naming the file; failed starts
leave nothing behind.

The misbehaving trackers are written here (real segfaults, ``os._exit``, ``SystemExit``,
hangs, a memory hog capped with ``resource.setrlimit`` in the worker) and pick the
sequence to misbehave on by its image width, while the flag file passed as an option
exists; the re-run, with the flag removed, is a well-behaved tracker.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.faulty_trackers import FAULTS
from helpers.paths import helpers_pythonpath
from helpers.trackers import LocalSuite, alive, children, make_dataset, read_otb_folder, write_moving_square
from trackbench.cli import main
from trackbench.errors import TrackbenchError
from trackbench.execution.lock import LOCK_NAME, ResultsLock
from trackbench.execution.runner import RunOptions, run_suite
from trackbench.execution.watch import FrameWatch, Limits
from trackbench.names import check_member, check_name
from trackbench.sequence import Dataset
from trackbench.textio import read_table

GOOD = {"alpha": 9, "beta": 12, "gamma": 6}
EXPECTED = {
    "segv": "worker process killed by signal SIGSEGV (11) in update at frame 3",
    "exit": "worker process exited with code 3 in update at frame 3",
    "sysexit": "tracker called sys.exit(4)",
    "hang": "timed out after 2 s in update at frame 3",
}
SPEC = "helpers.faulty_trackers:FaultyTracker"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    good = make_dataset(root, GOOD)
    bad = [read_otb_folder(write_moving_square(root / fault, 7, seed=width, size=(width, 48)))
           for width, fault in FAULTS.items()]
    return Dataset("local", list(good) + bad, root)


def box_files(tracker_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(tracker_dir.glob("*.txt"))}


@pytest.fixture(scope="module")
def reference(data, tmp_path_factory):
    """An uninterrupted run of the well-behaved tracker (no flag file), in process."""
    out = tmp_path_factory.mktemp("reference")
    summary = run_suite(LocalSuite(), data, RunOptions(tracker=SPEC, out=out, progress=False, executor="inline"))
    assert not summary.failed and summary.units_run == len(data)
    files = box_files(out / "local" / "faulty")
    for seq in data:  # the identity tracker repeats the initial box (an independent check)
        rows = read_table(out / "local" / "faulty" / f"{seq.name}.txt", 4)
        np.testing.assert_array_equal(rows, np.repeat(seq.ground_truth[:1], len(seq), axis=0))
    return files


def check_fault_run(data, reference, tmp_path, faults=tuple(FAULTS.values()), **run_options):
    """Every fault fails its own unit (twice, with its cause), the rest complete once; the
    re-run (faults off) runs only the failed units; files equal the uninterrupted run."""
    flag = tmp_path / "armed"
    flag.touch()
    data = Dataset("local", [seq for seq in data if seq.name in GOOD or seq.name in faults])
    reference = {name: text for name, text in reference.items() if data.get(Path(name).stem) is not None}
    options = dict(tracker=SPEC, options={"flag": str(flag)}, out=tmp_path / "out", progress=False, timeout=2,
                   **run_options)
    summary = run_suite(LocalSuite(), data, RunOptions(**options))
    assert set(summary.failed) == set(faults)
    for fault in faults:
        if fault == "memhog":
            assert summary.failed[fault].startswith("MemoryError: Unable to allocate 1.00 GiB")
        else:
            assert summary.failed[fault] == EXPECTED[fault]
    tracker_dir = tmp_path / "out" / "local" / "faulty"
    units = json.loads((tracker_dir / "manifest.json").read_text())["units"]
    for name in GOOD:
        assert units[name]["status"] == "done" and units[name]["attempts"] == 1
    log = (tracker_dir / "errors.log").read_text()
    for fault in faults:
        assert units[fault]["status"] == "failed" and units[fault]["attempts"] == 2
        assert log.count(f" {fault} attempt 1 (") == 1 and log.count(f" {fault} attempt 2 (") == 1
        assert summary.failed[fault] in log

    flag.unlink()
    rerun = run_suite(LocalSuite(), data, RunOptions(**options))
    assert not rerun.failed and rerun.units_run == len(faults) and rerun.units_skipped == len(GOOD)
    assert box_files(tracker_dir) == reference
    assert not [p for p in tracker_dir.rglob(".*")]


@pytest.mark.slow
def test_default_executor_isolates_every_fault(data, reference, tmp_path):
    check_fault_run(data, reference, tmp_path)  # the default: one isolated worker process


@pytest.mark.slow
def test_process_executor_isolates_every_fault_and_replaces_only_dead_workers(data, reference, tmp_path):
    check_fault_run(data, reference, tmp_path, executor="process", workers=2)


@pytest.mark.slow
def test_ray_executor_isolates_every_fault(data, reference, tmp_path, monkeypatch):
    pytest.importorskip("ray", reason='the Ray executor needs the optional extra: pip install "ray>=2.9"')
    # actors of a local Ray instance inherit the driver's environment
    monkeypatch.setenv("PYTHONPATH", helpers_pythonpath())
    # a crash, an exit code and a hang (sys.exit and MemoryError take the same path as locally)
    check_fault_run(data, reference, tmp_path, ("segv", "exit", "hang"), executor="ray", workers=2)


@pytest.mark.parametrize("output, message", [
    ("2x2", "got an array of shape (2, 2)"),
    ("strings", "got text: ['1', '2', '3', '4']"),
    ("inf", "infinite coordinate in [1.0, 2.0, inf, 4.0]"),
])
def test_bad_tracker_outputs_fail_the_unit_naming_tracker_and_frame(data, tmp_path, output, message):
    flag = tmp_path / "armed"
    flag.touch()
    good = Dataset("local", [data[name] for name in GOOD])
    summary = run_suite(LocalSuite(), good, RunOptions(
        tracker=SPEC, options={"flag": str(flag), "output": output, "width": 64}, out=tmp_path, progress=False,
        executor="inline"))
    assert set(summary.failed) == set(GOOD)
    for error in summary.failed.values():
        assert error.startswith("tracker 'faulty' returned a bad result at frame 3: ") and message in error


def test_inline_executor_records_system_exit_and_times_out_a_hang(data, tmp_path):
    flag = tmp_path / "armed"
    flag.touch()
    subset = Dataset("local", [data["sysexit"], data["hang"], data["alpha"]])
    start = time.monotonic()
    summary = run_suite(LocalSuite(), subset, RunOptions(tracker=SPEC, options={"flag": str(flag)}, out=tmp_path,
                                                         progress=False, executor="inline", timeout=1))
    assert summary.failed == {"sysexit": "tracker called sys.exit(4)", "hang": "timed out after 1 s in update at frame 3"}
    assert time.monotonic() - start < 30
    assert (tmp_path / "local" / "faulty" / "alpha.txt").is_file()


def test_limits_and_the_frame_watch():
    watch = FrameWatch()
    watch.begin_unit(10)
    watch.advance(3)
    watch.set_phase(4)  # update
    now = time.monotonic()
    assert watch.where() == "in update at frame 4"
    assert watch.overdue(Limits(2), now + 1.9) is None
    assert watch.overdue(Limits(2), now + 2.1) == "timed out after 2 s in update at frame 4"
    assert watch.overdue(Limits(0), now + 1e6) is None  # 0: no limit
    watch.set_phase(0)  # between calls (e.g. reading an image): only the unit's limit, 2 s x 10 frames
    assert watch.overdue(Limits(2), now + 19) is None
    assert watch.overdue(Limits(2), now + 21).startswith("timed out after 20 s (the limit of 2 s per frame for 10 frames)")
    with pytest.raises(TrackbenchError):
        Limits(-1)



class Sleeper:
    """A tracker whose calls sleep for the seconds it is given."""

    def init(self, image, box):
        pass

    def update(self, seconds):
        time.sleep(seconds)
        return np.array([1.0, 2.0, 3.0, 4.0])


def test_the_inline_alarm_bounds_each_call_not_the_calls_together():
    from trackbench.execution.watch import UnitTimeout, WatchedTracker

    watch = FrameWatch()
    watched = WatchedTracker(Sleeper(), watch, Limits(0.3), alarm=True)
    previous = signal.getsignal(signal.SIGALRM)
    try:
        watch.begin_unit(20)
        for _ in range(12):  # 0.6 s of calls in all, each far below the limit
            watched.update(0.05)
        watch.advance(5)
        with pytest.raises(UnitTimeout, match=r"^timed out after 0\.3 s in update at frame 6$"):
            watched.update(5.0)
    finally:
        watched.close()
    assert signal.getsignal(signal.SIGALRM) == previous and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)

# -- names that become paths ----------------------------------------------------------------
def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("key", ["../../x", "/abs/x", "a/b", "..", "a\\b", "nul\x00x"])
def test_dataset_json_keys_that_are_not_plain_names_are_refused(tmp_path, capsys, key):
    work = tmp_path / "work"
    (work / "img").mkdir(parents=True)
    write_moving_square(work / "seq", 4, seed=1)
    frames = [f"seq/img/{i:04d}.jpg" for i in range(1, 5)]
    if key.startswith("/"):
        key = str(tmp_path / "abs" / "x")
    dataset = work / "data.json"
    dataset.write_text(json.dumps({key: {"img_names": frames, "gt_rect": [[5, 6, 12, 10]] * 4}}))
    before = _tree(tmp_path)
    code = main(["run", "identity", "--suite", "custom", "--root", str(dataset), "--out", str(work / "out"),
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"trackbench: error: {dataset}: sequence name {key!r}")
    assert _tree(tmp_path) == before  # nothing written, inside or outside --out


def test_import_refuses_tracker_names_and_archive_members_outside_out(tmp_path, capsys):
    from trackbench.data.demo import ensure_demo

    demo = ensure_demo(tmp_path / "demo")
    src = tmp_path / "src"
    assert main(["run", "identity", "--suite", "demo", "--root", str(demo), "--out", str(src), "--no-progress",
                 "--executor", "inline"]) == 0
    capsys.readouterr()
    work = tmp_path / "work"
    work.mkdir()
    before = _tree(tmp_path)
    code = main(["import", str(src / "demo" / "identity"), "--suite", "demo", "--root", str(demo),
                 "--out", str(work / "out"), "--tracker-name", "../x"])
    err = capsys.readouterr().err
    assert code == 2 and err == "trackbench: error: --tracker-name: tracker name '../x' contains a '/' (it must be " \
        "a single file or folder name); it becomes a file name in the results folder\n"
    assert _tree(tmp_path) == before

    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(src / "demo" / "identity" / "DemoCar.txt", arcname="../DemoCar.txt")
    before = _tree(tmp_path)
    code = main(["import", str(archive), "--suite", "demo", "--root", str(demo), "--out", str(work / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"trackbench: error: {archive}!../DemoCar.txt: archive member")
    assert _tree(tmp_path) == before


def test_check_name_accepts_benchmark_names_and_refuses_paths():
    for name in ["Jogging-1", "airplane-1", "GOT-10k_Test_000001", "Jogging.2", "ball 1", "señal"]:
        assert check_name(name, "sequence name") == name
    for name in ["", " ", ".", "..", "../x", "a/b", "/abs", "a\\b", "x\x00", "tab\tname"]:
        with pytest.raises(TrackbenchError, match="sequence name"):
            check_name(name, "sequence name", "list.txt", 3)
    assert check_member("tracker/seq.txt", "a.tar") == "tracker/seq.txt"
    for member in ["../seq.txt", "/etc/passwd", "a/../../b.txt"]:
        with pytest.raises(TrackbenchError, match="archive member"):
            check_member(member, "a.tar")


# -- the results-folder lock, signals, errors (the command line in a subprocess) ----------
def _cli(args: list[str], **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": helpers_pythonpath(),
           "OMP_NUM_THREADS": "1"}
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.Popen([sys.executable, "-m", "trackbench", *args], env=env, **streams)


@pytest.fixture(scope="module")
def slow_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("slow")
    make_dataset(root, {f"seq{i}": 12 for i in range(6)})
    return root


def _slow_run(root: Path, out: Path, *extra: str) -> list[str]:
    return ["run", "helpers.trackers:SlowIdentity", "--set", "delay=0.02", "--suite", "custom", "--root",
            str(root), "--out", str(out), "--no-progress", *extra]


def test_two_runs_into_one_folder_both_exit_cleanly_with_one_complete_set(slow_root, tmp_path):
    out = tmp_path / "out"
    tracker_dir = out / "custom" / "slow"
    lock_file, second_err = tracker_dir / LOCK_NAME, tmp_path / "second.err"
    first = _cli(_slow_run(slow_root, out))
    # the first run is paused while it holds the lock, so the second surely finds it held
    # (however slowly either process starts on a busy machine), then let go
    _wait_for(lambda: lock_file.exists() and lock_file.read_text().strip() == str(first.pid))
    os.kill(first.pid, signal.SIGSTOP)
    try:
        with open(second_err, "wb") as err_file:
            second = _cli(_slow_run(slow_root, out), stderr=err_file)
            _wait_for(lambda: "waiting" in second_err.read_text())
    finally:
        os.kill(first.pid, signal.SIGCONT)
    first_out, first_err = first.communicate(timeout=180)
    second_out, _ = second.communicate(timeout=180)
    errors = [first_err.decode(), second_err.read_text()]
    assert first.returncode == 0 and second.returncode == 0, errors
    # the first ran all 6 units; the second waited for the lock and found them finished
    assert "6 units run, 0 already finished" in first_out.decode()
    assert "0 units run, 6 already finished" in second_out.decode()
    assert f"in use by PID {first.pid}; waiting" in errors[1]
    for i in range(6):  # SlowIdentity repeats the first ground-truth box
        gt = read_table(slow_root / f"seq{i}" / "groundtruth_rect.txt", 4)
        np.testing.assert_array_equal(read_table(tracker_dir / f"seq{i}.txt", 4), np.repeat(gt[:1], 12, axis=0))
    manifest = json.loads((tracker_dir / "manifest.json").read_text())
    assert manifest["counts"] == {"done": 6} and all(u["attempts"] == 1 for u in manifest["units"].values())
    assert not [p for p in tracker_dir.rglob(".*")]


def test_a_held_lock_fails_with_no_wait_and_a_stale_one_is_taken_over(slow_root, tmp_path):
    tracker_dir = tmp_path / "out" / "custom" / "slow"
    with ResultsLock(tracker_dir):
        proc = _cli(_slow_run(slow_root, tmp_path / "out", "--no-wait"))
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err.decode() == f"trackbench: error: {tracker_dir}: results folder in use by PID {os.getpid()} " \
        "(another trackbench run)\n"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    tracker_dir.mkdir(parents=True, exist_ok=True)
    (tracker_dir / LOCK_NAME).write_text(dead.stdout)  # left by a process that died holding it
    proc = _cli(_slow_run(slow_root, tmp_path / "out", "--no-wait"))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert "6 units run" in out.decode() and not (tracker_dir / LOCK_NAME).exists()


def _wait_for(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        more = children(todo.pop())
        found += more
        todo += more
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the worker processes")
@pytest.mark.parametrize("signum, code, word", [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
def test_sigterm_and_sigint_flush_the_manifest_and_stop_the_workers(slow_root, tmp_path, signum, code, word):
    tracker_dir = tmp_path / "out" / "custom" / "slow"
    proc = _cli(_slow_run(slow_root, tmp_path / "out", "--executor", "process", "--workers", "2"))
    _wait_for(lambda: list(tracker_dir.glob("seq*.txt")))
    workers = _descendants(proc.pid)
    assert workers
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == code
    assert err.decode() == f"trackbench: {word} (finished results are kept; re-run to resume)\n"  # no warnings
    _wait_for(lambda: not any(alive(pid) for pid in workers), 10)
    done = {p.stem for p in tracker_dir.glob("seq*.txt")}
    manifest = json.loads((tracker_dir / "manifest.json").read_text())
    assert {k for k, u in manifest["units"].items() if u["status"] == "done"} == done
    assert not (tracker_dir / LOCK_NAME).exists()


def test_a_second_sigint_exits_at_once(slow_root, tmp_path):
    proc = _cli(["run", "helpers.faulty_trackers:StubbornHang", "--suite", "custom", "--root", str(slow_root), "--out",
                 str(tmp_path), "--no-progress", "--executor", "inline", "--timeout", "0"])
    _wait_for(lambda: (tmp_path / "custom" / "stubborn" / "run.json").is_file())
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)  # swallowed by the tracker
    time.sleep(0.5)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 130 and time.monotonic() - start < 5
    assert "interrupted again; exiting now" in err.decode()


def test_a_write_error_names_the_file_in_one_line(slow_root, tmp_path):
    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))  # Python ignores SIGXFSZ: writes fail (EFBIG)

    proc = _cli(_slow_run(slow_root, tmp_path / "out", "--executor", "inline"), preexec_fn=small_files)
    _, err = proc.communicate(timeout=120)
    lines = err.decode().splitlines()
    assert proc.returncode == 2 and len(lines) == 1
    assert lines[0].startswith(f"trackbench: error: {tmp_path / 'out' / 'custom' / 'slow'}/")
    assert lines[0].endswith(": File too large")


def test_bad_yaml_in_train_set_is_one_line_and_debug_shows_the_traceback(capsys):
    args = ["train", "imsiam", "--config", "imsiam_small_cpu", "--set", "optim.epochs=[1"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("trackbench: error: --set optim.epochs: cannot parse value '[1'") and err.count("\n") == 1
    with pytest.raises(TrackbenchError):
        main([*args, "--debug"])


def test_failed_starts_leave_nothing_behind(slow_root, data, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    missing = Dataset("local", [read_otb_folder(slow_root / "seq0", "seq0")])
    missing.sequences[0].frames = [tmp_path / "nowhere" / f"{i:04d}.jpg" for i in range(12)]
    with pytest.raises(TrackbenchError, match="image files not found"):
        run_suite(LocalSuite(), missing, RunOptions(tracker=SPEC, out=out, progress=False))
    assert not out.exists()

    from trackbench.execution import ray_executor

    def no_ray():
        raise TrackbenchError('the ray executor needs Ray: pip install "ray>=2.9" (or trackbench[ray])')

    monkeypatch.setattr(ray_executor, "import_ray", no_ray)
    with pytest.raises(TrackbenchError, match="needs Ray"):
        run_suite(LocalSuite(), data, RunOptions(tracker=SPEC, out=out, progress=False, executor="ray"))
    assert not out.exists()
    # a folder with finished results keeps exactly what it had
    good = Dataset("local", [data[name] for name in GOOD])
    run_suite(LocalSuite(), good, RunOptions(tracker=SPEC, out=out, progress=False, executor="inline"))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(TrackbenchError, match="needs Ray"):
        run_suite(LocalSuite(), data, RunOptions(tracker=SPEC, out=out, progress=False, executor="ray"))
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
