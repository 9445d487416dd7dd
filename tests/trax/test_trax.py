"""TraX trackers written by hand in the test (no TraX library: lines parsed with shlex),
through both clients: properties, real frame files, re-initialisation, errors."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from trackbench.adapters import TraxTracker
from trackbench.errors import TrackbenchError
from trackbench.registry import create_tracker

# A TraX server written independently of trackbench.trax (it parses lines with shlex).
# It answers each frame with the previous box moved by (+1, +2), reports the image width it
# read from the file as a property, and echoes the initialize properties on stderr.
SERVER = textwrap.dedent(
    r'''
    import shlex, sys
    import cv2

    def send(line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    print("some log output that is not a protocol line", flush=True)
    send('@@TRAX:hello trax.version=3 trax.name=shifter trax.region=rectangle; trax.image=path; trax.channels=color;')
    box = None
    for line in sys.stdin:
        if not line.startswith("@@TRAX:"):
            continue
        parts = shlex.split(line[len("@@TRAX:"):])
        name, args = parts[0], parts[1:]
        if name == "quit":
            break
        path = args[0][len("file://"):] if args[0].startswith("file://") else args[0]
        image = cv2.imread(path)
        if image is None:
            sys.stderr.write("cannot read " + path + "\n")
            sys.exit(4)
        if name == "initialize":
            box = [float(v) for v in args[1].split(",")]
            props = dict(a.split("=", 1) for a in args[2:])
            sys.stderr.write("properties " + repr(sorted(props.items())) + "\n")
        else:
            box = [box[0] + 1, box[1] + 2, box[2], box[3]]
        send('@@TRAX:state "%s" "trax.confidence=0.5" "width=%d"' % (",".join("%.3f" % v for v in box), image.shape[1]))
    '''
)

DYING = textwrap.dedent(
    r'''
    import sys
    print("@@TRAX:hello trax.version=3 trax.region=rectangle; trax.image=path; trax.channels=color;", flush=True)
    sys.stdin.readline()
    sys.stderr.write("loading weights\n")
    sys.stderr.write("RuntimeError: model file missing\n")
    sys.exit(3)
    '''
)

HANGING = textwrap.dedent(
    r'''
    import sys, time
    print("@@TRAX:hello trax.version=3 trax.region=rectangle; trax.image=path; trax.channels=color;", flush=True)
    sys.stdin.readline()
    print('@@TRAX:state "1,2,3,4"', flush=True)
    sys.stdin.readline()
    time.sleep(60)
    '''
)


def _script(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return f'"{sys.executable}" "{path}"'


def _frames(count: int, width: int = 48, height: int = 32) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (height, width, 3), dtype=np.uint8) for _ in range(count)]


TRANSPORTS = ["libtrax", "python"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_trax_tracker_runs_script_with_temporary_frames(tmp_path, transport):
    tracker = TraxTracker(_script(tmp_path, "server.py", SERVER), timeout=20, transport=transport, model="small",
                          scale=1.5)
    frames = _frames(4)
    try:
        tracker.init(frames[0], np.array([5.0, 6.0, 10.0, 12.0]))
        assert tracker.name == "shifter"  # from trax.name in hello
        out = [tracker.update(image) for image in frames[1:]]
        stderr = list(tracker.session.process.stderr_lines)
    finally:
        tracker.close()
    np.testing.assert_allclose([r for r, _ in out], [[6, 8, 10, 12], [7, 10, 10, 12], [8, 12, 10, 12]])
    assert [s for _, s in out] == [0.5, 0.5, 0.5]
    assert "properties [('model', 'small'), ('scale', '1.5')]" in stderr
    assert not tracker.client.running


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_trax_tracker_uses_real_image_paths_and_reinitialises(tmp_path, shared_data, transport):
    from trackbench.imageio import read_rgb

    folder = shared_data / "sequences" / "otb" / "Couple" / "img"
    paths = [folder / f"{i:04d}.jpg" for i in (1, 2, 3)]
    images = [read_rgb(p) for p in paths]
    tracker = TraxTracker(_script(tmp_path, "server.py", SERVER), timeout=20, transport=transport)
    try:
        tracker.init(images[0], np.array([51.0, 47, 25, 62]), path=paths[0])
        region, _ = tracker.update(images[1], path=paths[1])
        np.testing.assert_allclose(region, [52, 49, 25, 62])
        pid = tracker.session.process.popen.pid
        tracker.init(images[0], np.array([1.0, 1, 5, 5]), path=paths[0])  # next sequence: same process
        region, _ = tracker.update(images[2], path=paths[2])
        np.testing.assert_allclose(region, [2, 3, 5, 5])
        assert tracker.session.process.popen.pid == pid
    finally:
        tracker.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_dying_tracker_gives_exit_code_and_last_stderr_line(tmp_path, transport):
    tracker = TraxTracker(_script(tmp_path, "dying.py", DYING), timeout=20, transport=transport)
    with pytest.raises(TrackbenchError) as info:
        tracker.init(_frames(1)[0], np.array([1.0, 2, 3, 4]))
    message = str(info.value)
    assert "exit code 3" in message
    assert "last stderr line: RuntimeError: model file missing" in message
    assert "\n" not in message


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_hanging_tracker_hits_the_timeout_and_is_killed(tmp_path, transport):
    tracker = TraxTracker(_script(tmp_path, "hanging.py", HANGING), timeout=1.0, transport=transport)
    frames = _frames(2)
    tracker.init(frames[0], np.array([1.0, 2, 3, 4]))
    started = time.monotonic()
    with pytest.raises(TrackbenchError, match=r"no answer within the 1 s timeout \(process killed\); exit code -9"):
        tracker.update(frames[1])
    assert time.monotonic() - started < 10
    assert not tracker.session.running


def test_missing_executable_is_a_clear_error():
    tracker = TraxTracker("/nonexistent/tracker-binary --flag", timeout=1)
    with pytest.raises(TrackbenchError, match="cannot start TraX tracker"):
        tracker.init(_frames(1)[0], np.array([1.0, 2, 3, 4]))


def test_registry_builds_trax_spec(tmp_path):
    tracker = create_tracker("trax:" + _script(tmp_path, "server.py", SERVER), {"timeout": 15, "name": "mine"})
    assert isinstance(tracker, TraxTracker)
    assert tracker.name == "mine" and tracker.session.timeout == 15 and tracker.is_deterministic is False


def test_trackbench_run_with_a_trax_command(tmp_path, shared_data):
    from trackbench.cli import main

    command = "trax:" + _script(tmp_path, "server.py", SERVER)
    out = tmp_path / "results"
    assert main(["run", command, "--suite", "custom", "--root", str(shared_data / "sequences" / "otb"),
                 "--sequences", "Couple", "--out", str(out), "--tracker-name", "shifter", "--no-progress"]) == 0
    boxes = np.loadtxt(out / "custom" / "shifter" / "Couple.txt", delimiter=",")
    assert boxes.shape == (140, 4)
    np.testing.assert_allclose(boxes[:, 0] - boxes[0, 0], np.arange(140))
    np.testing.assert_allclose(boxes[:, 1] - boxes[0, 1], 2 * np.arange(140))


def test_trackbench_run_names_the_folder_after_the_script_and_passes_frame_files(tmp_path, shared_data):
    from trackbench.cli import main

    command = "trax:" + _script(tmp_path, "my_tracker.py", SERVER)
    out = tmp_path / "results"
    assert main(["run", command, "--suite", "custom", "--root", str(shared_data / "sequences" / "otb"),
                 "--sequences", "Couple", "--out", str(out), "--no-progress"]) == 0
    boxes = np.loadtxt(out / "custom" / "my_tracker" / "Couple.txt", delimiter=",")
    np.testing.assert_allclose(boxes[:, 0] - boxes[0, 0], np.arange(140))


def test_one_pass_hands_the_trax_tracker_the_frame_files(tmp_path, shared_data, monkeypatch):
    from helpers.trackers import read_otb_folder
    from trackbench.protocols.ope import run_one_pass

    sequence = read_otb_folder(shared_data / "sequences" / "otb" / "Couple")
    sequence = type(sequence)(sequence.name, sequence.ground_truth[:4], sequence.frames[:4],
                              annotation_path=sequence.annotation_path)
    tracker = TraxTracker(_script(tmp_path, "server.py", SERVER), timeout=20)
    sent: list[str] = []
    original = tracker._frame
    monkeypatch.setattr(tracker, "_frame", lambda image, path: sent.append(str(path)) or original(image, path))
    try:
        trajectory = run_one_pass(tracker, sequence)
        assert tracker._tempdir is None  # no frame was re-encoded to a temporary PNG
    finally:
        tracker.close()
    assert sent == [str(path) for path in sequence.frames]
    np.testing.assert_allclose(trajectory.boxes[:, 0] - trajectory.boxes[0, 0], np.arange(4))


POLYGON_V1 = textwrap.dedent(
    r'''
    import os, shlex, sys
    print("@@TRAX:hello trax.region=polygon", flush=True)  # no trax.version: version 1
    for line in sys.stdin:
        parts = shlex.split(line[len("@@TRAX:"):])
        if parts[0] == "quit":
            break
        if not parts[1].startswith("file://") or not os.path.isfile(parts[1][7:]):
            sys.stderr.write("expected a file:// path to an existing file, got " + parts[1] + "\n")
            sys.exit(5)
        if parts[0] == "initialize":
            polygon = parts[2]
            print('@@TRAX:state "%s"' % polygon, flush=True)
        else:
            print('@@TRAX:state "0"', flush=True)  # a special region: no region (the target is lost)
    '''
)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_version1_polygon_server_and_special_regions(tmp_path, transport):
    tracker = TraxTracker(_script(tmp_path, "polygon.py", POLYGON_V1), timeout=20, transport=transport)
    frames = _frames(2)
    try:
        tracker.init(frames[0], np.array([2.0, 3.0, 4.0, 5.0]))
        info = tracker.session.info
        assert info.version == 1 and info.regions == ("polygon",)
        region, score = tracker.update(frames[1])
    finally:
        tracker.close()
    assert np.isnan(region).all() and score is None  # the special region: no box


def test_fallback_client_where_the_official_library_cannot_load(monkeypatch, tmp_path):
    import sys as _sys

    from trackbench.trax.client import NativeClient, PythonClient, native_available, open_client

    assert native_available() and isinstance(open_client("x"), NativeClient)
    monkeypatch.setitem(_sys.modules, "trax", None)  # `import trax` now fails, as without libtrax
    assert not native_available()
    assert isinstance(open_client("x"), PythonClient)
    with pytest.raises(TrackbenchError, match="official TraX library is not installed"):
        open_client("x", transport="libtrax")
    with pytest.raises(TrackbenchError, match="unknown TraX transport"):
        open_client("x", transport="socket")
    tracker = TraxTracker(_script(tmp_path, "server.py", SERVER), timeout=20)
    try:
        tracker.init(_frames(1)[0], np.array([5.0, 6.0, 10.0, 12.0]))
        assert tracker.config_summary()["transport"] == "python"
    finally:
        tracker.close()
