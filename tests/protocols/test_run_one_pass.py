"""One-pass protocol and result writers, on real OTB sequences and generated ones."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from helpers.trackers import CSRTTracker, PathRecorder, TemplateTracker, make_dataset, read_otb_folder
from trackbench.errors import TrackbenchError
from trackbench.geometry import box_to_polygon, iou, polygon_to_box_area_preserving
from trackbench.protocols.ope import initial_box, run_one_pass
from trackbench.trajectory import Trajectory
from trackbench.results.layout import (
    got10k_result_path,
    got10k_times_path,
    ope_result_path,
    ope_times_path,
    write_got10k_result,
    write_ope_result,
)
from trackbench.sequence import Sequence
from trackbench.textio import read_table
from trackbench.trackers.identity import IdentityTracker


@pytest.fixture(scope="module")
def otb_sequences(shared_data):
    base = shared_data / "sequences" / "otb"
    return [read_otb_folder(base / "Couple"), read_otb_folder(base / "Crossing")]


class RecordingTracker(IdentityTracker):
    def init(self, image, box):
        self.init_image_shape = image.shape
        self.init_image_dtype = image.dtype
        self.init_box = np.array(box)
        super().init(image, box)


def test_identity_on_real_sequences_writes_parsable_results(otb_sequences, tmp_path):
    for seq in otb_sequences:
        tracker = RecordingTracker()
        trajectory = run_one_pass(tracker, seq)
        assert tracker.init_image_dtype == np.uint8 and tracker.init_image_shape[2] == 3
        np.testing.assert_array_equal(tracker.init_box, seq.ground_truth[0])
        path = write_ope_result(tmp_path, seq.name, trajectory)
        assert path == tmp_path / f"{seq.name}.txt"
        boxes = read_table(path, 4)
        assert boxes.shape == (len(seq), 4)
        np.testing.assert_array_equal(boxes, np.repeat(seq.ground_truth[:1], len(seq), axis=0))
        times = read_table(ope_times_path(tmp_path, seq.name), 1)[:, 0]
        assert times.shape == (len(seq),) and np.all(times >= 0)
        # identity reports no score: NaN everywhere
        assert np.all(np.isnan(trajectory.scores))
    assert len(otb_sequences[0]) == 140 and len(otb_sequences[1]) == 120


def test_csrt_on_real_sequences_tracks_the_target(otb_sequences, tmp_path):
    for seq in otb_sequences:
        trajectory = run_one_pass(CSRTTracker(), seq)
        write_ope_result(tmp_path, seq.name, trajectory)
        boxes = read_table(ope_result_path(tmp_path, seq.name), 4)
        assert boxes.shape == (len(seq), 4)
        np.testing.assert_allclose(boxes[0], seq.ground_truth[0])
        overlap = iou(boxes, seq.ground_truth)
        identity_overlap = iou(np.repeat(seq.ground_truth[:1], len(seq), axis=0), seq.ground_truth)
        # a real tracker follows the target over the first second, far better than
        # standing still (CSRT later drifts on Couple: mean IoU 0.38 there, 0.79 on Crossing)
        assert np.mean(overlap[:30]) > 0.7
        assert np.mean(overlap) > np.mean(identity_overlap) + 0.3


def test_timing_excludes_image_decoding(tmp_path, monkeypatch):
    dataset = make_dataset(tmp_path, {"a": 12})
    seq = dataset.sequences[0]
    original = Sequence.image

    def slow_image(self, index):
        time.sleep(0.03)
        return original(self, index)

    monkeypatch.setattr(Sequence, "image", slow_image)
    trajectory = run_one_pass(IdentityTracker(), seq)
    # each decode takes 30 ms; the identity tracker's calls take microseconds
    assert trajectory.times.shape == (12,)
    # (median and sum, not max: one preemption of this process must not fail the test)
    assert np.median(trajectory.times) < 0.005
    assert trajectory.times.sum() < 0.5 * 0.03 * 12


def test_template_tracker_follows_generated_square(tmp_path):
    seq = make_dataset(tmp_path, {"square": 25}).sequences[0]
    trajectory = run_one_pass(TemplateTracker(), seq)
    # JPEG noise aside, matching the textured patch recovers the exact ground truth
    np.testing.assert_allclose(trajectory.boxes, seq.ground_truth, atol=1)
    assert np.isnan(trajectory.scores[0]) and np.all(trajectory.scores[1:] > 0.5)


def test_polygon_ground_truth_initialises_with_area_preserving_box(tmp_path):
    base = make_dataset(tmp_path, {"poly": 5}).sequences[0]
    polygons = box_to_polygon(base.ground_truth)
    polygons[:, 0] -= 1.5  # skew the first corner: no longer an axis-aligned rectangle
    seq = Sequence("poly", polygons, base.frames)
    tracker = RecordingTracker()
    trajectory = run_one_pass(tracker, seq)
    expected = polygon_to_box_area_preserving(polygons[0])
    np.testing.assert_allclose(tracker.init_box, expected)
    np.testing.assert_allclose(initial_box(seq), expected)
    assert trajectory.boxes.shape == (5, 4)


def test_invalid_first_box_is_a_clear_error(tmp_path):
    base = make_dataset(tmp_path, {"nan": 3}).sequences[0]
    gt = base.ground_truth.copy()
    gt[0] = np.nan
    seq = Sequence("nan", gt, base.frames, annotation_path=tmp_path / "nan" / "groundtruth_rect.txt")
    with pytest.raises(TrackbenchError, match=r"groundtruth_rect.txt:1: .*cannot initialise"):
        run_one_pass(IdentityTracker(), seq)


def test_sequence_without_images_is_a_clear_error():
    seq = Sequence("empty", np.array([[1.0, 2.0, 3.0, 4.0]]))
    with pytest.raises(TrackbenchError, match="no image files"):
        run_one_pass(IdentityTracker(), seq)


def test_got10k_writer_fills_one_time_column_per_run(tmp_path):
    runs = [Trajectory(np.full((4, 4), r + 1.0), np.full(4, 0.001 * (r + 1)), np.full(4, np.nan)) for r in range(3)]
    # out of order, as parallel workers may finish
    for rep in (3, 1, 2):
        write_got10k_result(tmp_path, "GOT-10k_Val_000001", rep, 3, runs[rep - 1])
    for rep in (1, 2, 3):
        boxes = read_table(got10k_result_path(tmp_path, "GOT-10k_Val_000001", rep), 4)
        np.testing.assert_array_equal(boxes, np.full((4, 4), float(rep)))
    times = read_table(got10k_times_path(tmp_path, "GOT-10k_Val_000001"), 3)
    np.testing.assert_allclose(times, np.tile([0.001, 0.002, 0.003], (4, 1)))
    assert (tmp_path / "GOT-10k_Val_000001" / "GOT-10k_Val_000001_002.txt").is_file()


def test_got10k_times_file_has_nan_for_runs_not_yet_done(tmp_path):
    trajectory = Trajectory(np.ones((3, 4)), np.full(3, 0.5), np.full(3, np.nan))
    write_got10k_result(tmp_path, "s", 2, 3, trajectory)
    times = read_table(got10k_times_path(tmp_path, "s"), 3, allow_nan=True)
    assert np.all(np.isnan(times[:, [0, 2]])) and np.all(times[:, 1] == 0.5)


def test_trackers_accepting_image_paths_get_each_frame_file(tmp_path):
    sequence = make_dataset(tmp_path, {"paths": 5}).sequences[0]
    tracker = PathRecorder()
    trajectory = run_one_pass(tracker, sequence)
    assert [kind for kind, _, _ in tracker.calls] == ["init"] + ["update"] * 4
    assert [path for _, path, _ in tracker.calls] == list(sequence.frames)
    assert all(shape == (48, 64, 3) for _, _, shape in tracker.calls)  # images still decoded
    assert len(trajectory) == 5
    # a frame whose file is gone (e.g. an in-memory sequence) gets no path
    missing = Sequence("gone", sequence.ground_truth, [tmp_path / "nowhere.jpg"] + list(sequence.frames[1:]))
    missing.image = lambda index: np.zeros((48, 64, 3), dtype=np.uint8)
    tracker = PathRecorder()
    run_one_pass(tracker, missing)
    assert [path for _, path, _ in tracker.calls] == [None] + list(sequence.frames[1:])
    # trackers without the flag are called with (image, box) / (image) only
    run_one_pass(TemplateTracker(), sequence)



class FakeClock:
    """``time.perf_counter`` for the protocol, one clock per thread: only decoding and
    tracker calls advance it (by the seconds they are said to take, on the thread doing
    them), so the decoder's choice does not depend on how the threads interleave."""

    def __init__(self):
        self.local = threading.local()

    def perf_counter(self) -> float:
        return getattr(self.local, "now", 0.0)

    def advance(self, seconds: float) -> None:
        self.local.now = self.perf_counter() + seconds


