"""An external TraX tracker as a trackbench tracker (``trackbench run trax:COMMAND``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.tracker import Tracker
from trackbench.trax.client import open_client
from trackbench.trax.grammar import ServerInfo
from trackbench.trax.images import Frame
from trackbench.trax.regions import Region


class TraxTracker(Tracker):
    """An executable speaking TraX, run as a trackbench tracker (one object).

    ``command``: the command line (``trackbench run trax:"python my_tracker.py" ...``).
    Options: ``timeout`` (seconds the server may take for each answer, default 30; on
    expiry it is killed and the unit fails), ``start_timeout`` (seconds for its hello,
    i.e. its start-up; default the larger of ``timeout`` and 60), ``name`` (default: the
    server's ``trax.name``), ``deterministic`` (declared by the user; default False, as
    an external process cannot be inspected), ``cwd``, ``transport`` (``auto``: the
    official libtrax client where it loads, else ours; ``libtrax``; ``python``); any
    further option is sent to the tracker as a property with ``initialize`` (versions
    1-3: on the ``initialize`` message; 4: on its ``frame``, where the official
    ``trax.Server`` reads a request's properties).

    Frames go as image files when the harness knows them (``accepts_image_paths``);
    otherwise the array is written to a temporary PNG first. The process starts at the
    first ``init`` (or :meth:`handshake`) and is re-initialised for every further
    sequence. Answers: a rectangle is the box, a 4-point polygon its 8 numbers (other
    polygons and masks: their bounding box), a special region (a code: the tracker
    reports no region) a NaN box.
    """

    accepts_image_paths = True

    def __init__(self, command: str, *, timeout: float = 30.0, start_timeout: float | None = None,
                 name: str | None = None, deterministic: bool = False, cwd: str | None = None,
                 transport: str = "auto", **parameters: Any):
        self.command = command
        self.session = open_client(command, transport=transport, timeout=float(timeout),
                                   start_timeout=None if start_timeout is None else float(start_timeout), cwd=cwd)
        self.parameters = dict(parameters)
        self.name = name or "trax"
        self._name_given = name is not None
        self.is_deterministic = _as_bool(deterministic)
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def client(self) -> Any:
        """The TraX client session (:mod:`trackbench.trax.client`)."""
        return self.session

    def handshake(self) -> ServerInfo:
        """Start the server if needed and return what its ``hello`` announced."""
        if not self.session.running:
            info = self.session.start()
            if not self._name_given and info.name:
                self.name = info.name
        assert self.session.info is not None
        return self.session.info

    def config_summary(self) -> dict[str, Any]:
        """For ``run.json``: the command, options, transport and the server's hello
        (``trax.name``, ``trax.family``, protocol version, formats); starts the server."""
        info = self.handshake()
        return {"command": self.command, "parameters": self.parameters, "transport": self.session.transport,
                "trax": info.summary()}

    def _frame(self, image: np.ndarray, path: str | os.PathLike[str] | None) -> Frame:
        if path is not None and Path(path).is_file():
            return Frame(Path(path), image)
        if self._tempdir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="trackbench-trax-")
        target = Path(self._tempdir.name) / "frame.png"
        bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
        if not cv2.imwrite(str(target), bgr, [cv2.IMWRITE_PNG_COMPRESSION, 1]):
            raise TrackbenchError("cannot write a temporary frame for the TraX tracker", target)
        return Frame(target, image)

    def init(self, image: np.ndarray, box: np.ndarray, path: str | os.PathLike[str] | None = None) -> None:
        self.handshake()
        region = Region.from_array(np.asarray(box, dtype=np.float64).reshape(-1))
        self.session.initialize(self._frame(image, path), [(region, {})], self.parameters)

    def update(self, image: np.ndarray, path: str | os.PathLike[str] | None = None) -> tuple[np.ndarray, float | None]:
        if self.session.objects == 0:
            raise TrackbenchError(f"TraX tracker {self.command!r}: update called before init")
        (region, properties), *_ = self.session.frame(self._frame(image, path))
        values = region.to_array()
        if values is None:
            return np.full(4, np.nan), _score(properties)
        return values, _score(properties)

    def close(self) -> None:
        """End the tracker process and remove temporary frames."""
        self.session.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def _score(properties: dict[str, str]) -> float | None:
    for key in ("trax.confidence", "confidence", "score"):
        if key in properties:
            try:
                return float(properties[key])
            except ValueError:
                return None
    return None


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
