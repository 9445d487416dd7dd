"""Small TraX servers built on the official library (``vot-trax``'s ``trax.Server``),
run by the tests as ``python tests/helpers/trax_servers.py KIND [options]``.

``--version 4`` (the default) is the library's own ``trax.Server``. Versions 1-3 are the
same library told to speak them: the server is set up with ``trax_server_setup_v(...,
version)`` and requests are read and answered with libtrax's single-object calls
(``trax_server_wait_sot`` / ``trax_server_reply_sot``), which the Python binding exposes
but its ``Server`` class does not use.

Kinds (every box is ``[x, y, w, h]``; ``k`` counts frames after the initialisation):

* ``static``: the initial box moved by one pixel a frame, ``[x + k, y + k, w, h]``;
* ``polygon``: answers polygons, the initial region's polygon moved by ``(k, 2k)``, and
  appends each frame's pixel sum to ``--log`` (so a test can check the pixels that
  arrived); ``--image memory`` makes it take raw pixels only;
* ``special``: like ``static`` but answers the special region 0 ("no region") on the
  frames listed by ``--lost``;
* ``dying``: like ``static`` but writes two stderr lines and exits with status 3 at
  frame ``--at`` -- on sequences whose frame paths hold ``--only`` (if given), and
  while the file ``--flag`` exists (if given);
* ``hanging``: like ``static`` but sleeps for a minute at frame ``--at``;
* ``echo``: answers the received region, and appends what libtrax parsed (request type,
  images, region, properties) as one JSON line to ``--log``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from ctypes import byref, c_void_p

import numpy as np
import trax
import trax.server
from trax import Properties, Region, TraxStatus, trax_image_list_p, wrap_image_list
from trax._ctypes import trax_server_reply_sot, trax_server_wait_sot


class VersionedServer:
    """``trax.Server`` speaking protocol ``version`` (1-4); one object per request."""

    def __init__(self, regions, images, version, **metadata):
        self.version = version
        setup = trax.server.trax_server_setup_v
        trax.server.trax_server_setup_v = lambda mdata, logger, _version: setup(mdata, logger, version)
        try:
            self.server = trax.Server(regions, images, **metadata)
        finally:
            trax.server.trax_server_setup_v = setup

    def wait(self):
        """``(type, images by channel, region or None, properties dict)``."""
        if self.version >= 4:
            request = self.server.wait()
            region = request.objects[0][0] if request.objects else None
            return request.type, request.image, region, dict(request.properties.dict())
        images, region, properties = trax_image_list_p(), c_void_p(), Properties()
        status = TraxStatus.decode(trax_server_wait_sot(self.server._handle.reference, byref(images), byref(region),
                                                        properties.reference))
        if status == TraxStatus.ERROR:
            raise trax.TraxException("wait failed")
        if status == TraxStatus.QUIT:
            return status, None, None, {}
        return (status, wrap_image_list(images), Region.wrap(region) if region.value else None,
                dict(properties.dict()))

    def reply(self, region, properties=None):
        if self.version >= 4:
            self.server.status([(region, properties or {})])
        else:
            trax_server_reply_sot(self.server._handle.reference, region.reference, Properties(properties).reference)


def _pixels(image):
    if image.type() == trax.Image.PATH:
        import cv2

        return cv2.cvtColor(cv2.imread(image.path(), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return image.array()


def _describe_image(image):
    kind = image.type()
    if kind == trax.Image.PATH:
        return {"type": "path", "path": image.path()}
    if kind == trax.Image.URL:
        return {"type": "url", "url": image.url()}
    if kind == trax.Image.BUFFER:
        return {"type": "buffer", "sha1": hashlib.sha1(image.buffer()).hexdigest()}
    array = image.array()
    return {"type": "memory", "shape": list(array.shape), "sha1": hashlib.sha1(array.tobytes()).hexdigest()}


def _describe_region(region):
    if region is None:
        return None
    if region.type == Region.RECTANGLE:
        return {"rectangle": list(region.bounds())}
    if region.type == Region.POLYGON:
        return {"polygon": [list(p) for p in region]}
    if region.type == Region.MASK:
        return {"mask": list(region.offset()), "pixels": region.array().astype(int).tolist()}
    return {"special": region.code}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["static", "polygon", "special", "dying", "hanging", "echo"])
    parser.add_argument("--version", type=int, default=4)
    parser.add_argument("--region", default=None, help="';'-separated region formats")
    parser.add_argument("--image", default=None, help="';'-separated image formats")
    parser.add_argument("--lost", default="", help="frames (k) answered with a special region")
    parser.add_argument("--at", type=int, default=3)
    parser.add_argument("--log", default=None)
    parser.add_argument("--only", default=None)
    parser.add_argument("--flag", default=None)
    args = parser.parse_args()
    regions = (args.region or ("polygon" if args.kind == "polygon" else "rectangle")).split(";")
    images = (args.image or "path").split(";")
    server = VersionedServer(regions, images, args.version, tracker_name=f"{args.kind}-v{args.version}",
                             tracker_family="trackbench-tests", metadata={"build": "7"})
    lost = {int(v) for v in args.lost.split(",") if v}
    start, k, name = None, 0, ""
    while True:
        kind, images_in, region, properties = server.wait()
        if kind == TraxStatus.QUIT:
            return 0
        if args.kind == "echo":
            record = {"type": kind, "images": {c: _describe_image(i) for c, i in images_in.items()},
                      "region": _describe_region(region), "properties": properties}
            with open(args.log, "a", encoding="utf-8") as log:
                log.write(json.dumps(record, sort_keys=True) + "\n")
            server.reply(region if region is not None else trax.Rectangle.create(0, 0, 0, 0))
            continue
        color = images_in[trax.ImageChannel.COLOR]
        if kind == TraxStatus.INITIALIZE:
            name = color.path() if color.type() == trax.Image.PATH else ""
            if region.type == Region.RECTANGLE:
                start = list(region.bounds())
            else:
                start = [c for point in region for c in point]
            k = 0
            server.reply(region)
            continue
        k += 1
        dies = (args.only is None or args.only in name) and (args.flag is None or os.path.exists(args.flag))
        if args.kind == "dying" and k == args.at and dies:
            sys.stderr.write("loading the next frame\n")
            sys.stderr.write("RuntimeError: simulated crash\n")
            sys.stderr.flush()
            os._exit(3)
        if args.kind == "hanging" and k == args.at:
            time.sleep(60)
        if args.kind == "special" and k in lost:
            server.reply(trax.Special.create(0))
            continue
        if args.kind == "polygon":
            points = np.array(start, dtype=np.float64).reshape(-1, 2) + [k, 2 * k]
            if args.log:
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(f"{int(_pixels(color).astype(np.int64).sum())}\n")
            server.reply(trax.Polygon.create([tuple(p) for p in points]))
            continue
        x, y, w, h = start[:4]
        server.reply(trax.Rectangle.create(x + k, y + k, w, h), {"confidence": 0.5})


if __name__ == "__main__":
    sys.exit(main())