class TimedIdentity(IdentityTracker):
    """Identity whose updates take ``seconds`` on the fake clock (init takes none)."""

    def __init__(self, clock: FakeClock, seconds: float, fail_at: int | None = None):
        super().__init__()
        self.clock, self.seconds, self.fail_at, self.calls = clock, seconds, fail_at, 0

    def update(self, image):
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("tracker broke")
        self.clock.advance(self.seconds)
        return super().update(image)


def _timed_decoding(monkeypatch, seconds: float = 1.0) -> tuple[FakeClock, list[str]]:
    """A fake clock for the protocol, decoding taking ``seconds``; the names of the
    threads that decoded each frame, in order."""
    from trackbench.protocols import ope

    clock, threads = FakeClock(), []
    original = Sequence.image

    def image(self, index):
        threads.append(threading.current_thread().name)
        clock.advance(seconds)
        return original(self, index)

    monkeypatch.setattr(ope, "time", clock)
    monkeypatch.setattr(Sequence, "image", image)
    return clock, threads


def decoder_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("trackbench-decode")]


def test_a_fast_tracker_with_one_decoding_thread_gets_every_frame_decoded_in_its_own_thread(tmp_path, monkeypatch):
    from trackbench.protocols import ope

    seq = make_dataset(tmp_path, {"a": 20}).sequences[0]
    clock, threads = _timed_decoding(monkeypatch)
    monkeypatch.setattr(ope, "decode_threads", lambda: 1)  # --threads 1
    trajectory = run_one_pass(TimedIdentity(clock, 0.01), seq)  # updates: 1% of a decode
    assert threads == [threading.current_thread().name] * 20
    np.testing.assert_array_equal(trajectory.boxes, np.repeat(seq.ground_truth[:1], 20, axis=0))


