"""The VOT supervised (reset-based) protocol, its result files and their layout."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from trackbench.data.demo import write_vot_fixture
from trackbench.data.vot import read_vot, read_vot_sequence
from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_bbox, polygon_to_box_area_preserving
from trackbench.metrics.evaluate import evaluate
from trackbench.metrics.region_overlap import vot_overlap
from trackbench.metrics.vot import eao_fragments, expected_overlap_curve, frame_overlaps, stack_runs
from trackbench.execution.layout import vot_runs_identical
from trackbench.protocols.supervised import run_supervised, should_stop, trajectories_identical
from trackbench.results.layout import (
    format_repetition,
    read_repetition,
    read_repetition_file,
    write_times_column,
)
from trackbench.results.layout import read_repetition_times as read_times
from trackbench.results.layout import repetition_path as vot_result_path
from trackbench.results.layout import write_repetition as write_supervised_repetition
from trackbench.results.read import read_vot_results
from trackbench.trajectory import SupervisedTrajectory
from trackbench.sequence import Dataset, Sequence
from trackbench.suites import get_suite
from trackbench.trackers.identity import IdentityTracker


# --------------------------------------------------------------------------- helpers


class KCF:
    """Tiny adapter: OpenCV's KCF to the trackbench contract (RGB in, [x, y, w, h] out)."""

    name = "opencv-kcf-test"
    is_deterministic = True

    def init(self, image, box):
        self.tracker = cv2.TrackerKCF_create()
        self.tracker.init(cv2.cvtColor(image, cv2.COLOR_RGB2BGR), tuple(int(round(v)) for v in box))

    def update(self, image):
        _, box = self.tracker.update(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        return np.asarray(box, dtype=np.float64)


class Recording:
    """Wraps a tracker and records every call: ("init", image, box) / ("update", image, output)."""

    def __init__(self, inner):
        self.inner = inner
        self.calls: list[tuple[str, np.ndarray, np.ndarray]] = []

    def init(self, image, box):
        self.calls.append(("init", image, np.asarray(box, dtype=np.float64).copy()))
        self.inner.init(image, box)

    def update(self, image):
        output = self.inner.update(image)
        self.calls.append(("update", image, np.asarray(output, dtype=np.float64).copy()))
        return output


def file_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def check_flag_structure(lines: list[str]) -> None:
    """``1`` first; every ``2`` followed by four ``0`` and a ``1`` (or by the end); ``0`` only
    there; every other line a 4- or 8-number region."""
    assert lines[0] == "1"
    expected_zero = set()
    expected_one = set()
    for i, line in enumerate(lines):
        if line == "2":
            expected_zero |= {j for j in range(i + 1, min(i + 5, len(lines)))}
            if i + 5 < len(lines):
                expected_one.add(i + 5)
    for i, line in enumerate(lines):
        if i in expected_zero:
            assert line == "0", (i, line)
        elif i in expected_one or i == 0:
            assert line == "1", (i, line)
        elif line != "2":
            assert len(line.split(",")) in (4, 8), (i, line)
    assert {i for i, line in enumerate(lines) if line == "0"} == expected_zero
    assert {i for i, line in enumerate(lines) if line == "1"} == expected_one | {0}


@pytest.fixture(scope="module")
def bag(shared_data) -> Sequence:
    return read_vot_sequence(shared_data / "sequences" / "vot" / "bag", "bag")


# --------------------------------------------------------------------------- a real tracker on bag


@pytest.mark.parametrize("step", [1, 2])
def test_kcf_on_bag(bag, tmp_path, step):
    """Full rate (196 frames) and every second frame (98 frames, fast motion: failures)."""
    sequence = Sequence(
        "bag", bag.ground_truth[::step], frames=bag.frames[::step], image_size=bag.image_size
    )
    assert len(bag) == 196 and bag.image_size == (480, 360) and bag.is_polygon
    tracker = Recording(KCF())
    trajectory = run_supervised(tracker, sequence)
    if step == 2:
        assert len(trajectory.failures) >= 2

    path = write_supervised_repetition(tmp_path / "KCF", "bag", 1, trajectory)
    assert path == tmp_path / "KCF" / "baseline" / "bag" / "bag_001.txt" == vot_result_path(tmp_path / "KCF", "bag", 1)
    lines = file_lines(path)
    assert len(lines) == len(sequence)
    check_flag_structure(lines)
    assert [i for i, v in enumerate(lines) if v == "2"] == trajectory.failures.tolist()

    # Every call happened on the right frame; re-initialisation boxes = converted GT.
    shown = [i for i in range(len(sequence)) if lines[i] != "0"]
    assert len(tracker.calls) == len(shown)
    inits = [(frame, call) for frame, call in zip(shown, tracker.calls) if call[0] == "init"]
    assert [frame for frame, _ in inits] == trajectory.initializations.tolist()
    for frame, (_, image, box) in inits:
        np.testing.assert_array_equal(box, polygon_to_box_area_preserving(sequence.ground_truth[frame]))
        np.testing.assert_array_equal(image, sequence.image(frame))
    # Regions are the tracker's outputs; failures are exactly the frames with no overlap.
    bounds = (479, 359)
    for frame, (kind, _, output) in zip(shown, tracker.calls):
        if kind == "update":
            overlap = vot_overlap(output, sequence.ground_truth[frame], bounds)
            if lines[frame] == "2":
                assert overlap <= 0
            else:
                assert overlap > 0
                np.testing.assert_allclose([float(v) for v in lines[frame].split(",")], output, atol=5e-5)

    # Times: NaN exactly on skipped frames; the file parses back into the same trajectory.
    assert np.array_equal(np.isnan(trajectory.times), trajectory.codes == 0)
    back = read_repetition(tmp_path / "KCF", "bag", 1)
    assert back.same_frames(trajectory)
    np.testing.assert_allclose(back.times, trajectory.times, atol=1e-8, equal_nan=True)
    # ... and the metrics' reader sees the same codes.
    runs = read_vot_results(tmp_path / "KCF", Dataset("vot-bag", [sequence]))["bag"]
    assert len(runs) == 1 and np.array_equal(runs[0].codes, trajectory.codes)


def test_bbox_init_rule(bag):
    sequence = Sequence("bag", bag.ground_truth[:12], frames=bag.frames[:12], image_size=bag.image_size)
    tracker = Recording(KCF())
    run_supervised(tracker, sequence, init_rule="bbox")
    np.testing.assert_array_equal(tracker.calls[0][2], polygon_to_bbox(sequence.ground_truth[0]))
    # The two rules differ for a rotated polygon (the area rule shrinks the box).
    assert polygon_to_box_area_preserving(sequence.ground_truth[0])[2] < polygon_to_bbox(sequence.ground_truth[0])[2]


# --------------------------------------------------------------------------- a scripted tracker


class FrameSequence(Sequence):
    """An in-memory sequence whose image ``i`` carries ``i`` in its first pixel."""

    def image(self, index: int) -> np.ndarray:
        image = np.zeros((120, 160, 3), dtype=np.uint8)
        image[0, 0, 0], image[0, 0, 1] = index % 256, index // 256
        return image


def scripted_sequence(n: int = 200) -> FrameSequence:
    t = np.arange(n, dtype=np.float64)
    cx, cy = 80 + 30 * np.sin(t / 20), 60 + 20 * np.cos(t / 25)
    polygons = np.stack([cx - 15, cy - 8, cx + 14, cy - 11, cx + 15, cy + 8, cx - 14, cy + 11], axis=1)
    return FrameSequence("scripted", polygons, image_size=(160, 120))


class Scripted:
    """Returns the exact GT polygon of the frame it is shown, except on ``fail_at`` frames
    where it returns a box far outside the image (overlap 0)."""

    is_deterministic = True

    def __init__(self, ground_truth: np.ndarray, fail_at: set[int]):
        self.ground_truth = ground_truth
        self.fail_at = fail_at
        self.seen: list[tuple[str, int]] = []

    @staticmethod
    def frame(image: np.ndarray) -> int:
        return int(image[0, 0, 0]) + 256 * int(image[0, 0, 1])

    def init(self, image, box):
        self.seen.append(("init", self.frame(image)))

    def update(self, image):
        frame = self.frame(image)
        self.seen.append(("update", frame))
        if frame in self.fail_at:
            return np.array([500.0, 500.0, 20.0, 20.0]), 0.1
        return self.ground_truth[frame].copy(), 1.0


@pytest.mark.parametrize(
    "fail_at, failures, skipped, inits",
    [
        # metrics.md section 8: failure at 50 -> 51..54 skipped, re-init at 55.
        ({50}, [50], [51, 52, 53, 54], [0, 55]),
        # a failure on the first frame after a re-initialisation; a late one re-inits on the last frame
        ({50, 56, 194}, [50, 56, 194], [51, 52, 53, 54, 57, 58, 59, 60, 195, 196, 197, 198], [0, 55, 61, 199]),
        # too late to re-initialise: the sequence just ends
        ({196}, [196], [197, 198, 199], [0]),
        # frames the tracker never sees cannot fail
        ({50, 52, 53}, [50], [51, 52, 53, 54], [0, 55]),
    ],
)
def test_scripted_failures(fail_at, failures, skipped, inits):
    sequence = scripted_sequence()
    tracker = Scripted(sequence.ground_truth, fail_at)
    trajectory = run_supervised(tracker, sequence)
    assert trajectory.failures.tolist() == failures
    assert trajectory.skipped.tolist() == skipped
    assert trajectory.initializations.tolist() == inits
    assert [f for kind, f in tracker.seen if kind == "init"] == inits
    assert sorted(f for _, f in tracker.seen) == sorted(set(range(200)) - set(skipped))
    check_flag_structure(format_repetition(trajectory).splitlines())


@pytest.mark.parametrize("fail_at", [set(), {50}, {50, 56, 194}, {196}])
def test_progress_is_reported_per_frame_and_adds_up_to_the_length(fail_at):
    sequence = scripted_sequence()
    steps: list[int] = []
    trajectory = run_supervised(Scripted(sequence.ground_truth, fail_at), sequence, progress=steps.append)
    assert sum(steps) == len(sequence)
    shown = int(np.sum(trajectory.codes != 0))  # frames the tracker saw, one call each
    assert steps.count(1) >= shown and len(steps) == shown + len(trajectory.failures[trajectory.failures < 199])


def test_trackers_accepting_image_paths_get_the_frame_files(tmp_path):
    from helpers.trackers import PathRecorder

    sequence = scripted_sequence(12)
    frames = []
    for index in range(len(sequence)):
        path = tmp_path / f"{index + 1:04d}.png"
        cv2.imwrite(str(path), sequence.image(index))
        frames.append(path)
    with_files = FrameSequence("files", sequence.ground_truth, frames, image_size=(160, 120))
    tracker = PathRecorder()
    run_supervised(tracker, with_files)
    assert [path for _, path, _ in tracker.calls] == frames
    assert all(shape == (120, 160, 3) for _, _, shape in tracker.calls)


def test_skip_initialize_option():
    sequence = scripted_sequence(40)
    trajectory = run_supervised(Scripted(sequence.ground_truth, {10}), sequence, skip_initialize=3)
    assert trajectory.skipped.tolist() == [11, 12] and trajectory.initializations.tolist() == [0, 13]


def test_scripted_eao_fragments_and_curve():
    """Failure at 0-based frame 50 of 200 (metrics.md sections 3.7 and 8): fragment 1 =
    frames 0..55 then zeros to L, fragment 2 = frames 55..199 then NaN; tracked frames
    overlap exactly 1 (the tracker returns the GT polygon)."""
    sequence = scripted_sequence()
    trajectory = run_supervised(Scripted(sequence.ground_truth, {50}), sequence)
    runs = stack_runs([[trajectory]], "x+w")
    overlaps = frame_overlaps(runs, [sequence.ground_truth], [sequence.image_size], 1)
    tracked = trajectory.codes == -1
    assert np.all(overlaps[tracked] == 1.0) and np.all(np.isnan(overlaps[~tracked]))
    fragments, weights = eao_fragments(overlaps, runs, np.array([1]))

    first = np.zeros(200)
    first[1:50] = 1.0  # frames 1..49 tracked; 0 (init), 50 (failure), 51..55 -> 0
    second = np.full(200, np.nan)
    second[0] = 0.0  # the re-initialisation frame 55
    second[1:145] = 1.0  # frames 56..199
    np.testing.assert_array_equal(fragments, np.vstack([first, second]))
    np.testing.assert_array_equal(weights, [1.0, 1.0])

    # Phi(Ns) by hand: fragment 1 = min(Ns-1, 49)/(Ns-1); fragment 2 = 1 while Ns <= 145.
    expected = [1.0]
    for ns in range(2, 201):
        values = [min(ns - 1, 49) / (ns - 1)] + ([1.0] if ns <= 145 else [])
        expected.append(sum(values) / len(values))
    curve = expected_overlap_curve(fragments, weights)
    np.testing.assert_allclose(curve, expected, rtol=1e-12)
    assert curve[99] == pytest.approx((49 / 99 + 1) / 2)


# --------------------------------------------------------------------------- identical runs


def test_trajectories_identical_and_early_stop(tmp_path):
    sequence = scripted_sequence(60)
    runs = [run_supervised(Scripted(sequence.ground_truth, {20}), sequence) for _ in range(3)]
    assert trajectories_identical(runs[0], runs[1]) and should_stop(runs)
    assert not should_stop(runs[:2])

    nudged = SupervisedTrajectory(runs[2].codes, runs[2].regions + 1e-4, runs[2].is_rect, runs[2].times)
    assert trajectories_identical(runs[0], nudged)  # overlap still > 0.999
    shifted = SupervisedTrajectory(runs[2].codes, runs[2].regions + 3.0, runs[2].is_rect, runs[2].times)
    assert not trajectories_identical(runs[0], shifted)
    other = run_supervised(Scripted(sequence.ground_truth, {21}), sequence)
    assert not trajectories_identical(runs[0], other) and not should_stop([runs[0], runs[1], other])

    for r, trajectory in enumerate(runs, start=1):
        write_supervised_repetition(tmp_path, "scripted", r, trajectory)
    assert vot_runs_identical(tmp_path, "scripted", 3)
    write_supervised_repetition(tmp_path, "scripted", 3, other)
    assert not vot_runs_identical(tmp_path, "scripted", 3)
    assert not vot_runs_identical(tmp_path, "scripted", 4)  # repetition 4 missing


# --------------------------------------------------------------------------- files


def test_times_file_columns_and_concurrent_writers(tmp_path):
    sequence = scripted_sequence(30)
    trajectory = run_supervised(Scripted(sequence.ground_truth, {5}), sequence)
    write_supervised_repetition(tmp_path, "seq", 3, trajectory)
    times = read_times(tmp_path, "seq")
    assert times.shape == (30, 3) and np.all(np.isnan(times[:, :2]))
    np.testing.assert_allclose(times[:, 2], trajectory.times, atol=1e-8, equal_nan=True)
    text = (tmp_path / "baseline" / "seq" / "seq_time.txt").read_text().splitlines()
    assert text[6] == "NaN,NaN,NaN"  # frame 6 skipped (failure at 5)

    threads = [
        threading.Thread(target=write_times_column, args=(tmp_path, "many", r, np.full(30, float(r))))
        for r in range(1, 16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    np.testing.assert_array_equal(read_times(tmp_path, "many"), np.tile(np.arange(1.0, 16.0), (30, 1)))
    assert sorted(p.name for p in (tmp_path / "baseline" / "many").iterdir()) == ["many_time.txt"]


def test_published_files_round_trip_and_layout(shared_data, tmp_path):
    """Published VOT2018 results parse and re-format byte for byte, at the same paths."""
    published = sorted((shared_data / "vot2018" / "results").glob("*/baseline/*/*_001.txt"))
    assert len(published) == 120
    for path in published:
        trajectory = read_repetition_file(path)
        tracker_dir, seq = path.parents[2], path.parent.name
        assert vot_result_path(tracker_dir, seq, 1) == path
        assert format_repetition(trajectory) == path.read_text()
        copy = write_supervised_repetition(tmp_path / tracker_dir.name, seq, 1, trajectory)
        assert copy.relative_to(tmp_path) == path.relative_to(tracker_dir.parent)
        assert copy.read_bytes() == path.read_bytes()
    lines = file_lines(shared_data / "vot2018" / "results" / "NanoTrackV1" / "baseline" / "ants3" / "ants3_001.txt")
    check_flag_structure(lines)


@pytest.mark.parametrize(
    "text, fragment, line",
    [
        ("1\n3\n", "unknown VOT code", 2),
        ("1\n1,2,3\n", "expected 1, 4 or 8 numbers", 2),
        ("1\n1,2,x,4\n", "not a number", 2),
    ],
)
def test_malformed_repetition_file(tmp_path, text, fragment, line):
    path = tmp_path / "seq_001.txt"
    path.write_text(text)
    with pytest.raises(TrackbenchError, match=fragment) as info:
        read_repetition_file(path)
    assert str(info.value).startswith(f"{path}:{line}:")


def test_bad_arguments_and_ground_truth():
    sequence = scripted_sequence(10)
    with pytest.raises(TrackbenchError, match="init rule"):
        run_supervised(Scripted(sequence.ground_truth, set()), sequence, init_rule="centre")
    with pytest.raises(TrackbenchError, match="corner rule"):
        run_supervised(Scripted(sequence.ground_truth, set()), sequence, corner_rule="x+w+1")
    gt = sequence.ground_truth.copy()
    gt[4] = np.nan
    with pytest.raises(TrackbenchError, match="NaN at frame 5"):
        run_supervised(Scripted(gt, set()), FrameSequence("nan", gt, image_size=(160, 120)))


# --------------------------------------------------------------------------- end to end


def test_run_identity_on_generated_vot_fixture(tmp_path):
    root = write_vot_fixture(tmp_path / "vot")
    out = tmp_path / "results"
    command = [sys.executable, "-m", "trackbench", "run", "identity", "--suite", "vot2018"]
    command += ["--root", str(root), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    dataset = read_vot(root)
    tracker_dir = out / "vot2018" / "identity"
    total_failures = 0
    for sequence in dataset:
        path = tracker_dir / "baseline" / sequence.name / f"{sequence.name}_001.txt"
        lines = file_lines(path)
        assert len(lines) == len(sequence)
        check_flag_structure(lines)
        assert not (path.parent / f"{sequence.name}_002.txt").exists()  # identity is deterministic
        # identity keeps the (area-preserving) init box, so it fails once the target moves away
        trajectory = read_repetition(tracker_dir, sequence.name, 1)
        expected = run_supervised(IdentityTracker(), sequence)
        assert trajectory.same_frames(expected)
        assert len(trajectory.failures) >= 1
        assert read_times(tracker_dir, sequence.name).shape == (len(sequence), 1)
        total_failures += len(trajectory.failures)
    # The project's metrics read the folder: failures and R match the files.
    evaluation = evaluate(get_suite("vot2018"), dataset, tracker_dir)
    assert evaluation.metrics["failures"] == total_failures
    assert evaluation.metrics["robustness"] == pytest.approx(100 * total_failures / dataset.total_frames)
    curve = evaluation.curves["expected_overlap"]  # EAO itself needs lengths 100..356
    assert len(curve) == max(len(sq) for sq in dataset) and curve[0] == 1 and np.all((curve >= 0) & (curve <= 1))
