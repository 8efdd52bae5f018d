"""Convert a trained NeuroNER model (TensorFlow 1 checkpoint + vocabulary pickle) into our ONNX tagger format.

NeuroNER (Dernoncourt et al. 2017; PyPI ``pyneuroner``) tags tokens with a character bi-LSTM, a token
embedding, a token bi-LSTM, two dense layers and a CRF. Its LSTM cells are TF1's
``CoupledInputForgetGateLSTMCell`` (input gate = 1 - forget gate, forget bias 1.0, no peepholes) with learned
initial states. That cell is exactly a standard LSTM whose input gate has the negated forget-gate weights, so
the converter writes ONNX ``LSTM`` ops (direction ``bidirectional``, per-sequence lengths) and onnxruntime runs
the whole network; the CRF transitions, vocabularies and labels go into the model's metadata
(:class:`~mmlspark_py.text.sequence_tagger.TaggerMetadata`), decoded with Viterbi on the executors.

Weights are read straight from the checkpoint files (:mod:`mmlspark_py.text.tf_checkpoint`), so no TensorFlow
is needed. The vocabulary ships as a pickle of NeuroNER's ``Dataset`` object; it is read with an unpickler that
builds only dicts/OrderedDicts/lists/strings/numbers and an inert record in place of ``Dataset`` (any other
class or function in the pickle is refused), and converted once into the JSON metadata. Taggers never read
pickles.

Usage::

    from mmlspark_py.text.neuroner import convert_neuroner
    convert_neuroner(".../neuroner/trained_models/conll_2003_en", "conll_2003_en.onnx")

or ``python -m mmlspark_py.text.neuroner CHECKPOINT_DIR OUTPUT.onnx``.

Errors: :class:`~mmlspark_py.text.sequence_tagger.TaggerFormatError` naming the file or variable that is
missing or has an unexpected shape.
"""

from __future__ import annotations

import collections
import os
import pickle
import sys
from typing import Any, Dict, List, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from mmlspark_py.text.sequence_tagger import METADATA_KEY, TaggerFormatError, TaggerMetadata
from mmlspark_py.text.tf_checkpoint import read_checkpoint

__all__ = ["convert_neuroner", "cifg_to_onnx_lstm", "read_neuroner_vocabulary"]

_FORGET_BIAS = 1.0  # NeuroNER builds CoupledInputForgetGateLSTMCell(forget_bias=1.0)
_OPSET = 17


class _PickledRecord:
    """Inert stand-in for NeuroNER's ``Dataset`` class: unpickling only fills its ``__dict__``."""


class _VocabularyUnpickler(pickle.Unpickler):
    _ALLOWED = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("dataset", "Dataset"): _PickledRecord,
        ("neuroner.dataset", "Dataset"): _PickledRecord,
    }

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a NeuroNER vocabulary pickle; "
                "only dicts, lists, strings and numbers are read"
            ) from None


def read_neuroner_vocabulary(path: str) -> Dict[str, Any]:
    """The token/character/label mappings of a NeuroNER ``dataset.pickle``, as plain dicts (safely; see above)."""
    with open(path, "rb") as f:
        record = _VocabularyUnpickler(f).load()
    fields = vars(record) if isinstance(record, _PickledRecord) else {}
    needed = ("token_to_index", "character_to_index", "index_to_label", "UNK_TOKEN_INDEX", "PADDING_CHARACTER_INDEX")
    missing = [k for k in needed if k not in fields]
    if missing:
        raise TaggerFormatError(f"{path}: not a NeuroNER dataset pickle (missing {missing})")
    return {k: fields[k] for k in needed}


