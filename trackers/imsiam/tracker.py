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
The crops and that decoding live in :mod:`.decoding`.

Batched stepping (``init_batch`` / ``update_batch``, contract in
:mod:`trackbench.execution.batched`): per-slot states, the cached template stacked along
the batch dimension, one network forward per step over the slots still running, then
the same per-slot decoding; ``init``/``update`` are a batch of one.

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
from .crop import rgb_patches_to_tensor
from .decoding import TargetState, combine_stages, decode_step, hanning_window, search_crop, template_crop
from .model.imsiam import IMSiam
from .model.inference import mixed_precision_context, prepare_for_inference
from .model.neck import StageTemplate
from .model.winograd import use_winograd
from .options import as_bool, as_float, check_device, choose_backend, choose_convolution, choose_mixed_precision
from .weights import DEMO_CHECKPOINT, DEMO_CONFIG, load_matching, read_state_dict


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
    * ``window_influence`` (lambda), ``scale_lr`` (gamma), ``score`` (``paper`` | ``code``),
      ``penalty_k`` and ``size_update`` (``fixed`` | ``score``; SiamRPN's change penalty and
      score-weighted size update, off in the authors' code, see ``decoding.decode_step``):
      override the config;
    * ``fold_bn``: fold BatchNorm into the convs for inference (default true);
    * ``channels_last``: NHWC memory format for the convolutions (default true: faster on
      CPU, same results within float tolerance);
    * ``threads``: if given, ``torch.set_num_threads(threads)`` for the whole process (on a
      loaded machine, 1 thread is often faster for the small models);
    * ``backend``: ``auto`` (default: ONNX Runtime on the CPU when the optional extra
      ``trackbench[onnx]`` is installed, else torch), ``torch`` or ``onnxruntime``: what runs
      the per-frame search branch (:mod:`.model.onnx_backend`; 1.2-2.7x faster than the
      eager step on the CPUs measured, boxes equal to float32 rounding, see
      ``benchmarks/imsiam_speed.py``);
    * ``exact``: the eager network exactly as trained (no BN folding, NCHW, torch backend):
      the reference boxes, bit for bit (default false).
    * ``exact`` (details): bit-faithful mode for comparisons with other implementations (default false):
      BatchNorm not folded and contiguous NCHW tensors (``fold_bn`` and ``channels_last`` are
      then ignored), in ``dtype``;
    * ``dtype``: ``float32`` (default) or ``float64`` (network and inputs).
    * ``mixed_precision``: ``none`` (default), ``bf16`` or ``fp16``: the search branch runs
      under ``torch.autocast`` in that type (torch backend; ``auto`` then picks it). Faster
      where the hardware has it (bf16 on CPUs with AMX: about 3x the eager step of the
      ResNet-50 model, ``benchmarks/imsiam_speed.py``; fp16 on CUDA), but the boxes are no
      longer float32's: an option, never a default. Refused with ``exact`` or ``float64``.
    * ``convolution``: ``direct`` (default) or ``winograd``: the large 3x3 convolutions
      computed by Winograd's F(4x4, 3x3) (:mod:`.model.winograd`; torch backend, NCHW,
      ``auto`` then picks torch): outputs within float32 rounding, more memory for weights.

    Rounding ties: the search crop is ``round(s_x)`` pixels wide, ``s_x`` computed from the
    float box state. Two float paths that agree to 1e-6 (folded vs unfolded BN, NHWC vs NCHW)
    can land on opposite sides of a ``.5`` and crop one pixel more or less; from then on the
    trajectories differ for real (10+ px on the real Crossing frames, frame 55). Only
    ``exact=true`` (same arithmetic as the reference) reproduces another implementation
    frame for frame.

    The init-box convention (attribute ``init_box_convention``) is the config's ``tracking.init_box``
    (``pyvis`` for ``imsiam_code``; :mod:`trackbench.initbox`).
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
        penalty_k: float | str | None = None,
        size_update: str | None = None,
        score: str | None = None,
        random_init: bool | str = False,
        fold_bn: bool | str = True,
        channels_last: bool | str = True,
        threads: int | str | None = None,
        backend: str = "auto",
        exact: bool | str = False,
        dtype: str = "float32",
        mixed_precision: str = "none",
        convolution: str = "direct",
    ):
        random_init = as_bool(random_init, "random_init")
        self.exact = as_bool(exact, "exact")
        if threads not in (None, ""):
            count = int(as_float(threads, "threads"))
            if count < 1:
                raise TrackbenchError(f"option threads: {threads!r} must be a positive integer")
            torch.set_num_threads(count)
        self.device = check_device(device)
        self.checkpoint = None if random_init else _resolve_checkpoint(checkpoint)
        state, embedded = (None, None) if self.checkpoint is None else read_state_dict(self.checkpoint)
        cfg = _choose_config(config, embedded, state, self.checkpoint)
        changes: dict[str, Any] = {}
        if window_influence is not None:
            changes["window_influence"] = as_float(window_influence, "window_influence")
        if scale_lr is not None:
            changes["scale_lr"] = as_float(scale_lr, "scale_lr")
        if penalty_k is not None:
            changes["penalty_k"] = as_float(penalty_k, "penalty_k")
        if size_update is not None:
            changes["size_update"] = str(size_update)
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
        if str(dtype) not in ("float32", "float64"):
            raise TrackbenchError(f"option dtype: {dtype!r} must be float32 or float64")
        self.dtype = torch.float64 if str(dtype) == "float64" else torch.float32
        self.fold_bn = as_bool(fold_bn, "fold_bn") and not self.exact
        self.channels_last = as_bool(channels_last, "channels_last") and not self.exact
        self.mixed_precision = choose_mixed_precision(mixed_precision, self.exact, self.dtype)
        self.convolution = choose_convolution(convolution, self.exact, self.mixed_precision)
        self.backend = choose_backend(str(backend), self.device, self.exact or self.dtype == torch.float64,
                                      self.mixed_precision, self.convolution)
        if self.convolution == "winograd":  # NCHW in and out: channels_last would copy at every layer
            self.channels_last = False
        self._onnx: Any = None  # the ONNX Runtime session, built at the first init
        self.init_box_convention = self.config.tracking.init_box
        model = model.to(self.dtype)
        if self.fold_bn:
            self.model = prepare_for_inference(model, self.device, channels_last=self.channels_last)
        else:
            self.model = model.eval().to(self.device)
            if self.channels_last:
                self.model = self.model.to(memory_format=torch.channels_last)
        if self.convolution == "winograd":
            use_winograd(self.model)
        self._template: list[StageTemplate] | None = None
        self._states: list[TargetState] = []
        self._window: np.ndarray | None = None

    # ------------------------------------------------------------------ contract

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        """Start one track (a batch of one)."""
        self.init_batch([image], [box])

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        """The box ``[x, y, w, h]`` and peak score for the next frame of the one track."""
        if self._template is not None and len(self._states) != 1:
            raise TrackbenchError(f"IMSiamTracker.update called on a batch of {len(self._states)} tracks; use update_batch")
        return self.update_batch([image])[0]

    def init_batch(self, images: list[np.ndarray], boxes: list[np.ndarray]) -> None:
        """Start ``len(images)`` independent tracks (slot ``i``: ``images[i]``, ``boxes[i]``
        ``[x, y, w, h]``); the cached templates are stacked along the batch dimension.

        Each template goes through the network on its own (once per sequence, so cheap):
        the CPU convolutions on 127-px inputs round differently with the batch size, and a
        last-bit difference can move an integer crop by a pixel later on; encoded one by
        one, the batched tracker reproduces the unbatched boxes exactly on the CPU."""
        if len(images) != len(boxes) or not images:
            raise TrackbenchError(
                f"IMSiam init_batch needs as many boxes as images (at least one), got {len(images)} and {len(boxes)}"
            )
        states = [TargetState.from_box(image, box) for image, box in zip(images, boxes)]
        crops = [template_crop(image, state) for image, state in zip(images, states)]
        slots = [self._encode_template(patch, box) for patch, box in crops]
        self._template = [
            StageTemplate(_stack([slot[k].vector for slot in slots]), _stack([slot[k].kernel for slot in slots]))
            for k in range(len(slots[0]))
        ]
        self._states = states
        if self.backend == "onnxruntime" and self._onnx is None:
            from .model.onnx_backend import OnnxSearchBranch

            self._onnx = OnnxSearchBranch(self.model, slots[0])

    def update_batch(self, images: list[np.ndarray | None]) -> list[tuple[np.ndarray, float] | None]:
        """One entry per slot: ``(box, score)`` as :meth:`update` for a slot with an image,
        ``None`` for a slot whose image is ``None`` (ended; not computed). One network
        forward over the active slots."""
        if self._template is None:
            raise TrackbenchError("IMSiamTracker.update called before init")
        if len(images) != len(self._states):
            raise TrackbenchError(f"IMSiam update_batch got {len(images)} images for {len(self._states)} tracks")
        active = [i for i, image in enumerate(images) if image is not None]
        results: list[tuple[np.ndarray, float] | None] = [None] * len(images)
        if not active:
            return results
        crops = [search_crop(images[i], self._states[i]) for i in active]
        with torch.inference_mode():
            track = self._onnx.track if self._onnx is not None else self.model.track
            with mixed_precision_context(self.device, self.mixed_precision):
                outputs = track(self._to_input([p for p, _ in crops]), self._active_template(active))
            if self.mixed_precision != "none":  # scores and boxes decoded from float32 maps
                outputs = [{key: value.float() for key, value in out.items()} for out in outputs]
            score, reg = combine_stages(outputs, use_iou=self.config.tracking.score == "paper")
        score, reg = score.cpu().numpy(), reg.cpu().numpy()
        if self._window is None or self._window.shape[0] != score.shape[-1]:
            self._window = hanning_window(score.shape[-1])
        hp = self.config.tracking
        for k, (i, (_, scale_z)) in enumerate(zip(active, crops)):
            state, peak = decode_step(score[k], reg[k], self._states[i], scale_z, images[i].shape, self._window,
                                      hp.window_influence, hp.scale_lr, hp.penalty_k, hp.size_update)
            self._states[i] = state
            results[i] = (state.box(), peak)
        return results

    def config_summary(self) -> dict[str, Any]:
        """The resolved config, its ``components`` (recorded in ``run.json``), weights and device."""
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
            "penalty_k": self.config.tracking.penalty_k,
            "size_update": self.config.tracking.size_update,
            "score": self.config.tracking.score,
            "fold_bn": self.fold_bn,
            "channels_last": self.channels_last,
            "backend": self.backend,
            "exact": self.exact,
            "dtype": str(self.dtype).replace("torch.", ""),
            "mixed_precision": self.mixed_precision,
            "convolution": self.convolution,
            "init_box": self.init_box_convention,
        }

    # ------------------------------------------------------------------ internals

    def _to_input(self, patches: list[np.ndarray]) -> torch.Tensor:
        tensor = rgb_patches_to_tensor(patches, self.device).to(self.dtype)
        return tensor.contiguous(memory_format=torch.channels_last) if self.channels_last else tensor

    def _encode_template(self, patch: np.ndarray, box: np.ndarray) -> list[StageTemplate]:
        """One template crop and its ``[x1, y1, x2, y2]`` box (127 px) -> per-stage cache."""
        with torch.inference_mode():
            boxes = torch.tensor(box[None], dtype=self.dtype, device=self.device)
            return self.model.encode_template(self._to_input([patch]), boxes)

    def _active_template(self, active: list[int]) -> list[StageTemplate]:
        """The cached template of the slots ``active`` (all slots: the cache itself)."""
        if len(active) == len(self._states):
            return self._template
        index = torch.tensor(active, device=self.device)

        def pick(tensor: torch.Tensor | None) -> torch.Tensor | None:
            return None if tensor is None else tensor.index_select(0, index)

        return [StageTemplate(pick(stage.vector), pick(stage.kernel)) for stage in self._template]


def _stack(tensors: list[torch.Tensor | None]) -> torch.Tensor | None:
    """Per-slot template tensors (1, ...) -> (B, ...); ``None`` for an ablated branch."""
    return None if tensors[0] is None else torch.cat(tensors, dim=0)


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


class IMSiamNanoTracker(IMSiamTracker):
    """``imsiam-nano``: :class:`IMSiamTracker` whose ``checkpoint`` defaults to the bundled
    IMSiam-nano model (its embedded config ``imsiam_nano``); every option is the same."""

    name = "imsiam-nano"

    def __init__(self, *args: Any, checkpoint: str | None = None, **kwargs: Any):
        from .weights import NANO_CHECKPOINT

        super().__init__(*args, checkpoint=checkpoint or str(NANO_CHECKPOINT), **kwargs)
