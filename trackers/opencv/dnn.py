"""OpenCV's deep-network trackers on user-supplied model files: NanoTrack, ViT, DaSiamRPN.

Registered as ``opencv-nano`` (``cv2.TrackerNano``: the NanoTrack ONNX pair, e.g. NanoTrack v2's
``nanotrack_backbone_sim.onnx`` + ``nanotrack_head_sim.onnx``), ``opencv-vit``
(``cv2.TrackerVit``: one ONNX file, e.g. OpenCV zoo's ``object_tracking_vittrack_2023sep.onnx``)
and ``opencv-dasiamrpn`` (``cv2.TrackerDaSiamRPN``: ``dasiamrpn_model.onnx``,
``dasiamrpn_kernel_cls1.onnx``, ``dasiamrpn_kernel_r1.onnx``). No model file ships with
trackbench and nothing is downloaded: each file comes from an option (``--set backbone=PATH``)
or from the ``models`` section of the user config (``~/.config/trackbench/config.yaml``)::

    models:
      nanotrack_backbone: /models/nanotrack_backbone_sim.onnx
      nanotrack_neckhead: /models/nanotrack_head_sim.onnx
      vit_net: /models/object_tracking_vittrack_2023sep.onnx
      dasiamrpn_model: /models/dasiamrpn_model.onnx
      dasiamrpn_kernel_cls1: /models/dasiamrpn_kernel_cls1.onnx
      dasiamrpn_kernel_r1: /models/dasiamrpn_kernel_r1.onnx

A missing or absent file is a one-line :class:`TrackbenchError` naming the option, the config
key and the path. Images arrive RGB and are handed to OpenCV as BGR; boxes are ``[x, y, w, h]``
(OpenCV's integer ``cv::Rect`` at init, as for the classic trackers). ``update`` returns
OpenCV's box and its ``getTrackingScore()``; when OpenCV reports a failure, the previous box
with score 0. The networks run single-threaded through OpenCV's DNN module on the CPU, so the
results are deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.suites.roots import user_config_path, user_models
from trackbench.tracker import Tracker

from . import _clip_rect, _to_bgr, _valid_box

__all__ = ["NanoTracker", "VitTracker", "DaSiamRPNTracker"]


class OpenCVDnnTracker(Tracker):
    """Base class. Subclasses set ``name``, ``algorithm``, ``factory`` / ``params_class`` (cv2
    attribute names) and ``files``: (option = ``cv2.Tracker*_Params`` field, user-config key)."""

    algorithm = ""
    factory = ""
    params_class = ""
    files: tuple[tuple[str, str], ...] = ()
    is_deterministic = True

    def __init__(self, **paths: str | None) -> None:
        create = getattr(cv2, self.factory, None)
        params_type = getattr(cv2, self.params_class, None)
        if create is None or params_type is None:
            raise TrackbenchError(f"OpenCV {cv2.__version__} has no cv2.{self.factory}; install opencv-contrib-python-headless >= 4.7")
        params = params_type()
        self.paths: dict[str, str] = {}
        _, configured = user_models()
        for option, key in self.files:
            value = paths.get(option) or configured.get(key)
            if not value:
                raise TrackbenchError(
                    f"{self.name} needs the {self.algorithm} model file {option!r}: pass --set {option}=PATH "
                    f"or set models.{key} in {user_config_path()}"
                )
            path = Path(str(value)).expanduser()
            if not path.is_file():
                raise TrackbenchError(f"{self.name}: model file for {option!r} not found", path)
            setattr(params, option, str(path))
            self.paths[option] = str(path)
        try:  # load the networks now: a bad file is an error before any sequence runs
            self._tracker: Any = create(params)
        except cv2.error as exc:
            raise TrackbenchError(f"{self.name}: OpenCV could not load the model files {self.paths} ({_first_line(exc)})") from None
        self._started = False
        self._box: np.ndarray | None = None

    def config_summary(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "opencv": cv2.__version__, "files": dict(self.paths)}

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        bgr = _to_bgr(image)
        box = np.asarray(box, dtype=np.float64).reshape(-1)[:4]
        self._box = box.copy()
        self._tracker.init(bgr, _clip_rect(box, bgr.shape[1], bgr.shape[0], integer=True))
        self._started = True

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        if not self._started or self._box is None:
            raise TrackbenchError(f"{self.name}: update called before init")
        box = _valid_box(*self._tracker.update(_to_bgr(image)))
        if box is None:
            return self._box.copy(), 0.0
        self._box = box
        return box.copy(), float(self._tracker.getTrackingScore())


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


class NanoTracker(OpenCVDnnTracker):
    """NanoTrack (HonglinChu/SiamTrackers) through ``cv2.TrackerNano``. Options ``backbone``
    and ``neckhead``: the two ONNX files."""

    name = "opencv-nano"
    algorithm = "NanoTrack"
    factory = "TrackerNano_create"
    params_class = "TrackerNano_Params"
    files = (("backbone", "nanotrack_backbone"), ("neckhead", "nanotrack_neckhead"))

    def __init__(self, backbone: str | None = None, neckhead: str | None = None) -> None:
        super().__init__(backbone=backbone, neckhead=neckhead)


class VitTracker(OpenCVDnnTracker):
    """VitTrack (OpenCV zoo) through ``cv2.TrackerVit``. Option ``net``: the ONNX file."""

    name = "opencv-vit"
    algorithm = "VitTrack"
    factory = "TrackerVit_create"
    params_class = "TrackerVit_Params"
    files = (("net", "vit_net"),)

    def __init__(self, net: str | None = None) -> None:
        super().__init__(net=net)


class DaSiamRPNTracker(OpenCVDnnTracker):
    """DaSiamRPN (Zhu et al., ECCV 2018) through ``cv2.TrackerDaSiamRPN``. Options ``model``,
    ``kernel_cls1``, ``kernel_r1``: the three ONNX files."""

    name = "opencv-dasiamrpn"
    algorithm = "DaSiamRPN"
    factory = "TrackerDaSiamRPN_create"
    params_class = "TrackerDaSiamRPN_Params"
    files = (("model", "dasiamrpn_model"), ("kernel_cls1", "dasiamrpn_kernel_cls1"), ("kernel_r1", "dasiamrpn_kernel_r1"))

    def __init__(self, model: str | None = None, kernel_cls1: str | None = None, kernel_r1: str | None = None) -> None:
        super().__init__(model=model, kernel_cls1=kernel_cls1, kernel_r1=kernel_r1)
