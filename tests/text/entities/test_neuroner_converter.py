"""The NeuroNER converter: checkpoint reading, CIFG -> ONNX LSTM equivalence, safe vocabulary reading, errors."""

from __future__ import annotations

import os
import pickle

import numpy as np
import onnxruntime as ort
import pytest

from mmlspark_py.text import neuroner
from mmlspark_py.text.neuroner import convert_neuroner, read_neuroner_vocabulary
from mmlspark_py.text.sequence_tagger import SequenceTagger, TaggerFormatError
from mmlspark_py.text.tf_checkpoint import CheckpointError, read_checkpoint
from tests.text.entities.tagger_fixtures import (
    neuroner_dir,
    reference_scores,
    tiny_tagger_bytes,
    tiny_vocab,
    tiny_weights,
)

CONLL_DIR = os.path.join(neuroner_dir(), "trained_models", "conll_2003_en")


def test_checkpoint_reader_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    ours = read_checkpoint(os.path.join(CONLL_DIR, "model.ckpt"))
    reader = tf.train.load_checkpoint(os.path.join(CONLL_DIR, "model.ckpt"))
    assert set(ours) == set(reader.get_variable_to_shape_map())
    for name, value in ours.items():
        np.testing.assert_array_equal(value, reader.get_tensor(name), err_msg=name)


def test_checkpoint_reader_rejects_non_checkpoints(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint index"):
        read_checkpoint(str(tmp_path / "model.ckpt"))
    (tmp_path / "model.ckpt.index").write_bytes(b"not a table" * 10)
    with pytest.raises(CheckpointError, match="bad table magic"):
        read_checkpoint(str(tmp_path / "model.ckpt"))


def test_cifg_conversion_equals_tf_cell_step():
    """One ONNX-LSTM step with the converted weights equals the TF1 coupled-input-forget-gate step."""
    rng = np.random.default_rng(1)
    d, h = 3, 4
    kernel, bias = rng.normal(size=(d + h, 3 * h)), rng.normal(size=3 * h)
    x, h0, c0 = rng.normal(size=d), rng.normal(size=h), rng.normal(size=h)
    w, r, b = neuroner.cifg_to_onnx_lstm(kernel, bias, d)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    z = w @ x + r @ h0 + b[: 4 * h] + b[4 * h :]
    i, o, f, g = np.split(z, 4)
    c_onnx = sig(f) * c0 + sig(i) * np.tanh(g)
    j, f_tf, o_tf = np.split(np.concatenate([x, h0]) @ kernel + bias, 3)
    f_tf = sig(f_tf + 1.0)
    c_tf = f_tf * c0 + (1 - f_tf) * np.tanh(j)
    np.testing.assert_allclose(c_onnx, c_tf, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sig(o) * np.tanh(c_onnx), sig(o_tf) * np.tanh(c_tf), rtol=1e-5, atol=1e-6)


def test_onnx_graph_equals_numpy_rebuild_on_padded_batches():
    """The converted graph, batched with padding, equals an independent per-sentence numpy rebuild."""
    weights = tiny_weights(seed=3)
    tagger = SequenceTagger.from_bytes(tiny_tagger_bytes(seed=3))
    sentences = [["John", "Smith", "lives", "in", "Paris", "."], ["Mary"], ["zz", "", "Ann", "Lee"]]
    feeds = tagger.encode(sentences)
    scores = tagger.scores(sentences)
    for b, sent in enumerate(sentences):
        n = len(sent)
        chars = [list(feeds["char_ids"][b, t, : max(1, len(tok))]) for t, tok in enumerate(sent)]
        expected = reference_scores(weights, feeds["token_ids"][b, :n], chars)
        np.testing.assert_allclose(scores[b, :n], expected, rtol=1e-4, atol=1e-4)


def test_real_model_scores_equal_numpy_rebuild(conll_model_path):
    weights = read_checkpoint(os.path.join(CONLL_DIR, "model.ckpt"))
    tagger = SequenceTagger.from_bytes(open(conll_model_path, "rb").read())
    sentences = [["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."], ["Peter", "Blackburn"]]
    feeds, scores = tagger.encode(sentences), tagger.scores(sentences)
    for b, sent in enumerate(sentences):
        chars = [list(feeds["char_ids"][b, t, : len(tok)]) for t, tok in enumerate(sent)]
        expected = reference_scores(weights, feeds["token_ids"][b, : len(sent)], chars)
        np.testing.assert_allclose(scores[b, : len(sent)], expected, rtol=1e-3, atol=1e-3)
    assert tagger.tag(sentences)[0] == ["S-ORG", "O", "S-MISC", "O", "O", "O", "S-MISC", "O", "O"]
    assert tagger.tag(sentences)[1] == ["B-PER", "E-PER"]


def test_converted_metadata(conll_model_path):
    meta = SequenceTagger.from_bytes(open(conll_model_path, "rb").read()).metadata
    assert meta.tagScheme == "BIOES" and len(meta.labels) == 17 and "S-PER" in meta.labels
    assert np.shape(meta.crf["transitions"]) == (17, 17)
    weights = read_checkpoint(os.path.join(CONLL_DIR, "model.ckpt"))
    np.testing.assert_allclose(meta.crf["start"], weights["crf/transitions"][17, :17])
    np.testing.assert_allclose(meta.crf["end"], weights["crf/transitions"][:17, 18])


def test_vocabulary_pickle_refuses_other_classes(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "dataset.pickle"
    path.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        read_neuroner_vocabulary(str(path))
    path.write_bytes(pickle.dumps({"token_to_index": {}}))
    with pytest.raises(TaggerFormatError, match="not a NeuroNER dataset pickle"):
        read_neuroner_vocabulary(str(path))


def test_real_vocabulary_reads_safely():
    vocab = read_neuroner_vocabulary(os.path.join(CONLL_DIR, "dataset.pickle"))
    assert vocab["index_to_label"][12] == "O" and vocab["character_to_index"]["e"] == 1


def test_converter_errors_name_the_missing_file(tmp_path):
    with pytest.raises(TaggerFormatError, match="model.ckpt.index"):
        convert_neuroner(str(tmp_path), str(tmp_path / "out.onnx"))
    bad = dict(tiny_weights(), **{"crf/transitions": np.zeros((3, 3), np.float32)})
    with pytest.raises(TaggerFormatError, match="crf/transitions has shape"):
        neuroner._metadata(tiny_vocab(), bad, "x")


def test_converted_model_runs_in_plain_onnxruntime(conll_model_path):
    session = ort.InferenceSession(conll_model_path, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["token_ids", "token_lengths", "char_ids", "char_lengths"]
    out = session.run(
        None,
        {
            "token_ids": np.array([[5, 6]], np.int64),
            "token_lengths": np.array([2], np.int32),
            "char_ids": np.ones((1, 2, 3), np.int64),
            "char_lengths": np.full((1, 2), 3, np.int32),
        },
    )
    assert out[0].shape == (1, 2, 17)
