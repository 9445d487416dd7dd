"""``trackbench run trax:...`` with trackers built on the official TraX library
(``trax.Server`` of ``vot-trax``, see ``tests/helpers/trax_servers.py``), on real frames, through
the official client and through our fallback client."""

from __future__ import annotations

import json
import shlex
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.paths import TESTS_DIR, TRAX_SERVERS

# vot-trax; asked for by a submodule, since the folder tests/trax/ alone would import as `trax`
pytest.importorskip("trax.server")

from trackbench.cli import main  # noqa: E402
from trackbench.imageio import read_rgb  # noqa: E402

TRANSPORTS = ["libtrax", "python"]

# The ten-line tracker of the issue, as VOT integration examples are written.
STATIC = textwrap.dedent(
    """
    import trax
    server = trax.Server([trax.Region.RECTANGLE], [trax.Image.PATH])
    box = None
    while True:
        request = server.wait()
        if request.type == trax.TraxStatus.QUIT:
            break
        if request.type == trax.TraxStatus.INITIALIZE:
            box = list(request.objects[0][0].bounds())
        else:
            box = [box[0] + 1, box[1] + 1, box[2], box[3]]
        server.status([(trax.Rectangle.create(*box), {})])
    """
)


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Path:
    from trackbench.data.demo import ensure_demo

    return ensure_demo(tmp_path_factory.mktemp("demo") / "demo")


def server(kind: str, *options: str) -> str:
    return "trax:" + shlex.join([sys.executable, str(TRAX_SERVERS), kind, *options])


def run(tracker: str, out: Path, *arguments: str) -> int:
    return main(["run", tracker, "--out", str(out), "--no-progress", "--tracker-name", "t", *arguments])


def otb(shared_data: Path, *sequences: str) -> list[str]:
    return ["--suite", "custom", "--root", str(shared_data / "sequences" / "otb"), "--sequences", ",".join(sequences)]


def first_box(folder: Path) -> np.ndarray:
    """Line 1 of the sequence's own ground-truth file (read here, independently)."""
    name = "groundtruth_rect.txt" if (folder / "groundtruth_rect.txt").is_file() else "groundtruth.txt"
    line = (folder / name).read_text().splitlines()[0]
    return np.array([float(v) for v in line.replace("\t", ",").replace(" ", ",").split(",") if v])


