"""Adapters from other toolkits' tracker styles to the trackbench contract.

The contract (:mod:`trackbench.tracker`): ``init(image, box)`` and ``update(image) -> box
or (box, score)``, images RGB uint8 ``(H, W, 3)``, boxes ``[x, y, w, h]`` (never shifted
by one). :func:`as_tracker` recognises, in this order:

* a got10k-toolkit tracker (``got10k.trackers.Tracker`` subclass, or duck-typed: ``init``,
  ``update`` and a ``track(img_files, box, ...)`` method) -> :class:`Got10kAdapter`
  (hands it ``PIL.Image`` RGB images);
* a pytracking-style tracker (``initialize(image, info)`` / ``track(image, info) -> dict``
  with ``target_bbox``) -> :class:`PytrackingAdapter` (RGB arrays);
* a pysot-style tracker (``init(img, bbox)`` / ``track(img) -> dict`` with ``bbox``,
  ``best_score``; no ``update``) -> :class:`PysotAdapter` (BGR arrays);
* a pair ``(init_fn, update_fn)`` of callables -> :class:`CallableTracker`;
* anything else with ``init`` and ``update`` is taken as following the contract.

``TraxTracker`` (defined in :mod:`trackbench.trax.tracker`) runs an external executable
speaking the TraX protocol.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any, Callable

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.tracker import Tracker, split_output
from trackbench.trax.tracker import TraxTracker

__all__ = [
    "as_tracker",
    "Got10kAdapter",
    "PysotAdapter",
    "PytrackingAdapter",
    "CallableTracker",
    "TraxTracker",
]


class _Adapter(Tracker):
    """Common part: keeps the wrapped object, its name, determinism and config summary.

    ``is_deterministic`` is the wrapped object's declaration (True/False), or None when it
    declares nothing (the runner then applies the VOT toolkit's test, see
    :mod:`trackbench.tracker`).
    """

    is_deterministic: bool | None

    def __init__(self, wrapped: Any, default_name: str):
        self.wrapped = wrapped
        self.name = str(getattr(wrapped, "name", None) or default_name)
        value = getattr(wrapped, "is_deterministic", None)
        self.is_deterministic = bool(value) if isinstance(value, (bool, np.bool_)) else None

    def config_summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"adapter": type(self).__name__, "wrapped": _qualified_name(self.wrapped)}
        inner = getattr(self.wrapped, "config_summary", None)
        if callable(inner):
            summary.update(inner())
        return summary


def _qualified_name(obj: Any) -> str:
    cls = obj if inspect.isclass(obj) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _box_list(box: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(box, dtype=np.float64).reshape(-1)]


class Got10kAdapter(_Adapter):
    """A got10k-toolkit tracker: ``init(PIL image, box)``, ``update(PIL image) -> box``.

    got10k boxes are ``[x, y, w, h]`` in annotation-file coordinates, like ours.
    """

    def __init__(self, wrapped: Any):
        super().__init__(wrapped, type(wrapped).__name__)

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        from PIL import Image

        self.wrapped.init(Image.fromarray(np.asarray(image)), np.asarray(box, dtype=np.float64).copy())

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float | None]:
        from PIL import Image

        region, score = split_output(self.wrapped.update(Image.fromarray(np.asarray(image))))
        return region.copy(), score  # got10k trackers often return (and later mutate) their own array


class PysotAdapter(_Adapter):
    """A pysot-style tracker: ``init(img, bbox)``, ``track(img) -> {"bbox", "best_score"}``.

    Images are handed over in BGR order (pysot reads frames with ``cv2.imread``); the
    box is a list ``[x, y, w, h]``. A ``"polygon"`` answer (mask trackers) is kept.
    ``init_box_convention = "pysot"``: started from the box pysot's ``tools/test.py`` computes
    (:mod:`trackbench.initbox`), so published pysot-family results are reproducible.
    """

    init_box_convention = "pysot"

    def __init__(self, wrapped: Any):
        super().__init__(wrapped, type(wrapped).__name__)

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        self.wrapped.init(_rgb_to_bgr(image), _box_list(box))

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float | None]:
        region, score = split_output(self.wrapped.track(_rgb_to_bgr(image)))
        return region.copy(), score


class PytrackingAdapter(_Adapter):
    """A pytracking-style tracker: ``initialize(image, {"init_bbox": box})``, then
    ``track(image, {"previous_output": ...}) -> {"target_bbox": box, ...}`` (RGB arrays).

    The score is taken from ``object_presence_score``, ``max_score`` or ``score`` when present.
    """

    _SCORE_KEYS = ("object_presence_score", "max_score", "score", "best_score", "confidence")

    def __init__(self, wrapped: Any):
        super().__init__(wrapped, type(wrapped).__name__)
        self._previous: dict[str, Any] = {}

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        box_list = _box_list(box)
        out = self.wrapped.initialize(image, {"init_bbox": box_list})
        self._previous = dict(out) if isinstance(out, dict) else {}
        self._previous.setdefault("target_bbox", box_list)

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float | None]:
        out = self.wrapped.track(image, {"previous_output": self._previous})
        if not isinstance(out, dict) or "target_bbox" not in out:
            raise TrackbenchError(
                f"{self.name}: pytracking-style track() must return a dict with 'target_bbox', got {type(out).__name__}"
            )
        self._previous = dict(out)
        region = split_output({"target_bbox": out["target_bbox"]})[0].copy()
        score = None
        for key in self._SCORE_KEYS:
            if out.get(key) is not None:
                score = float(np.asarray(out[key]).max())
                break
        return region, score


class CallableTracker(Tracker):
    """A tracker made of two functions: ``init_fn(image, box)`` and ``update_fn(image) -> box``.

    ``update_fn`` may return anything :func:`trackbench.tracker.split_output` accepts.
    ``is_deterministic`` defaults to None (undeclared; see :mod:`trackbench.tracker`).
    """

    is_deterministic: bool | None

    def __init__(self, init_fn: Callable[[np.ndarray, np.ndarray], Any],
                 update_fn: Callable[[np.ndarray], Any], name: str = "callable",
                 is_deterministic: bool | None = None):
        if not callable(init_fn) or not callable(update_fn):
            raise TrackbenchError("CallableTracker needs two callables: init_fn(image, box) and update_fn(image)")
        self.init_fn = init_fn
        self.update_fn = update_fn
        self.name = name
        self.is_deterministic = is_deterministic

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        self.init_fn(image, np.asarray(box, dtype=np.float64).copy())

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float | None]:
        region, score = split_output(self.update_fn(image))
        return region.copy(), score


def _rgb_to_bgr(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image)[..., ::-1])


def _is_got10k_tracker(obj: Any) -> bool:
    """Whether ``obj`` is a got10k-style tracker: an instance of ``got10k.trackers.Tracker``
    (looked up only when that module is loaded: an instance of its class implies it, and
    importing it imports matplotlib's pyplot, over a second), or duck-typed with
    ``track(img_files, box)``."""
    module = sys.modules.get("got10k.trackers")
    Got10kTracker = getattr(module, "Tracker", None) if module is not None else None
    if isinstance(Got10kTracker, type) and isinstance(obj, Got10kTracker):
        return True
    if isinstance(obj, Tracker):
        return False
    track = getattr(obj, "track", None)
    if not (callable(getattr(obj, "init", None)) and callable(getattr(obj, "update", None)) and callable(track)):
        return False
    try:
        return "img_files" in inspect.signature(track).parameters
    except (TypeError, ValueError):
        return False


def as_tracker(obj: Any) -> Any:
    """Wrap ``obj`` so that it follows the trackbench contract (see the module docstring).

    Objects already following the contract are returned as they are (given
    ``is_deterministic = None``, "undeclared", if they lack it; see :mod:`trackbench.tracker`).
    Raises :class:`TrackbenchError` for an object of no known style.
    """
    if isinstance(obj, tuple) and len(obj) == 2 and all(callable(f) for f in obj):
        return CallableTracker(obj[0], obj[1])
    if _is_got10k_tracker(obj):
        return Got10kAdapter(obj)
    has = {m: callable(getattr(obj, m, None)) for m in ("init", "update", "initialize", "track")}
    if has["initialize"] and has["track"] and not has["update"]:
        return PytrackingAdapter(obj)
    if has["init"] and has["track"] and not has["update"]:
        return PysotAdapter(obj)
    if has["init"] and has["update"]:
        if not hasattr(obj, "is_deterministic"):
            obj.is_deterministic = None
        return obj
    raise TrackbenchError(
        f"{type(obj).__name__} does not follow a known tracker interface "
        "(init/update, got10k, pysot init/track, pytracking initialize/track, or a pair of callables)"
    )

