"""Crops and augmentations of the pysot/IMSiam recipe (spec section 6).

Each frame is conceptually (1) warped to a ``context_size`` (511) crop centred on the target
with SiamFC context 0.5 (side ``s_z * 511 / 127``, padding with the image's mean colour), in
which the target box is centred at 255 with size ``(w, h) * 127 / s_z``; then (2) a box of
side ``out_size - 1`` centred at 255 is randomly stretched (independent x/y factors
``1 + U(-1,1) * scale``, capped by the crop size) and shifted (``U(-1,1) * shift`` pixels,
kept inside the crop) and re-cropped to ``out_size`` (127 template / 255 search).
Both warps are affine, so they are composed into one ``cv2.warpAffine`` from the original
image (the same geometry with a single interpolation).

Then, in the authors' order: grey (decided once per pair), colour (subtract the PCA
offset ``rgbVar @ N(0, I)``), blur (random cross kernel of odd size 5..45), flip. The
flipped box is pysot's ``[W - 1 - x2, y1, W - 1 - x1, y2]`` (as in the authors' code; the
exact mirror of the pixel extent would be ``W - x2``: one pixel of difference, at p = 0.01).

Conventions: input image RGB uint8 ``(H, W, 3)`` and box ``[x, y, w, h]``; output image
**BGR float32** ``(out, out, 3)`` in 0..255 (the network's input convention) and the box
as corners ``[x1, y1, x2, y2]`` in output-crop pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# PCA colour offsets of pysot's Augmentation (in RGB order; applied reversed to BGR).
_RGB_VAR = np.array(
    [[-0.55919361, 0.98062831, -0.41940627], [1.72091413, 0.19879334, -1.82968581], [4.64467907, 4.73710203, 4.88324118]],
    dtype=np.float32,
)


@dataclass
class AugmentParams:
    """Per-crop augmentation strengths and probabilities."""

    shift: float = 0.0  # max shift in output pixels
    scale: float = 0.0  # max relative stretch per axis
    blur: float = 0.0  # probability
    flip: float = 0.0  # probability
    color: float = 0.0  # probability


TEMPLATE_AUGMENT = AugmentParams(shift=4, scale=0.05, blur=0.0, flip=0.0, color=0.2)
SEARCH_AUGMENT = AugmentParams(shift=64, scale=0.18, blur=0.2, flip=0.01, color=0.2)


def context_scale(box_xywh: np.ndarray, exemplar_size: int = 127, context: float = 0.5) -> tuple[float, float]:
    """``(s_z, scale_z)``: the SiamFC template side ``sqrt((w+p)(h+p))``, ``p = context*(w+h)``,
    and ``exemplar_size / s_z``."""
    w, h = float(box_xywh[2]), float(box_xywh[3])
    pad = context * (w + h)
    s_z = float(np.sqrt((w + pad) * (h + pad)))
    return s_z, exemplar_size / s_z


def _uniform(rng: np.random.Generator) -> float:
    return float(rng.uniform(-1.0, 1.0))


def crop_and_augment(
    image: np.ndarray,
    box_xywh: np.ndarray,
    out_size: int,
    params: AugmentParams,
    rng: np.random.Generator,
    *,
    gray: bool = False,
    context_size: int = 511,
    exemplar_size: int = 127,
) -> tuple[np.ndarray, np.ndarray]:
    """One training crop (see module docstring). Returns ``(bgr_float32, box_xyxy)``."""
    x, y, w, h = (float(v) for v in box_xywh)
    s_z, scale_z = context_scale(box_xywh, exemplar_size)
    s_x = s_z * context_size / exemplar_size
    cx, cy = x + w / 2.0, y + h / 2.0
    # Stage 1: image -> context crop, p511 = a1 * (p - origin).
    a1 = (context_size - 1) / s_x
    ox, oy = cx - s_x / 2.0, cy - s_x / 2.0
    centre = context_size // 2
    tw, th = w * scale_z, h * scale_z
    target = np.array([centre - tw / 2, centre - th / 2, centre + tw / 2, centre + th / 2])

    # Stage 2: random stretch and shift of the re-crop box inside the context crop.
    side = out_size - 1
    scale_x = scale_y = 1.0
    if params.scale:
        scale_x = min(1.0 + _uniform(rng) * params.scale, context_size / side)
        scale_y = min(1.0 + _uniform(rng) * params.scale, context_size / side)
    bw, bh = side * scale_x, side * scale_y
    bx1, by1 = centre - bw / 2.0, centre - bh / 2.0
    bx2, by2 = centre + bw / 2.0, centre + bh / 2.0
    if params.shift:
        sx, sy = _uniform(rng) * params.shift, _uniform(rng) * params.shift
        sx = max(-bx1, min(context_size - 1 - bx2, sx))
        sy = max(-by1, min(context_size - 1 - by2, sy))
        bx1, bx2, by1, by2 = bx1 + sx, bx2 + sx, by1 + sy, by2 + sy
    box = np.array(
        [(target[0] - bx1) / scale_x, (target[1] - by1) / scale_y, (target[2] - bx1) / scale_x, (target[3] - by1) / scale_y]
    )
    # Composite affine map image -> output: q = (a1 * (p - origin) - crop_origin) * (side / crop_side).
    fx, fy = a1 * side / bw, a1 * side / bh
    mapping = np.array([[fx, 0.0, -(a1 * ox + bx1) * side / bw], [0.0, fy, -(a1 * oy + by1) * side / bh]])
    mean_colour = tuple(float(v) for v in image.reshape(-1, 3).mean(axis=0))
    crop = cv2.warpAffine(image, mapping, (out_size, out_size), borderMode=cv2.BORDER_CONSTANT, borderValue=mean_colour)
    crop = cv2.cvtColor(crop, cv2.COLOR_RGB2BGR)
    if gray:
        crop = cv2.cvtColor(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    out = crop.astype(np.float32)
    if params.color > rng.random():
        offset = (_RGB_VAR @ rng.standard_normal(3).astype(np.float32))[::-1]
        out = out - offset.reshape(1, 1, 3)
    if params.blur > rng.random():
        out = cv2.filter2D(out, -1, random_blur_kernel(rng))
    if params.flip > rng.random():
        out = np.ascontiguousarray(out[:, ::-1])
        box = np.array([out_size - 1 - box[2], box[1], out_size - 1 - box[0], box[3]])
    return out, box


def random_blur_kernel(rng: np.random.Generator) -> np.ndarray:
    """pysot's motion-blur kernel: odd size 5..45, a vertical line weighted ``wx`` plus a
    horizontal line weighted ``1 - wx``, each ``1/size`` per pixel (sums to 1)."""
    size = int(rng.choice(np.arange(5, 46, 2)))
    kernel = np.zeros((size, size), dtype=np.float32)
    c = size // 2
    wx = float(rng.random())
    kernel[:, c] += wx / size
    kernel[c, :] += (1.0 - wx) / size
    return kernel
