"""OpenCV baselines on real frames (../shared/data/sequences/otb)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.geometry import iou
from trackbench.imageio import read_rgb
from trackbench.registry import available_trackers, create_tracker
from trackbench.textio import read_table
from trackbench.trackers.opencv import OPENCV_TRACKERS, KCFTracker, OpenCVTracker

FRAMES = 30


def _load(shared_data, name: str, count: int = FRAMES):
    root = shared_data / "sequences" / "otb" / name
    ground_truth = read_table(root / "groundtruth_rect.txt", 4)[:count]
    images = [read_rgb(root / "img" / f"{i:04d}.jpg") for i in range(1, count + 1)]
    return images, ground_truth


@pytest.fixture(scope="module")
def couple(shared_data):
    return _load(shared_data, "Couple")


def _track(tracker, images, ground_truth):
    tracker.init(images[0], ground_truth[0])
    boxes, scores = [ground_truth[0]], [np.nan]
    for image in images[1:]:
        box, score = tracker.update(image)
        boxes.append(box)
        scores.append(score)
    return np.asarray(boxes), np.asarray(scores)


def test_all_baselines_registered_with_truthful_determinism():
    found = available_trackers()
    for name, cls in OPENCV_TRACKERS.items():
        assert found[name].target == f"trackbench.trackers.opencv:{cls.__name__}"
        assert found[name].deterministic is cls.is_deterministic
    assert "identity" in found


@pytest.mark.parametrize("name", sorted(OPENCV_TRACKERS))
def test_baseline_on_couple_and_determinism_claim(name, couple):
    images, ground_truth = couple
    boxes, scores = _track(create_tracker(name), images, ground_truth)
    assert boxes.shape == (FRAMES, 4) and np.all(np.isfinite(boxes))
    assert np.all(boxes[:, 2:] > 0)
    assert set(np.unique(scores[1:])) <= {0.0, 1.0}
    # A failure (score 0) repeats the previous box.
    for i in np.flatnonzero(scores == 0.0):
        np.testing.assert_array_equal(boxes[i], boxes[i - 1])
    again, _ = _track(create_tracker(name), images, ground_truth)
    if OPENCV_TRACKERS[name].is_deterministic:
        np.testing.assert_array_equal(boxes, again)


def test_nondeterministic_claims_are_true(couple):
    images, ground_truth = couple[0][:10], couple[1][:10]  # MIL and TLD differ within 10 frames
    for name, cls in OPENCV_TRACKERS.items():
        if cls.is_deterministic:
            continue
        runs = [_track(create_tracker(name), images, ground_truth)[0] for _ in range(3)]
        assert any(not np.array_equal(runs[0], r) for r in runs[1:]), name


def test_csrt_tracks_couple(couple):
    images, ground_truth = couple
    boxes, scores = _track(create_tracker("opencv-csrt"), images, ground_truth)
    assert np.mean(iou(boxes, ground_truth)) > 0.6
    assert np.all(scores[1:] == 1.0)


def test_kcf_tracks_crossing_and_reports_failures_on_couple(shared_data, couple):
    # Couple moves 13 px between frames 2 and 3; KCF's default detection threshold (0.5)
    # then reports failure and keeps the last box: our adapter repeats it with score 0.
    images, ground_truth = couple
    boxes, scores = _track(create_tracker("opencv-kcf"), images, ground_truth)
    assert np.sum(scores == 0.0) > 0
    crossing_images, crossing_gt = _load(shared_data, "Crossing")
    boxes, _ = _track(create_tracker("opencv-kcf"), crossing_images, crossing_gt)
    assert np.mean(iou(boxes, crossing_gt)) > 0.3
    # With a lower threshold (an option) KCF keeps following Couple.
    boxes, scores = _track(create_tracker("opencv-kcf", {"detect_thresh": 0.0}), images, ground_truth)
    assert np.all(scores[1:] == 1.0)


def test_options_and_inputs_are_validated():
    with pytest.raises(TrackbenchError, match="no option 'bogus'"):
        KCFTracker(bogus=1)
    with pytest.raises(TrackbenchError, match="takes no options"):
        create_tracker("opencv-tld", {"x": 1})
    tracker = KCFTracker()
    with pytest.raises(TrackbenchError, match="RGB uint8"):
        tracker.init(np.zeros((10, 10), dtype=np.uint8), np.array([1.0, 1, 4, 4]))
    with pytest.raises(TrackbenchError, match="cannot initialise"):
        tracker.init(np.zeros((10, 10, 3), dtype=np.uint8), np.array([1.0, 1, np.nan, 4]))
    with pytest.raises(TrackbenchError, match="before init"):
        KCFTracker().update(np.zeros((10, 10, 3), dtype=np.uint8))


def test_missing_algorithm_is_a_clear_error():
    class Imaginary(OpenCVTracker):
        name = "opencv-imaginary"
        algorithm = "Imaginary"
        factories = ("TrackerImaginary_create", "legacy.TrackerImaginary_create")

    assert not Imaginary.available()
    with pytest.raises(TrackbenchError, match=f"OpenCV {cv2.__version__} has no Imaginary tracker"):
        Imaginary()


def test_box_partly_outside_the_image_is_clipped_for_opencv(couple):
    images, _ = couple
    tracker = create_tracker("opencv-csrt")
    tracker.init(images[0], np.array([-10.0, -5.0, 60.0, 80.0]))  # OpenCV is given [0, 0, 50, 75]
    box, score = tracker.update(images[1])
    assert score == 1.0 and np.all(np.isfinite(box))
    assert iou(box, np.array([0.0, 0.0, 50.0, 75.0])) > 0.7
