"""Target figures of the synthetic sequences: shapes made of parts, over the target's box.

A figure is a texture and a mask on a square grid that is stretched over the target's box
(``u`` = 0..1 left to right, ``v`` = 0..1 top to bottom, sample ``i`` at ``(i + 0.5) / size``).
Every figure's mask reaches all four sides of the grid, so the box stays the axis-aligned
bounding box of what is drawn, the way a real annotation bounds an object that does not
fill its box (a walking person's head, arms and legs, a car's cabin and wheels), with the
background showing through between the parts.

* ``box``: no mask (the rounded rectangle of :func:`~trackbench.data.procedural.draw_sprite`);
* ``ellipse``: the inscribed ellipse;
* ``person``: head, torso, two arms and two legs, three palettes (head, clothes top, legs);
* ``vehicle``: body, a narrower cabin with darker windows, two wheels;
* ``walker``: a person whose legs swing frame by frame (:func:`walker_masks`, one mask per
  phase of the gait), in muted clothes (low saturation, dark to mid brightness, as real
  pedestrians are), with a companion walking beside it when the sequence has a distractor.

Elementwise IEEE arithmetic only (``sqrt`` and polynomials), as in
:mod:`trackbench.data.procedural`, so a seed gives the same pixels everywhere.
"""

from __future__ import annotations

import numpy as np

from trackbench.data.procedural import colorize, fractal_noise, make_palette, make_target_texture

FIGURES = ("box", "ellipse", "person", "vehicle", "walker")
#: Phases of the walker's gait (one mask each, :func:`walker_masks`).
WALKER_PHASES = 8


class _Grid:
    def __init__(self, size: int):
        self.size = size
        self.v, self.u = (np.mgrid[0:size, 0:size] + 0.5) / size

    def rect(self, u0: float, v0: float, u1: float, v1: float) -> np.ndarray:
        inside = np.minimum(np.minimum(self.u - u0, u1 - self.u), np.minimum(self.v - v0, v1 - self.v))
        return np.clip(inside * self.size + 0.5, 0.0, 1.0)

    def ellipse(self, cu: float, cv: float, ru: float, rv: float) -> np.ndarray:
        d = np.sqrt(((self.u - cu) / ru) ** 2 + ((self.v - cv) / rv) ** 2)
        return np.clip((1.0 - d) * min(ru, rv) * self.size + 0.5, 0.0, 1.0)


def _union(*masks: np.ndarray) -> np.ndarray:
    out = masks[0]
    for mask in masks[1:]:
        out = np.maximum(out, mask)
    return out


def _bands(grid: _Grid, textures: list[np.ndarray], edges: list[float]) -> np.ndarray:
    """Rows ``v < edges[0]`` from ``textures[0]``, then ``textures[1]`` up to ``edges[1]``, ..."""
    out = textures[-1].copy()
    for texture, edge in zip(reversed(textures[:-1]), reversed(edges)):
        rows = grid.v[:, 0] < edge
        out[rows] = texture[rows]
    return out


def _noise_texture(rng: np.random.Generator, size: int, hue: float, saturation: float, value: tuple[float, float]) -> np.ndarray:
    palette = make_palette(rng, hue, 3, saturation, value)
    return colorize(fractal_noise(rng, size, size, cell=size / 4.0, octaves=3), palette)


def make_figure(rng: np.random.Generator, kind: str, palette: np.ndarray, size: int = 64) -> tuple[np.ndarray, np.ndarray | None]:
    """``(texture, mask)`` of a figure: texture float64 RGB 0..255 ``(size, size, 3)``,
    mask in [0, 1] ``(size, size)`` (``None`` for ``box``; for ``walker`` too: its masks change
    per frame, see :func:`walker_masks`). ``palette`` colours the main part (not the walker's,
    whose clothes are muted)."""
    if kind not in FIGURES:
        raise ValueError(f"unknown figure {kind!r} (choose from {', '.join(FIGURES)})")
    stripes = (rng.uniform(1.0, 4.0), rng.uniform(-2.0, 2.0), rng.uniform(0.1, 0.5))
    main = make_target_texture(rng, palette, stripes, size)
    if kind == "box":
        return main, None
    grid = _Grid(size)
    if kind == "ellipse":
        return main, grid.ellipse(0.5, 0.5, 0.5, 0.5)
    if kind == "person":
        head_v = rng.uniform(0.08, 0.12)  # head half-height (box heights are ~3x the width)
        head_u = rng.uniform(0.16, 0.26)
        waist = rng.uniform(0.5, 0.6)
        stride = rng.uniform(0.0, 0.12)  # legs apart while walking
        mask = _union(
            grid.ellipse(0.5 + rng.uniform(-0.08, 0.08), head_v, head_u, head_v),
            grid.rect(0.12, 2 * head_v * 0.9, 0.88, waist + 0.04),
            grid.rect(0.0, 2 * head_v + 0.02, 0.13, waist - rng.uniform(0.0, 0.08)),
            grid.rect(0.87, 2 * head_v + 0.02, 1.0, waist - rng.uniform(0.0, 0.08)),
            grid.rect(0.16 - stride, waist, 0.47, 1.0),
            grid.rect(0.53, waist, 0.84 + stride, 1.0),
        )
        skin = _noise_texture(rng, size, rng.uniform(0.02, 0.1), rng.uniform(0.2, 0.6), (0.3, 0.95))
        legs = _noise_texture(rng, size, rng.random(), rng.uniform(0.1, 0.6), (0.05, rng.uniform(0.3, 0.8)))
        return _bands(grid, [skin, main, legs], [2 * head_v, waist]), mask
    if kind == "walker":
        return walker_texture(rng, size), None
    cabin_top = rng.uniform(0.3, 0.42)  # vehicle
    front = rng.uniform(0.15, 0.3)
    mask = _union(
        grid.rect(0.0, cabin_top, 1.0, 0.84),
        grid.rect(front, 0.0, front + rng.uniform(0.4, 0.6), cabin_top + 0.02),
        grid.ellipse(0.22, 0.84, 0.11, 0.16),
        grid.ellipse(0.78, 0.84, 0.11, 0.16),
    )
    windows = main * rng.uniform(0.25, 0.5)
    tyres = _noise_texture(rng, size, rng.random(), 0.1, (0.03, 0.2))
    return _bands(grid, [windows, main, tyres], [cabin_top, 0.78]), mask


