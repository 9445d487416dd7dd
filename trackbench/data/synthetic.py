"""Procedural tracking sequences rendered in memory (demo suite and training data).

A sequence is a textured target (a procedural texture patch with rounded corners, or a
figure of parts that does not fill its box: ellipse, person, vehicle, see
:mod:`trackbench.data.figures`) moving over a natural-looking background (multi-octave
value noise coloured with a palette, plus textured clutter blobs), optionally with camera panning, scale change, in-plane
rotation, an occluder passing in front, a look-alike distractor and an illumination
change. Everything is drawn from one ``numpy.random.Generator``, so a seed fixes the
sequence. Pixel values are computed with elementwise IEEE arithmetic only (no
vectorised transcendental functions, no library resampling), so the same seed gives
the same pixels on every machine.

Conventions: frames are RGB ``uint8`` ``(H, W, 3)``; ``boxes`` are ``[x, y, w, h]`` in
0-based pixel coordinates, integers, the box covering pixel columns ``x .. x+w-1`` and
rows ``y .. y+h-1`` (the axis-aligned bounding box of the drawn target); ``polygons``
are the target's (possibly rotated) rectangle corners ``[x1, y1, ..., x4, y4]`` in
continuous coordinates (pixel ``j`` spans ``[j, j+1)``).

Public API:

* :class:`SyntheticSequenceSpec` - what to render (validated dataclass);
* :func:`render` ``(rng, spec) -> RenderedSequence`` - frames, boxes, polygons,
  per-frame visibility / gain / scale;
* :func:`render_sequence` ``(rng, length, size, difficulty) -> (frames, boxes)`` -
  a random spec of the given difficulty, rendered (for training data at any scale);
* :func:`random_spec` ``(rng, length, size, difficulty) -> SyntheticSequenceSpec``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from trackbench.data.procedural import (
    colorize,
    draw_sprite,
    fractal_noise,
    make_background,
    make_palette,
    make_target_texture,
)
from trackbench.data.figures import FIGURES, make_figure, walker_masks
from trackbench.errors import TrackbenchError

Size = tuple[int, int]

# Background hues of natural scenes (HSV hue 0..1): soil, sand, foliage, grass, water/sky, rock.
NATURAL_HUES = (0.06, 0.11, 0.2, 0.28, 0.55, 0.6)

# Height / width ranges of the figures whose shape implies one (random_spec).
FIGURE_ASPECT = {"person": (1.8, 3.5), "walker": (1.8, 3.5), "vehicle": (0.33, 0.7)}


@dataclass(frozen=True)
class SyntheticSequenceSpec:
    """What to render. Sizes are ``(width, height)`` in pixels.

    Attributes:
        length: number of frames (>= 2).
        size: image ``(width, height)``.
        target_size: target ``(width, height)`` at scale 1 (the first frame).
        speed: number of motion oscillations over the sequence (higher = faster).
        motion_amplitude: fraction (0..1) of the free image area the target roams over.
        scale_change: peak scale factor relative to the first frame (1 = none; 2.5 =
            grows to 2.5x and back; 0.5 = shrinks to half and back).
        rotation: peak in-plane rotation in degrees (0 = none).
        camera_motion: peak camera pan in pixels (background moves, 0 = static).
        occluder: a textured vertical bar crosses in front of the target mid-sequence.
        occluder_width: the bar's width as a fraction of the target's width.
        distractor: a look-alike object (same palette and pattern) moves near the target.
        illumination: depth of the illumination dip, 0 (none) .. 0.8 (down to 20 %).
        noise: sensor noise standard deviation in grey levels.
        clutter: number of textured blobs drawn on the background.
        figure: the target's shape, one of :data:`trackbench.data.figures.FIGURES` (``box``:
            the textured rounded rectangle; ``ellipse``, ``person``, ``vehicle``: parts that
            do not fill the box, which still bounds them; these are drawn without rotation).
    """

    length: int = 100
    size: Size = (320, 240)
    target_size: Size = (40, 32)
    speed: float = 0.7
    motion_amplitude: float = 0.6
    scale_change: float = 1.0
    rotation: float = 0.0
    camera_motion: float = 0.0
    occluder: bool = False
    occluder_width: float = 0.45
    distractor: bool = False
    illumination: float = 0.0
    noise: float = 3.0
    clutter: int = 14
    figure: str = "box"

    def __post_init__(self) -> None:
        def bad(message: str) -> None:
            raise TrackbenchError(f"synthetic sequence spec: {message}")

        if self.length < 2:
            bad(f"length must be >= 2, got {self.length}")
        width, height = self.size
        if width < 32 or height < 32:
            bad(f"image size must be at least 32x32, got {self.size}")
        tw, th = self.target_size
        peak = max(1.0, self.scale_change)
        if self.rotation:
            fits = math.hypot(tw, th) * peak + 4 <= min(width, height)
        else:
            fits = tw * peak + 4 <= width and th * peak + 4 <= height
        if tw < 4 or th < 4 or not fits:
            bad(f"target size {self.target_size} (peak scale {peak}) does not fit in {self.size}")
        if not 0 < self.scale_change <= 4:
            bad(f"scale_change must be in (0, 4], got {self.scale_change}")
        if not 0 <= self.illumination <= 0.8:
            bad(f"illumination must be in [0, 0.8], got {self.illumination}")
        if not 0 <= self.motion_amplitude <= 1:
            bad(f"motion_amplitude must be in [0, 1], got {self.motion_amplitude}")
        if not 0 < self.occluder_width < 1:
            bad(f"occluder_width must be in (0, 1), got {self.occluder_width}")
        if self.figure not in FIGURES:
            bad(f"figure must be one of {', '.join(FIGURES)}, got {self.figure!r}")
        if self.figure != "box" and self.rotation:
            bad(f"figure {self.figure!r} is drawn without rotation, got rotation {self.rotation}")
        if self.speed < 0 or self.camera_motion < 0 or self.noise < 0 or self.clutter < 0:
            bad("speed, camera_motion, noise and clutter must be >= 0")


@dataclass
class RenderedSequence:
    """A rendered sequence.

    Attributes:
        frames: ``length`` RGB uint8 ``(H, W, 3)`` images.
        boxes: ``(N, 4)`` integer-valued float64 ``[x, y, w, h]`` (0-based pixels).
        polygons: ``(N, 8)`` rotated-rectangle corners (continuous coordinates).
        visibility: ``(N,)`` fraction of the target's area not hidden by the occluder.
        gain: ``(N,)`` global illumination gain applied to frame ``i`` (1 = unchanged).
        scale: ``(N,)`` target scale relative to the first frame.
        spec: the spec that was rendered.
    """

    frames: list[np.ndarray]
    boxes: np.ndarray
    polygons: np.ndarray
    visibility: np.ndarray
    gain: np.ndarray
    scale: np.ndarray
    spec: SyntheticSequenceSpec = field(default_factory=SyntheticSequenceSpec)


# --------------------------------------------------------------------------- motion


def _smooth_path(rng: np.random.Generator, length: int, cycles: float, components: int = 3) -> np.ndarray:
    """A smooth random curve over ``length`` frames, normalised to [-1, 1] peak, starting
    anywhere; ``cycles`` = oscillations over the sequence. Scalar math only."""
    t = np.arange(length, dtype=np.float64) / max(1, length - 1)
    curve = np.zeros(length)
    for k in range(components):
        frequency = cycles * rng.uniform(0.6, 1.4) * (1.0 + k)
        phase = rng.uniform(0, 2 * math.pi)
        amplitude = 1.0 / (1.0 + k)
        curve += amplitude * np.array([math.sin(2 * math.pi * frequency * ti + phase) for ti in t])
    peak = np.abs(curve).max()
    return curve / peak if peak > 0 else curve


def _bump(length: int, cycles: float = 1.0) -> np.ndarray:
    """0 at the first frame, rising to 1 mid-way and back (``0.5 - 0.5 cos``)."""
    t = np.arange(length, dtype=np.float64) / max(1, length - 1)
    return np.array([0.5 - 0.5 * math.cos(2 * math.pi * cycles * ti) for ti in t])


# --------------------------------------------------------------------------- rendering


def render(rng: np.random.Generator, spec: SyntheticSequenceSpec) -> RenderedSequence:
    """Render ``spec`` with randomness drawn from ``rng`` (same rng state -> same pixels)."""
    width, height = spec.size
    n = spec.length
    pan = int(math.ceil(spec.camera_motion))
    background_hue = float(NATURAL_HUES[rng.integers(len(NATURAL_HUES))] + rng.uniform(-0.03, 0.03)) % 1.0
    background = make_background(rng, width + 2 * pan, height + 2 * pan, background_hue, spec.clutter)

    target_hue = (background_hue + rng.uniform(0.3, 0.7)) % 1.0
    target_palette = make_palette(rng, target_hue, 3, saturation=0.8, value=(0.25, 1.0))
    stripes = (rng.uniform(1.0, 4.0), rng.uniform(-2.0, 2.0), rng.uniform(0.25, 0.5))
    target_texture = make_target_texture(rng, target_palette, stripes)
    distractor_texture = make_target_texture(rng, target_palette, stripes)
    target_mask = None
    walker_frames = distractor_frames = None  # the walker's per-frame masks (gait phases)
    if spec.figure != "box":  # drawn only for figures: the box sequences' pixels stay as they were
        target_texture, target_mask = make_figure(rng, spec.figure, target_palette)
        distractor_texture = target_texture
    if spec.figure == "walker":
        distractor_texture = make_figure(rng, "walker", target_palette)[0]  # a companion, dressed differently
        masks, other = walker_masks(rng), walker_masks(rng)
        rate, start = rng.uniform(0.3, 0.9), rng.uniform(0, len(masks))
        walker_frames = [masks[int(start + rate * i) % len(masks)] for i in range(spec.length)]
        distractor_frames = [other[int(start + 2 + rate * i) % len(other)] for i in range(spec.length)]
    occluder_palette = make_palette(rng, (background_hue + 0.08) % 1.0, 3, 0.4, (0.15, 0.6))
    occluder_texture = colorize(fractal_noise(rng, 64, 16, cell=12.0, octaves=3), occluder_palette)

    scale = spec.scale_change ** _bump(n, rng.uniform(0.5, 1.0))
    angles = math.radians(spec.rotation) * _smooth_path(rng, n, 0.5 * max(spec.speed, 0.5))
    base_w, base_h = spec.target_size
    sizes_w = np.maximum(4.0, np.round(base_w * scale))
    sizes_h = np.maximum(4.0, np.round(base_h * scale))
    cos_sin = [(abs(math.cos(a)), abs(math.sin(a))) for a in angles]
    half_x = np.array([w / 2 * c + h / 2 * s for w, h, (c, s) in zip(sizes_w, sizes_h, cos_sin)])
    half_y = np.array([w / 2 * s + h / 2 * c for w, h, (c, s) in zip(sizes_w, sizes_h, cos_sin)])
    margin_x = half_x.max() + 2
    margin_y = half_y.max() + 2
    free_x = max(0.0, width / 2 - margin_x)
    free_y = max(0.0, height / 2 - margin_y)
    path_x = _smooth_path(rng, n, spec.speed)
    path_y = _smooth_path(rng, n, spec.speed)
    centers_x = width / 2 + spec.motion_amplitude * free_x * path_x
    centers_y = height / 2 + spec.motion_amplitude * free_y * path_y

    # Integer boxes: the drawn rectangle (unrotated) covers exactly the box's pixels.
    boxes = np.zeros((n, 4))
    polygons = np.zeros((n, 8))
    for i in range(n):
        x = round(centers_x[i] - half_x[i])
        y = round(centers_y[i] - half_y[i])
        bw = round(2 * half_x[i]) if spec.rotation else int(sizes_w[i])
        bh = round(2 * half_y[i]) if spec.rotation else int(sizes_h[i])
        boxes[i] = (x, y, bw, bh)
        if not spec.rotation:
            centers_x[i], centers_y[i] = x + bw / 2, y + bh / 2
        polygons[i] = _rotated_corners(centers_x[i], centers_y[i], sizes_w[i], sizes_h[i], angles[i])

    pan_x = pan + spec.camera_motion * _smooth_path(rng, n, 0.6)
    pan_y = pan + spec.camera_motion * 0.6 * _smooth_path(rng, n, 0.6)

    if spec.distractor:
        orbit_x = _smooth_path(rng, n, max(0.5, spec.speed))
        orbit_y = _smooth_path(rng, n, max(0.5, spec.speed))
        reach = 1.2 + 1.5 * np.abs(orbit_x)
        distractor_x = np.clip(centers_x + np.sign(orbit_x + 1e-9) * reach * sizes_w, margin_x, width - margin_x)
        distractor_y = np.clip(centers_y + 0.8 * orbit_y * sizes_h, margin_y, height - margin_y)
        if spec.figure == "walker":  # a companion at the target's side (Couple-like), not an orbit
            side = 1.0 if rng.random() < 0.5 else -1.0
            gap = rng.uniform(0.8, 1.4) + 0.15 * np.abs(orbit_x)
            distractor_x = np.clip(centers_x + side * gap * sizes_w, margin_x, width - margin_x)
            distractor_y = np.clip(centers_y + 0.08 * orbit_y * sizes_h, margin_y, height - margin_y)

    middle = rng.uniform(0.4, 0.6) * (n - 1)
    occluder_speed = (width + 2 * base_w) / max(1, n - 1) * rng.uniform(0.8, 1.2)

    gain = 1.0 - spec.illumination * _bump(n, rng.uniform(0.7, 1.0))
    tint = np.array([rng.uniform(0.9, 1.1), 1.0, rng.uniform(0.9, 1.1)])
    ramp_x = (np.arange(width, dtype=np.float64) / width - 0.5)[None, :]
    ramp_y = (np.arange(height, dtype=np.float64) / height - 0.5)[:, None]
    ramp_dir = rng.uniform(-1, 1, size=2)
    noise_fields = [rng.normal(0.0, 1.0, size=(height, width, 3)) * spec.noise for _ in range(3)]

    size = list(zip(sizes_w, sizes_h))
    corner = 0.18 if target_mask is None and walker_frames is None else 0.0
    frames: list[np.ndarray] = []
    visibility = np.ones(n)
    for i in range(n):
        ox, oy = int(round(pan_x[i])), int(round(pan_y[i]))
        frame = background[oy : oy + height, ox : ox + width].copy()
        mask = target_mask if walker_frames is None else walker_frames[i]
        if spec.distractor:
            other_mask = target_mask if distractor_frames is None else distractor_frames[i]
            draw_sprite(frame, distractor_texture, (distractor_x[i], distractor_y[i]), size[i], -angles[i], corner, other_mask)
        window, alpha = draw_sprite(frame, target_texture, (centers_x[i], centers_y[i]), size[i], angles[i], corner, mask)
        if spec.occluder:
            bar_w = spec.occluder_width * base_w
            bar_x = centers_x[int(round(middle))] + occluder_speed * (i - middle)
            bar_window, bar_alpha = draw_sprite(
                frame, occluder_texture, (bar_x, height / 2), (bar_w, height + 8), 0.0, corner=0.0
            )
            visibility[i] = _visible_fraction(window, alpha, bar_window, bar_alpha)
        if spec.illumination > 0:
            light = gain[i] * (1.0 + 0.6 * spec.illumination * (ramp_dir[0] * ramp_x + ramp_dir[1] * ramp_y))
            frame *= light[..., None] * tint
        frame += noise_fields[i % 3]
        frames.append(np.clip(np.round(frame), 0, 255).astype(np.uint8))
    return RenderedSequence(frames, boxes, polygons, visibility, gain, scale, spec)


def _rotated_corners(cx: float, cy: float, w: float, h: float, angle: float) -> np.ndarray:
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        u, v = sx * w / 2, sy * h / 2
        corners += [cx + cos_a * u - sin_a * v, cy + sin_a * u + cos_a * v]
    return np.asarray(corners)


def _visible_fraction(window, alpha, bar_window, bar_alpha) -> float:
    """Fraction of the target's alpha mass not covered by the occluder's alpha."""
    total = float(alpha.sum())
    if total <= 0:
        return 0.0
    x0, y0 = max(window[0], bar_window[0]), max(window[1], bar_window[1])
    x1, y1 = min(window[2], bar_window[2]), min(window[3], bar_window[3])
    if x1 <= x0 or y1 <= y0:
        return 1.0
    a = alpha[y0 - window[1] : y1 - window[1], x0 - window[0] : x1 - window[0]]
    b = bar_alpha[y0 - bar_window[1] : y1 - bar_window[1], x0 - bar_window[0] : x1 - bar_window[0]]
    return 1.0 - float((a * b).sum()) / total


# --------------------------------------------------------------------------- random specs


def random_spec(
    rng: np.random.Generator,
    length: int = 100,
    size: Size = (320, 240),
    difficulty: float = 0.5,
    aspect: tuple[float, float] | None = None,
    figures: tuple[str, ...] | None = None,
) -> SyntheticSequenceSpec:
    """A random spec; ``difficulty`` in [0, 1] raises speed, scale change, rotation and
    the chance of an occluder, a distractor, an illumination change and camera motion.
    ``aspect``: range of the target's height / width, drawn log-uniformly (default: uniform
    in [0.5, 1.6]); the same number of random draws either way. ``figures``: target shapes
    to draw one from (first draw; default: none drawn, the ``box``); a ``person`` takes its
    height / width from [1.8, 3.5] and a ``vehicle`` from [0.33, 0.7] instead of ``aspect``,
    and figures other than ``box`` get no rotation."""
    if not 0 <= difficulty <= 1:
        raise TrackbenchError(f"difficulty must be in [0, 1], got {difficulty}")
    figure = "box"
    if figures:
        unknown = sorted(set(figures) - set(FIGURES))
        if unknown:
            raise TrackbenchError(f"unknown figure {unknown[0]!r} (choose from {', '.join(FIGURES)})")
        figure = figures[int(rng.integers(len(figures)))]
        aspect = FIGURE_ASPECT.get(figure, aspect)
    width, height = size
    d = difficulty
    rotation = float(rng.uniform(0, 45 * d)) if rng.random() < 0.5 * d else 0.0
    if figure != "box":
        rotation = 0.0
    scale_change = float(np.exp(rng.uniform(-1, 1) * (0.2 + 0.7 * d)))
    peak = max(1.0, scale_change) * (1.42 if rotation else 1.0)
    limit = 0.45 * min(width, height) / peak
    tw = float(rng.uniform(0.08, 0.25) * width)
    if aspect is None:
        th = float(tw * rng.uniform(0.5, 1.6))
    else:
        th = float(tw * math.exp(rng.uniform(math.log(aspect[0]), math.log(aspect[1]))))
    factor = min(1.0, limit / max(tw, th))
    target = (max(6, int(tw * factor)), max(6, int(th * factor)))
    return SyntheticSequenceSpec(
        length=length,
        size=size,
        target_size=target,
        speed=float(rng.uniform(0.3, 0.6 + 2.0 * d)),
        motion_amplitude=float(rng.uniform(0.3, 0.9)),
        scale_change=scale_change,
        rotation=rotation,
        camera_motion=float(rng.uniform(0, 30 * d)) if rng.random() < 0.5 else 0.0,
        occluder=bool(rng.random() < 0.6 * d),
        distractor=bool(rng.random() < 0.6 * d),
        illumination=float(rng.uniform(0, 0.7 * d)) if rng.random() < 0.5 else 0.0,
        noise=float(rng.uniform(1.0, 2.0 + 4.0 * d)),
        clutter=int(rng.integers(4, 20)),
        figure=figure,
    )


def render_sequence(
    rng: np.random.Generator,
    length: int = 100,
    size: Size = (320, 240),
    difficulty: float = 0.5,
    aspect: tuple[float, float] | None = None,
    figures: tuple[str, ...] | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Render a random sequence: ``(frames, boxes)`` with frames RGB uint8 ``(H, W, 3)``
    and boxes ``(length, 4)`` ``[x, y, w, h]`` (0-based pixels). For training data."""
    rendered = render(rng, random_spec(rng, length, size, difficulty, aspect, figures))
    return rendered.frames, rendered.boxes
