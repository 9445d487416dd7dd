"""TraX clients: the official libtrax ``trax.client.Client`` where it loads, else ours.

Both drive a :class:`~trackbench.trax.process.ServerProcess` through one session:

* :meth:`start` reads the server's ``hello`` (:class:`~trackbench.trax.grammar.ServerInfo`);
* :meth:`initialize` sends a frame and the object regions, returns one
  ``(Region, properties)`` per object;
* :meth:`frame` sends the next frame, returns the same;
* :meth:`close` sends ``quit`` and ends the process.

:class:`NativeClient` is the official library (PyPI ``vot-trax``, the ``trax`` extra):
the protocol is libtrax's by construction. :class:`PythonClient` is the fallback where
``import trax`` fails; it writes every message exactly as libtrax's client does for the
version the server announced (``src/trax.c``, ``trax_client_initialize`` /
``trax_client_frame`` / ``trax_client_wait``):

* versions 1-3: ``initialize <image per channel> <region> <properties>`` and
  ``frame <image per channel> <properties>``, each answered by one ``state``;
* version 4: an ``initialize`` with nothing but the region (and that object's
  properties) for every object -- preceded, when objects were already being tracked, by
  an empty ``initialize`` that resets them -- then ``frame <images> <properties>``; the
  server answers with one ``state`` per object, in order.

Channels are those of ``trax.channels`` (version 2+; ``color`` before). Regions are sent
in a kind the server takes (:func:`~trackbench.trax.regions.convert_for`), images in the
format :func:`~trackbench.trax.images.choose_format` picks. A ``quit`` from the server
ends the session with its ``trax.reason``.
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

from trackbench.errors import TrackbenchError
from trackbench.trax import grammar
from trackbench.trax.images import Frame, choose_format, image_argument
from trackbench.trax.process import ServerProcess
from trackbench.trax.regions import MASK, POLYGON, RECTANGLE, SPECIAL, Region, convert_for, format_region, parse_region

Answer = list[tuple[Region, dict[str, str]]]
Objects = list[tuple[Region, dict[str, Any]]]


def native_available() -> bool:
    """Whether the official library (``import trax`` with its ``libtrax``) loads."""
    try:
        import trax  # noqa: F401
        from trax.client import Client  # noqa: F401
    except Exception:
        return False
    return True


class _Session:
    """What both clients share: the process, the timeout, the capabilities."""

    transport = "?"

    def __init__(self, command: str, *, timeout: float = 30.0, start_timeout: float | None = None,
                 cwd: str | Path | None = None, env: dict[str, str] | None = None):
        self.command = command
        self.timeout = float(timeout)
        # the hello may wait for the tracker's start-up (interpreter, libraries, a model)
        self.start_timeout = max(self.timeout, 60.0) if start_timeout is None else float(start_timeout)
        self.process = ServerProcess(command, cwd=cwd, env=dict({"TRAX": "1"}, **(env or {})))
        self.info: grammar.ServerInfo | None = None
        self.objects = 0

    @property
    def running(self) -> bool:
        return self.process.running and self.info is not None

    def _check_objects(self, objects: Objects) -> None:
        assert self.info is not None
        if not objects:
            raise TrackbenchError(f"TraX tracker {self.command!r}: initialize needs at least one object")
        if len(objects) > 1 and not self.info.multiobject:
            raise TrackbenchError(f"TraX tracker {self.command!r} tracks one object at a time, got {len(objects)}")

    def _image_kind(self, frame: Frame) -> str:
        assert self.info is not None
        if self.info.channels != ("color",):
            raise TrackbenchError(f"TraX tracker {self.command!r} asks for image channels "
                                  f"{', '.join(self.info.channels)}; trackbench sequences have color only")
        try:
            return choose_format(self.info.images, frame.path is not None)
        except ValueError as exc:
            raise TrackbenchError(f"TraX tracker {self.command!r}: {exc}") from None

    def _region(self, region: Region) -> Region:
        assert self.info is not None
        try:
            return convert_for(region, self.info.regions)
        except ValueError as exc:
            raise TrackbenchError(f"TraX tracker {self.command!r}: {exc}") from None

    def __enter__(self) -> "_Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def close(self) -> None:
        raise NotImplementedError


class PythonClient(_Session):
    """The pure-Python client (see the module docstring)."""

    transport = "python"

    def start(self) -> grammar.ServerInfo:
        self.close()
        self.process.start()
        self.objects = 0
        hello = self._receive("hello")
        try:
            self.info = grammar.ServerInfo.from_hello(hello)
        except grammar.GrammarError as exc:
            raise self.process.error(f"bad hello: {exc}") from None
        return self.info

    def _send(self, name: str, arguments: list[str] = (), properties: dict[str, Any] | None = None) -> None:
        popen = self.process.popen
        assert popen is not None and popen.stdin is not None
        try:
            popen.stdin.write(grammar.format_message(name, arguments, properties).encode("utf-8"))
            popen.stdin.flush()
        except (OSError, ValueError):
            raise self.process.error(f"the tracker process closed its input before '{name}'") from None

    def _receive(self, expected: str) -> grammar.Message:
        popen = self.process.popen
        assert popen is not None and popen.stdout is not None
        limit = self.start_timeout if expected == "hello" else self.timeout
        with self.process.deadline(limit):
            while True:
                raw = popen.stdout.readline()
                if not raw:
                    raise self.process.error(f"the tracker process ended while '{expected}' was expected", limit)
                line = raw.decode("utf-8", "replace")
                try:
                    message = grammar.parse_message(line)
                except grammar.GrammarError as exc:
                    raise self.process.error(f"malformed TraX line {line.strip()!r}: {exc}") from None
                if message is not None:
                    return message

    def _images(self, frame: Frame) -> list[str]:
        return [image_argument(frame, self._image_kind(frame))]  # one channel: color

    def initialize(self, frame: Frame, objects: Objects, properties: dict[str, Any] | None = None) -> Answer:
        if not self.running:
            self.start()
        assert self.info is not None
        self._check_objects(objects)
        regions = [(self._region(r), p) for r, p in objects]
        if self.info.version >= 4:
            if self.objects > 0:
                self._send("initialize")
            for region, object_properties in regions:
                self._send("initialize", [format_region(region)], object_properties)
            self.objects = len(regions)
            self._send("frame", self._images(frame), properties)
        else:
            self._send("initialize", self._images(frame) + [format_region(regions[0][0])], properties)
            self.objects = 1
        return self._states()

    def frame(self, frame: Frame, properties: dict[str, Any] | None = None) -> Answer:
        if not self.running:
            raise self.process.error("frame requested but the tracker process is not running")
        self._send("frame", self._images(frame), properties)
        return self._states()

    def _states(self) -> Answer:
        answer: Answer = []
        for _ in range(self.objects):
            message = self._receive("state")
            if message.name == "quit":
                reason = message.properties.get("trax.reason")
                raise self.process.error("the tracker sent 'quit'" + (f" ({reason})" if reason else ""))
            if message.name != "state" or len(message.arguments) != 1:
                raise self.process.error(f"expected 'state' with one region, got {message.name!r} "
                                         f"with {len(message.arguments)} arguments")
            try:
                region = parse_region(message.arguments[0])
            except ValueError as exc:
                raise self.process.error(f"bad state message: {exc}") from None
            answer.append((region, message.properties))
        return answer

    def close(self) -> None:
        self.info = None
        self.process.close(grammar.format_message("quit").encode("utf-8"))


class NativeClient(_Session):
    """The official ``trax.client.Client`` over the server's pipes (as the VOT toolkit runs it)."""

    transport = "libtrax"

    def __init__(self, command: str, **kwargs: Any):
        super().__init__(command, **kwargs)
        self._client: Any = None
        self.log: collections.deque[str] = collections.deque(maxlen=64)

    def start(self) -> grammar.ServerInfo:
        from ctypes import byref, c_int

        import trax
        from trax._ctypes import TRAX_PARAMETER_VERSION, trax_get_parameter
        from trax.client import Client

        self.close()
        popen = self.process.start()
        assert popen.stdin is not None and popen.stdout is not None
        self.objects = 0
        with self.process.deadline(self.start_timeout):
            try:
                # (the binding needs a logger; the protocol text is kept, the last lines only)
                self._client = Client(stream=(popen.stdin.fileno(), popen.stdout.fileno()), log=self.log.append)
            except trax.TraxException as exc:
                self._client = None  # the binding freed its handle already
                raise self.process.error(f"no valid hello ({exc})", self.start_timeout) from None
        version = c_int(0)
        trax_get_parameter(self._client._handle.reference, TRAX_PARAMETER_VERSION, byref(version))
        custom = {k: v for k, v in self._client._custom.items() if k != "multiobject"}  # the binding's hello copy
        self.info = grammar.ServerInfo(
            # a hello without trax.region / trax.image leaves libtrax's lists empty: the protocol's
            # defaults (rectangle, path) apply, as in our own client
            version=version.value,
            regions=tuple(r for r in self._client.region_formats if r != SPECIAL) or ("rectangle",),
            images=tuple(self._client.image_formats) or ("path",), channels=tuple(self._client.channels),
            name=self._client.tracker_name, family=self._client.tracker_family,
            description=self._client.tracker_description, multiobject=bool(self._client.get("multiobject")),
            custom=custom,
        )
        return self.info

    def _images(self, frame: Frame) -> dict[str, Any]:
        import trax

        kind = self._image_kind(frame)
        if kind == "path":
            image = trax.FileImage.create(str(Path(frame.path).resolve()))
        elif kind == "url":
            image = trax.URLImage.create(Path(frame.path).resolve().as_uri())
        elif kind == "buffer":
            image = trax.BufferImage.create(frame.file_bytes()[0])
        else:
            image = trax.MemoryImage.create(frame.pixels())
        return {trax.ImageChannel.COLOR: image}

    @staticmethod
    def _to_trax(region: Region) -> Any:
        import trax

        if region.kind == RECTANGLE:
            return trax.Rectangle.create(*region.values)
        if region.kind == POLYGON:
            values = region.values
            return trax.Polygon.create(list(zip(values[0::2], values[1::2])))
        if region.kind == MASK:
            return trax.Mask.create(region.mask, int(region.values[0]), int(region.values[1]))
        return trax.Special.create(region.code)

    @staticmethod
    def _from_trax(region: Any) -> Region:
        kind = region.type
        if kind == RECTANGLE:
            return Region(RECTANGLE, tuple(float(v) for v in region.bounds()))
        if kind == POLYGON:
            return Region(POLYGON, tuple(float(c) for point in region for c in point))
        if kind == MASK:
            x, y = region.offset()
            return Region.from_mask(region.array(), x, y)
        return Region.special(region.code)

    def _exchange(self, what: str, images: dict[str, Any], objects: list, properties: dict[str, str]) -> list:
        """One request and its answer through libtrax's client calls (those
        ``trax.client.Client.initialize`` / ``frame`` make), checking that the answer is a
        ``state``: after a server's death libtrax's reader completes the previous message
        type (right after ``hello``: a phantom ``hello`` with default regions), which the
        binding would hand back as an answer."""
        from ctypes import byref

        import trax
        from trax._ctypes import trax_client_frame, trax_client_initialize, trax_client_wait, trax_get_error

        handle = self._client._handle.reference
        timages, tobjects, tproperties = trax.wrap_images(images), trax.wrap_objects(objects), trax.Properties(properties)
        send = trax_client_initialize if what == "initialize" else trax_client_frame
        if trax.TraxStatus.decode(send(handle, timages.reference, tobjects.reference, tproperties.reference)) \
                == trax.TraxStatus.ERROR:
            detail = trax_get_error(handle)
            raise trax.TraxException(detail.decode("utf-8") if detail else "cannot send")
        answer, answer_properties = trax.trax_object_list_p(), trax.Properties()
        status = trax.TraxStatus.decode(trax_client_wait(handle, byref(answer), answer_properties.reference))
        owned = trax.ObjectListWrapper(answer)
        if status == trax.TraxStatus.QUIT:
            reason = answer_properties.get("trax.reason")
            raise trax.TraxException("the tracker sent 'quit'" + (f" ({reason})" if reason else ""))
        if status != trax.TraxStatus.STATE:
            raise trax.TraxException("the tracker process ended while 'state' was expected")
        return trax.wrap_object_list(owned.reference)

    def _call(self, what: str, images: dict[str, Any], objects: list, properties: dict[str, Any] | None) -> Answer:
        import trax

        text = {k: str(v) for k, v in (properties or {}).items()}
        with self.process.deadline(self.timeout):
            try:
                states = self._exchange(what, images, objects, text)
            except trax.TraxException as exc:
                raise self._failed(f"{what}: {exc}") from None
        if self.process.timed_out:
            raise self._failed(what)
        return [(self._from_trax(region), dict(props)) for region, props in states]

    def initialize(self, frame: Frame, objects: Objects, properties: dict[str, Any] | None = None) -> Answer:
        if not self.running:
            self.start()
        self._check_objects(objects)
        tobjects = [(self._to_trax(self._region(r)), {k: str(v) for k, v in p.items()}) for r, p in objects]
        answer = self._call("initialize", self._images(frame), tobjects, properties)
        self.objects = len(objects)
        return answer

    def frame(self, frame: Frame, properties: dict[str, Any] | None = None) -> Answer:
        if not self.running:
            raise self._failed("frame requested but the tracker process is not running")
        return self._call("frame", self._images(frame), [], properties)

    def _release(self) -> None:
        """Terminate and free the libtrax handle while the pipes and the binding's logger
        still exist: ``quit`` marks the handle terminated (written to a dead server it
        fails harmlessly), so its clean-up writes and logs nothing; freed in another
        order, the clean-up would call a logger callback already collected."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except Exception:
            pass
        handle, client._handle = client._handle, None
        del handle  # trax_cleanup runs here, before `client` (and its logger) goes

    def _failed(self, what: str) -> TrackbenchError:
        self._release()
        self.info = None
        return self.process.error(what, self.timeout)

    def close(self) -> None:
        self._release()
        self.info = None
        self.process.close()


TRANSPORTS = ("auto", "libtrax", "python")


def open_client(command: str, *, transport: str = "auto", **kwargs: Any) -> PythonClient | NativeClient:
    """A client for ``command``: ``libtrax`` (the official library), ``python`` (ours),
    or ``auto`` (the official library where it loads, else ours)."""
    if transport not in TRANSPORTS:
        raise TrackbenchError(f"unknown TraX transport {transport!r} (choose from {', '.join(TRANSPORTS)})")
    if transport == "libtrax" or (transport == "auto" and native_available()):
        if transport == "libtrax" and not native_available():
            raise TrackbenchError("the official TraX library is not installed (pip install 'trackbench[trax]')")
        return NativeClient(command, **kwargs)
    return PythonClient(command, **kwargs)
