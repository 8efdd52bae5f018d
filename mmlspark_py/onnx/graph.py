"""ONNX graphs on the driver: validation, description and slicing at intermediate nodes.

:func:`prepare_model` turns model bytes plus the node names a stage fetches into a :class:`PreparedModel`:
the (possibly sliced) model bytes and the inputs/outputs its onnxruntime session has. Slicing happens once per
(model hash, fetched nodes) in the driver process (cached in :mod:`mmlspark_py.core.model_cache`): a fetched
name that is not a graph output becomes one, and nodes that none of the fetched outputs need are dropped
(``onnx.utils.Extractor`` after shape inference, so the new outputs keep their types and shapes).

Models over 2 GB cannot be a single ONNX protobuf; they keep their weights as *external data*, which
mmlspark-py does not support (executors receive one self-contained model payload): such models are refused with
:class:`ModelFormatError`, as are corrupt or truncated files.

Example::

    prepared = prepare_model(open("efficientnet_lite0.onnx", "rb").read(), ["/Reshape_output_0"])
    prepared.outputs[0].describe()   # '/Reshape_output_0: tensor(float) [?, 1280]'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence, Tuple

import onnx
from onnx import helper

from mmlspark_py.core.model_cache import get_or_create, sha256_hex
from mmlspark_py.core.onnx_sessions import create_session, describe_session
from mmlspark_py.core.tensors import TensorInfo

MAX_MODEL_BYTES = 2**31 - 1
"""Protobuf's limit: a larger ONNX model must use external data, which is unsupported here."""


class ModelFormatError(ValueError):
    """Model bytes that are not a usable self-contained ONNX model, or fetches the graph cannot give."""


@dataclass(frozen=True)
class PreparedModel:
    """A model ready to ship: ``data`` (sliced when needed), its sha256 ``key`` and its session's I/O."""

    data: bytes
    key: str
    inputs: Tuple[TensorInfo, ...]
    outputs: Tuple[TensorInfo, ...]

    def input(self, name: str) -> TensorInfo:
        return next(i for i in self.inputs if i.name == name)

    def output(self, name: str) -> TensorInfo:
        return next(o for o in self.outputs if o.name == name)


def load_model(data: bytes) -> onnx.ModelProto:
    """Parse and check ONNX bytes; raises :class:`ModelFormatError` saying why they are unusable."""
    if len(data) > MAX_MODEL_BYTES:
        raise ModelFormatError(
            f"the model is {len(data) / 2**30:.1f} GiB; ONNX models over 2 GB (protobuf's "
            "limit) need external data files, which are unsupported: quantise or split it"
        )
    try:
        model = onnx.load_model_from_string(data)
    except Exception as e:
        raise ModelFormatError(
            f"the model bytes ({len(data)} bytes) are not a valid ONNX protobuf (corrupt or truncated?): {e}"
        ) from e
    if not model.graph.node or not model.graph.output:
        raise ModelFormatError(
            f"the model bytes ({len(data)} bytes) hold no ONNX graph (corrupt, truncated or another format?)"
        )
    external = [t.name for t in model.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    if external:
        raise ModelFormatError(
            f"the model keeps {len(external)} tensor(s) as external data (e.g. "
            f"{external[0]!r}), as ONNX models over 2 GB must; external data is unsupported: "
            "ship a self-contained model under 2 GB"
        )
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as e:
        raise ModelFormatError(f"the model is not a valid ONNX graph (corrupt or truncated?): {e}") from e
    return model


def check_payload(data: bytes) -> None:
    """Raise :class:`ModelFormatError` unless ``data`` parses and checks as a self-contained ONNX model (the
    ``modelPayload`` validator). Runs once per process for the same bytes (cached by sha256), so copies and
    reloads of a stage holding a large model do not parse it again."""
    get_or_create(("onnx-checked", sha256_hex(data)), lambda: load_model(data) is not None)


def node_outputs(model: onnx.ModelProto) -> List[str]:
    """Every value a node of the graph produces, in graph order (the names ``fetchDict`` may use)."""
    return [name for node in model.graph.node for name in node.output if name]


def _check_fetchable(model: onnx.ModelProto, names: Sequence[str]) -> None:
    known = set(node_outputs(model)) | {o.name for o in model.graph.output}
    missing = [n for n in names if n not in known]
    if missing:
        outputs = [o.name for o in model.graph.output]
        sample = node_outputs(model)[-5:]
        raise ModelFormatError(
            f"fetchDict: the model has no output or node named {missing}; its outputs are "
            f"{outputs} and it has {len(known)} node outputs (the last ones: {sample}; "
            "ONNXModel.getModelNodes() lists all)"
        )


def slice_model(model: onnx.ModelProto, outputs: Sequence[str]) -> onnx.ModelProto:
    """The part of ``model`` that computes ``outputs`` (graph outputs or intermediate node names) from its inputs.

    Graph inputs the slice does not need are dropped.
    """
    _check_fetchable(model, outputs)
    inferred = onnx.shape_inference.infer_shapes(model)
    typed = {v.name for v in inferred.graph.value_info} | {o.name for o in inferred.graph.output}
    # Shape inference cannot type every node (custom ops); onnxruntime still runs an untyped output.
    inferred.graph.value_info.extend(helper.ValueInfoProto(name=n) for n in outputs if n not in typed)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    sliced = onnx.utils.Extractor(inferred).extract_model(inputs, list(outputs))
    used = {name for node in sliced.graph.node for name in node.input} | set(outputs)
    kept = [i for i in sliced.graph.input if i.name in used]
    del sliced.graph.input[:]
    sliced.graph.input.extend(kept)
    return sliced


def _prepare(data: bytes, fetches: Tuple[str, ...]) -> PreparedModel:
    model = load_model(data)
    graph_outputs = {o.name for o in model.graph.output}
    if fetches and not set(fetches) <= graph_outputs:
        data = slice_model(model, fetches).SerializeToString()
    key = sha256_hex(data)
    inputs, outputs = describe_session(create_session(data, "CPU", "disable", 1))
    return PreparedModel(data, key, tuple(inputs), tuple(outputs))


def prepare_model(data: bytes, fetches: Sequence[str] = ()) -> PreparedModel:
    """``data`` sliced so that ``fetches`` are outputs (unchanged when they already are), described.

    Cached per process by (sha256 of ``data``, fetched names).

    :raises ModelFormatError: corrupt/truncated/external-data models, or fetches the graph does not have.
    """
    fetches = tuple(sorted(set(fetches)))
    return get_or_create(("onnx-prepared", sha256_hex(data), fetches), lambda: _prepare(data, fetches))
