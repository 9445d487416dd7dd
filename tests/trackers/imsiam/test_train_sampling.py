"""Pair sampling (mixing, frame range, negatives), crops/augmentations and the dataset items."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.trackers.imsiam.training.augment import AugmentParams, context_scale, crop_and_augment
from trackbench.trackers.imsiam.training.config import DataConfig
from trackbench.trackers.imsiam.training.dataset import PairDataset, StepSampler
from trackbench.trackers.imsiam.training.sampling import PairSampler, Source
from trackbench.trackers.imsiam.training.sources import Track


def _track(name: str, n: int, valid: list[bool] | None = None, value: int = 0) -> Track:
    images = [np.full((8, 8, 3), (value + i) % 256, dtype=np.uint8) for i in range(n)]
    boxes = np.tile([1.0, 1.0, 4.0, 4.0], (n, 1))
    boxes[:, 0] = np.arange(n)  # x encodes the frame index
    return Track(name, boxes, valid if valid is not None else [True] * n, images=images)


def test_positive_pairs_respect_frame_range_and_validity():
    valid = [i % 7 != 3 for i in range(300)]
    sampler = PairSampler([Source("video", [_track("v", 300, valid)])], frame_range=50, negative_prob=0.0)
    rng = np.random.default_rng(0)
    gaps = []
    for _ in range(400):
        pair = sampler.sample(rng)
        t, s = int(pair.template_box[0]), int(pair.search_box[0])
        assert valid[t] and valid[s]
        gaps.append(abs(t - s))
        assert not pair.negative
    assert max(gaps) <= 50 and max(gaps) >= 40  # the whole +-50 window is used


def test_mixing_ratios_and_negative_rate():
    sources = [Source(name, [_track(name, 3, value=v)], weight=w) for name, v, w in (("vid", 0, 1), ("got", 50, 1), ("lasot", 100, 1), ("coco", 150, 2))]
    sampler = PairSampler(sources, frame_range=50, negative_prob=0.2)
    rng = np.random.default_rng(1)
    pairs = [sampler.sample(rng) for _ in range(4000)]
    shares = {name: np.mean([p.template_source == name for p in pairs]) for name in ("vid", "got", "lasot", "coco")}
    assert shares["coco"] == pytest.approx(0.4, abs=0.03)
    assert shares["vid"] == pytest.approx(0.2, abs=0.03)
    negatives = [p for p in pairs if p.negative]
    assert len(negatives) / len(pairs) == pytest.approx(0.2, abs=0.02)
    # A negative's search target comes from a source drawn again: mostly a different one.
    other = np.mean([p.search_source != p.template_source for p in negatives])
    assert other == pytest.approx(1 - (0.2**2 * 3 + 0.4**2), abs=0.05)
    assert all(p.search_source == p.template_source for p in pairs if not p.negative)


def test_sampler_rejects_empty_sources():
    from trackbench.errors import TrackbenchError

    with pytest.raises(TrackbenchError, match="no usable track"):
        PairSampler([Source("empty", [])])


def _scene(box: tuple[int, int, int, int], size=(200, 300)) -> np.ndarray:
    image = np.zeros((*size, 3), dtype=np.uint8)
    x, y, w, h = box
    image[y : y + h, x : x + w] = (255, 0, 0)  # red target (RGB)
    return image


def test_crop_without_augmentation_centres_and_scales_the_target():
    box = np.array([100.0, 60.0, 40.0, 20.0])
    image = _scene((100, 60, 40, 20))
    s_z, scale_z = context_scale(box)
    assert s_z == pytest.approx(np.sqrt((40 + 30) * (20 + 30)))
    rng = np.random.default_rng(0)
    crop, out = crop_and_augment(image, box, 127, AugmentParams(), rng)
    assert crop.shape == (127, 127, 3) and crop.dtype == np.float32
    w, h = 40 * scale_z, 20 * scale_z
    np.testing.assert_allclose(out, [63 - w / 2, 63 - h / 2, 63 + w / 2, 63 + h / 2], atol=1e-9)
    # The red target is in channel 2 (BGR) and fills the box (+-1.5 px of resampling).
    red = crop[:, :, 2] > 128
    ys, xs = np.nonzero(red)
    assert abs(xs.min() - out[0]) < 1.5 and abs(xs.max() + 1 - out[2]) < 1.5
    assert abs(ys.min() - out[1]) < 1.5 and abs(ys.max() + 1 - out[3]) < 1.5
    assert crop[:, :, 0].max() < 1  # no blue anywhere
    search, sbox = crop_and_augment(image, box, 255, AugmentParams(), rng)
    np.testing.assert_allclose((sbox[0] + sbox[2]) / 2, 127, atol=1e-9)
    np.testing.assert_allclose(sbox[2] - sbox[0], w, atol=1e-9)  # same scale in the search crop


def test_shift_scale_and_flip_move_the_box_with_the_pixels():
    box = np.array([100.0, 60.0, 40.0, 20.0])
    image = _scene((100, 60, 40, 20))
    rng = np.random.default_rng(3)
    for _ in range(5):
        crop, out = crop_and_augment(image, box, 255, AugmentParams(shift=64, scale=0.18, flip=1.0), rng)
        ys, xs = np.nonzero(crop[:, :, 2] > 128)
        # pysot's flip maps x to W - 1 - x: one pixel left of the exact mirror of the extent.
        assert abs(xs.min() - (out[0] + 1)) < 2 and abs(xs.max() + 1 - (out[2] + 1)) < 2
        assert abs(ys.min() - out[1]) < 2 and abs(ys.max() + 1 - out[3]) < 2


def test_gray_colour_and_blur():
    image = _scene((100, 60, 40, 20))
    box = np.array([100.0, 60.0, 40.0, 20.0])
    gray, _ = crop_and_augment(image, box, 127, AugmentParams(), np.random.default_rng(0), gray=True)
    assert np.array_equal(gray[:, :, 0], gray[:, :, 1]) and np.array_equal(gray[:, :, 1], gray[:, :, 2])
    plain, _ = crop_and_augment(image, box, 127, AugmentParams(), np.random.default_rng(0))
    coloured, _ = crop_and_augment(image, box, 127, AugmentParams(color=1.0), np.random.default_rng(0))
    offset = plain - coloured  # one constant offset per channel
    assert np.allclose(offset, offset[0, 0], atol=1e-3) and np.abs(offset[0, 0]).max() > 0
    blurred, _ = crop_and_augment(image, box, 127, AugmentParams(blur=1.0), np.random.default_rng(0))
    assert blurred.sum() == pytest.approx(plain.sum(), rel=0.05)  # the kernel sums to 1
    assert np.abs(blurred - plain).max() > 10


def test_dataset_items_are_reproducible_and_labelled():
    tracks = [Track("t", np.tile([100.0, 60.0, 40.0, 20.0], (5, 1)), [True] * 5, images=[_scene((100, 60, 40, 20))] * 5)]
    cfg = DataConfig(samples_per_epoch=8)
    dataset = PairDataset(PairSampler([Source("s", tracks)], negative_prob=0.0), cfg, seed=4)
    item = dataset[3]
    assert item["template"].shape == (3, 127, 127) and item["search"].shape == (3, 255, 255)
    assert item["cls"].shape == (29, 29) and item["reg"].shape == (4, 29, 29)
    assert (item["cls"] == 1).sum() > 0
    again = dataset[3]
    assert all(np.array_equal(item[k].numpy(), again[k].numpy()) for k in item)
    dataset.set_epoch(1)
    assert not np.array_equal(dataset[3]["search"].numpy(), item["search"].numpy())


def test_step_sampler_splits_global_batches_between_ranks():
    r0 = list(StepSampler(3, 4, rank=0, world=2, start_step=1))
    r1 = list(StepSampler(3, 4, rank=1, world=2, start_step=1))
    assert r0 == [4, 5, 8, 9] and r1 == [6, 7, 10, 11]
    assert len(StepSampler(3, 4)) == 12
