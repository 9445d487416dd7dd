"""TraX image arguments, as libtrax 4 writes them (``src/trax.c``, ``image_encode``).

One argument per channel the server asked for (``color``, ``depth``, ``ir``, in that
order), in the first of the server's image formats this client can send, preferring

1. ``path``: ``file://`` followed by the absolute path of the JPEG/PNG file;
2. ``buffer``: ``data:image/jpeg;<base64>`` (or ``image/png``): the file's own bytes;
3. ``memory``: ``image:<width>;<height>;rgb;<base64>``: the decoded pixels, row by row,
   RGB, 8 bits each (``gray8`` / ``gray16`` for one-channel images);
4. ``url``: the file's ``file:`` URI (:meth:`pathlib.Path.as_uri`). A server built on
   libtrax reads every ``file:`` argument as a path, so one that offers ``url`` only
   refuses it; such servers need remote URLs, which a benchmark does not have.

Base64 is the standard alphabet with ``=`` padding (libtrax ``base64encode``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

PREFERENCE = ("path", "buffer", "memory", "url")
_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png"}


@dataclass(frozen=True)
class Frame:
    """One frame as a client sends it: the image file (if there is one) and/or the
    decoded RGB ``uint8`` ``(H, W, 3)`` array (read from ``path`` when needed)."""

    path: Path | None = None
    image: np.ndarray | None = None

    def pixels(self) -> np.ndarray:
        if self.image is not None:
            return np.ascontiguousarray(self.image)
        from trackbench.imageio import read_rgb

        assert self.path is not None
        return read_rgb(self.path)

    def file_bytes(self) -> tuple[bytes, str]:
        """The JPEG/PNG bytes and their MIME type: the file's own, else PNG-encoded pixels."""
        if self.path is not None:
            data = Path(self.path).read_bytes()
            for magic, mime in _MAGIC.items():
                if data.startswith(magic):
                    return data, mime
        ok, encoded = cv2.imencode(".png", cv2.cvtColor(self.pixels(), cv2.COLOR_RGB2BGR))
        if not ok:
            raise ValueError("cannot encode the frame as PNG")
        return encoded.tobytes(), "image/png"


def choose_format(offered: tuple[str, ...], has_file: bool) -> str:
    """The image format to send, from the server's ``trax.image`` list."""
    for kind in PREFERENCE:
        if kind in offered and (has_file or kind in ("buffer", "memory")):
            return kind
    reason = "this frame has no image file" if not has_file else "none of them can be sent"
    raise ValueError(f"the server takes images as {', '.join(offered) or 'nothing'}; {reason}")


def memory_argument(pixels: np.ndarray) -> str:
    """``image:W;H;<format>;<base64 of the raw rows>``."""
    pixels = np.ascontiguousarray(pixels)
    if pixels.ndim == 3 and pixels.shape[2] == 3 and pixels.dtype == np.uint8:
        kind = "rgb"
    elif pixels.ndim == 2 and pixels.dtype == np.uint8:
        kind = "gray8"
    elif pixels.ndim == 2 and pixels.dtype == np.uint16:
        kind = "gray16"
        pixels = pixels.astype("<u2")
    else:
        raise ValueError(f"no TraX memory format for a {pixels.dtype} image of shape {pixels.shape}")
    height, width = pixels.shape[:2]
    return f"image:{width};{height};{kind};" + base64.b64encode(pixels.tobytes()).decode("ascii")


def image_argument(frame: Frame, kind: str) -> str:
    """The argument for ``frame`` in format ``kind`` (see the module docstring)."""
    if kind == "path":
        assert frame.path is not None
        return "file://" + str(Path(frame.path).resolve())
    if kind == "url":
        assert frame.path is not None
        return Path(frame.path).resolve().as_uri()
    if kind == "buffer":
        data, mime = frame.file_bytes()
        return f"data:{mime};" + base64.b64encode(data).decode("ascii")
    if kind == "memory":
        return memory_argument(frame.pixels())
    raise ValueError(f"unknown TraX image format {kind!r}")