class DecodedAhead(TimedIdentity):
    """Records, at each update, how many frames have been decoded so far."""

    def __init__(self, clock: FakeClock, seconds: float, decoded: list[str]):
        super().__init__(clock, seconds)
        self.decoded, self.seen = decoded, []

    def update(self, image):
        self.seen.append(len(self.decoded))
        return super().update(image)


def _run_recording_decodes(tmp_path, monkeypatch, frames: int, decoders: int, update_seconds: float):
    """run_one_pass of a :class:`DecodedAhead` over ``frames`` generated frames, with
    ``decoders`` decoding threads: the tracker, its trajectory, the sequence and the
    names of the threads that decoded each frame."""
    from trackbench.protocols import ope

    seq = make_dataset(tmp_path, {"a": frames}).sequences[0]
    clock, threads = _timed_decoding(monkeypatch)
    monkeypatch.setattr(ope, "decode_threads", lambda: decoders)
    tracker = DecodedAhead(clock, update_seconds, threads)
    return tracker, run_one_pass(tracker, seq), seq, threads


def test_a_fast_tracker_gets_frames_decoded_ahead_on_parallel_threads(tmp_path, monkeypatch):
    tracker, trajectory, seq, threads = _run_recording_decodes(tmp_path, monkeypatch, 30, 2, 0.01)
    # frame 0 in the caller's thread, then every frame on the decoding threads, each once
    assert len(threads) == 30 and threads[0] == threading.current_thread().name
    assert all(name.startswith("trackbench-decode") for name in threads[1:])
    # at update k (frame k), frames 0..k are decoded and at most 2 more wait ahead
    assert all(k + 1 <= seen <= k + 3 for k, seen in enumerate(tracker.seen, start=1))
    np.testing.assert_array_equal(trajectory.boxes, np.repeat(seq.ground_truth[:1], 30, axis=0))
    assert not decoder_threads()


