"""Template/search pair sampling of the recipe (spec section 6).

* A source (dataset) is drawn with probability proportional to its weight (the paper's
  ``p = [1, 1, 1, 2]`` for VID, GOT-10k, LaSOT, COCO), then a track uniformly.
* Positive pair: the template frame is uniform over the track's valid frames; the search
  frame is uniform over the valid frames within ``+-frame_range`` frames of it (0-based
  frame indices of the video; a one-frame track such as a COCO annotation pairs with
  itself).
* Negative pair (probability ``negative_prob``): the template is a random target of the
  drawn source; the search is a random target of a source drawn again with the same
  weights.

Every random choice comes from the ``numpy.random.Generator`` passed in, so a pair is a
pure function of its seed (this is what makes data order resumable and identical for any
number of loader workers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.trackers.imsiam.training.sources import Track


@dataclass
class Source:
    """A named list of tracks and its mixing weight."""

    name: str
    tracks: list[Track]
    weight: float = 1.0


@dataclass
class Pair:
    """Template and search frames (RGB uint8) with their boxes ``[x, y, w, h]``."""

    template_image: np.ndarray
    template_box: np.ndarray
    search_image: np.ndarray
    search_box: np.ndarray
    negative: bool
    template_source: str
    search_source: str


class PairSampler:
    """Draws :class:`Pair` records from weighted sources (see module docstring)."""

    def __init__(self, sources: list[Source], frame_range: int = 50, negative_prob: float = 0.2):
        sources = [s for s in sources if s.weight > 0]
        if not sources:
            raise TrackbenchError("no training source with a positive weight")
        for source in sources:
            if not source.tracks:
                raise TrackbenchError(f"training source {source.name!r} has no usable track")
        self.sources = sources
        weights = np.array([s.weight for s in sources], dtype=np.float64)
        self.probabilities = weights / weights.sum()
        self.frame_range = int(frame_range)
        self.negative_prob = float(negative_prob)
        self._valid = [[t.valid_indices() for t in s.tracks] for s in sources]

    def _draw_source(self, rng: np.random.Generator) -> int:
        return int(rng.choice(len(self.sources), p=self.probabilities))

    def _random_target(self, source_index: int, rng: np.random.Generator) -> tuple[Track, int]:
        tracks = self.sources[source_index].tracks
        t = int(rng.integers(len(tracks)))
        frames = self._valid[source_index][t]
        return tracks[t], int(frames[rng.integers(len(frames))])

    def template_search_frames(self, source_index: int, rng: np.random.Generator) -> tuple[Track, int, int]:
        """A track of the source and a positive (template, search) frame pair of it."""
        tracks = self.sources[source_index].tracks
        t = int(rng.integers(len(tracks)))
        frames = self._valid[source_index][t]
        template = int(frames[rng.integers(len(frames))])
        near = frames[np.abs(frames - template) <= self.frame_range]
        search = int(near[rng.integers(len(near))])
        return tracks[t], template, search

    def sample(self, rng: np.random.Generator) -> Pair:
        source = self._draw_source(rng)
        negative = self.negative_prob > rng.random()
        if negative:
            t_track, t_frame = self._random_target(source, rng)
            other = self._draw_source(rng)
            s_track, s_frame = self._random_target(other, rng)
        else:
            other = source
            t_track, t_frame, s_frame = self.template_search_frames(source, rng)
            s_track = t_track
        return Pair(
            template_image=t_track.image(t_frame),
            template_box=t_track.boxes[t_frame].copy(),
            search_image=s_track.image(s_frame),
            search_box=s_track.boxes[s_frame].copy(),
            negative=negative,
            template_source=self.sources[source].name,
            search_source=self.sources[other].name,
        )
