"""Square crops around the target, as pysot's ``get_subwindow`` (mean-colour padding).

Coordinates are the image's pixel coordinates (column x, row y). A crop of side
``original_size`` (an integer number of pixels) centred at ``center`` covers columns
``xmin .. xmin + original_size - 1`` with ``xmin = floor(cx - (original_size + 1) / 2 + 0.5)``;
pixels outside the image take the per-channel mean colour (truncated to uint8, as in
pysot). The crop is then resized to ``model_size`` with bilinear interpolation.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch


def get_subwindow(image: np.ndarray, center: tuple[float, float], model_size: int, original_size: float, average: np.ndarray) -> np.ndarray:
    """``(model_size, model_size, C)`` uint8 crop of ``image`` (H, W, C), same channel order."""
    size = int(original_size)
    c = (original_size + 1) / 2
    xmin = int(math.floor(center[0] - c + 0.5))
    ymin = int(math.floor(center[1] - c + 0.5))
    height, width = image.shape[:2]
    x0, y0 = max(xmin, 0), max(ymin, 0)
    x1, y1 = min(xmin + size, width), min(ymin + size, height)
    if x0 == xmin and y0 == ymin and x1 == xmin + size and y1 == ymin + size:
        patch = image[y0:y1, x0:x1]
    else:
        patch = np.empty((size, size, image.shape[2]), dtype=np.uint8)
        patch[...] = np.asarray(average, dtype=np.float64).astype(np.uint8)
        if x1 > x0 and y1 > y0:
            patch[y0 - ymin : y1 - ymin, x0 - xmin : x1 - xmin] = image[y0:y1, x0:x1]
    if size != model_size:
        patch = cv2.resize(patch, (model_size, model_size))
    return patch


def rgb_patch_to_tensor(patch: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """RGB uint8 (H, W, 3) -> BGR float32 0-255 tensor (1, 3, H, W), the network's input."""
    bgr = np.ascontiguousarray(patch[:, :, ::-1].transpose(2, 0, 1), dtype=np.float32)
    return torch.from_numpy(bgr).unsqueeze(0).to(device)


def rgb_patches_to_tensor(patches: list[np.ndarray], device: torch.device | str = "cpu") -> torch.Tensor:
    """Equal-sized RGB uint8 (H, W, 3) patches -> BGR float32 0-255 tensor (B, 3, H, W)."""
    bgr = np.ascontiguousarray(np.stack(patches)[:, :, :, ::-1].transpose(0, 3, 1, 2), dtype=np.float32)
    return torch.from_numpy(bgr).to(device)
