"""The training function of :class:`~mmlspark_py.text.BiLSTMTagger`, run in every distributor worker.

Each worker encodes its shard's sentences with the tagger's vocabulary (:class:`TokenEncoder`), then trains the
network (token embedding -> bi-LSTM -> dropout -> per-token label scores) with
:class:`~mmlspark_py.dl.DataParallelTrainer`. The output layer is a linear-chain CRF (``useCrf``: transition,
start and end scores trained with the sentence-level loss of :func:`~mmlspark_py.text.crf.crf_negative_log_likelihood`)
or a per-token softmax. Sentences are batched by length (little padding): each epoch sorts the shard by length
with random tie-breaks, cuts batches of the worker's share of ``batchSize`` sentences and shuffles their order;
every worker runs the same number of steps (a shorter shard starts over), as data-parallel steps require.

Rank 0 returns the network as a ``.keras`` archive in our tagger format (see
:mod:`mmlspark_py.text.sequence_tagger`): the Keras model gives the label scores and the metadata member holds
the vocabulary, the labels and the CRF's scores, which the runtime decodes with Viterbi.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, replace
from typing import Any, Iterator, List, Optional, Tuple

import numpy as np

from mmlspark_py.dl import DataShard
from mmlspark_py.text.sequence_tagger import KERAS_METADATA_MEMBER, TaggerMetadata, TokenEncoder

TOKENS_COL = "tokens"
TAGS_COL = "tags"


@dataclass(frozen=True)
class TaggerTrainingConfig:
    """What every worker needs (plain values): the metadata (vocabulary, labels) and the training schedule."""

    metadataJson: str
    embeddingDim: int
    hiddenDim: int
    epochs: int
    batchSize: int
    learningRate: float
    seed: int
    useCrf: bool = True
    checkpointDir: str = ""

    @property
    def metadata(self) -> TaggerMetadata:
        return TaggerMetadata.from_json(self.metadataJson)

    def fingerprint(self) -> str:
        meta = self.metadata
        key = {
            "vocab": len(meta.tokenVocab),
            "labels": meta.labels,
            "embeddingDim": self.embeddingDim,
            "hiddenDim": self.hiddenDim,
            "useCrf": self.useCrf,
            "learningRate": self.learningRate,
            "vocabDigest": hashlib.sha256(json.dumps(meta.tokenVocab, sort_keys=True).encode()).hexdigest(),
        }
        return "bilstm-" + hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def build_network(config: TaggerTrainingConfig) -> Any:
    """token_ids int64 [batch, time] -> label scores [batch, time, labels] (call in the strategy's scope)."""
    import keras

    meta = config.metadata
    vocab_size = max(meta.tokenVocab.values(), default=meta.unkTokenIndex) + 1
    tokens = keras.Input(shape=(None,), dtype="int64", name="token_ids")
    x = keras.layers.Embedding(max(vocab_size, meta.unkTokenIndex + 1), config.embeddingDim, mask_zero=True)(tokens)
    x = keras.layers.Bidirectional(keras.layers.LSTM(config.hiddenDim, return_sequences=True))(x)
    x = keras.layers.Dropout(0.3)(x)
    return keras.Model(tokens, keras.layers.Dense(len(meta.labels), name="scores")(x))


def encode_shard(shard: DataShard, metadata: TaggerMetadata) -> Tuple[List[np.ndarray], List[np.ndarray]]:
    """Token ids and label ids of every sentence of the shard."""
    encoder = TokenEncoder(metadata)
    label_index = {label: i for i, label in enumerate(metadata.labels)}
    table = shard.table([TOKENS_COL, TAGS_COL])
    ids, labels = [], []
    for tokens, tags in zip(table.column(TOKENS_COL).to_pylist(), table.column(TAGS_COL).to_pylist()):
        ids.append(np.array([encoder.index(t or "") for t in tokens], np.int64))
        labels.append(np.array([label_index[t] for t in tags], np.int64))
    return ids, labels


def length_batches(
    lengths: np.ndarray, size: int, steps: int, seed: int, epoch: int, rank: int
) -> Iterator[np.ndarray]:
    """``steps`` batches of sentence indices of similar length, in shuffled order (repeating when short)."""
    rng = np.random.default_rng([seed, epoch, rank])
    order = np.lexsort((rng.random(len(lengths)), lengths))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    for step in range(steps):
        yield groups[step % len(groups)]


def _padded(
    ids: List[np.ndarray], labels: List[np.ndarray], rows: np.ndarray, padding: int
) -> Tuple[Tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    lengths = np.array([len(ids[i]) for i in rows], np.int32)
    x = np.full((len(rows), int(lengths.max())), padding, np.int64)
    y = np.zeros_like(x)
    for r, i in enumerate(rows):
        x[r, : lengths[r]], y[r, : lengths[r]] = ids[i], labels[i]
    return (x, lengths), y, np.ones(len(rows), np.float32)


def keras_archive(model: Any, metadata: TaggerMetadata) -> bytes:
    """The model as a ``.keras`` archive with our metadata as an extra member (Keras ignores unknown members)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tagger.keras")
        model.save(path)
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(KERAS_METADATA_MEMBER, metadata.to_json())
        with open(path, "rb") as f:
            return f.read()


def train_tagger(shard: DataShard, config: TaggerTrainingConfig) -> Optional[bytes]:
    """Train on this worker's sentences (see the module docstring); rank 0 returns the tagger archive."""
    from mmlspark_py.dl import CheckpointStore, DataParallelTrainer, local_batch_size, make_strategy
    from mmlspark_py.text.crf import crf_negative_log_likelihood

    strategy = make_strategy()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()
    metadata = config.metadata
    ids, labels = encode_shard(shard, metadata)
    k = len(metadata.labels)
    with strategy.scope():
        model = build_network(config)
        crf = (
            [
                keras.Variable(np.zeros(shape, np.float32), name=name)
                for name, shape in (("crf_transitions", (k, k)), ("crf_start", (k,)), ("crf_end", (k,)))
            ]
            if config.useCrf
            else []
        )
        optimizer = keras.optimizers.Adam(config.learningRate)
    xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    def loss_fn(inputs: Any, y: Any, training: bool) -> Any:
        token_ids, lengths = inputs
        scores = model(token_ids, training=training)
        if crf:
            transitions, start, end = (tf.convert_to_tensor(v) for v in crf)
            return crf_negative_log_likelihood(scores, y, lengths, transitions, start, end)
        mask = tf.sequence_mask(lengths, tf.shape(token_ids)[1], dtype=scores.dtype)
        return tf.reduce_sum(xent(y, scores) * mask, axis=1)

    trainer = DataParallelTrainer(strategy, model, optimizer, loss_fn, config.batchSize, extra_variables=crf)
    lengths = np.array([len(s) for s in ids], np.int64)
    part = shard.all()
    steps = part.steps(config.batchSize)
    size = local_batch_size(config.batchSize, shard.rank, shard.size)

    def batches(epoch: int) -> Iterator[Any]:
        for rows in length_batches(lengths, size, steps, config.seed, epoch, shard.rank):
            yield _padded(ids, labels, rows, metadata.paddingTokenIndex)

    store = CheckpointStore(config.checkpointDir, config.fingerprint()) if config.checkpointDir else None
    trainer.fit(config.epochs, batches, checkpoints=store)
    if shard.rank != 0:
        return None
    if crf:
        transitions, start, end = (np.asarray(v.numpy(), np.float64).tolist() for v in crf)
        metadata = replace(metadata, crf={"transitions": transitions, "start": start, "end": end})
    return keras_archive(model, metadata)
