"""onnxruntime sessions for Python workers: one per model, device and options, created once per process.

:func:`get_session` is the one way mmlspark-py opens an ONNX model where data is processed (ONNXModel,
ImageFeaturizer, the text encoders). Sessions live in :mod:`mmlspark_py.core.model_cache`, keyed by the
payload's sha256 and the session options, so every task and batch a reused Python worker runs shares one.

Devices (``device_type``):

* ``"CPU"``: onnxruntime's CPU provider.
* ``"CUDA"``: the CUDA provider on the GPU Spark assigned to the running task
  (``TaskContext.get().resources()["gpu"].addresses[0]``), device 0 outside a task or without GPU scheduling
  (local mode). If this onnxruntime has no CUDA provider, or CUDA cannot start, :class:`DeviceUnavailableError`.
* ``"auto"``: CUDA when this onnxruntime offers it, else CPU with a warning.

:func:`run_session` runs a session on numpy feeds, checking names, ranks and dtypes first so a mismatch names
the input, what it got and what the model expects; :func:`describe_session` lists a session's inputs/outputs.

Example (inside a batch function)::

    session = get_session(payload, device_type="auto", intra_op_threads=1)
    logits = run_session(session, {"image": batch}, ["logits"])["logits"]
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from mmlspark_py.core.model_cache import SharedPayload, get_or_create
from mmlspark_py.core.scoring import DEVICE_TYPES, task_gpu_id
from mmlspark_py.core.tensors import FeedError, TensorInfo, check_feed

logger = logging.getLogger(__name__)

OPTIMIZATION_LEVELS = ("disable", "basic", "extended", "all")
CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"


class DeviceUnavailableError(RuntimeError):
    """CUDA was asked for explicitly but this onnxruntime/machine cannot provide it."""


def available_providers() -> List[str]:
    """The execution providers this onnxruntime build offers."""
    import onnxruntime as ort

    return list(ort.get_available_providers())


def resolve_device(device_type: str) -> str:
    """``"CPU"`` or ``"CUDA"`` for a requested device type; see the module docstring for the rules.

    :raises ValueError: for a device type not in :data:`DEVICE_TYPES`.
    :raises DeviceUnavailableError: for ``"CUDA"`` when onnxruntime has no CUDA provider.
    """
    if device_type not in DEVICE_TYPES:
        raise ValueError(f"deviceType must be one of {list(DEVICE_TYPES)}, got {device_type!r}")
    if device_type == "CPU":
        return "CPU"
    providers = available_providers()
    if CUDA_PROVIDER in providers:
        return "CUDA"
    if device_type == "CUDA":
        raise DeviceUnavailableError(
            f"deviceType CUDA was requested but this onnxruntime offers only {providers}; install the GPU "
            "build (pip install onnxruntime-gpu, replacing onnxruntime) on a machine with CUDA, or use "
            "deviceType 'auto' (falls back to CPU) or 'CPU'"
        )
    warnings.warn(
        f"deviceType 'auto': onnxruntime offers no {CUDA_PROVIDER} (providers: {providers}); running on CPU",
        RuntimeWarning,
        stacklevel=2,
    )
    return "CPU"


def _session_options(optimization_level: str, intra_op_threads: Optional[int]) -> Any:
    import onnxruntime as ort

    if optimization_level not in OPTIMIZATION_LEVELS:
        raise ValueError(f"optimizationLevel must be one of {list(OPTIMIZATION_LEVELS)}, got {optimization_level!r}")
    levels = {
        "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
    }
    options = ort.SessionOptions()
    options.graph_optimization_level = levels[optimization_level]
    if intra_op_threads is not None:
        if intra_op_threads < 1:
            raise ValueError(f"intra_op_threads must be >= 1, got {intra_op_threads}")
        options.intra_op_num_threads = intra_op_threads
        # Spark already runs one task per core: onnxruntime's inter-op and spinning threads would fight them.
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def create_session(
    model: bytes, device: str, optimization_level: str = "all", intra_op_threads: Optional[int] = None, gpu_id: int = 0
) -> Any:
    """A new InferenceSession for ``model`` (ONNX bytes) on ``device`` (``"CPU"`` or ``"CUDA"``).

    :raises DeviceUnavailableError: when CUDA was asked for but the session could not use it.
    :raises ValueError: when the bytes are not a loadable ONNX model (corrupt or truncated).
    """
    import onnxruntime as ort

    options = _session_options(optimization_level, intra_op_threads)
    providers: List = [CPU_PROVIDER]
    if device == "CUDA":
        providers = [(CUDA_PROVIDER, {"device_id": gpu_id}), CPU_PROVIDER]
    try:
        session = ort.InferenceSession(model, sess_options=options, providers=providers)
    except Exception as e:
        if device == "CUDA" and CUDA_PROVIDER in str(e):
            raise DeviceUnavailableError(f"CUDA device {gpu_id} could not be used by onnxruntime: {e}") from e
        raise ValueError(
            f"onnxruntime cannot load the model ({len(model)} bytes; corrupt, truncated or not ONNX?): {e}"
        ) from e
    if device == "CUDA" and CUDA_PROVIDER not in session.get_providers():
        # onnxruntime-gpu silently falls back to CPU when CUDA/cuDNN libraries are missing.
        raise DeviceUnavailableError(
            f"onnxruntime could not start CUDA on device {gpu_id} (session providers: "
            f"{session.get_providers()}); check the CUDA and cuDNN libraries"
        )
    return session


def get_session(
    payload: SharedPayload,
    device_type: str = "CPU",
    optimization_level: str = "all",
    intra_op_threads: Optional[int] = None,
) -> Any:
    """The InferenceSession of ``payload`` for this worker process, created on first use and cached.

    :param payload: the model bytes, shipped once per executor (:class:`SharedPayload`).
    :param device_type: ``"CPU"``, ``"CUDA"`` or ``"auto"`` (module docstring).
    :param optimization_level: ``"disable"``, ``"basic"``, ``"extended"`` or ``"all"``.
    :param intra_op_threads: threads per session (None: onnxruntime's default, all cores).
    :raises DeviceUnavailableError: CUDA asked for explicitly and unavailable.
    :raises ValueError: bad options, or bytes that are not a loadable model.
    """
    device = resolve_device(device_type)
    gpu_id = task_gpu_id() if device == "CUDA" else None
    key = ("onnx-session", payload.key, device, gpu_id, optimization_level, intra_op_threads)
    return get_or_create(
        key, lambda: create_session(payload.value, device, optimization_level, intra_op_threads, gpu_id or 0)
    )


def describe_session(session: Any) -> Tuple[List[TensorInfo], List[TensorInfo]]:
    """``(inputs, outputs)`` of a session as :class:`TensorInfo` lists, in graph order."""

    def infos(args: Any) -> List[TensorInfo]:
        return [TensorInfo(a.name, tuple(a.shape) if a.shape is not None else (), a.type) for a in args]

    return infos(session.get_inputs()), infos(session.get_outputs())


def run_session(
    session: Any, feeds: Mapping[str, np.ndarray], output_names: Optional[Sequence[str]] = None
) -> Dict[str, np.ndarray]:
    """Run ``session`` on numpy ``feeds`` (input name -> batch array); returns output name -> array.

    Feeds are checked and cast to each input's dtype first (:func:`check_feed`).

    :param output_names: the outputs to compute (default: all of the session's outputs).
    :raises FeedError: an unknown or missing input, or a feed of the wrong rank, shape or type.
    """
    inputs, outputs = describe_session(session)
    by_name = {i.name: i for i in inputs}
    unknown = sorted(set(feeds) - set(by_name))
    missing = sorted(set(by_name) - set(feeds))
    if unknown or missing:
        raise FeedError(
            f"feeds {sorted(feeds)} do not match the model inputs "
            f"[{'; '.join(i.describe() for i in inputs)}]"
            + (f"; unknown: {unknown}" if unknown else "")
            + (f"; missing: {missing}" if missing else "")
        )
    names = list(output_names) if output_names is not None else [o.name for o in outputs]
    checked = {name: check_feed(by_name[name], np.asarray(value)) for name, value in feeds.items()}
    return dict(zip(names, session.run(names, checked)))


def run_bound(
    session: Any, names: Sequence[str], feeds: Mapping[str, np.ndarray], device: str = "cuda", device_id: int = 0
) -> List[np.ndarray]:
    """Run ``session`` through onnxruntime's IO binding: each input is copied to ``device`` once per batch as an
    OrtValue, outputs are allocated there by the runtime and copied back once, so the provider never stages
    copies of its own (the feed path for a GPU). Tensor outputs only; equal to ``session.run``."""
    import onnxruntime as ort

    binding = session.io_binding()
    for name, value in feeds.items():
        binding.bind_ortvalue_input(
            name, ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(value), device, device_id)
        )
    for name in names:
        binding.bind_output(name, device, device_id)
    session.run_with_iobinding(binding)
    return list(binding.copy_outputs_to_cpu())


def _tensor_outputs(session: Any, names: Sequence[str]) -> bool:
    types = {o.name: o.type for o in session.get_outputs()}
    return all(str(types.get(n, "")).startswith("tensor(") for n in names)


@dataclass(frozen=True)
class OnnxRunner:
    """Runs the broadcast model on numpy feeds in a Python worker (one cached session per process).

    On CUDA the batch goes through :func:`run_bound` (IO binding on the task's GPU) when every fetched output is a
    tensor; on CPU (or for sequence/map outputs) through ``session.run``.
    """

    payload: SharedPayload
    device_type: str
    optimization_level: str
    threads: int

    def load(self) -> Any:
        return get_session(self.payload, self.device_type, self.optimization_level, self.threads)

    def run(self, names: List[str], feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
        session = self.load()
        if CUDA_PROVIDER in session.get_providers() and _tensor_outputs(session, names):
            return run_bound(session, names, feeds, "cuda", task_gpu_id())
        return list(session.run(names, feeds))
