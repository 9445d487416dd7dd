"""Procedural textures and sprite drawing for the synthetic sequences.

All functions use elementwise IEEE arithmetic only (no vectorised transcendental
functions, no library resampling), so a seeded ``numpy.random.Generator`` gives the same
pixels on every machine. Images are float64 RGB in 0..255 ``(H, W, 3)`` while drawing;
pixel ``j`` spans the continuous interval ``[j, j + 1)``.
"""

from __future__ import annotations

import math

import numpy as np

def value_noise(rng: np.random.Generator, height: int, width: int, cell: float) -> np.ndarray:
    """Smooth value noise in [0, 1]: random values on a grid of ``cell``-pixel spacing,
    interpolated with a smoothstep (separably, rows then columns)."""
    grid_h = int(height / cell) + 3
    grid_w = int(width / cell) + 3
    grid = rng.random((grid_h, grid_w))
    ys = np.arange(height, dtype=np.float64) / cell
    xs = np.arange(width, dtype=np.float64) / cell
    iy = ys.astype(np.int64)
    ix = xs.astype(np.int64)
    ty = ys - iy
    tx = xs - ix
    ty = ty * ty * (3.0 - 2.0 * ty)
    tx = tx * tx * (3.0 - 2.0 * tx)
    rows = grid[iy] * (1.0 - ty)[:, None] + grid[iy + 1] * ty[:, None]
    return rows[:, ix] * (1.0 - tx)[None, :] + rows[:, ix + 1] * tx[None, :]


def fractal_noise(
    rng: np.random.Generator, height: int, width: int, cell: float, octaves: int = 5, persistence: float = 0.5
) -> np.ndarray:
    """Sum of ``octaves`` value-noise layers (cell halves, amplitude times ``persistence``
    per octave), normalised to [0, 1] by the total amplitude."""
    total = np.zeros((height, width), dtype=np.float64)
    amplitude, norm = 1.0, 0.0
    for _ in range(octaves):
        total += amplitude * value_noise(rng, height, width, max(cell, 1.0))
        norm += amplitude
        amplitude *= persistence
        cell /= 2.0
    return total / norm


