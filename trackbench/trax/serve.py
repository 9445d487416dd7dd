"""``trackbench trax-serve``: a trackbench tracker as a TraX server (official libtrax).

The server is the official library's ``trax.Server`` (PyPI ``vot-trax``), so what it
writes is libtrax's by construction (protocol version 4, as the library announces it).
It offers ``rectangle`` and ``polygon`` regions and ``path``, ``memory`` and ``buffer``
images, in the ``color`` channel; ``trax.name`` is the tracker's name and
``trax.family`` ``trackbench``; the custom property ``trackbench.version`` says which
trackbench serves it.

Per request:

* ``initialize``: the frame is decoded (path: :func:`trackbench.imageio.read_rgb`, the
  decoder ``trackbench run`` uses; buffer: the same decoder on the bytes; memory: the
  pixels as sent), the region becomes the ``[x, y, w, h]`` box -- a rectangle as it is,
  a polygon by ``init_rule`` (``area``: the area-preserving box, ``bbox``: its bounding
  box; the rules ``trackbench run`` applies to VOT polygons, see
  :func:`trackbench.protocols.supervised.initialization_box`; other polygons: their
  bounding box) -- and ``init`` is called; the answer is the region received;
* ``frame``: ``update`` is called; a 4-number answer is sent as a rectangle, 8 numbers
  as a polygon, with the tracker's score as the ``confidence`` property (the name the
  VOT toolkit reads); an answer with NaN or infinite numbers is sent as the empty
  rectangle ``0,0,0,0`` (the VOT toolkit counts it as a failure, as ``trackbench run``
  counts a NaN box).

A tracker error ends the session with ``quit`` and its one-line message as
``trax.reason``, and the command exits with status 1 (the message also on stderr).
Only protocol messages go to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import cv2
import numpy as np

from trackbench import __version__
from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_bbox, polygon_to_box_area_preserving
from trackbench.imageio import read_rgb
from trackbench.tracker import split_output

# How an initial polygon becomes a box: the rules of trackbench's VOT protocol
# (trackbench.protocols.supervised.initialization_box), by name.
INIT_RULES = {"area": polygon_to_box_area_preserving, "bbox": polygon_to_bbox}


def _decode(image: Any) -> tuple[np.ndarray, Path | None]:
    """A ``trax`` image -> RGB ``uint8`` array and its file (for path/``file:`` images)."""
    kind = image.type()
    if kind == "path":
        path = Path(image.path())
        return read_rgb(path), path
    if kind == "url":
        parsed = urlparse(image.url())
        if parsed.scheme != "file":
            raise TrackbenchError(f"cannot fetch image URL {image.url()!r} (only file: URLs are read)")
        path = Path(unquote(parsed.path))
        return read_rgb(path), path
    if kind == "buffer":
        decoded = cv2.imdecode(np.frombuffer(image.buffer(), dtype=np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise TrackbenchError("the buffer image cannot be decoded")
        return cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), None
    pixels = np.asarray(image.array())
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    if pixels.dtype != np.uint8:
        pixels = (pixels >> 8).astype(np.uint8)
    return np.ascontiguousarray(pixels), None


def _box(region: Any, init_rule: str) -> np.ndarray:
    if region.type == "rectangle":
        return np.array(region.bounds(), dtype=np.float64)
    if region.type == "polygon":
        points = np.array([c for point in region for c in point], dtype=np.float64)
        if points.shape[0] != 8:  # not a quadrilateral: its bounding box
            return polygon_to_bbox(points)
        return INIT_RULES[init_rule](points)
    raise TrackbenchError(f"trax-serve initialises from rectangles and polygons, got a {region.type}")


def _answer(values: np.ndarray) -> Any:
    import trax

    if not np.all(np.isfinite(values)):
        return trax.Rectangle.create(0, 0, 0, 0)
    if values.shape[0] == 4:
        return trax.Rectangle.create(*(float(v) for v in values))
    return trax.Polygon.create([(float(x), float(y)) for x, y in zip(values[0::2], values[1::2])])


def _call(tracker: Any, method: str, image: np.ndarray, path: Path | None, *args: Any) -> Any:
    if path is not None and getattr(tracker, "accepts_image_paths", False):
        return getattr(tracker, method)(image, *args, path=path)
    return getattr(tracker, method)(image, *args)


def serve(tracker: Any, *, init_rule: str = "area", log: bool = False) -> int:
    """Serve ``tracker`` (trackbench contract) over TraX on stdin/stdout until ``quit``.
    Returns the exit status: 0 after the client's ``quit``, 1 after a tracker error."""
    try:
        import trax
    except Exception as exc:
        raise TrackbenchError(f"trax-serve needs the official TraX library (pip install 'trackbench[trax]'): {exc}") \
            from None
    if init_rule not in INIT_RULES:
        raise TrackbenchError(f"unknown init rule {init_rule!r} (choose from {', '.join(INIT_RULES)})")
    name = str(getattr(tracker, "name", "") or type(tracker).__name__)
    server = trax.Server(
        [trax.Region.RECTANGLE, trax.Region.POLYGON], [trax.Image.PATH, trax.Image.MEMORY, trax.Image.BUFFER],
        [trax.ImageChannel.COLOR], tracker_name=name, tracker_family="trackbench",
        tracker_description=f"{name} served by trackbench {__version__}",
        metadata={"trackbench.version": __version__}, log=log,
    )
    try:
        while True:
            request = server.wait()
            if request.type == trax.TraxStatus.QUIT:
                return 0
            image, path = _decode(request.image[trax.ImageChannel.COLOR])
            if request.type == trax.TraxStatus.INITIALIZE:
                if len(request.objects) != 1:
                    raise TrackbenchError(f"trax-serve tracks one object, got {len(request.objects)}")
                region, _ = request.objects[0]
                _call(tracker, "init", image, path, _box(region, init_rule))
                server.status([(region, {})])
            else:
                values, score = split_output(_call(tracker, "update", image, path))
                properties = {} if score is None else {"confidence": f"{score:.6g}"}
                server.status([(_answer(values), properties)])
    except Exception as exc:
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(f"trackbench trax-serve: {message}", file=sys.stderr, flush=True)
        try:
            server.quit(reason=message)
        except Exception:
            pass
        return 1
    finally:
        close = getattr(tracker, "close", None)
        if callable(close):
            close()
