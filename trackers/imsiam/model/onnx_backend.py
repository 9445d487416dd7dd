"""IMSiam's per-frame search branch on ONNX Runtime (optional extra ``trackbench[onnx]``).

What runs per frame is ``IMSiam.track(search, template)``: the backbone on the 255-px
search crop, the neck against the cached template, the head. :class:`OnnxSearchBranch`
exports exactly that function (after BatchNorm folding) to ONNX once, with static shapes
(batch 1, 3 x 255 x 255; the cached template's per-stage vector and kernel are inputs, so
one graph serves every sequence), and runs it with ONNX Runtime's CPU provider at full
graph optimisation (conv + activation fusion, its blocked NCHWc layout, pre-packed
weights). The outputs are the same per-stage dicts (``cls``, ``cen``, ``reg``, ``iou``)
as the torch model's, equal to float32 rounding (``tests/trackers/imsiam/test_imsiam_onnx.py``
checks the boxes over a real sequence against the eager model).

Threads: ``intra_op_num_threads`` = torch's thread count (set by
:mod:`trackbench.execution.threads`), one inter-op thread, and no spinning of idle worker
threads (spinning burns the cores that other processes on a busy machine need).

The exported graph is cached as ``onnx/<sha256>.onnx`` under
:func:`trackbench.cachedir.cache_dir`, keyed by the weights, the template layout and the
torch version, so a worker builds it once per model; deleting it is safe.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from trackbench.cachedir import cache_dir

from .imsiam import SEARCH_SIZE, IMSiam
from .neck import StageTemplate

OUTPUT_KEYS = ("cls", "cen", "reg", "iou")
OPSET = 17


def onnxruntime_available() -> bool:
    """Whether ``onnxruntime`` and ``onnx`` (needed to export) can be imported."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class _SearchGraph(nn.Module):
    """``model.track`` with the template as flat tensor inputs and flat tensor outputs."""

    def __init__(self, model: IMSiam, layout: list[tuple[bool, bool]], keys: list[tuple[str, ...]]):
        super().__init__()
        self.model = model
        self.layout = layout
        self.keys = keys

    def forward(self, search: torch.Tensor, *flat: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(_flatten_outputs(self.model.track(search, _unflatten_template(flat, self.layout)), self.keys))


class OnnxSearchBranch:
    """``track(search, template)`` of a folded, eval-mode IMSiam on ONNX Runtime.

    ``template``: one slot's cached template (batch 1), giving the layout and shapes.
    ``threads``: ONNX Runtime intra-op threads (default: ``torch.get_num_threads()``).
    """

    def __init__(self, model: IMSiam, template: list[StageTemplate], threads: int | None = None):
        import onnxruntime as ort

        self.layout = [(stage.vector is not None, stage.kernel is not None) for stage in template]
        flat = _flatten_template(template)
        search = torch.zeros(1, 3, SEARCH_SIZE, SEARCH_SIZE)
        with torch.inference_mode():
            outputs = model.track(search.contiguous(memory_format=_format_of(model)), template)
        self.keys = [tuple(k for k in OUTPUT_KEYS if k in out) for out in outputs]
        graph = _exported(model, search, flat, self.layout, self.keys)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.intra_op_num_threads = int(threads or torch.get_num_threads())
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]

    def track(self, search: torch.Tensor, template: list[StageTemplate]) -> list[dict[str, torch.Tensor]]:
        """Per-stage output dicts for a batch of search crops (B, 3, 255, 255) and their
        templates (batch B): one session run per slot (the graph has batch 1)."""
        flat = [t.detach().cpu().numpy() for t in _flatten_template(template)]
        images = search.detach().cpu().contiguous().numpy()
        runs = []
        for b in range(images.shape[0]):
            feeds = [images[b : b + 1]] + [np.ascontiguousarray(t[b : b + 1]) for t in flat]
            runs.append(self.session.run(None, dict(zip(self.input_names, feeds))))
        joined = [torch.from_numpy(np.concatenate([run[i] for run in runs])) for i in range(len(runs[0]))]
        return _unflatten_outputs(joined, self.keys)


def _exported(model: IMSiam, search: torch.Tensor, flat: list[torch.Tensor], layout, keys) -> bytes:
    """The ONNX graph's bytes, from the cache when the same weights were exported before."""
    key = _graph_key(model, flat, layout)
    folder = cache_dir()
    path = None if folder is None else folder / "onnx" / f"{key}.onnx"
    if path is not None and path.is_file():
        return path.read_bytes()
    wrapper = _SearchGraph(model, layout, keys).eval()
    buffer = io.BytesIO()
    names = ["search"] + [f"template{i}" for i in range(len(flat))]
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation and tracer notes
        torch.onnx.export(wrapper, (search, *[t.contiguous() for t in flat]), buffer, opset_version=OPSET,
                          dynamo=False, input_names=names, do_constant_folding=True)
    data = buffer.getvalue()
    if path is not None:
        _store(path, data)
    return data


def _graph_key(model: IMSiam, flat: list[torch.Tensor], layout) -> str:
    digest = hashlib.sha256(f"imsiam-onnx-{OPSET}-{torch.__version__}-{layout}".encode())
    for t in flat:
        digest.update(str(tuple(t.shape)).encode())
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def _store(path: Path, data: bytes) -> None:
    from trackbench.textio import atomic_write_bytes

    try:
        atomic_write_bytes(path, data, durable=False)
    except OSError:
        pass  # a cache that cannot be written is skipped


def _format_of(model: nn.Module) -> torch.memory_format:
    weight = next(model.parameters())
    channels_last = weight.dim() == 4 and weight.is_contiguous(memory_format=torch.channels_last) \
        and not weight.is_contiguous()
    return torch.channels_last if channels_last else torch.contiguous_format


def _flatten_template(template: list[StageTemplate]) -> list[torch.Tensor]:
    return [t for stage in template for t in (stage.vector, stage.kernel) if t is not None]


def _unflatten_template(flat, layout: list[tuple[bool, bool]]) -> list[StageTemplate]:
    items = iter(flat)
    return [StageTemplate(next(items) if has_vector else None, next(items) if has_kernel else None)
            for has_vector, has_kernel in layout]


def _flatten_outputs(outputs: list[dict[str, torch.Tensor]], keys) -> list[torch.Tensor]:
    return [out[k] for out, stage_keys in zip(outputs, keys) for k in stage_keys]


def _unflatten_outputs(flat: list[torch.Tensor], keys) -> list[dict[str, torch.Tensor]]:
    items = iter(flat)
    return [{k: next(items) for k in stage_keys} for stage_keys in keys]