def walker_texture(rng: np.random.Generator, size: int = 64) -> np.ndarray:
    """The walker's texture: skin, a muted top (saturation 0.05-0.5, brightness 0.15-0.9) and
    dark trousers, in horizontal bands (head above 0.2, top down to 0.55)."""
    top_hue = rng.random()
    top_palette = make_palette(rng, top_hue, 3, rng.uniform(0.05, 0.5), (rng.uniform(0.1, 0.3), rng.uniform(0.5, 0.9)))
    stripes = (rng.uniform(1.0, 4.0), rng.uniform(-2.0, 2.0), rng.uniform(0.05, 0.3))
    top = make_target_texture(rng, top_palette, stripes, size)
    skin = _noise_texture(rng, size, rng.uniform(0.02, 0.1), rng.uniform(0.2, 0.6), (0.3, 0.9))
    legs = _noise_texture(rng, size, rng.random(), rng.uniform(0.05, 0.4), (0.03, rng.uniform(0.2, 0.55)))
    return _bands(_Grid(size), [skin, top, legs], [0.2, 0.55])


def walker_masks(rng: np.random.Generator, size: int = 64, phases: int = WALKER_PHASES) -> list[np.ndarray]:
    """Masks of a walking person over one gait cycle, ``phases`` of them.

    Head, torso and arms are fixed; the two legs (from the waist to the bottom) swing: at
    phase ``k`` their feet are ``stride * g(k)`` apart from the hips' line, in opposite
    directions, drawn as steps of short rectangles; ``g`` is the triangle wave of period
    ``phases`` between -1 and 1 (exact arithmetic, like the rest of this module). Every mask reaches the grid's
    four sides (the arms touch left and right, the head the top, the feet the bottom), so the
    box stays the bounding box of the figure in every frame.
    """
    grid = _Grid(size)
    head_v = rng.uniform(0.08, 0.11)
    head_u = rng.uniform(0.16, 0.24)
    waist = rng.uniform(0.5, 0.58)
    stride = rng.uniform(0.12, 0.3)
    leg_u = rng.uniform(0.1, 0.16)  # half-width of a leg
    arm_end = waist - rng.uniform(0.0, 0.08)
    upper = _union(
        grid.ellipse(0.5 + rng.uniform(-0.06, 0.06), head_v, head_u, head_v),
        grid.rect(0.14, 2 * head_v * 0.9, 0.86, waist + 0.04),
        grid.rect(0.0, 2 * head_v + 0.02, 0.15, arm_end),
        grid.rect(0.85, 2 * head_v + 0.02, 1.0, arm_end),
    )
    steps = 6
    masks = []
    for k in range(phases):
        swing = stride * (1.0 - abs((4.0 * k / phases + 1.0) % 4.0 - 2.0))
        parts = [upper]
        for hip, direction in ((0.5 - leg_u, 1.0), (0.5 + leg_u, -1.0)):
            for j in range(steps):
                t0, t1 = j / steps, (j + 1) / steps
                offset = direction * swing * (t0 + t1) / 2
                centre = float(np.clip(hip + offset, leg_u, 1.0 - leg_u))
                v0 = waist + (1.0 - waist) * t0
                v1 = waist + (1.0 - waist) * t1 + (0.0 if j == steps - 1 else 0.02)
                parts.append(grid.rect(centre - leg_u, v0, centre + leg_u, v1))
        masks.append(_union(*parts))
    return masks
