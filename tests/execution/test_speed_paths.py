"""The fast paths of issue 19 keep their guarantees: forked workers contain crashes like
spawned ones and never hold the results lock, ``trackbench eval`` imports no heavy
library yet scores as published, cache entries read directly equal ``np.load``'s, the
folder listing equals pathlib's, and the command line finds modules without running them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.paths import SHARED_DATA
from helpers.trackers import LocalSuite, make_dataset, read_otb_folder, write_moving_square
from trackbench.errors import TrackbenchError
from trackbench.execution import isolated
from trackbench.execution.lock import ResultsLock
from trackbench.execution.runner import RunOptions, run_suite
from trackbench.execution.units import WorkUnit
from trackbench.execution.watch import Limits
from trackbench.execution.worker import execute_task
from trackbench.table_cache import _load_entry
from trackbench.results.source import _text_files
from trackbench.sequence import Dataset
from trackbench.textio import read_table

DATA = SHARED_DATA


class CrashOnWidth:
    """Repeats the initial box; kills its own process (SIGSEGV) at the 2nd update of a
    sequence whose images are ``width`` pixels wide."""

    name = "crasher"
    is_deterministic = True

    def __init__(self, width: int = 0):
        self.width = int(width)

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64)
        self.armed = image.shape[1] == self.width
        self.updates = 0

    def update(self, image):
        self.updates += 1
        if self.armed and self.updates == 2:
            os.kill(os.getpid(), signal.SIGSEGV)
        return self.box.copy()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_forked_or_spawned_worker_contains_a_segfault(tmp_path, monkeypatch, method):
    monkeypatch.setenv(isolated.START_METHOD_VARIABLE, method)
    assert isolated.start_method() == method
    good = make_dataset(tmp_path / "data", {"alpha": 5, "gamma": 6})
    bad = read_otb_folder(write_moving_square(tmp_path / "data" / "beta", 7, seed=3, size=(80, 48)))
    data = Dataset("local", [*good, bad], tmp_path / "data")
    summary = run_suite(LocalSuite(), data, RunOptions(tracker=f"{__name__}:CrashOnWidth", options={"width": 80},
                                                        out=tmp_path / "out", progress=False, timeout=20))
    assert summary.failed == {"beta": "worker process killed by signal SIGSEGV (11) in update at frame 3"}
    folder = tmp_path / "out" / "local" / "crasher"
    for seq in good:  # the others are complete: the initial box on every row
        rows = read_table(folder / f"{seq.name}.txt", 4)
        np.testing.assert_array_equal(rows, np.repeat(seq.ground_truth[:1], len(seq), axis=0))
    assert not (folder / "beta.txt").exists()
    units = json.loads((folder / "manifest.json").read_text())["units"]
    assert units["beta"]["status"] == "failed" and units["beta"]["attempts"] == 2


def test_start_method_falls_back_to_spawn(monkeypatch):
    monkeypatch.delenv(isolated.START_METHOD_VARIABLE, raising=False)
    for name in isolated.FORK_UNSAFE_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    others = [t for t in threading.enumerate()
              if t is not threading.current_thread() and type(t).__module__ != "tqdm._monitor"]
    if not others:
        assert isolated.start_method() == "fork"
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert isolated.start_method() == "spawn"  # another thread could hold a lock at the fork
    finally:
        stop.set()
        thread.join()
    monkeypatch.setitem(sys.modules, "torch", object())
    assert isolated.start_method() == "spawn"  # OpenMP pools do not survive a fork


def test_a_forked_child_does_not_keep_the_results_folder_locked(tmp_path):
    lock = ResultsLock(tmp_path / "results").acquire()
    with pytest.raises(TrackbenchError, match="in use by PID"):
        ResultsLock(tmp_path / "results", wait=False).acquire()
    pid = os.fork()
    if pid == 0:  # the child outlives the parent's lock for a while
        time.sleep(2.0)
        os._exit(0)
    try:
        time.sleep(0.1)
        lock.release()
        again = ResultsLock(tmp_path / "results", wait=False).acquire()  # the child holds no copy
        again.release()
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


@pytest.mark.skipif(not (DATA / "otb100").is_dir(), reason="needs ../shared/data")
def test_eval_imports_no_heavy_library_and_scores_as_published(tmp_path):
    """SiamRPN++ on OTB-2015 under the official MATLAB rules: AUC 0.6953, precision 0.9054
    (shared/data/README.md), with neither pandas, torch, matplotlib nor a tracker plugin loaded."""
    script = (
        "import json, sys\n"
        "from trackbench.cli import main\n"
        f"code = main(['eval', '--suite', 'otb2015', '--root', {str(DATA / 'otb100')!r}, '--json',\n"
        f"             {str(DATA / 'otb100' / 'results' / 'SiamRPN++')!r}])\n"
        "heavy = sorted(m for m in ('pandas', 'torch', 'matplotlib', 'cv2', 'trackbench.trackers.imsiam')\n"
        "               if m in sys.modules)\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    env = dict(os.environ, TRACKBENCH_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    document, status = done.stdout.rsplit("\n", 2)[0], json.loads(done.stdout.rstrip().rsplit("\n", 1)[1])
    assert status == {"code": 0, "heavy": []}
    metrics = json.loads(document[: document.rindex("]") + 1])[0]["metrics"]
    assert abs(metrics["success_auc"] - 0.6953) < 5e-5 and abs(metrics["precision"] - 0.9054) < 5e-5


def test_cache_entries_read_directly_equal_np_load(tmp_path):
    rng = np.random.default_rng(0)
    for shape in [(1, 1), (3, 4), (7, 8), (20000, 4)]:
        values = rng.normal(size=shape) * 1e3
        path = tmp_path / f"{shape[0]}x{shape[1]}.npy"
        np.save(path, values, allow_pickle=False)
        read = _load_entry(path)
        assert read.dtype == np.float64 and read.flags.writeable
        np.testing.assert_array_equal(read, np.load(path))
        path.write_bytes(path.read_bytes()[:-8])
        with pytest.raises(ValueError):
            _load_entry(path)
    other = tmp_path / "float32.npy"  # any other header goes through np.load
    np.save(other, np.ones((2, 4), dtype=np.float32))
    assert _load_entry(other).dtype == np.float32
    fortran = tmp_path / "fortran.npy"
    np.save(fortran, np.asfortranarray(rng.normal(size=(3, 4))))
    np.testing.assert_array_equal(_load_entry(fortran), np.load(fortran))


def test_result_folder_listing_equals_pathlib(tmp_path):
    root = tmp_path / "T"
    (root / "sub" / "deeper").mkdir(parents=True)
    for rel in ["a.txt", "B.TXT", "c.value", "d.csv", ".txt", "sub/e.txt", "sub/deeper/f_001.txt", "._g.txt"]:
        (root / rel).write_text("1,2,3,4\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "linked.txt").write_text("1,2,3,4\n")
    (root / "link.txt").symlink_to(outside / "linked.txt")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "broken.txt").symlink_to(tmp_path / "missing.txt")
    expected = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                      if p.is_file() and p.suffix.lower() in (".txt", ".value"))
    assert sorted(_text_files(root)) == expected
    assert "link.txt" in expected and "sub/deeper/f_001.txt" in expected and ".txt" not in expected


def test_the_command_line_finds_a_plugin_module_without_running_its_package():
    script = (
        "import sys\n"
        "from trackbench.cli import _find_module\n"
        "assert _find_module('trackbench.trackers.imsiam.commands.analyze') is not None\n"
        "assert _find_module('trackbench.commands.eval') is not None\n"
        "assert _find_module('trackbench.no_such_module') is None\n"
        "assert _find_module('trackbench.trackers.imsiam.no_such') is None\n"
        "print(sorted(m for m in sys.modules if m.startswith('trackbench.trackers')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_inline_alarm_handler_is_put_back_after_a_task(tmp_path):
    data = make_dataset(tmp_path / "data", {"alpha": 4})
    seq = next(iter(data))
    before = signal.getsignal(signal.SIGALRM)
    from trackbench.trackers.identity import IdentityTracker

    outcomes = execute_task(IdentityTracker(), [WorkUnit(seq)], limits=Limits(5))
    assert outcomes[0].ok
    np.testing.assert_array_equal(outcomes[0].result.boxes, np.repeat(seq.ground_truth[:1], 4, axis=0))
    assert signal.getsignal(signal.SIGALRM) is before
