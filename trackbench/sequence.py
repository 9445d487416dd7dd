"""`Sequence` and `Dataset`: what every dataset reader produces and every protocol consumes.

A sequence can exist without its images: annotations alone are enough to evaluate.
Ground truth is stored as read from the annotation file, frame ``i`` (0-based) of the
evaluated range being row ``i``. See :mod:`trackbench` for the box convention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.names import check_name

_SEPARATORS = re.compile(r"[-._\s]+")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[-._\s]+(?=\d)")


def normalize_name(name: str) -> str:
    """Key used to match sequence names across toolkits' naming styles.

    Case-insensitive and blind to ``-``, ``.``, ``_`` and spaces, so ``Jogging-1``,
    ``Jogging.1``, ``jogging_1`` and ``Jogging1`` all match. A separator between two digits
    is kept (as ``#``): UAV123 has both ``car1_1`` and ``car11``, ``Skating2.1`` = ``Skating2-1``.
    """
    return _SEPARATORS.sub("", _BETWEEN_DIGITS.sub("#", name)).lower()


@dataclass
class Sequence:
    """One evaluated target track.

    Attributes:
        name: canonical name (the result-file stem, e.g. ``Jogging-1``, ``airplane-1``); a single
            path component (:func:`trackbench.names.check_name`), checked here for every reader.
        ground_truth: ``(N, 4)`` boxes ``[x, y, w, h]`` or ``(N, 8)`` polygons (VOT);
            rows may be NaN where the benchmark has no annotation (GOT-10k test).
        frames: ``N`` image paths (may not exist on disk: evaluation needs none).
        absent: ``(N,)`` bool, True where the target is absent (LaSOT full occlusion or
            out of view, GOT-10k ``absence.label``); ``None`` if the benchmark has no such flag.
        cover: ``(N,)`` int GOT-10k visibility level 0..8, or ``None``.
        tags: per-frame bool arrays by tag name (VOT: ``camera_motion`` ...).
        attributes: per-sequence attribute flags by name (OTB: ``IV`` ..., LaSOT: ``POC`` ...).
        image_size: ``(width, height)`` in pixels, or ``None`` if unknown.
        start_frame: 1-based number of the first evaluated image in the original video.
        annotation_path: the file the ground truth came from (for error messages).
        meta: any further per-sequence metadata (GOT-10k ``meta_info.ini`` fields ...).
        language: the natural-language description of the target (TNL2K ``language.txt``,
            LaSOT ``nlp.txt``), for vision-language trackers; ``None`` if the benchmark has none.
        aliases: other names the peers give this sequence's result file (pytracking writes
            ``uav_bird1_2.txt``, ``nfs_Gymnastics.txt``, ``tpl_Skating2.txt``).
    """

    name: str
    ground_truth: np.ndarray
    frames: list[Path] = field(default_factory=list)
    absent: np.ndarray | None = None
    cover: np.ndarray | None = None
    tags: dict[str, np.ndarray] = field(default_factory=dict)
    attributes: dict[str, bool] = field(default_factory=dict)
    image_size: tuple[int, int] | None = None
    start_frame: int = 1
    annotation_path: Path | None = None
    meta: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_name(self.name, "sequence name", self.annotation_path)  # it becomes a result file name
        self.ground_truth = np.asarray(self.ground_truth, dtype=np.float64)
        if self.ground_truth.ndim != 2 or self.ground_truth.shape[1] not in (4, 8):
            raise TrackbenchError(
                f"sequence {self.name!r}: ground truth must be N x 4 or N x 8, got {self.ground_truth.shape}",
                self.annotation_path,
            )
        if self.frames and len(self.frames) != len(self.ground_truth):
            raise TrackbenchError(
                f"sequence {self.name!r}: {len(self.frames)} images but {len(self.ground_truth)} ground-truth rows",
                self.annotation_path,
            )

    def __len__(self) -> int:
        return len(self.ground_truth)

    @property
    def missing_gt(self) -> np.ndarray:
        """``(N,)`` bool: rows without a box (NaN; ``inf`` is read as NaN). UAV123 marks
        absent targets so; evaluation treats them as invalid frames (see
        :mod:`trackbench.metrics.ope`). Independent of :attr:`absent` (LaSOT/GOT-10k flags)."""
        return np.isnan(self.ground_truth).any(axis=1)

    @property
    def is_polygon(self) -> bool:
        return self.ground_truth.shape[1] == 8

    def has_images(self) -> bool:
        """True when every frame path exists (checked on the first and last frame)."""
        return bool(self.frames) and self.frames[0].is_file() and self.frames[-1].is_file()

    def image(self, index: int) -> np.ndarray:
        """Frame ``index`` (0-based) as an RGB uint8 ``(H, W, 3)`` array."""
        from trackbench.imageio import read_rgb

        if not self.frames:
            raise TrackbenchError(f"sequence {self.name!r} has no image files", self.annotation_path)
        return read_rgb(self.frames[index])


@dataclass
class Dataset:
    """A named, ordered collection of sequences with name lookup across naming styles."""

    name: str
    sequences: list[Sequence]
    root: Path | None = None

    def __post_init__(self) -> None:
        self._index: dict[str, Sequence] = {}
        for seq in self.sequences:
            key = normalize_name(seq.name)
            if key in self._index:
                raise TrackbenchError(
                    f"dataset {self.name!r}: sequences {self._index[key].name!r} and {seq.name!r} have the same name",
                    self.root,
                )
            self._index[key] = seq

    def __len__(self) -> int:
        return len(self.sequences)

    def __iter__(self) -> Iterator[Sequence]:
        return iter(self.sequences)

    def __getitem__(self, name: str) -> Sequence:
        seq = self.get(name)
        if seq is None:
            raise TrackbenchError(f"dataset {self.name!r} has no sequence {name!r}", self.root)
        return seq

    def get(self, name: str) -> Sequence | None:
        """The sequence whose normalised name matches ``name``, or ``None``."""
        return self._index.get(normalize_name(name))

    def subset(self, names: list[str]) -> "Dataset":
        """A dataset with only the named sequences, in the given order."""
        return Dataset(self.name, [self[n] for n in names], self.root)

    @property
    def total_frames(self) -> int:
        return sum(len(s) for s in self.sequences)
