"""The IMSiam tracker (paper Algorithm 1 / spec section 7), registered as ``imsiam``.

Per sequence: the template crop (context 0.5, side ``s_z`` rounded, mean padding, 127 px)
goes through the template branch once (pooled vector and correlation kernels cached).
Per frame: a 255-px search crop of side ``round(s_z * 255 / 127)``; per stage the score
``softmax(C)[1] * sigmoid(P) * sigmoid(I)`` (``score: paper``) or without ``I``
(``score: code``); the mean over stages is blended with a Hanning window
(``(1 - lambda) s + lambda w``); at the argmax, the regression averaged over the stages
gives the box; the size is smoothed with ``gamma`` (``scale_lr``), the position is not.
The state is clipped as in the authors' code: centre inside ``[0, W] x [0, H]``, size in
``[10, W] x [10, H]``; the reported box is ``[cx - w/2, cy - h/2, w, h]``.

Images are RGB uint8 (H, W, 3); boxes ``[x, y, w, h]`` with centre ``x + (w - 1) / 2``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import torch

from trackbench.errors import TrackbenchError
from trackbench.tracker import Tracker

from .config import IMSiamConfig, config_from_dict, load_config
from .crop import get_subwindow, rgb_patch_to_tensor
from .model.imsiam import SEARCH_SIZE, STRIDE, TEMPLATE_SIZE, IMSiam
from .model.inference import prepare_for_inference
from .weights import DEMO_CHECKPOINT, DEMO_CONFIG, load_matching, read_state_dict

CONTEXT_AMOUNT = 0.5
MIN_SIZE = 10.0


class IMSiamTracker(Tracker):
    """IMSiam. Options (``--set key=value``; strings are converted):

    * ``config``: bundled config name or YAML path (default: the checkpoint's embedded
      config; ``imsiam_small`` for the demo checkpoint; ``imsiam_code`` for checkpoints in
      the authors' layout (shared sampling layer); else ``imsiam``);
    * ``checkpoint``: weights file (default: the bundled demo checkpoint, if present);
    * ``random_init``: use seeded random weights instead of a checkpoint (for testing);
    * ``device``: ``"cpu"``, ``"cuda"``, ``"cuda:0"``...;
    * ``suite``: suite name or family (otb, vot, got10k, lasot) selecting the config's
      per-suite hyper-parameters;
    * ``window_influence`` (lambda), ``scale_lr`` (gamma), ``score`` (``paper`` | ``code``):
      override the config;
    * ``fold_bn``: fold BatchNorm into the convs for inference (default true);
    * ``channels_last``: NHWC memory format for the convolutions (default true: faster on
      CPU, same results within float tolerance);
    * ``threads``: if given, ``torch.set_num_threads(threads)`` for the whole process (on a
      loaded machine, 1 thread is often faster for the small models).
    """

    name = "imsiam"
    is_deterministic = True

    def __init__(
        self,
        config: str | None = None,
        checkpoint: str | None = None,
        device: str = "cpu",
        suite: str | None = None,
        window_influence: float | str | None = None,
        scale_lr: float | str | None = None,
        score: str | None = None,
        random_init: bool | str = False,
        fold_bn: bool | str = True,
        channels_last: bool | str = True,
        threads: int | str | None = None,
    ):
        random_init = _as_bool(random_init, "random_init")
        if threads not in (None, ""):
            count = int(_as_float(threads, "threads"))
            if count < 1:
                raise TrackbenchError(f"option threads: {threads!r} must be a positive integer")
            torch.set_num_threads(count)
        self.device = _check_device(device)
        self.checkpoint = None if random_init else _resolve_checkpoint(checkpoint)
        state, embedded = (None, None) if self.checkpoint is None else read_state_dict(self.checkpoint)
        cfg = _choose_config(config, embedded, state, self.checkpoint)
        changes: dict[str, Any] = {}
        if window_influence is not None:
            changes["window_influence"] = _as_float(window_influence, "window_influence")
        if scale_lr is not None:
            changes["scale_lr"] = _as_float(scale_lr, "scale_lr")
        if score is not None:
            changes["score"] = str(score)
        resolved = dataclasses.replace(cfg, tracking=dataclasses.replace(cfg.tracking.for_suite(suite), **changes))
        self.config: IMSiamConfig = config_from_dict(resolved.to_dict(), cfg.name, source="IMSiam tracker options")
        self.suite = suite
        self.random_init = random_init
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = IMSiam(self.config)
        if state is not None:
            load_matching(model, state, self.checkpoint, strict=True)
        self.fold_bn = _as_bool(fold_bn, "fold_bn")
        self.channels_last = _as_bool(channels_last, "channels_last")
        if self.fold_bn:
            self.model = prepare_for_inference(model, self.device, channels_last=self.channels_last)
        else:
            self.model = model.eval().to(self.device)
            if self.channels_last:
                self.model = self.model.to(memory_format=torch.channels_last)
        self._template: Any = None
        self._window: np.ndarray | None = None
        self._center = np.zeros(2)
        self._size = np.zeros(2)
        self._average = np.zeros(3)

    # ------------------------------------------------------------------ contract

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        _check_image(image)
        box = np.asarray(box, dtype=np.float64).reshape(-1)
        if box.shape[0] != 4 or not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
            raise TrackbenchError(f"IMSiam needs a finite [x, y, w, h] initial box with w, h > 0, got {box.tolist()}")
        self._center = np.array([box[0] + (box[2] - 1) / 2, box[1] + (box[3] - 1) / 2])
        self._size = box[2:4].copy()
        self._average = image.mean(axis=(0, 1))
        s_z = round(self._context_size())
        patch = get_subwindow(image, self._center, TEMPLATE_SIZE, s_z, self._average)
        scale = TEMPLATE_SIZE / s_z
        c = (TEMPLATE_SIZE - 1) / 2
        half = self._size * scale / 2
        template_box = torch.tensor([[c - half[0], c - half[1], c + half[0], c + half[1]]], dtype=torch.float32, device=self.device)
        with torch.inference_mode():
            self._template = self.model.encode_template(self._to_input(patch), template_box)

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        if self._template is None:
            raise TrackbenchError("IMSiamTracker.update called before init")
        _check_image(image)
        s_z = self._context_size()
        scale_z = TEMPLATE_SIZE / s_z
        s_x = s_z * SEARCH_SIZE / TEMPLATE_SIZE
        patch = get_subwindow(image, self._center, SEARCH_SIZE, round(s_x), self._average)
        with torch.inference_mode():
            outputs = self.model.track(self._to_input(patch), self._template)
            score, reg = self._combine(outputs)
        score = score.cpu().numpy()
        reg = reg.cpu().numpy()
        size = score.shape[0]
        if self._window is None or self._window.shape[0] != size:
            self._window = np.outer(np.hanning(size), np.hanning(size))
        lam = self.config.tracking.window_influence
        pscore = (1 - lam) * score + lam * self._window
        row, col = np.unravel_index(int(np.argmax(pscore)), pscore.shape)
        left, top, right, bottom = reg[:, row, col] / scale_z
        middle = (size - 1) / 2
        location = self._center + np.array([col - middle, row - middle]) * STRIDE / scale_z
        x1, y1 = location[0] - left, location[1] - top
        x2, y2 = location[0] + right, location[1] + bottom
        gamma = self.config.tracking.scale_lr
        center = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
        new_size = (1 - gamma) * self._size + gamma * np.array([x2 - x1, y2 - y1])
        if not (np.all(np.isfinite(center)) and np.all(np.isfinite(new_size))):  # overflowing exp()
            center, new_size = self._center, self._size
        height, width = image.shape[:2]
        self._center = np.array([np.clip(center[0], 0, width), np.clip(center[1], 0, height)])
        self._size = np.array([np.clip(new_size[0], MIN_SIZE, width), np.clip(new_size[1], MIN_SIZE, height)])
        out = np.array([self._center[0] - self._size[0] / 2, self._center[1] - self._size[1] / 2, self._size[0], self._size[1]])
        return out, float(score.max())

    def config_summary(self) -> dict[str, Any]:
        """The resolved config, its ``components`` (interface 4), weights and device."""
        return {
            "config_name": self.config.name,
            "config": self.config.to_dict(),
            "components": self.config.model.components(),
            "checkpoint": None if self.checkpoint is None else str(self.checkpoint),
            "random_init": self.random_init,
            "suite": self.suite,
            "device": str(self.device),
            "window_influence": self.config.tracking.window_influence,
            "scale_lr": self.config.tracking.scale_lr,
            "score": self.config.tracking.score,
            "fold_bn": self.fold_bn,
            "channels_last": self.channels_last,
        }

    # ------------------------------------------------------------------ internals

    def _to_input(self, patch: np.ndarray) -> torch.Tensor:
        tensor = rgb_patch_to_tensor(patch, self.device)
        return tensor.contiguous(memory_format=torch.channels_last) if self.channels_last else tensor

    def _context_size(self) -> float:
        context = CONTEXT_AMOUNT * (self._size[0] + self._size[1])
        return float(np.sqrt((self._size[0] + context) * (self._size[1] + context)))

    def _combine(self, outputs: list[dict[str, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean over stages of the score map (S, S) and of the regression (4, S, S)."""
        use_iou = self.config.tracking.score == "paper"
        scores, regs = [], []
        for out in outputs:
            s = torch.softmax(out["cls"][0], dim=0)[1] * torch.sigmoid(out["cen"][0, 0])
            if use_iou and "iou" in out:
                s = s * torch.sigmoid(out["iou"][0, 0])
            scores.append(s)
            regs.append(out["reg"][0])
        return torch.stack(scores).mean(0).double(), torch.stack(regs).mean(0).double()


def _resolve_checkpoint(checkpoint: str | None) -> Path:
    if checkpoint not in (None, ""):
        path = Path(str(checkpoint)).expanduser()
        if not path.is_file():
            raise TrackbenchError("IMSiam checkpoint not found", path)
        return path
    if DEMO_CHECKPOINT.is_file():
        return DEMO_CHECKPOINT
    raise TrackbenchError(
        "IMSiam has no weights: the bundled demo checkpoint is absent; pass --set checkpoint=PATH "
        "(a .safetensors/.pth IMSiam checkpoint; the authors' model_eNN.pth with --set config=imsiam_code) "
        "or --set random_init=true to test with random weights"
    )


def _choose_config(
    config: str | None, embedded: IMSiamConfig | None, state: dict[str, torch.Tensor] | None, checkpoint: Path | None
) -> IMSiamConfig:
    """Explicit option, else the checkpoint's embedded config, else guessed from its keys."""
    if config not in (None, ""):
        return load_config(config)
    if embedded is not None:
        return embedded
    if checkpoint is not None and checkpoint == DEMO_CHECKPOINT:
        return load_config(DEMO_CONFIG)
    if state is not None:
        if any(k.startswith("head.cls_samplers.") for k in state):
            return load_config("imsiam")
        if state.get("head.cls_tower.0.weight") is not None and state["head.cls_tower.0.weight"].shape[-1] == 1:
            return load_config("imsiam_code")
    return load_config(None)


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        got = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
        raise TrackbenchError(f"IMSiam expects RGB uint8 images of shape (H, W, 3), got {got}")


def _check_device(device: str) -> torch.device:
    try:
        dev = torch.device(str(device))
    except RuntimeError:
        raise TrackbenchError(f"invalid device {device!r} (use cpu, cuda or cuda:N)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise TrackbenchError(f"device {device!r} requested but CUDA is not available")
    return dev


def _as_bool(value: bool | str, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise TrackbenchError(f"option {name}: {value!r} is not true/false")


def _as_float(value: float | str, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TrackbenchError(f"option {name}: {value!r} is not a number") from None

