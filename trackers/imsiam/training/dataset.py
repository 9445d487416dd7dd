"""The training ``torch.utils.data.Dataset``: index -> augmented pair with its targets.

Sample ``index`` of epoch ``epoch`` is a pure function of ``(seed, epoch, index)`` (its own
``numpy`` generator), so the data order does not depend on the number of loader workers
or processes, and resuming at a step just means starting at the right index.
"""

from __future__ import annotations

import numpy as np
import torch

from trackbench.trackers.imsiam.training.augment import crop_and_augment
from trackbench.trackers.imsiam.training.config import DataConfig, SourceConfig
from trackbench.trackers.imsiam.training.labels import point_targets
from trackbench.trackers.imsiam.training.sampling import PairSampler, Source
from trackbench.trackers.imsiam.training import sources as readers


def load_source(cfg: SourceConfig) -> Source:
    """Read one configured source into memory (annotations; images stay on disk)."""
    if cfg.kind == "coco":
        tracks = readers.read_coco(cfg.root, cfg.split or "train2017")
    elif cfg.kind == "vid":
        tracks = readers.read_vid(cfg.root, cfg.split or "train")
    elif cfg.kind == "got10k":
        tracks = readers.read_got10k_train(cfg.root)
    elif cfg.kind == "lasot":
        tracks = readers.read_lasot_train(cfg.root, cfg.sequences or None)
    elif cfg.kind == "suite":
        from trackbench.suites import get_suite

        dataset = get_suite(cfg.suite).load(cfg.root or None, cfg.sequences or None)
        tracks = readers.tracks_from_dataset(dataset)
    else:
        tracks = readers.synthetic_tracks(
            cfg.count, cfg.seed, length=cfg.length, difficulty=cfg.difficulty, jpeg_quality=cfg.jpeg_quality,
            aspect=tuple(cfg.aspect) if cfg.aspect else None, figures=tuple(cfg.figures) or None,
        )
    return Source(name=cfg.kind if cfg.kind != "suite" else cfg.suite, tracks=tracks, weight=cfg.weight)


class PairDataset(torch.utils.data.Dataset):
    """``samples_per_epoch`` augmented pairs; call :meth:`set_epoch` before each epoch.

    Items are dicts of tensors: ``template`` (3,127,127) and ``search`` (3,255,255) BGR float
    0-255; ``template_box`` (4,) corners in template pixels; ``cls`` (S,S) int64; ``reg``
    (4,S,S); ``cen`` (S,S); ``negative`` () bool."""

    def __init__(self, sampler: PairSampler, cfg: DataConfig, seed: int):
        self.sampler = sampler
        self.cfg = cfg
        self.seed = int(seed)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.cfg.samples_per_epoch

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return self.make_item(self.epoch, int(index))

    def make_item(self, epoch: int, index: int) -> dict[str, torch.Tensor]:
        cfg = self.cfg
        rng = np.random.default_rng([self.seed, epoch, index])
        pair = self.sampler.sample(rng)
        gray = cfg.gray_prob > rng.random()
        kwargs = dict(gray=gray, context_size=cfg.context_size, exemplar_size=cfg.template_size)
        template, t_box = crop_and_augment(pair.template_image, pair.template_box, cfg.template_size, cfg.template_augment, rng, **kwargs)
        search, s_box = crop_and_augment(pair.search_image, pair.search_box, cfg.search_size, cfg.search_augment, rng, **kwargs)
        targets = point_targets(
            s_box, pair.negative, size=cfg.score_size, stride=cfg.stride, offset=cfg.offset, radius=cfg.positive_radius,
            zero_center_no_gt=cfg.zero_center_no_gt,
        )
        return {
            "template": torch.from_numpy(np.ascontiguousarray(template.transpose(2, 0, 1))),
            "search": torch.from_numpy(np.ascontiguousarray(search.transpose(2, 0, 1))),
            "template_box": torch.from_numpy(t_box.astype(np.float32)),
            "search_box": torch.from_numpy(s_box.astype(np.float32)),
            "cls": torch.from_numpy(targets.cls),
            "reg": torch.from_numpy(targets.reg),
            "cen": torch.from_numpy(targets.cen),
            "negative": torch.tensor(pair.negative),
        }


class StepSampler(torch.utils.data.Sampler):
    """Indices of this process for steps ``start_step..`` of an epoch.

    Global step ``s`` covers sample indices ``[s * B, (s + 1) * B)`` (``B`` = global batch);
    rank ``r`` of ``W`` takes the ``r``-th contiguous slice of ``B / W`` of them."""

    def __init__(self, steps_per_epoch: int, global_batch: int, rank: int = 0, world: int = 1, start_step: int = 0):
        self.steps = steps_per_epoch
        self.global_batch = global_batch
        self.local = global_batch // world
        self.rank = rank
        self.start = start_step

    def __iter__(self):
        for step in range(self.start, self.steps):
            base = step * self.global_batch + self.rank * self.local
            yield from range(base, base + self.local)

    def __len__(self) -> int:
        return (self.steps - self.start) * self.local
