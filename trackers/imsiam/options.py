"""Validation of the IMSiam tracker's options (``--set key=value``; strings converted).

Each ``choose_*`` returns the resolved value or raises a one-line :class:`TrackbenchError`
naming the option; the meanings are in :class:`trackers.imsiam.tracker.IMSiamTracker`.
"""

from __future__ import annotations

import torch

from trackbench.errors import TrackbenchError

from .model.inference import MIXED_PRECISIONS

BACKENDS = ("auto", "torch", "onnxruntime")
#: ``direct``: the framework's convolutions; ``winograd``: :mod:`.model.winograd`.
CONVOLUTIONS = ("direct", "winograd")


def choose_mixed_precision(value: str, exact: bool, dtype: torch.dtype) -> str:
    choice = str(value).strip().lower()
    if choice not in MIXED_PRECISIONS:
        raise TrackbenchError(f"option mixed_precision: {value!r} is not one of {', '.join(MIXED_PRECISIONS)}")
    if choice != "none" and (exact or dtype != torch.float32):
        raise TrackbenchError(f"option mixed_precision={choice} contradicts "
                              f"{'exact=true' if exact else 'dtype=float64'} (the reference arithmetic)")
    return choice


def choose_convolution(value: str, exact: bool, mixed_precision: str) -> str:
    choice = str(value).strip().lower()
    if choice not in CONVOLUTIONS:
        raise TrackbenchError(f"option convolution: {value!r} is not one of {', '.join(CONVOLUTIONS)}")
    if choice == "winograd" and exact:
        raise TrackbenchError("option convolution=winograd contradicts exact=true (exact runs the eager network)")
    if choice == "winograd" and mixed_precision != "none":
        raise TrackbenchError(f"option convolution=winograd contradicts mixed_precision={mixed_precision} "
                              "(the Winograd transforms run in the weights' own type)")
    return choice


def choose_backend(backend: str, device: torch.device, exact: bool, mixed_precision: str = "none",
                   convolution: str = "direct") -> str:
    """``torch`` or ``onnxruntime`` for the option value: ``auto`` is ONNX Runtime on the
    CPU when it is installed and nothing asks for torch (exact, float64, mixed precision,
    Winograd convolutions)."""
    from .model.onnx_backend import onnxruntime_available

    backend = backend.strip().lower()
    if backend not in BACKENDS:
        raise TrackbenchError(f"option backend: {backend!r} is not one of {', '.join(BACKENDS)}")
    if backend == "onnxruntime":
        if mixed_precision != "none":
            raise TrackbenchError(f"option backend=onnxruntime contradicts mixed_precision={mixed_precision} "
                                  "(the ONNX graph runs in float32; use backend=torch)")
        if convolution != "direct":
            raise TrackbenchError(f"option backend=onnxruntime contradicts convolution={convolution} "
                                  "(ONNX Runtime chooses its own convolutions; use backend=torch)")
        if exact:
            raise TrackbenchError("option backend=onnxruntime contradicts exact=true (exact runs the eager torch model)")
        if device.type != "cpu":
            raise TrackbenchError(f"option backend=onnxruntime runs on the CPU only, not on {device}")
        if not onnxruntime_available():
            raise TrackbenchError("option backend=onnxruntime needs the optional extra: pip install 'trackbench[onnx]'")
        return backend
    if backend == "auto":
        wants_torch = exact or mixed_precision != "none" or convolution != "direct"
        return "onnxruntime" if not wants_torch and device.type == "cpu" and onnxruntime_available() else "torch"
    return backend


def check_device(device: str) -> torch.device:
    try:
        dev = torch.device(str(device))
    except RuntimeError:
        raise TrackbenchError(f"invalid device {device!r} (use cpu, cuda or cuda:N)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise TrackbenchError(f"device {device!r} requested but CUDA is not available")
    return dev


def as_bool(value: bool | str, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise TrackbenchError(f"option {name}: {value!r} is not true/false")


def as_float(value: float | str, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TrackbenchError(f"option {name}: {value!r} is not a number") from None
