"""OpenCV baseline trackers (opencv-contrib): KCF, CSRT, MIL, MOSSE, MedianFlow, Boosting, TLD.

Registered as ``opencv-kcf``, ``opencv-csrt``, ``opencv-mil``, ``opencv-mosse``,
``opencv-medianflow``, ``opencv-boosting`` and ``opencv-tld``.

Conventions: images arrive RGB uint8 ``(H, W, 3)`` and are converted to BGR for OpenCV;
boxes are ``[x, y, w, h]`` (see :mod:`trackbench`). OpenCV's current tracker API
(``cv2.TrackerKCF_create`` ...) takes integer rectangles; the ``cv2.legacy`` API takes
``Rect2d`` (floats). When OpenCV reports a tracking failure, ``update`` returns the
previous box with score 0; otherwise the score is 1 (these trackers expose no confidence).

Where each algorithm lives changed across OpenCV versions (MOSSE, MedianFlow, Boosting and
TLD are only in ``cv2.legacy`` since 4.5.1); each class lists its candidate factories and
the first one present is used. None present -> :class:`TrackerbenchError` saying so.

Options (``--set name=value``) are the fields of OpenCV's parameter object for the
algorithm (``cv2.TrackerKCF_Params`` ...), e.g. ``detect_thresh`` for KCF; they are only
available where OpenCV exposes such an object (the current API: KCF, CSRT, MIL).

``is_deterministic`` was checked by running each tracker three times on the same frames
in one process (tests/trackers/test_opencv_trackers.py repeats the check): KCF, CSRT, MOSSE,
MedianFlow and Boosting give identical boxes; MIL and TLD draw random samples from
OpenCV's global generator and do not.
"""

from __future__ import annotations

from typing import Any, Callable

import cv2
import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.tracker import Tracker

__all__ = [
    "OpenCVTracker",
    "KCFTracker",
    "CSRTTracker",
    "MILTracker",
    "MOSSETracker",
    "MedianFlowTracker",
    "BoostingTracker",
    "TLDTracker",
    "OPENCV_TRACKERS",
]


def _lookup(path: str) -> Callable[[], Any] | None:
    """``"legacy.TrackerTLD_create"`` -> the attribute of ``cv2``, or None if absent."""
    obj: Any = cv2
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


class OpenCVTracker(Tracker):
    """Base class: wraps one OpenCV tracker algorithm to the trackbench contract.

    Subclasses set ``name``, ``algorithm`` (for messages) and ``factories``: candidate
    ``cv2`` attribute paths, tried in order. A path starting with ``legacy.`` uses the
    legacy API (float ``Rect2d`` boxes, ``init`` returns a bool).
    """

    name = "opencv"
    algorithm = ""
    factories: tuple[str, ...] = ()
    is_deterministic = True

    def __init__(self, **params: Any) -> None:
        self._factory_path, self._factory = self._find_factory()
        self._legacy = self._factory_path.startswith("legacy.")
        self._params = self._make_params(params)
        self._tracker: Any = None
        self._box: np.ndarray | None = None

    @classmethod
    def _find_factory(cls) -> tuple[str, Callable[[], Any]]:
        for path in cls.factories:
            factory = _lookup(path)
            if factory is not None:
                return path, factory
        tried = ", ".join(f"cv2.{p}" for p in cls.factories)
        raise TrackbenchError(
            f"OpenCV {cv2.__version__} has no {cls.algorithm} tracker (tried {tried}); "
            "install opencv-contrib-python-headless"
        )

    def _make_params(self, values: dict[str, Any]) -> Any:
        """OpenCV's parameter object with ``values`` set, or None when ``values`` is empty."""
        if not values:
            return None
        params_class = None if self._legacy else _lookup(f"Tracker{self.algorithm}_Params")
        if params_class is None:
            raise TrackbenchError(f"{self.name} takes no options (OpenCV exposes no parameters for it)")
        params = params_class()
        accepted = sorted(n for n in dir(params) if not n.startswith("_"))
        for key, value in values.items():
            if key not in accepted:
                raise TrackbenchError(f"{self.name} has no option {key!r} (options: {', '.join(accepted)})")
            try:
                setattr(params, key, type(getattr(params, key))(value))
            except (TypeError, ValueError) as exc:
                raise TrackbenchError(f"{self.name}: bad value {value!r} for option {key!r} ({exc})") from None
        return params

    @classmethod
    def available(cls) -> bool:
        """True when this OpenCV build provides the algorithm."""
        return any(_lookup(p) is not None for p in cls.factories)

    def config_summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"algorithm": self.algorithm, "opencv": cv2.__version__}
        summary["factory"] = f"cv2.{self._factory_path}"
        if self._params is not None:
            summary["params"] = {n: getattr(self._params, n) for n in dir(self._params) if not n.startswith("_")}
        return summary

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        bgr = _to_bgr(image)
        box = np.asarray(box, dtype=np.float64).reshape(-1)[:4]
        self._box = box.copy()
        self._tracker = self._factory() if self._params is None else self._factory(self._params)
        rect = _clip_rect(box, bgr.shape[1], bgr.shape[0], integer=not self._legacy)
        ok = self._tracker.init(bgr, rect)
        if ok is False:  # the legacy API reports a refused initialisation
            raise TrackbenchError(f"OpenCV {self.algorithm} refused to initialise on box {box.tolist()}")

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        if self._tracker is None or self._box is None:
            raise TrackbenchError(f"{self.name}: update called before init")
        box = _valid_box(*self._tracker.update(_to_bgr(image)))
        if box is None:
            return self._box.copy(), 0.0
        self._box = box
        return box.copy(), 1.0


