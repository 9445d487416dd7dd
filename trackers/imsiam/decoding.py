"""One track's state and the per-frame decoding of the network output (spec section 7).

Shared by the single-sequence tracker and batched stepping: the network runs on a batch
of crops, then every slot is decoded on its own with :func:`decode_step`.

Conventions: images RGB uint8 ``(H, W, 3)``; boxes ``[x, y, w, h]`` with centre
``x + (w - 1) / 2``; the reported box is ``[cx - w/2, cy - h/2, w, h]`` (authors' code).
Template crops are 127 px of side ``round(s_z)``, search crops 255 px of side
``round(s_z * 255 / 127)``, with ``s_z = sqrt((w + p)(h + p))``, ``p = 0.5 (w + h)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from trackbench.errors import TrackbenchError

from .crop import get_subwindow
from .model.imsiam import SEARCH_SIZE, STRIDE, TEMPLATE_SIZE

CONTEXT_AMOUNT = 0.5
MIN_SIZE = 10.0


@dataclass
class TargetState:
    """One track: centre ``(cx, cy)`` and size ``(w, h)`` in image pixels, and the first
    image's per-channel mean colour (the crops' padding)."""

    center: np.ndarray
    size: np.ndarray
    average: np.ndarray

    @classmethod
    def from_box(cls, image: np.ndarray, box: np.ndarray) -> "TargetState":
        """The state for an initial ``[x, y, w, h]`` box (finite, ``w, h > 0``) in ``image``."""
        check_image(image)
        box = np.asarray(box, dtype=np.float64).reshape(-1)
        if box.shape[0] != 4 or not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
            raise TrackbenchError(f"IMSiam needs a finite [x, y, w, h] initial box with w, h > 0, got {box.tolist()}")
        center = np.array([box[0] + (box[2] - 1) / 2, box[1] + (box[3] - 1) / 2])
        return cls(center, box[2:4].copy(), image.mean(axis=(0, 1)))

    def context_size(self) -> float:
        """``s_z``: side of the square template context region, in image pixels."""
        context = CONTEXT_AMOUNT * (self.size[0] + self.size[1])
        return float(np.sqrt((self.size[0] + context) * (self.size[1] + context)))

    def box(self) -> np.ndarray:
        """The reported ``[cx - w/2, cy - h/2, w, h]``."""
        return np.array([self.center[0] - self.size[0] / 2, self.center[1] - self.size[1] / 2, self.size[0], self.size[1]])


def template_crop(image: np.ndarray, state: TargetState) -> tuple[np.ndarray, np.ndarray]:
    """The 127-px template crop and the target box in it, ``[x1, y1, x2, y2]`` (127 px)."""
    s_z = round(state.context_size())
    patch = get_subwindow(image, state.center, TEMPLATE_SIZE, s_z, state.average)
    c = (TEMPLATE_SIZE - 1) / 2
    half = state.size * (TEMPLATE_SIZE / s_z) / 2
    return patch, np.array([c - half[0], c - half[1], c + half[0], c + half[1]])


def search_crop(image: np.ndarray, state: TargetState) -> tuple[np.ndarray, float]:
    """The 255-px search crop around the current centre and ``scale_z`` (crop px per image px)."""
    check_image(image)
    s_z = state.context_size()
    s_x = s_z * SEARCH_SIZE / TEMPLATE_SIZE
    return get_subwindow(image, state.center, SEARCH_SIZE, round(s_x), state.average), TEMPLATE_SIZE / s_z


def combine_stages(outputs: list[dict[str, torch.Tensor]], use_iou: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean over stages of the score map ``(B, S, S)`` and of the regression ``(B, 4, S, S)``
    (float64). Score per stage: ``softmax(C)[1] * sigmoid(P)``, times ``sigmoid(I)`` if
    ``use_iou`` and the stage has an IoU output."""
    scores, regs = [], []
    for out in outputs:
        s = torch.softmax(out["cls"], dim=1)[:, 1] * torch.sigmoid(out["cen"][:, 0])
        if use_iou and "iou" in out:
            s = s * torch.sigmoid(out["iou"][:, 0])
        scores.append(s)
        regs.append(out["reg"])
    return torch.stack(scores).mean(0).double(), torch.stack(regs).mean(0).double()