def frame_count(folder: Path) -> int:
    return len(list((folder / "img").glob("*.jpg")))


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("version", [1, 2, 3, 4, "issue"])
def test_static_official_tracker_gives_its_known_boxes_on_democar(version, transport, tmp_path, demo_root):
    if version == "issue":
        script = tmp_path / "static_trax.py"
        script.write_text(STATIC)
        tracker = "trax:" + shlex.join([sys.executable, str(script)])
    else:
        tracker = server("static", "--version", str(version))
    out = tmp_path / "out"
    assert run(tracker, out, "--suite", "demo", "--root", str(demo_root), "--sequences", "DemoCar",
               "--set", f"transport={transport}") == 0
    boxes = np.loadtxt(out / "demo" / "t" / "DemoCar.txt", delimiter=",")
    k = np.arange(120)[:, None]
    np.testing.assert_array_equal(boxes, first_box(demo_root / "DemoCar") + np.hstack([k, k, 0 * k, 0 * k]))
    config = json.loads((out / "demo" / "t" / "run.json").read_text())["tracker_config"]
    assert config["transport"] == transport
    if version != "issue":
        trax_info = config["trax"]
        assert trax_info["trax.name"] == f"static-v{version}" and trax_info["trax.family"] == "trackbench-tests"
        assert trax_info["trax.version"] == version and trax_info["custom"] == {"build": "7"}
    else:
        assert config["trax"]["trax.version"] == 4  # what the official server announces


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_polygon_server_with_memory_images_on_real_frames(transport, tmp_path, shared_data):
    folder = shared_data / "sequences" / "otb" / "Crossing"
    log = tmp_path / "pixels.txt"
    out = tmp_path / "out"
    assert run(server("polygon", "--image", "memory", "--log", str(log)), out, *otb(shared_data, "Crossing"),
               "--set", f"transport={transport}") == 0
    boxes = np.loadtxt(out / "custom" / "t" / "Crossing.txt", delimiter=",")
    x, y, w, h = first_box(folder)
    # the box goes as libtrax's polygon (x, y)..(x+w-1, y+h-1); the server moves it by (k, 2k)
    # and the OPE file keeps the polygon's bounding box
    k = np.arange(1, len(boxes))
    np.testing.assert_allclose(boxes[1:], np.stack([x + k, y + 2 * k, 0 * k + w - 1, 0 * k + h - 1], axis=1),
                               atol=1e-4)
    frames = sorted((folder / "img").glob("*.jpg"))[1:]
    sums = [int(v) for v in log.read_text().split()]
    assert sums == [int(read_rgb(f).astype(np.int64).sum()) for f in frames]  # the pixels arrived exactly


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_special_region_is_recorded_as_no_box(transport, tmp_path, shared_data):
    out = tmp_path / "out"
    assert run(server("special", "--lost", "2,3"), out, *otb(shared_data, "Crossing"),
               "--set", f"transport={transport}") == 0
    boxes = np.loadtxt(out / "custom" / "t" / "Crossing.txt", delimiter=",")
    start = first_box(shared_data / "sequences" / "otb" / "Crossing")
    assert np.isnan(boxes[2:4]).all() and not np.isnan(boxes[[0, 1, 4]]).any()
    np.testing.assert_array_equal(boxes[4], start + [4, 4, 0, 0])


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_dying_server_fails_its_unit_the_others_complete_and_a_rerun_resumes(transport, tmp_path, shared_data,
                                                                             capsys):
    flag = tmp_path / "broken"
    flag.write_text("")
    tracker = server("dying", "--at", "4", "--only", "Couple", "--flag", str(flag))
    out = tmp_path / "out"
    arguments = [*otb(shared_data, "Couple", "Crossing"), "--set", f"transport={transport}"]
    assert run(tracker, out, *arguments) == 1
    folder = out / "custom" / "t"
    assert (folder / "Crossing.txt").is_file() and not (folder / "Couple.txt").exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    unit = next(u for u in manifest["units"].values() if u["sequence"] == "Couple")
    assert unit["status"] == "failed" and unit["attempts"] == 2  # retried once in a fresh process
    assert "exit code 3" in unit["error"] and "last stderr line: RuntimeError: simulated crash" in unit["error"]
    crossing = (folder / "Crossing.txt").read_bytes()
    capsys.readouterr()
    flag.unlink()  # the tracker is fixed: the re-run completes only the failed unit
    assert run(tracker, out, *arguments) == 0
    assert "1 units run, 1 already finished" in capsys.readouterr().out
    assert (folder / "Crossing.txt").read_bytes() == crossing
    k = np.arange(frame_count(shared_data / "sequences" / "otb" / "Couple"))[:, None]
    np.testing.assert_array_equal(np.loadtxt(folder / "Couple.txt", delimiter=","),
                                  first_box(shared_data / "sequences" / "otb" / "Couple") + np.hstack([k, k, 0 * k, 0 * k]))


@pytest.mark.parametrize("executor", ["serial", "process"])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_hanging_server_is_bounded_by_the_timeout(transport, executor, tmp_path, shared_data):
    out = tmp_path / "out"
    started = time.monotonic()
    assert run(server("hanging", "--at", "2"), out, *otb(shared_data, "Crossing"), "--executor", executor,
               "--set", "timeout=3", "--set", f"transport={transport}") == 1
    assert time.monotonic() - started < 45  # two attempts of ~3 s each (and start-ups), not minutes
    manifest = json.loads((out / "custom" / "t" / "manifest.json").read_text())
    (unit,) = manifest["units"].values()
    assert unit["status"] == "failed"
    assert "no answer within the 3 s timeout (process killed)" in unit["error"] and "exit code -9" in unit["error"]


