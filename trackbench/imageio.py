"""Image decoding and encoding, in one place so the convention (RGB uint8 HxWx3) is applied once."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from trackbench.errors import TrackbenchError


def read_rgb(path: str | Path) -> np.ndarray:
    """Decode an image file to an RGB ``uint8`` array of shape ``(H, W, 3)``."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        if not Path(path).exists():
            raise TrackbenchError("image file not found", path)
        raise TrackbenchError("image file cannot be decoded", path)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def image_size(path: str | Path) -> tuple[int, int]:
    """``(width, height)`` of an image, read from its header without decoding pixels."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            return int(img.width), int(img.height)
    except FileNotFoundError:
        raise TrackbenchError("image file not found", path) from None
    except OSError as exc:
        raise TrackbenchError(f"cannot read image header ({exc})", path) from None


def encode_jpeg(frame: np.ndarray, quality: int = 90) -> bytes:
    """JPEG bytes (OpenCV, ``quality`` 0-100) of an RGB ``uint8`` frame."""
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise TrackbenchError("OpenCV could not encode a JPEG frame")
    return data.tobytes()


def decode_jpeg(data: bytes) -> np.ndarray:
    """RGB ``uint8`` frame from in-memory JPEG (or PNG) bytes."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise TrackbenchError("cannot decode an in-memory image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
