"""Keras networks to ONNX (in the training process) and a featurizer + head merged into one graph (driver).

:func:`keras_to_onnx` converts with tf2onnx's ``from_function`` on a traced ``tf.function`` (tf2onnx's
``from_keras`` fails on Keras 3 models), then checks the converted graph against Keras on sample inputs with
onnxruntime, so a model that converts wrongly fails the fit instead of predicting differently.

:func:`merge_featurizer_and_head` joins a pretrained featurizer's graph, cut at its feature node, to a head
trained on those features: image tensor in, the head's outputs out (``onnx.compose.merge_models``).

Example::

    data = keras_to_onnx(lambda image: {"logits": model(tf.transpose(image, [0, 2, 3, 1]))},
                         {"image": ([None, 1, 28, 28], "float32")}, samples={"image": x[:32]})
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import onnx

DEFAULT_OPSET = 17


class OnnxExportError(RuntimeError):
    """A network could not be converted to ONNX, or the converted graph computes something else."""


def keras_to_onnx(
    fn: Callable[..., Dict[str, Any]],
    inputs: Mapping[str, Tuple[Sequence[Optional[int]], str]],
    samples: Mapping[str, np.ndarray],
    opset: int = DEFAULT_OPSET,
    atol: float = 1e-4,
) -> bytes:
    """ONNX bytes of ``fn`` (keyword tensors -> dict of named outputs), verified on ``samples``.

    :param inputs: input name -> (shape with None for free dims, dtype name).
    :raises OnnxExportError: conversion failed, or onnxruntime's outputs differ from TensorFlow's by more than
        ``atol`` (relative to the outputs' magnitude).
    """
    import tensorflow as tf
    import tf2onnx

    names = list(inputs)
    signature = [tf.TensorSpec(list(shape), tf.as_dtype(dtype), name=name) for name, (shape, dtype) in inputs.items()]
    traced = tf.function(lambda *xs: fn(**dict(zip(names, xs))), input_signature=signature)
    try:
        proto, _ = tf2onnx.convert.from_function(traced, input_signature=signature, opset=opset)
    except Exception as e:
        raise OnnxExportError(f"tf2onnx could not convert the network: {type(e).__name__}: {e}") from e
    data = proto.SerializeToString()
    expected = {k: np.asarray(v) for k, v in traced(*[tf.constant(samples[n]) for n in names]).items()}
    got = run_onnx(data, dict(samples), list(expected))
    for name, want in expected.items():
        scale = max(1.0, float(np.abs(want).max()) if want.size else 1.0)
        err = float(np.abs(got[name] - want).max()) if want.size else 0.0
        if err > atol * scale:
            raise OnnxExportError(
                f"the ONNX graph's output {name!r} differs from TensorFlow's by {err:.3g} "
                f"(tolerance {atol * scale:.3g})"
            )
    return data


def run_onnx(data: bytes, feeds: Dict[str, np.ndarray], outputs: List[str]) -> Dict[str, np.ndarray]:
    """``outputs`` of the ONNX model ``data`` on ``feeds`` (onnxruntime, CPU)."""
    import onnxruntime as ort

    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    return dict(zip(outputs, session.run(outputs, feeds)))


def opset_of(model: onnx.ModelProto) -> int:
    """The default-domain opset a model uses."""
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), DEFAULT_OPSET)


def cut_at(model: onnx.ModelProto, node_output: str) -> onnx.ModelProto:
    """``model`` keeping only the nodes ``node_output`` depends on (in order), with it as the only output.

    (``onnx.utils.Extractor`` needs shape information for every intermediate value, which exported models
    often lack.)
    """
    producers = {out: node for node in model.graph.node for out in node.output}
    if node_output not in producers:
        raise OnnxExportError(f"the featurizer graph has no node producing {node_output!r}")
    needed, pending = set(), [node_output]
    while pending:
        node = producers.get(pending.pop())
        if node is not None and id(node) not in needed:
            needed.add(id(node))
            pending.extend(node.input)
    kept = [n for n in model.graph.node if id(n) in needed]
    used = {name for n in kept for name in n.input}
    cut = onnx.ModelProto()
    cut.CopyFrom(model)
    del cut.graph.node[:]
    cut.graph.node.extend(kept)
    initializers = [t for t in model.graph.initializer if t.name in used]
    del cut.graph.initializer[:]
    cut.graph.initializer.extend(initializers)
    inputs = [i for i in model.graph.input if i.name in used]
    del cut.graph.input[:]
    cut.graph.input.extend(inputs)
    del cut.graph.output[:]
    cut.graph.output.append(onnx.helper.make_tensor_value_info(node_output, onnx.TensorProto.FLOAT, None))
    del cut.graph.value_info[:]
    return cut


def merge_featurizer_and_head(featurizer: bytes, feature_node: str, head: bytes, head_input: str) -> bytes:
    """One graph: ``featurizer`` up to ``feature_node``, flattened per row, into ``head``'s ``head_input``.

    The result's inputs are the featurizer's; its outputs are the head's (names unchanged).
    """
    base = cut_at(onnx.load_from_string(featurizer), feature_node)
    top = onnx.load_from_string(head)
    flat = "__mmlspark_features_flat"
    base.graph.node.append(onnx.helper.make_node("Flatten", [feature_node], [flat], axis=1))
    del base.graph.output[:]
    base.graph.output.append(onnx.helper.make_tensor_value_info(flat, onnx.TensorProto.FLOAT, None))
    ir = max(base.ir_version, top.ir_version)
    base.ir_version = top.ir_version = ir
    if opset_of(base) != opset_of(top):
        raise OnnxExportError(
            f"the featurizer uses ONNX opset {opset_of(base)} and the head {opset_of(top)}; "
            "convert the head with the featurizer's opset"
        )
    merged = onnx.compose.merge_models(base, top, io_map=[(flat, head_input)], prefix2="head/")
    rename = {f"head/{o.name}": o.name for o in top.graph.output}
    for node in merged.graph.node:
        node.output[:] = [rename.get(o, o) for o in node.output]
    for output in merged.graph.output:
        output.name = rename.get(output.name, output.name)
    onnx.checker.check_model(merged)
    return merged.SerializeToString()