def colorize(values: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to colours by piecewise-linear interpolation of ``palette``
    (``(K, 3)`` RGB, 0..255). Returns float64 ``(..., 3)``."""
    stops = np.linspace(0.0, 1.0, len(palette))
    return np.stack([np.interp(values, stops, palette[:, c]) for c in range(3)], axis=-1)


def make_palette(
    rng: np.random.Generator, hue: float, count: int, saturation: float, value: tuple[float, float]
) -> np.ndarray:
    """``count`` colours around ``hue`` (0..1) with increasing brightness, RGB 0..255."""
    colours = []
    for k in range(count):
        h = (hue + rng.uniform(-0.06, 0.06)) % 1.0
        s = min(1.0, max(0.0, saturation + rng.uniform(-0.15, 0.15)))
        v = value[0] + (value[1] - value[0]) * (k / max(1, count - 1))
        colours.append(hsv_to_rgb(h, s, v))
    return np.asarray(colours, dtype=np.float64) * 255.0


def hsv_to_rgb(h: float, s: float, v: float) -> tuple[float, float, float]:
    i = int(h * 6.0) % 6
    f = h * 6.0 - int(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]


def make_background(rng: np.random.Generator, width: int, height: int, hue: float, clutter: int) -> np.ndarray:
    """A natural-looking textured background, float64 RGB 0..255 ``(height, width, 3)``:
    large-scale colour variation, ridged fine detail (rock/bark-like) and textured blobs."""
    base = fractal_noise(rng, height, width, cell=96.0, octaves=4)
    base_palette = make_palette(rng, hue, 4, saturation=0.3, value=(0.2, 0.85))
    image = colorize(base, base_palette)
    ridged = 1.0 - np.abs(2.0 * fractal_noise(rng, height, width, cell=24.0, octaves=4) - 1.0)
    fine = fractal_noise(rng, height, width, cell=6.0, octaves=2)
    shade = 0.7 + 0.35 * ridged + 0.2 * (fine - 0.5)
    image *= shade[..., None]
    ys, xs = np.mgrid[0:height, 0:width]
    for _ in range(clutter):
        rx = rng.uniform(6, 0.12 * width)
        ry = rng.uniform(6, 0.12 * height)
        cx = rng.uniform(0, width)
        cy = rng.uniform(0, height)
        x0, x1 = max(0, int(cx - rx) - 1), min(width, int(cx + rx) + 2)
        y0, y1 = max(0, int(cy - ry) - 1), min(height, int(cy + ry) + 2)
        if x1 <= x0 or y1 <= y0:
            continue
        dx = (xs[y0:y1, x0:x1] + 0.5 - cx) / rx
        dy = (ys[y0:y1, x0:x1] + 0.5 - cy) / ry
        inside = np.clip((1.0 - (dx * dx + dy * dy)) * min(rx, ry), 0.0, 1.0)
        blob_palette = make_palette(rng, (hue + rng.uniform(-0.1, 0.1)) % 1.0, 3, 0.25, (0.15, 0.9))
        blob = colorize(fractal_noise(rng, y1 - y0, x1 - x0, cell=8.0, octaves=3), blob_palette)
        blob *= (1.0 - 0.35 * (dx * dx + dy * dy))[..., None].clip(0.4, 1.0)
        region = image[y0:y1, x0:x1]
        region += (blob - region) * inside[..., None]
    return np.clip(image, 0.0, 255.0)


def make_target_texture(
    rng: np.random.Generator, palette: np.ndarray, stripes: tuple[float, float, float], size: int = 64
) -> np.ndarray:
    """A square target texture (float64 RGB 0..255): noise coloured by ``palette`` with a
    triangle-wave stripe pattern (``stripes`` = frequency x, frequency y, contrast) and a
    darker rim. The same palette and stripes with another ``rng`` give a look-alike."""
    noise = fractal_noise(rng, size, size, cell=size / 3.0, octaves=4)
    ys, xs = np.mgrid[0:size, 0:size] / float(size)
    phase = xs * stripes[0] + ys * stripes[1]
    wave = np.abs(2.0 * (phase - np.floor(phase)) - 1.0)
    values = np.clip(0.6 * noise + stripes[2] * (wave - 0.5) + 0.2, 0.0, 1.0)
    texture = colorize(values, palette)
    rim = np.minimum(np.minimum(xs, 1.0 - xs), np.minimum(ys, 1.0 - ys))
    texture *= np.clip(0.55 + rim * 6.0, 0.55, 1.0)[..., None]
    return texture


def _sample_bilinear(texture: np.ndarray, tu: np.ndarray, tv: np.ndarray) -> np.ndarray:
    """Bilinear lookup of ``texture`` at float pixel coordinates (clamped to the edges)."""
    size_v, size_u = texture.shape[:2]
    tu = np.clip(tu, 0.0, size_u - 1.000001)
    tv = np.clip(tv, 0.0, size_v - 1.000001)
    iu = tu.astype(np.int64)
    iv = tv.astype(np.int64)
    fu = (tu - iu)[..., None]
    fv = (tv - iv)[..., None]
    top = texture[iv, iu] * (1.0 - fu) + texture[iv, iu + 1] * fu
    bottom = texture[iv + 1, iu] * (1.0 - fu) + texture[iv + 1, iu + 1] * fu
    return top * (1.0 - fv) + bottom * fv


def draw_sprite(
    canvas: np.ndarray,
    texture: np.ndarray,
    center: tuple[float, float],
    size: tuple[float, float],
    angle: float,
    corner: float = 0.18,
    mask: np.ndarray | None = None,
) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """Alpha-blend a rounded rectangle textured with ``texture`` into ``canvas`` (in place).
    ``mask`` (values in [0, 1], stretched over the rectangle like the texture) multiplies the
    alpha: a figure that does not fill its box (:mod:`trackbench.data.figures`).

    ``center`` ``(cx, cy)`` and ``size`` ``(w, h)`` are continuous; ``angle`` in radians.
    Returns the drawn window ``(x0, y0, x1, y1)`` (pixels, end-exclusive) and the alpha
    map over it (1 inside, anti-aliased over one pixel at the edge).
    """
    height, width = canvas.shape[:2]
    cx, cy = center
    w, h = size
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    extent_x = abs(w / 2 * cos_a) + abs(h / 2 * sin_a)
    extent_y = abs(w / 2 * sin_a) + abs(h / 2 * cos_a)
    x0, x1 = max(0, int(math.floor(cx - extent_x)) - 1), min(width, int(math.ceil(cx + extent_x)) + 1)
    y0, y1 = max(0, int(math.floor(cy - extent_y)) - 1), min(height, int(math.ceil(cy + extent_y)) + 1)
    if x1 <= x0 or y1 <= y0:
        return (x0, y0, x0, y0), np.zeros((0, 0))
    dx = np.arange(x0, x1, dtype=np.float64)[None, :] + 0.5 - cx
    dy = np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5 - cy
    u = cos_a * dx + sin_a * dy
    v = -sin_a * dx + cos_a * dy
    radius = corner * min(w, h)
    qx = np.abs(u) - (w / 2 - radius)
    qy = np.abs(v) - (h / 2 - radius)
    outside = np.sqrt(np.maximum(qx, 0.0) ** 2 + np.maximum(qy, 0.0) ** 2)
    distance = outside + np.minimum(np.maximum(qx, qy), 0.0) - radius
    alpha = np.clip(0.5 - distance, 0.0, 1.0)
    tex_h, tex_w = texture.shape[:2]
    tu, tv = (u / w + 0.5) * (tex_w - 1), (v / h + 0.5) * (tex_h - 1)
    colours = _sample_bilinear(texture, tu, tv)
    if mask is not None:
        alpha = alpha * _sample_bilinear(mask[..., None], tu, tv)[..., 0]
    region = canvas[y0:y1, x0:x1]
    region += (colours - region) * alpha[..., None]
    return (x0, y0, x1, y1), alpha