def _valid_box(ok: bool, rect: Any) -> np.ndarray | None:
    """OpenCV's ``update`` answer as a ``[x, y, w, h]`` array, or None for a reported failure
    or a non-finite / empty box."""
    box = np.asarray(rect, dtype=np.float64).reshape(-1)
    if not ok or box.shape[0] != 4 or not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
        return None
    return box


def _to_bgr(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise TrackbenchError(f"expected an RGB uint8 (H, W, 3) image, got {image.dtype} {image.shape}")
    return cv2.cvtColor(image, cv2.COLOR_RGB2BGR)


def _clip_rect(box: np.ndarray, width: int, height: int, *, integer: bool) -> tuple:
    """The part of ``[x, y, w, h]`` inside the image, at least 1 x 1 pixel.

    ``integer``: round to whole pixels (OpenCV's ``cv::Rect``); otherwise floats (``Rect2d``).
    """
    if not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
        raise TrackbenchError(f"cannot initialise an OpenCV tracker on box {box.tolist()}")
    x1 = min(max(box[0], 0.0), width - 1.0)
    y1 = min(max(box[1], 0.0), height - 1.0)
    x2 = min(max(box[0] + box[2], x1 + 1.0), float(width))
    y2 = min(max(box[1] + box[3], y1 + 1.0), float(height))
    if integer:
        ix1, iy1 = int(round(x1)), int(round(y1))
        iw = max(1, min(int(round(x2 - x1)), width - ix1))
        ih = max(1, min(int(round(y2 - y1)), height - iy1))
        return ix1, iy1, iw, ih
    return float(x1), float(y1), float(x2 - x1), float(y2 - y1)


class KCFTracker(OpenCVTracker):
    """Kernelized Correlation Filter (Henriques et al., TPAMI 2015)."""

    name = "opencv-kcf"
    algorithm = "KCF"
    factories = ("TrackerKCF_create", "legacy.TrackerKCF_create")
    is_deterministic = True


class CSRTTracker(OpenCVTracker):
    """Discriminative correlation filter with channel and spatial reliability (Lukezic et al., CVPR 2017)."""

    name = "opencv-csrt"
    algorithm = "CSRT"
    factories = ("TrackerCSRT_create", "legacy.TrackerCSRT_create")
    is_deterministic = True


class MILTracker(OpenCVTracker):
    """Multiple Instance Learning tracker (Babenko et al., CVPR 2009)."""

    name = "opencv-mil"
    algorithm = "MIL"
    factories = ("TrackerMIL_create", "legacy.TrackerMIL_create")
    is_deterministic = False  # random sampling from OpenCV's global RNG


class MOSSETracker(OpenCVTracker):
    """Minimum Output Sum of Squared Error filter (Bolme et al., CVPR 2010)."""

    name = "opencv-mosse"
    algorithm = "MOSSE"
    factories = ("legacy.TrackerMOSSE_create", "TrackerMOSSE_create")
    is_deterministic = True


class MedianFlowTracker(OpenCVTracker):
    """Median Flow (Kalal et al., ICPR 2010)."""

    name = "opencv-medianflow"
    algorithm = "MedianFlow"
    factories = ("legacy.TrackerMedianFlow_create", "TrackerMedianFlow_create")
    is_deterministic = True


class BoostingTracker(OpenCVTracker):
    """Online AdaBoost tracker (Grabner et al., BMVC 2006)."""

    name = "opencv-boosting"
    algorithm = "Boosting"
    factories = ("legacy.TrackerBoosting_create", "TrackerBoosting_create")
    is_deterministic = True


class TLDTracker(OpenCVTracker):
    """Tracking-Learning-Detection (Kalal et al., TPAMI 2012)."""

    name = "opencv-tld"
    algorithm = "TLD"
    factories = ("legacy.TrackerTLD_create", "TrackerTLD_create")
    is_deterministic = False  # random sampling from OpenCV's global RNG


OPENCV_TRACKERS: dict[str, type[OpenCVTracker]] = {
    cls.name: cls
    for cls in (KCFTracker, CSRTTracker, MILTracker, MOSSETracker, MedianFlowTracker, BoostingTracker, TLDTracker)
}
"""The baselines by registered name."""