def hanning_window(size: int) -> np.ndarray:
    """The ``(size, size)`` cosine window (outer product of ``np.hanning``)."""
    return np.outer(np.hanning(size), np.hanning(size))


def decode_step(
    score: np.ndarray,
    reg: np.ndarray,
    state: TargetState,
    scale_z: float,
    image_shape: tuple[int, ...],
    window: np.ndarray,
    window_influence: float,
    scale_lr: float,
    penalty_k: float = 0.0,
    size_update: str = "fixed",
) -> tuple[TargetState, float]:
    """One slot's new state from its score map ``(S, S)`` and regression ``(4, S, S)``
    (l, t, r, b in search pixels), and the raw peak score.

    The peak of ``(1 - lambda) score + lambda window`` gives the position; the size is
    smoothed with ``gamma = scale_lr``; the centre is clipped to ``[0, W] x [0, H]`` and
    the size to ``[10, W] x [10, H]``. A non-finite box (overflowing ``exp``) keeps the
    previous state. This is the authors' decoding (spec section 7).

    Options beyond it (off by default): ``penalty_k > 0`` multiplies the score by SiamRPN's
    change penalty ``exp(-(r_c s_c - 1) k)`` before the window (Li et al., CVPR 2018, Eq.
    13-14; pysot ``siamrpn_tracker.py``), where ``s_c = max(s'/s, s/s')`` compares the
    padded size ``sqrt((w + p)(h + p))``, ``p = (w + h) / 2``, of each location's box with the
    previous target's (in search pixels) and ``r_c`` does the same for ``w / h``;
    ``size_update="score"`` smooths the size with ``gamma x penalty x score`` at the peak
    (SiamRPN / SiamCAR) instead of ``gamma``.
    """
    size = score.shape[0]
    penalty = None
    if penalty_k or size_update == "score":
        penalty = change_penalty(reg, state.size * scale_z, penalty_k)
        pscore = (1 - window_influence) * (score * penalty) + window_influence * window
    else:
        pscore = (1 - window_influence) * score + window_influence * window
    row, col = np.unravel_index(int(np.argmax(pscore)), pscore.shape)
    if size_update == "score":
        scale_lr = scale_lr * float(penalty[row, col] * score[row, col])
    left, top, right, bottom = reg[:, row, col] / scale_z
    middle = (size - 1) / 2
    location = state.center + np.array([col - middle, row - middle]) * STRIDE / scale_z
    x1, y1 = location[0] - left, location[1] - top
    x2, y2 = location[0] + right, location[1] + bottom
    center = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
    new_size = (1 - scale_lr) * state.size + scale_lr * np.array([x2 - x1, y2 - y1])
    if not (np.all(np.isfinite(center)) and np.all(np.isfinite(new_size))):
        center, new_size = state.center, state.size
    height, width = image_shape[:2]
    center = np.array([np.clip(center[0], 0, width), np.clip(center[1], 0, height)])
    new_size = np.array([np.clip(new_size[0], MIN_SIZE, width), np.clip(new_size[1], MIN_SIZE, height)])
    return TargetState(center, new_size, state.average), float(score.max())


def change_penalty(reg: np.ndarray, previous: np.ndarray, penalty_k: float) -> np.ndarray:
    """SiamRPN's ``(S, S)`` penalty ``exp(-(r_c s_c - 1) k)`` of each location's box (``reg``:
    l, t, r, b) against the ``previous`` ``(w, h)``, both in search-crop pixels (see
    :func:`decode_step`). All ones for ``k = 0``."""
    width, height = reg[0] + reg[2], reg[1] + reg[3]

    def padded(w, h):
        pad = (w + h) / 2
        return np.sqrt((w + pad) * (h + pad))

    def change(ratio):
        return np.maximum(ratio, 1.0 / ratio)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s_c = change(padded(width, height) / padded(previous[0], previous[1]))
        r_c = change((previous[0] / previous[1]) / (width / height))
        penalty = np.exp(-(r_c * s_c - 1.0) * penalty_k)
    return np.where(np.isfinite(penalty), penalty, 0.0)


def check_image(image: np.ndarray) -> None:
    """Raise :class:`TrackbenchError` unless ``image`` is RGB uint8 ``(H, W, 3)``."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        got = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
        raise TrackbenchError(f"IMSiam expects RGB uint8 images of shape (H, W, 3), got {got}")
