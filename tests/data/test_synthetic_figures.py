"""Synthetic target figures (trackbench/data/figures.py): shapes that do not fill their box."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.data.figures import FIGURES, WALKER_PHASES, make_figure, walker_masks
from trackbench.data.procedural import draw_sprite
from trackbench.data.synthetic import SyntheticSequenceSpec, random_spec, render, render_sequence
from trackbench.errors import TrackbenchError
from trackbench.trackers.imsiam.training.config import train_config_from_dict

PALETTE = np.array([[40.0, 40, 40], [120, 120, 120], [220, 220, 220]])


def _walker_phase(phase: int):
    masks = walker_masks(np.random.default_rng(3))
    assert len(masks) == WALKER_PHASES
    return masks[phase]


FIXED_SHAPES = [(k, None) for k in FIGURES if k not in ("box", "walker")]


@pytest.mark.parametrize("kind, phase", FIXED_SHAPES + [("walker", k) for k in range(WALKER_PHASES)])
def test_a_figure_is_bounded_by_its_box_but_does_not_fill_it(kind, phase):
    texture, mask = make_figure(np.random.default_rng(3), kind, PALETTE)
    if kind == "walker":  # one mask per gait phase, each bounded by the box
        assert mask is None
        mask = _walker_phase(phase)
    assert texture.shape == (64, 64, 3) and mask.shape == (64, 64)
    # drawn on an empty canvas, the pixels it covers span exactly the box, as an annotation would
    canvas = np.zeros((120, 160, 3))
    draw_sprite(canvas, np.full((64, 64, 3), 255.0), (80.0, 60.0), (40.0, 90.0), 0.0, corner=0.0, mask=mask)
    rows, cols = np.nonzero(canvas[..., 0] > 127)
    assert (cols.min(), cols.max() + 1, rows.min(), rows.max() + 1) == (60, 100, 15, 105)
    covered = float((canvas[15:105, 60:100, 0] > 127).mean())
    assert covered < 0.9  # background shows through between the parts


def test_figure_specs_take_their_aspect_and_no_rotation():
    for i in range(20):
        spec = random_spec(np.random.default_rng([8, i]), 30, (320, 240), 1.0, None, figures=("person", "vehicle"))
        ratio = spec.target_size[1] / spec.target_size[0]
        assert spec.rotation == 0.0
        assert (1.6 <= ratio <= 3.6) if spec.figure == "person" else (0.3 <= ratio <= 0.75)
    frames, boxes = render_sequence(np.random.default_rng([8, 0]), length=5, difficulty=0.5, figures=("person",))
    assert len(frames) == 5 and boxes.shape == (5, 4)


def test_bad_figures_are_refused():
    with pytest.raises(TrackbenchError, match="figure must be one of box, ellipse, person, vehicle, walker, got 'cat'"):
        SyntheticSequenceSpec(figure="cat")
    with pytest.raises(TrackbenchError, match="drawn without rotation"):
        SyntheticSequenceSpec(figure="person", rotation=10)
    with pytest.raises(TrackbenchError, match="unknown figure 'cat'"):
        random_spec(np.random.default_rng(0), figures=("cat",))
    with pytest.raises(TrackbenchError, match=r"data.sources.0.figures: 'cat' is not one of"):
        train_config_from_dict({"model": "imsiam_demo", "data": {"sources": [{"kind": "synthetic", "count": 1, "figures": ["cat"]}]}})


def test_rendered_person_sequence_is_deterministic():
    spec = SyntheticSequenceSpec(length=3, target_size=(24, 64), figure="person")
    a = render(np.random.default_rng(11), spec)
    b = render(np.random.default_rng(11), spec)
    assert all(np.array_equal(x, y) for x, y in zip(a.frames, b.frames))


def test_walker_legs_swing_and_its_companion_walks_beside_it():
    """The walker's masks differ between gait phases only below the waist; in a sequence with
    a distractor, the companion stays level with the target and at most 1.6 widths away."""
    masks = walker_masks(np.random.default_rng(5))
    changed = np.nonzero(np.any(masks[0] != masks[WALKER_PHASES // 4], axis=1))[0]
    assert changed.size and changed.min() >= 64 * 0.5 - 1  # rows of the legs only
    import dataclasses

    spec = SyntheticSequenceSpec(length=6, target_size=(24, 64), figure="walker", distractor=True, occluder=False,
                                 illumination=0.0, noise=0.0, camera_motion=0.0)
    alone = render(np.random.default_rng(9), dataclasses.replace(spec, distractor=False))
    paired = render(np.random.default_rng(9), spec)
    for k in range(spec.length):
        rows, cols = np.nonzero(np.abs(paired.frames[k].astype(int) - alone.frames[k]).sum(axis=2) > 30)
        x, y, w, h = paired.boxes[k]
        assert rows.size and rows.min() >= y - 0.2 * h and rows.max() <= y + 1.2 * h  # level with the target
        gap = max(x - cols.max(), cols.min() - (x + w))
        assert -0.3 * w <= gap <= 1.6 * w  # beside it, possibly overlapping a little
