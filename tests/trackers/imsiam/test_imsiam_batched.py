"""IMSiam batched stepping (issue 9): ``init_batch`` / ``update_batch`` give the boxes of
the unbatched tracker, with one network forward per step over the slots still running."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from trackbench.errors import TrackbenchError
from trackbench.execution.batched import run_batched, supports_batches
from trackbench.protocols.ope import run_one_pass
from trackbench.sequence import Sequence
from trackbench.textio import read_table
from trackbench.trackers.imsiam.tracker import IMSiamTracker

LATE_START = 40  # a third slot: Couple from its 41st frame (100 frames)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def otb_sequence(root, name: str, start: int = 0) -> Sequence:
    folder = root / "sequences" / "otb" / name
    path = folder / "groundtruth_rect.txt"
    frames = sorted((folder / "img").glob("*.jpg"))
    return Sequence(f"{name}-{start}", read_table(path, 4)[start:], frames[start:], annotation_path=path)


@pytest.fixture(scope="module")
def sequences(shared_data) -> list[Sequence]:
    """Three slots of different lengths (100, 120, 140 frames): the shortest first, so the
    slots still running after a drop are not a prefix of the batch."""
    return [
        otb_sequence(shared_data, "Couple", LATE_START),
        otb_sequence(shared_data, "Crossing"),
        otb_sequence(shared_data, "Couple"),
    ]


@pytest.fixture(scope="module")
def tracker() -> IMSiamTracker:
    return IMSiamTracker(backend="torch")  # the bundled demo checkpoint; the batch goes through model.track


@pytest.fixture(scope="module")
def unbatched(tracker, sequences):
    """The reference: each sequence on its own through the one-pass protocol."""
    return [run_one_pass(tracker, seq) for seq in sequences]


def test_update_batch_equals_update_on_real_sequences(tracker, sequences, unbatched):
    assert tracker.checkpoint is not None and tracker.checkpoint.name == "imsiam_demo.safetensors"
    assert supports_batches(tracker)
    images = [[seq.image(i) for i in range(len(seq))] for seq in sequences]
    forward_batch_sizes = []
    track = tracker.model.track

    def recording_track(search_images, template):
        forward_batch_sizes.append(search_images.shape[0])
        assert all(t.kernel.shape[0] == search_images.shape[0] for t in template)
        return track(search_images, template)

    tracker.model.track = recording_track
    try:
        tracker.init_batch([frames[0] for frames in images], [seq.ground_truth[0] for seq in sequences])
        boxes = [[seq.ground_truth[0]] for seq in sequences]
        scores = [[math.nan] for _ in sequences]
        for step in range(1, max(len(seq) for seq in sequences)):
            out = tracker.update_batch([frames[step] if step < len(frames) else None for frames in images])
            assert len(out) == len(sequences)
            for i, frames in enumerate(images):
                if step < len(frames):
                    boxes[i].append(out[i][0])
                    scores[i].append(out[i][1])
                else:
                    assert out[i] is None
    finally:
        del tracker.model.track  # back to the class method
    lengths = [len(seq) for seq in sequences]
    assert lengths == [100, 120, 140]
    expected_sizes = [3] * 99 + [2] * 20 + [1] * 20  # one forward per step over the running slots
    assert forward_batch_sizes == expected_sizes
    for reference, got, got_scores in zip(unbatched, boxes, scores):
        np.testing.assert_allclose(np.array(got), reference.boxes, rtol=1e-3, atol=1e-3)
        np.testing.assert_allclose(got_scores[1:], reference.scores[1:], rtol=1e-3, atol=1e-5)
    # the real tracker actually moves (not a trivial comparison of constant boxes)
    assert np.ptp(unbatched[1].boxes[:, 0]) > 20


def test_run_batched_matches_run_one_pass(tracker, sequences, unbatched):
    trajectories = run_batched(tracker, sequences)
    assert len(trajectories) == len(sequences)
    for seq, reference, got in zip(sequences, unbatched, trajectories):
        assert got.boxes.shape == (len(seq), 4)
        np.testing.assert_allclose(got.boxes, reference.boxes, rtol=1e-3, atol=1e-3)
        np.testing.assert_allclose(got.scores[1:], reference.scores[1:], rtol=1e-3, atol=1e-5)
        assert np.all(np.isfinite(got.times)) and np.all(got.times > 0)


def fake_track_with_peaks(peaks: list[tuple[int, int, list[float]]]):
    """A fake network: slot k has its score peak at (row, col) and regression l, t, r, b."""

    def track(search_images, template):
        assert search_images.shape[1:] == (3, 255, 255) and search_images.shape[0] == len(peaks)
        batch = len(peaks)
        cls = torch.zeros(batch, 2, 29, 29)
        reg = torch.ones(batch, 4, 29, 29)
        for k, (row, col, ltrb) in enumerate(peaks):
            cls[k, 1, row, col] = 5.0
            reg[k, :, row, col] = torch.tensor(ltrb)
        iou = torch.full((batch, 1, 29, 29), -2.0)
        return [{"cls": cls, "cen": torch.zeros(batch, 1, 29, 29), "reg": reg, "iou": iou}] * 3

    return track


def expected_step(box, row: int, col: int, ltrb: list[float], gamma: float) -> np.ndarray:
    """Hand decoding (spec section 7) of a peak for a track initialised with ``box``."""
    x, y, w, h = box
    cx, cy = x + (w - 1) / 2, y + (h - 1) / 2
    scale_z = 127 / math.sqrt((w + (w + h) / 2) * (h + (w + h) / 2))
    loc_x, loc_y = cx + (col - 14) * 8 / scale_z, cy + (row - 14) * 8 / scale_z
    left, top, right, bottom = (v / scale_z for v in ltrb)
    new_cx, new_cy = loc_x + (right - left) / 2, loc_y + (bottom - top) / 2
    new_w = (1 - gamma) * w + gamma * (left + right)
    new_h = (1 - gamma) * h + gamma * (top + bottom)
    return np.array([new_cx - new_w / 2, new_cy - new_h / 2, new_w, new_h])


@pytest.mark.parametrize("rule", ["paper", "code"])
def test_each_slot_decodes_its_own_map(rule):
    """Two slots, different boxes and peaks; then slot 0 ends and slot 1 goes on alone."""
    tracker = IMSiamTracker(config="imsiam_small", random_init=True, window_influence=0.0, scale_lr=0.25, score=rule, backend="torch")
    image = np.full((300, 400, 3), 90, np.uint8)
    boxes = [np.array([100.0, 80.0, 40.0, 60.0]), np.array([250.0, 150.0, 60.0, 30.0])]
    tracker.init_batch([image, image], boxes)
    peaks = [(16, 11, [20.0, 10.0, 30.0, 40.0]), (9, 20, [25.0, 15.0, 35.0, 12.0])]
    tracker.model.track = fake_track_with_peaks(peaks)
    out = tracker.update_batch([image, image])
    peak_score = 1 / (1 + math.exp(-5)) * 0.5 * (1 / (1 + math.exp(2)) if rule == "paper" else 1.0)
    for (box, score), start, (row, col, ltrb) in zip(out, boxes, peaks):
        np.testing.assert_allclose(box, expected_step(start, row, col, ltrb, 0.25), rtol=1e-9)
        assert abs(score - peak_score) < 1e-6
    tracker.model.track = fake_track_with_peaks(peaks[1:])
    dropped, (box, _) = tracker.update_batch([None, image])
    assert dropped is None
    x, y, w, h = out[1][0]  # the state after the first step: centre cx = x + w / 2
    np.testing.assert_allclose(box, expected_step([x + 0.5, y + 0.5, w, h], *peaks[1], 0.25), rtol=1e-9)
    assert tracker.update_batch([None, None]) == [None, None]


def test_batch_errors():
    tracker = IMSiamTracker(config="imsiam_small", random_init=True)
    image = np.zeros((60, 80, 3), np.uint8)
    box = np.array([10.0, 10.0, 20.0, 20.0])
    with pytest.raises(TrackbenchError, match="before init"):
        tracker.update_batch([image])
    with pytest.raises(TrackbenchError, match="as many boxes"):
        tracker.init_batch([image, image], [box])
    with pytest.raises(TrackbenchError, match="w, h > 0"):
        tracker.init_batch([image, image], [box, np.array([1.0, 1.0, 5.0, np.nan])])
    with pytest.raises(TrackbenchError, match="RGB uint8"):
        tracker.init_batch([image, image.astype(np.float32)], [box, box])
    tracker.init_batch([image, image], [box, box])
    with pytest.raises(TrackbenchError, match="2 tracks; use update_batch"):
        tracker.update(image)
    with pytest.raises(TrackbenchError, match="3 images for 2 tracks"):
        tracker.update_batch([image, image, image])