def cifg_to_onnx_lstm(
    kernel: np.ndarray, bias: np.ndarray, input_size: int, forget_bias: float = _FORGET_BIAS
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W [4H, in], R [4H, H], B [8H] of an ONNX LSTM direction (gates i, o, f, c) equal to a TF1
    ``CoupledInputForgetGateLSTMCell`` with ``kernel`` [in + H, 3H] (gates j, f, o over ``concat(x, h)``).

    TF: ``f = sigmoid(zf + forget_bias)``, ``c' = f*c + (1 - f)*tanh(zj)``, ``h' = sigmoid(zo)*tanh(c')``.
    Since ``1 - sigmoid(a) = sigmoid(-a)``, the input gate is the forget gate's pre-activation negated.
    """
    hidden = kernel.shape[1] // 3
    if kernel.shape != (input_size + hidden, 3 * hidden) or bias.shape != (3 * hidden,):
        raise TaggerFormatError(f"LSTM kernel {kernel.shape} / bias {bias.shape} do not fit input size {input_size}")
    kj, kf, ko = np.split(kernel, 3, axis=1)
    bj, bf, bo = np.split(bias, 3)
    bf = bf + forget_bias
    gates = [(-kf, -bf), (ko, bo), (kf, bf), (kj, bj)]  # ONNX order i, o, f, c
    w = np.concatenate([k[:input_size].T for k, _ in gates], axis=0)
    r = np.concatenate([k[input_size:].T for k, _ in gates], axis=0)
    b = np.concatenate([np.concatenate([b for _, b in gates]), np.zeros(4 * hidden, dtype=bias.dtype)])
    return w.astype(np.float32), r.astype(np.float32), b.astype(np.float32)


class _Graph:
    """Small helper collecting nodes and initializers with unique names."""

    def __init__(self) -> None:
        self.nodes: List[onnx.NodeProto] = []
        self.inits: List[onnx.TensorProto] = []
        self._n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: List[str], n_out: int = 1, **attrs: Any) -> Any:
        self._n += 1
        outs = [f"{op_type.lower()}_{self._n}_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, **attrs))
        return outs[0] if n_out == 1 else outs


def _bilstm(
    g: _Graph, scope: str, weights: Dict[str, np.ndarray], x_tbd: str, lengths: str, batch_dim: str, input_size: int
) -> Tuple[str, str]:
    """A NeuroNER bidirectional_LSTM as one ONNX LSTM; returns (Y [T, 2, N, H], Y_h [2, N, H])."""
    ws, rs, bs, h0, c0 = [], [], [], [], []
    for tf_dir, onnx_dir in (("forward", "fw"), ("backward", "bw")):
        cell = f"{scope}/bidirectional_LSTM/bidirectional_rnn/{onnx_dir}/coupled_input_forget_gate_lstm_cell"
        w, r, b = cifg_to_onnx_lstm(weights[f"{cell}/W_0"], weights[f"{cell}/B"], input_size)
        ws.append(w)
        rs.append(r)
        bs.append(b)
        h0.append(weights[f"{scope}/bidirectional_LSTM/{tf_dir}/initial_output_state"])
        c0.append(weights[f"{scope}/bidirectional_LSTM/{tf_dir}/initial_cell_state"])
    hidden = rs[0].shape[1]
    state_shape = g.op(
        "Concat",
        [
            g.const(f"{scope}_two", np.array([2], np.int64)),
            batch_dim,
            g.const(f"{scope}_hidden", np.array([hidden], np.int64)),
        ],
        axis=0,
    )
    init_h = g.op("Expand", [g.const(f"{scope}_h0", np.stack(h0).astype(np.float32)), state_shape])
    init_c = g.op("Expand", [g.const(f"{scope}_c0", np.stack(c0).astype(np.float32)), state_shape])
    y, y_h = g.op(
        "LSTM",
        [
            x_tbd,
            g.const(f"{scope}_W", np.stack(ws)),
            g.const(f"{scope}_R", np.stack(rs)),
            g.const(f"{scope}_B", np.stack(bs)),
            lengths,
            init_h,
            init_c,
        ],
        n_out=2,
        direction="bidirectional",
        hidden_size=hidden,
    )
    return y, y_h


def _build_graph(weights: Dict[str, np.ndarray], metadata: TaggerMetadata) -> onnx.ModelProto:
    g = _Graph()
    char_emb = weights["character_embedding/character_embedding_weights"]
    tok_emb = weights["token_embedding/token_embedding_weights"]
    char_hidden = weights["character_lstm/bidirectional_LSTM/forward/initial_output_state"].shape[1]
    shape_tok = g.op("Shape", ["token_ids"])  # [B, T]
    bt = g.op("Slice", [shape_tok, g.const("i0", np.array([0], np.int64)), g.const("i2", np.array([2], np.int64))])
    b_dim = g.op("Slice", [shape_tok, "i0", g.const("i1", np.array([1], np.int64))])
    # character bi-LSTM over every token: [L, B*T, E]; its final states are the token's character vector
    chars = g.op("Gather", [g.const("char_embedding", char_emb.astype(np.float32)), "char_ids"])  # [B,T,L,E]
    l_dim = g.op("Slice", [g.op("Shape", ["char_ids"]), "i2", g.const("i3", np.array([3], np.int64))])
    flat_shape = g.op(
        "Concat",
        [
            g.const("minus1", np.array([-1], np.int64)),
            l_dim,
            g.const("char_dim", np.array([char_emb.shape[1]], np.int64)),
        ],
        axis=0,
    )
    chars_tnd = g.op("Transpose", [g.op("Reshape", [chars, flat_shape])], perm=[1, 0, 2])
    char_lens = g.op("Reshape", ["char_lengths", "minus1"])
    n_dim = g.op("Shape", [char_lens])
    _, char_h = _bilstm(g, "character_lstm", weights, chars_tnd, char_lens, n_dim, char_emb.shape[1])
    char_vec = g.op(
        "Reshape",
        [
            g.op("Transpose", [char_h], perm=[1, 0, 2]),
            g.op("Concat", [bt, g.const("char_out", np.array([2 * char_hidden], np.int64))], axis=0),
        ],
    )  # [B, T, 2Hc] = concat(fw, bw)
    tokens = g.op("Gather", [g.const("token_embedding", tok_emb.astype(np.float32)), "token_ids"])
    x = g.op("Concat", [char_vec, tokens], axis=2)  # NeuroNER's order
    x_tbd = g.op("Transpose", [x], perm=[1, 0, 2])
    y, _ = _bilstm(g, "token_lstm", weights, x_tbd, "token_lengths", b_dim, 2 * char_hidden + tok_emb.shape[1])
    token_hidden = weights["token_lstm/bidirectional_LSTM/forward/initial_output_state"].shape[1]
    y_bt = g.op(
        "Reshape",
        [
            g.op("Transpose", [y], perm=[2, 0, 1, 3]),
            g.op("Concat", [bt, g.const("tok_out", np.array([2 * token_hidden], np.int64))], axis=0),
        ],
    )
    hidden = g.op(
        "Tanh",
        [
            g.op(
                "Add",
                [
                    g.op("MatMul", [y_bt, g.const("ff1_W", weights["feedforward_after_lstm/W"])]),
                    g.const("ff1_b", weights["feedforward_after_lstm/bias"]),
                ],
            )
        ],
    )
    scores = g.op(
        "Add",
        [
            g.op("MatMul", [hidden, g.const("ff2_W", weights["feedforward_before_crf/W"])]),
            g.const("ff2_b", weights["feedforward_before_crf/bias"]),
        ],
    )
    g.nodes.append(helper.make_node("Identity", [scores], ["scores"]))
    k = len(metadata.labels)
    inputs = [
        helper.make_tensor_value_info("token_ids", TensorProto.INT64, ["batch", "time"]),
        helper.make_tensor_value_info("token_lengths", TensorProto.INT32, ["batch"]),
        helper.make_tensor_value_info("char_ids", TensorProto.INT64, ["batch", "time", "chars"]),
        helper.make_tensor_value_info("char_lengths", TensorProto.INT32, ["batch", "time"]),
    ]
    outputs = [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", "time", k])]
    graph = helper.make_graph(g.nodes, "neuroner_tagger", inputs, outputs, g.inits)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", _OPSET)], producer_name="mmlspark_py.text.neuroner"
    )
    helper.set_model_props(model, {METADATA_KEY: metadata.to_json()})
    onnx.checker.check_model(model)
    return model


def _metadata(vocab: Dict[str, Any], weights: Dict[str, np.ndarray], source: str) -> TaggerMetadata:
    index_to_label = vocab["index_to_label"]
    labels = [index_to_label[i] for i in range(len(index_to_label))]
    k = len(labels)
    transitions = weights["crf/transitions"]
    if transitions.shape != (k + 2, k + 2):
        raise TaggerFormatError(f"crf/transitions has shape {transitions.shape}; {k} labels need {(k + 2, k + 2)}")
    unk = int(vocab["UNK_TOKEN_INDEX"])
    # NeuroNER pads the CRF with a start tag (index k) and an end tag (k + 1); their rows/columns become the
    # start/end scores of a plain linear-chain CRF over the k real labels (the padding forbids them elsewhere).
    crf = {
        "transitions": transitions[:k, :k].tolist(),
        "start": transitions[k, :k].tolist(),
        "end": transitions[:k, k + 1].tolist(),
    }
    return TaggerMetadata(
        labels=labels,
        tagScheme="BIOES" if any(label.startswith(("E-", "S-")) for label in labels) else "BIO",
        tokenVocab={t: int(i) for t, i in vocab["token_to_index"].items() if int(i) != unk},
        unkTokenIndex=unk,
        paddingTokenIndex=unk,
        tokenLookup=["exact"],
        charVocab={c: int(i) for c, i in vocab["character_to_index"].items()},
        # NeuroNER draws a random known character for an unknown one; we use the padding character instead,
        # so the output is deterministic.
        unkCharIndex=int(vocab["PADDING_CHARACTER_INDEX"]),
        paddingCharIndex=int(vocab["PADDING_CHARACTER_INDEX"]),
        crf=crf,
        source=source,
    )


def convert_neuroner(checkpoint_dir: str, output_path: str) -> TaggerMetadata:
    """Convert the NeuroNER model in ``checkpoint_dir`` (``model.ckpt.*`` + ``dataset.pickle``) to one ONNX file.

    :param checkpoint_dir: e.g. ``site-packages/neuroner/trained_models/conll_2003_en``.
    :param output_path: the ``.onnx`` file to write (atomically: a temp file renamed into place).
    :returns: the metadata written into the model.
    :raises TaggerFormatError: when files are missing or the weights do not fit NeuroNER's architecture.
    """
    prefix = os.path.join(checkpoint_dir, "model.ckpt")
    vocab_path = os.path.join(checkpoint_dir, "dataset.pickle")
    for path in (prefix + ".index", vocab_path):
        if not os.path.isfile(path):
            raise TaggerFormatError(f"{checkpoint_dir!r} is not a NeuroNER model folder: {path!r} is missing")
    weights = read_checkpoint(prefix)
    vocab = read_neuroner_vocabulary(vocab_path)
    try:
        metadata = _metadata(vocab, weights, source=f"NeuroNER checkpoint {os.path.basename(checkpoint_dir)}")
        model = _build_graph(weights, metadata)
    except KeyError as e:
        raise TaggerFormatError(f"{prefix}: variable {e} is missing; not a NeuroNER char+token bi-LSTM-CRF") from None
    tmp = f"{output_path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(model.SerializeToString())
    os.replace(tmp, output_path)
    return metadata


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m mmlspark_py.text.neuroner CHECKPOINT_DIR OUTPUT.onnx")
    meta = convert_neuroner(sys.argv[1], sys.argv[2])
    print(f"wrote {sys.argv[2]}: {len(meta.labels)} labels, {len(meta.tokenVocab)} tokens")