def test_a_frame_decoded_ahead_that_fails_fails_at_its_own_frame(tmp_path, monkeypatch):
    from trackbench.protocols import ope

    seq = make_dataset(tmp_path, {"a": 20}).sequences[0]
    seq.frames[6].unlink()  # frame 7 (1-based)
    clock, _ = _timed_decoding(monkeypatch)
    monkeypatch.setattr(ope, "decode_threads", lambda: 3)
    tracker = TimedIdentity(clock, 0.01)
    with pytest.raises(TrackbenchError, match="image file not found") as caught:
        run_one_pass(tracker, seq)
    assert str(seq.frames[6]) in str(caught.value)
    assert tracker.calls == 5  # frames 2-6 were tracked, frame 7 was not
    assert not decoder_threads()


def test_decoding_threads_follow_opencv_threads_up_to_a_cap():
    import cv2

    from trackbench.protocols.ope import MAX_DECODERS, decode_threads

    before = cv2.getNumThreads()
    try:
        cv2.setNumThreads(1)
        assert decode_threads() == 1
        cv2.setNumThreads(2)
        assert decode_threads() == 2
        cv2.setNumThreads(64)
        assert decode_threads() == MAX_DECODERS == 4
    finally:
        cv2.setNumThreads(before)


def test_a_slow_tracker_gets_the_next_frame_decoded_in_the_background(tmp_path, monkeypatch):
    from trackbench.protocols import ope

    seq = make_dataset(tmp_path, {"a": 20}).sequences[0]
    clock, threads = _timed_decoding(monkeypatch)
    monkeypatch.setattr(ope, "decode_threads", lambda: 1)
    trajectory = run_one_pass(TimedIdentity(clock, 5.0), seq)
    # frames 0-2 are decoded when asked for (frame 2's decision follows init, which took
    # no time); from frame 3 on each one is decoded while the tracker works on the last
    assert threads[:3] == [threading.current_thread().name] * 3 and len(threads) == 20
    assert all(name.startswith("trackbench-decode") for name in threads[3:])
    np.testing.assert_array_equal(trajectory.boxes, np.repeat(seq.ground_truth[:1], 20, axis=0))
    assert not decoder_threads()


def test_a_slow_tracker_gets_one_frame_ahead_whatever_the_decoding_threads(tmp_path, monkeypatch):
    tracker, trajectory, seq, threads = _run_recording_decodes(tmp_path, monkeypatch, 20, 4, 5.0)
    # before the tracker's speed is known (frame 0, and init taking no time) up to 4
    # frames are decoded ahead; once an update took longer than a decode, only the next
    assert threads[0] == threading.current_thread().name and len(threads) == 20
    assert all(name.startswith("trackbench-decode") for name in threads[1:])
    assert all(seen <= k + 2 for k, seen in enumerate(tracker.seen, start=1) if k >= 6)
    np.testing.assert_array_equal(trajectory.boxes, np.repeat(seq.ground_truth[:1], 20, axis=0))
    assert not decoder_threads()


def test_a_tracker_error_stops_the_background_decoder(tmp_path, monkeypatch):
    seq = make_dataset(tmp_path, {"a": 20}).sequences[0]
    clock, threads = _timed_decoding(monkeypatch)
    with pytest.raises(RuntimeError, match="tracker broke"):
        run_one_pass(TimedIdentity(clock, 5.0, fail_at=8), seq)
    assert not decoder_threads()
    assert len(threads) <= 10  # frame 8's and at most the next one


@pytest.mark.parametrize("decoders", [1, 3])
def test_the_last_frame_stays_alive_while_the_next_one_is_decoded(tmp_path, monkeypatch, decoders):
    # freed before the next decode, a large frame's buffer is trimmed from the heap and
    # faulted in again (trackbench/execution/heap.py); the caller drops its reference at once
    import weakref

    from trackbench.protocols import ope

    seq = make_dataset(tmp_path, {"a": 12}).sequences[0]
    yielded: list[weakref.ref] = []
    alive_at_decode: list[bool] = []
    original = Sequence.image

    def image(self, index):
        if index == len(yielded) and yielded:  # decoding the frame after the last one yielded
            alive_at_decode.append(yielded[-1]() is not None)
        return original(self, index)

    monkeypatch.setattr(Sequence, "image", image)
    frames = ope.prefetched_images(seq, decoders=decoders)
    try:
        for _ in range(len(seq)):
            yielded.append(weakref.ref(next(frames)))  # the caller keeps nothing
    finally:
        frames.close()
    if decoders == 1:  # decoded in this thread, right after the previous frame was handed out
        assert alive_at_decode == [True] * (len(seq) - 1)
    assert sum(ref() is not None for ref in yielded) <= 1 + decoders
