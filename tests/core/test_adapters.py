"""Adapters: each foreign tracker style runs unchanged through the trackbench contract."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from trackbench.adapters import (
    CallableTracker,
    Got10kAdapter,
    PysotAdapter,
    PytrackingAdapter,
    as_tracker,
)
from trackbench.errors import TrackbenchError
from trackbench.tracker import Tracker, split_output


def _frames(count: int = 4, height: int = 24, width: int = 32) -> list[np.ndarray]:
    """Frames whose pixel (0, 0) encodes the frame index in R and 200 in B (to see channel order)."""
    frames = []
    for index in range(count):
        image = np.zeros((height, width, 3), dtype=np.uint8)
        image[0, 0] = (index, 0, 200)
        frames.append(image)
    return frames


def _run(tracker, frames, box):
    tracker.init(frames[0], np.asarray(box, dtype=np.float64))
    return [split_output(tracker.update(image)) for image in frames[1:]]


class MovingBoxGot10k:
    """A got10k-style tracker written without importing got10k (duck-typed)."""

    def __init__(self):
        self.name = "moving-got10k"
        self.is_deterministic = False
        self.seen = []

    def init(self, image, box):
        assert isinstance(image, Image.Image) and image.mode == "RGB"
        self.box = np.array(box, dtype=float)

    def update(self, image):
        assert isinstance(image, Image.Image)
        red, _, blue = image.getpixel((0, 0))
        self.seen.append((red, blue))
        self.box = self.box + [1, 2, 0, 0]
        return self.box

    def track(self, img_files, box, visualize=False):  # never called by trackbench
        raise AssertionError("track() must not be used")


def test_got10k_duck_typed_tracker_gets_pil_rgb_images():
    inner = MovingBoxGot10k()
    tracker = as_tracker(inner)
    assert isinstance(tracker, Got10kAdapter)
    assert tracker.name == "moving-got10k" and tracker.is_deterministic is False
    out = _run(tracker, _frames(), [5, 6, 7, 8])
    np.testing.assert_array_equal([r for r, _ in out], [[6, 8, 7, 8], [7, 10, 7, 8], [8, 12, 7, 8]])
    assert inner.seen == [(1, 200), (2, 200), (3, 200)]  # RGB order preserved, frames in order


def test_got10k_package_identity_tracker():
    got10k_trackers = pytest.importorskip("got10k.trackers")
    inner = got10k_trackers.IdentityTracker()
    tracker = as_tracker(inner)
    assert isinstance(tracker, Got10kAdapter)
    assert tracker.name == "IdentityTracker" and tracker.is_deterministic is True
    out = _run(tracker, _frames(), [3.5, 4, 10, 12])
    for region, score in out:
        np.testing.assert_array_equal(region, [3.5, 4, 10, 12])
        assert score is None


def test_got10k_subclass_detected_by_isinstance():
    got10k_trackers = pytest.importorskip("got10k.trackers")

    class Shifting(got10k_trackers.Tracker):
        def __init__(self):
            super().__init__(name="Shifting", is_deterministic=True)

        def init(self, image, box):
            self.box = np.array(box, dtype=float)
            self.size = image.size

        def update(self, image):
            self.box[0] += 1
            return self.box

    tracker = as_tracker(Shifting())
    assert isinstance(tracker, Got10kAdapter)
    out = _run(tracker, _frames(width=40), [0, 0, 4, 4])
    assert [r[0] for r, _ in out] == [1, 2, 3]
    assert tracker.wrapped.size == (40, 24)  # PIL size is (width, height)


class PysotStyle:
    """pysot-style: init(img, bbox) with a list bbox; track(img) -> dict; BGR images."""

    def init(self, img, bbox):
        assert isinstance(bbox, list) and len(bbox) == 4
        self.bbox = list(bbox)
        self.blues = [int(img[0, 0, 0])]

    def track(self, img):
        self.blues.append(int(img[0, 0, 0]))  # BGR: channel 0 is blue
        self.bbox = [self.bbox[0] + 2, self.bbox[1], self.bbox[2], self.bbox[3]]
        return {"bbox": self.bbox, "best_score": np.float32(0.75)}


def test_pysot_style_tracker_gets_bgr_and_reports_best_score():
    inner = PysotStyle()
    tracker = as_tracker(inner)
    assert isinstance(tracker, PysotAdapter)
    assert tracker.name == "PysotStyle" and tracker.is_deterministic is None  # undeclared
    out = _run(tracker, _frames(), [10, 10, 5, 5])
    np.testing.assert_array_equal([r for r, _ in out], [[12, 10, 5, 5], [14, 10, 5, 5], [16, 10, 5, 5]])
    assert [s for _, s in out] == [0.75, 0.75, 0.75]
    assert inner.blues == [200, 200, 200, 200]


class PytrackingStyle:
    """pytracking-style: initialize(image, info) / track(image, info) -> dict; RGB images."""

    def initialize(self, image, info):
        self.box = list(info["init_bbox"])
        self.reds = [int(image[0, 0, 0])]
        self.previous = []
        return {"time": 0.0}

    def track(self, image, info=None):
        self.reds.append(int(image[0, 0, 0]))
        self.previous.append(list(info["previous_output"]["target_bbox"]))
        self.box = [self.box[0], self.box[1] + 1, self.box[2] * 1.5, self.box[3]]
        return {"target_bbox": self.box, "object_presence_score": 0.5}


def test_pytracking_style_tracker_gets_rgb_info_dicts_and_previous_output():
    inner = PytrackingStyle()
    tracker = as_tracker(inner)
    assert isinstance(tracker, PytrackingAdapter)
    out = _run(tracker, _frames(), [1, 1, 2, 2])
    np.testing.assert_array_equal([r for r, _ in out], [[1, 2, 3, 2], [1, 3, 4.5, 2], [1, 4, 6.75, 2]])
    assert [s for _, s in out] == [0.5, 0.5, 0.5]
    assert inner.reds == [0, 1, 2, 3]  # red channel first = RGB
    assert inner.previous == [[1, 1, 2, 2], [1, 2, 3, 2], [1, 3, 4.5, 2]]


def test_pytracking_style_without_target_bbox_is_a_clear_error():
    class Broken(PytrackingStyle):
        def track(self, image, info=None):
            return {"bbox": [0, 0, 1, 1]}

    tracker = as_tracker(Broken())
    tracker.init(_frames()[0], np.array([0.0, 0, 1, 1]))
    with pytest.raises(TrackbenchError, match="target_bbox"):
        tracker.update(_frames()[1])


def test_callable_pair_and_callable_tracker():
    state = {}

    def init_fn(image, box):
        state["box"] = box

    def update_fn(image):
        state["box"] = state["box"] * 2
        return state["box"], 0.25

    tracker = as_tracker((init_fn, update_fn))
    assert isinstance(tracker, CallableTracker) and tracker.is_deterministic is None  # undeclared
    out = _run(tracker, _frames(), [1, 2, 3, 4])
    np.testing.assert_array_equal(out[-1][0], [8, 16, 24, 32])
    assert out[-1][1] == 0.25

    named = CallableTracker(init_fn, update_fn, name="doubler", is_deterministic=False)
    assert as_tracker(named) is named and named.name == "doubler" and named.is_deterministic is False
    with pytest.raises(TrackbenchError, match="two callables"):
        CallableTracker(init_fn, None)


def test_native_tracker_is_returned_unchanged_and_undeclared_determinism_is_none():
    class Native:
        def init(self, image, box):
            pass

        def update(self, image):
            return [0, 0, 1, 1]

    native = Native()
    assert as_tracker(native) is native and native.is_deterministic is None

    class Subclass(Tracker):
        name = "sub"

        def init(self, image, box):
            pass

        def update(self, image):
            return [0, 0, 1, 1]

        def track(self, img_files, box):  # a native tracker with a got10k-like track stays native
            return None

    sub = Subclass()
    assert as_tracker(sub) is sub and sub.is_deterministic is True  # trackbench's Tracker base declares True


def test_got10k_base_declares_stochastic_and_undeclared_got10k_style_is_none():
    from got10k.trackers import Tracker as Got10kTracker

    class Plain(Got10kTracker):
        def __init__(self):
            super().__init__(name="Plain")  # got10k's default: is_deterministic=False

        def init(self, image, box):
            self.box = box

        def update(self, image):
            return self.box

    assert as_tracker(Plain()).is_deterministic is False

    class DuckTyped(MovingBoxGot10k):
        def __init__(self):
            super().__init__()
            del self.is_deterministic

    assert as_tracker(DuckTyped()).is_deterministic is None


def test_unknown_interface_is_a_clear_error():
    with pytest.raises(TrackbenchError, match="does not follow a known tracker interface"):
        as_tracker(object())


def test_registry_builds_adapters_from_module_specs():
    from trackbench.registry import create_tracker

    tracker = create_tracker("got10k.trackers:IdentityTracker")
    assert isinstance(tracker, Got10kAdapter) and tracker.name == "IdentityTracker"
    tracker = create_tracker(f"{__name__}:PysotStyle")
    assert isinstance(tracker, PysotAdapter)


def test_trackbench_run_with_a_module_class_spec(tmp_path, shared_data):
    from trackbench.cli import main

    out = tmp_path / "results"
    assert main(["run", "got10k.trackers:IdentityTracker", "--suite", "custom",
                 "--root", str(shared_data / "sequences" / "otb"), "--sequences", "Crossing",
                 "--out", str(out), "--no-progress"]) == 0
    boxes = np.loadtxt(out / "custom" / "IdentityTracker" / "Crossing.txt", delimiter=",")
    assert boxes.shape == (120, 4)
    np.testing.assert_array_equal(boxes, np.repeat(boxes[:1], 120, axis=0))
