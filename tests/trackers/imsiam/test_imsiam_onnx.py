"""IMSiam on ONNX Runtime: the same boxes as the eager torch model over a real sequence
(within 1e-3 px), exact=true unchanged, the exported graph cached by content."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.imageio import read_rgb
from trackbench.textio import read_table
from trackbench.trackers.imsiam.model.onnx_backend import onnxruntime_available
from trackbench.trackers.imsiam.tracker import IMSiamTracker

pytestmark = [pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.skipif(not onnxruntime_available(), reason="optional extra trackbench[onnx] not installed")]

FRAMES = 20


def track(tracker, images, box):
    tracker.init(images[0], box)
    return np.array([tracker.update(image)[0] for image in images[1:]])


@pytest.fixture(scope="module")
def couple(shared_data):
    root = shared_data / "sequences" / "otb" / "Couple"
    images = [read_rgb(p) for p in sorted((root / "img").glob("*.jpg"))[:FRAMES]]
    return images, read_table(root / "groundtruth_rect.txt", 4)[0]


def test_onnxruntime_boxes_equal_the_eager_model_on_a_real_sequence(couple, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", str(tmp_path))
    images, box = couple
    eager = track(IMSiamTracker(exact=True), images, box)  # bundled demo weights
    reference = track(IMSiamTracker(fold_bn=False, channels_last=False, backend="torch"), images, box)
    np.testing.assert_array_equal(eager, reference)  # exact=true: the eager path as before
    fast = IMSiamTracker(backend="onnxruntime")
    assert fast.backend == "onnxruntime" and fast.config_summary()["backend"] == "onnxruntime"
    boxes = track(fast, images, box)
    assert np.max(np.abs(boxes - eager)) < 1e-3
    assert not np.allclose(eager[0], eager[-1])  # the boxes move: a real comparison
    graphs = list((tmp_path / "onnx").glob("*.onnx"))
    assert len(graphs) == 1
    stamp = graphs[0].stat().st_mtime_ns
    again = track(IMSiamTracker(backend="onnxruntime"), images[:4], box)  # graph from the cache
    np.testing.assert_array_equal(again, boxes[:3])
    assert [g.stat().st_mtime_ns for g in (tmp_path / "onnx").glob("*.onnx")] == [stamp]


def test_backend_options():
    assert IMSiamTracker(exact=True).backend == "torch"
    assert IMSiamTracker().backend == "onnxruntime"  # auto, on the CPU with the extra installed
    with pytest.raises(TrackbenchError, match="contradicts exact=true"):
        IMSiamTracker(backend="onnxruntime", exact=True)
    with pytest.raises(TrackbenchError, match="backend"):
        IMSiamTracker(backend="tensorrt")
