"""Image decoding and encoding, in one place so the convention (RGB uint8 HxWx3) is applied once.

A frame must decode completely: a JPEG that does not end with its end-of-image marker
(``FF D9``) or a PNG without its final ``IEND`` chunk is truncated, and libjpeg would
silently fill the missing part with grey (printing only a warning on stderr, without the
file name). Such a file raises a :class:`TrackbenchError` naming it, before it is decoded,
so nothing is printed and the unit that needed it fails with that message.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from trackbench.errors import TrackbenchError

_JPEG_START, _JPEG_END = b"\xff\xd8", b"\xff\xd9"
_PNG_START, _PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"


def truncation_problem(data: bytes) -> str | None:
    """Why ``data`` (a whole image file) is incomplete, or None (also for other formats)."""
    if data.startswith(_JPEG_START):
        if not data.rstrip(b"\x00\r\n\t ").endswith(_JPEG_END):
            return "truncated JPEG (no end-of-image marker): the frame does not decode completely"
    elif data.startswith(_PNG_START) and not data.rstrip(b"\x00").endswith(_PNG_END):
        return "truncated PNG (no IEND chunk): the frame does not decode completely"
    return None


def read_rgb(path: str | Path) -> np.ndarray:
    """Decode an image file to an RGB ``uint8`` array of shape ``(H, W, 3)``; a missing,
    truncated or undecodable file raises :class:`TrackbenchError` naming it."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise TrackbenchError("image file not found", path) from None
    except OSError as exc:
        raise TrackbenchError(f"cannot read image file ({exc.strerror or exc})", path) from None
    problem = truncation_problem(data)
    if problem:
        raise TrackbenchError(problem, path)
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise TrackbenchError("image file cannot be decoded", path)
    # in place: the channel swap reads and writes each pixel at the same offset, so no
    # second frame-sized buffer is allocated (and faulted in) per frame
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB, dst=image)


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