def test_process_executor_gives_the_serial_results(tmp_path, shared_data):
    tracker = server("static")
    assert run(tracker, tmp_path / "serial", *otb(shared_data, "Couple", "Crossing")) == 0
    assert run(tracker, tmp_path / "process", *otb(shared_data, "Couple", "Crossing"), "--executor", "process",
               "--workers", "2") == 0
    for name in ("Couple", "Crossing"):
        assert ((tmp_path / "serial" / "custom" / "t" / f"{name}.txt").read_bytes()
                == (tmp_path / "process" / "custom" / "t" / f"{name}.txt").read_bytes())


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has died (its new parent has not reaped it yet)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_server_dies_with_the_worker_that_started_it(tmp_path):
    """A worker killed for a crash or a timeout (SIGKILL, no clean-up) leaves no tracker."""
    import subprocess

    # the server hangs in its first frame (not reading its input, so it would not notice
    # its client's end by itself)
    code = textwrap.dedent(
        f"""
        import threading, time
        import numpy as np
        from trackbench.trax.tracker import TraxTracker
        tracker = TraxTracker({server("hanging", "--at", "1")[len("trax:"):]!r}, timeout=100)
        tracker.init(np.zeros((16, 16, 3), np.uint8), np.array([1.0, 2.0, 3.0, 4.0]))
        threading.Thread(target=tracker.update, args=(np.zeros((16, 16, 3), np.uint8),), daemon=True).start()
        time.sleep(0.5)
        print(tracker.session.process.popen.pid, flush=True)
        time.sleep(60)
        """
    )
    worker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid = int(worker.stdout.readline())
    assert _alive(pid)
    worker.kill()
    worker.wait()
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_trax_serve_round_trip_and_tracker_errors(tmp_path, shared_data, monkeypatch):
    """A trackbench plugin behind ``trackbench trax-serve`` (the official ``trax.Server``),
    run back through ``trackbench run trax:``: the files of a direct run; a tracker error
    ends the session with ``quit`` and its message as ``trax.reason``."""
    monkeypatch.setenv("PYTHONPATH", str(TESTS_DIR))  # for helpers.trackers in the served process
    serve = [sys.executable, "-m", "trackbench", "trax-serve"]
    arguments = otb(shared_data, "Couple", "Crossing")  # through the official client (our own: the tests above)
    assert main(["run", "identity", "--out", str(tmp_path / "direct"), "--no-progress",
                 *otb(shared_data, "Couple", "Crossing")]) == 0
    assert run("trax:" + shlex.join([*serve, "identity"]), tmp_path / "served", *arguments) == 0
    for name in ("Couple", "Crossing"):
        assert ((tmp_path / "direct" / "custom" / "identity" / f"{name}.txt").read_bytes()
                == (tmp_path / "served" / "custom" / "t" / f"{name}.txt").read_bytes())
    info = json.loads((tmp_path / "served" / "custom" / "t" / "run.json").read_text())["tracker_config"]["trax"]
    assert info["trax.name"] == "identity" and info["trax.family"] == "trackbench" and info["trax.version"] == 4
    failing = "trax:" + shlex.join([*serve, "helpers.trackers:FailOnImageWidth", "--set", "width=360"])
    assert run(failing, tmp_path / "failing", *arguments) == 1
    manifest = json.loads((tmp_path / "failing" / "custom" / "t" / "manifest.json").read_text())
    units = {u["sequence"]: u for u in manifest["units"].values()}
    assert units["Couple"]["status"] == "done" and units["Crossing"]["status"] == "failed"
    assert "the tracker sent 'quit'" in units["Crossing"]["error"]
    assert "RuntimeError: deliberate failure on a 360-pixel-wide image" in units["Crossing"]["error"]
