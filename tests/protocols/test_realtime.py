"""VOT real-time experiment: the frame-clock rule of the VOT toolkit's RealtimeTrackerRuntime.

Reference (vot-toolkit ``vot/tracker/__init__.py``, ``RealtimeTrackerRuntime``; the
VOT2017-2019 stacks' ``realtime: {grace: 3}``, 20 fps): a call taking ``t`` seconds with
``t > 1/fps`` leaves a debt ``t - 1/fps`` (unless one of the ``grace`` forgiven slow calls
after an initialisation is left); while the debt exceeds one interval the next frame is
answered with the remembered answer and the debt drops by one interval; otherwise the
debt is cleared and the tracker sees the frame. The expected frames below are worked out
by hand from that rule.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.protocols.realtime import RealtimeSchedule, run_realtime
from trackbench.sequence import Sequence


class FrameSequence(Sequence):
    """In-memory frames; image ``i`` carries ``i`` in its first pixel."""

    def image(self, index: int) -> np.ndarray:
        image = np.zeros((100, 400, 3), dtype=np.uint8)
        image[0, 0, 0] = index
        return image


def moving_sequence(n: int, step: float) -> FrameSequence:
    """A 20 x 20 box moving right by ``step`` px per frame."""
    x = 10 + step * np.arange(n, dtype=np.float64)
    boxes = np.stack([x, np.full(n, 40.0), np.full(n, 20.0), np.full(n, 20.0)], axis=1)
    return FrameSequence("moving", boxes, image_size=(1000, 100))


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class EveryThirdSlow:
    """Answers the exact ground truth of the frame it is shown; every third ``update`` call
    "sleeps" ``slow`` seconds (on the fake clock, or for real), the others take 1 ms."""

    is_deterministic = True

    def __init__(self, ground_truth: np.ndarray, clock: FakeClock | None, slow: float):
        self.ground_truth, self.clock, self.slow = ground_truth, clock, slow
        self.calls = 0
        self.shown: list[int] = []

    def _spend(self, seconds: float) -> None:
        if self.clock is None:
            time.sleep(seconds)
        else:
            self.clock.now += seconds

    def init(self, image, box):
        self._spend(0.001)

    def update(self, image):
        frame = int(image[0, 0, 0])
        self.shown.append(frame)
        self.calls += 1
        self._spend(self.slow if self.calls % 3 == 0 else 0.001)
        return self.ground_truth[frame].copy(), 1.0


def run(sequence, *, grace, slow=0.101, clock=None, fps=20.0):
    fake = FakeClock() if clock is None else None
    tracker = EveryThirdSlow(sequence.ground_truth, fake, slow)
    trajectory, reused = run_realtime(tracker, sequence, fps=fps, grace=grace, clock=fake or clock)
    return tracker, trajectory, reused


def test_slow_every_third_frame_reuses_the_next_frame_without_grace():
    # 100 ms (+1 ms, what a real sleep always overshoots) at 20 fps: a debt of 51 ms > 50 ms,
    # so the frame after each slow call gets the slow call's answer; the one after is shown.
    sequence = moving_sequence(12, step=1.0)  # slow motion: a reused box still overlaps
    tracker, trajectory, reused = run(sequence, grace=0)
    assert reused == [4, 8]
    assert tracker.shown == [1, 2, 3, 5, 6, 7, 9, 10, 11]
    np.testing.assert_allclose(trajectory.regions[4, :4], sequence.ground_truth[3])  # frame 3's answer
    np.testing.assert_allclose(trajectory.regions[8, :4], sequence.ground_truth[7])
    assert trajectory.failures.tolist() == []


def test_grace_forgives_the_first_three_slow_calls():
    sequence = moving_sequence(20, step=1.0)
    tracker, trajectory, reused = run(sequence, grace=3)
    assert reused == [13, 17]  # slow calls at frames 3, 6, 9 forgiven; 12 and 16 are not
    np.testing.assert_allclose(trajectory.regions[13, :4], sequence.ground_truth[12])


def test_reused_answers_fail_and_reset_as_in_the_supervised_protocol():
    # 30 px per frame, 20 px boxes: a reused box never overlaps, so every reuse is a failure:
    # failure at 4, frames 5..8 skipped, re-init at 9 (debt and grace reset); the tracker's
    # 6th call (frame 12) is slow -> failure at 13, re-init at 18.
    sequence = moving_sequence(20, step=30.0)
    tracker, trajectory, reused = run(sequence, grace=0)
    assert reused == [4, 13]
    assert trajectory.failures.tolist() == [4, 13]
    assert trajectory.initializations.tolist() == [0, 9, 18]
    assert tracker.shown == [1, 2, 3, 10, 11, 12, 19]


def test_exactly_two_intervals_is_not_late():
    # The toolkit's test is strict: a debt of exactly one interval does not hold the frame.
    schedule = RealtimeSchedule(interval=0.05, grace=0)
    schedule.initialized(0.001)
    assert schedule.updated(0.1) is True
    assert schedule.must_reuse() is False
    schedule.updated(0.16)  # debt 0.11: two frames are answered by reuse
    assert [schedule.must_reuse() for _ in range(3)] == [True, True, False]


def test_bad_settings():
    with pytest.raises(TrackbenchError, match="interval"):
        RealtimeSchedule(interval=0.0)
    with pytest.raises(TrackbenchError, match="grace"):
        RealtimeSchedule(interval=0.05, grace=-1)


def test_wall_clock_run():
    # The real clock, with wide margins for a busy machine: 10 fps, every third call sleeps
    # 250 ms (debt 150 ms > 100 ms: one frame reused, then 50 ms < 100 ms: cleared).
    sequence = moving_sequence(8, step=1.0)
    tracker, trajectory, reused = run(sequence, grace=0, slow=0.25, clock=time.perf_counter, fps=10.0)
    assert reused == [4]
    assert tracker.shown == [1, 2, 3, 5, 6, 7]
    assert trajectory.times[3] >= 0.25


def test_realtime_suite_run_and_eval(tmp_path, capsys):
    import json

    from trackbench.cli import main
    from trackbench.data.demo import write_vot_fixture
    from trackbench.results.layout import read_repetition

    root = write_vot_fixture(tmp_path / "vot")
    out = tmp_path / "results"
    assert main(["run", "identity", "--suite", "vot2018-realtime", "--root", str(root), "--out", str(out),
                 "--no-progress"]) == 0
    tracker_dir = out / "vot2018-realtime" / "identity"
    failures = 0
    for name, frames in (("synth-rot", 40), ("synth-fast", 30)):
        trajectory = read_repetition(tracker_dir, name, 1, "realtime")
        assert len(trajectory) == frames
        failures += len(trajectory.failures)
    assert not (tracker_dir / "baseline").exists()
    capsys.readouterr()
    assert main(["eval", "--suite", "vot2018-realtime", "--root", str(root), "--json", str(tracker_dir)]) == 0
    metrics = json.loads(capsys.readouterr().out)[0]["metrics"]
    assert metrics["failures"] == failures >= 1  # identity keeps its box: it fails when the target moves
    assert 0 < metrics["accuracy"] <= 1
