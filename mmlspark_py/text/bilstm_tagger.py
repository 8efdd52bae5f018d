"""BiLSTMTagger: train a new sequence tagger (embedding + bi-LSTM + softmax) from token and tag columns.

Columns:
    in  ``inputCol`` array<string>: tokens; ``labelCol`` array<string>: one BIO/BIOES tag per token.
    out (the fitted :class:`BiLSTMTaggerModel`, like :class:`~mmlspark_py.text.entity_extractor.EntityExtractor`)
        ``tagsCol`` array<string> and ``outputCol`` array<struct<text, label, start, end>>.

The vocabulary and label set are counted by Spark; tokens are keyed lower-cased with digits as 0, and tokens
seen fewer than ``minTokenCount`` times are replaced by word-shape classes (capitalised, upper case, number,
...), which the model learns as its unknown-word embeddings. Training runs on the driver with TensorFlow/Keras
(the ``tf`` extra, imported only here): the encoded training set (token ids) must fit in driver memory; rows
with a null/empty token list are skipped, and a row whose tags and tokens differ in length is an error naming
the row. Sentences are batched by length so padding stays small. The fitted model is a Keras archive in our
tagger format, so ``EntityExtractor().setModelLocation(...)`` can run it too.

Example::

    tagger = BiLSTMTagger(inputCol="tokens", labelCol="tags", maxEpochs=3)
    model = tagger.fit(train_df)                     # BiLSTMTaggerModel
    model.transform(test_df).select("predictedTags", "entities")
    open("my_tagger.keras", "wb").write(model.getModel())
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections import Counter
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructType

from mmlspark_py.core.params import HasInputCol, HasLabelCol, HasMiniBatchSize, HasOutputCol, HasSeed, to_positive_int
from mmlspark_py.core.stage import Estimator, Model, add_fields, column, require_column
from mmlspark_py.text.entity_extractor import _TaggerParams
from mmlspark_py.text.sequence_tagger import (
    KERAS_METADATA_MEMBER,
    SHAPE_PREFIX,
    TaggerMetadata,
    TokenEncoder,
    normalize_token,
)

__all__ = ["BiLSTMTagger", "BiLSTMTaggerModel"]

_PAD, _UNK = 0, 1
_LOOKUP = ["lower_zero_digits", "shape"]
_SHAPES = [SHAPE_PREFIX + k for k in ("digit", "UPPER", "Title", "lower", "other")]


def _positive_float(value: Any) -> float:
    out = TypeConverters.toFloat(value)
    if not out > 0:
        raise ValueError(f"expected a number > 0, got {value!r}")
    return out


class BiLSTMTaggerModel(_TaggerParams, Model):
    """A tagger trained by :class:`BiLSTMTagger`; runs like EntityExtractor (``model`` holds the Keras archive)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._init_defaults()
        self.setParams(**kwargs)


class BiLSTMTagger(Estimator, HasInputCol, HasLabelCol, HasOutputCol, HasMiniBatchSize, HasSeed):
    """Trains an embedding + bi-LSTM + softmax tagger with Keras (see the module docstring).

    :param inputCol: tokens (array<string>); ``labelCol``: tags (array<string>, default ``tags``).
    :param outputCol: entity spans of the fitted model (default ``entities``); ``tagsCol``: its predicted tags
        (default ``predictedTags``).
    :param embeddingDim, hiddenDim: sizes of the token embedding and of each LSTM direction (100, 100).
    :param maxEpochs, batchSize, learningRate: Adam training schedule (3, 32, 0.005).
    :param minTokenCount: tokens seen fewer times become word-shape classes (2); ``maxVocabSize`` caps the
        vocabulary (50,000 most frequent).
    :param seed: makes the initialisation and batch order repeatable.
    """

    tagsCol = Param(Params._dummy(), "tagsCol", "output column of per-token predicted tags (array<string>)",
                    typeConverter=TypeConverters.toString)
    embeddingDim = Param(Params._dummy(), "embeddingDim", "token embedding size", typeConverter=to_positive_int)
    hiddenDim = Param(Params._dummy(), "hiddenDim", "LSTM hidden size per direction", typeConverter=to_positive_int)
    maxEpochs = Param(Params._dummy(), "maxEpochs", "passes over the training data", typeConverter=to_positive_int)
    batchSize = Param(Params._dummy(), "batchSize", "sentences per training step", typeConverter=to_positive_int)
    learningRate = Param(Params._dummy(), "learningRate", "Adam learning rate", typeConverter=_positive_float)
    minTokenCount = Param(Params._dummy(), "minTokenCount", "tokens seen fewer times are mapped to word-shape "
                          "classes", typeConverter=to_positive_int)
    maxVocabSize = Param(Params._dummy(), "maxVocabSize", "largest vocabulary kept (most frequent tokens)",
                         typeConverter=to_positive_int)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._setDefault(labelCol="tags", outputCol="entities", tagsCol="predictedTags", miniBatchSize=64,
                         embeddingDim=100, hiddenDim=100, maxEpochs=3, batchSize=32, learningRate=0.005,
                         minTokenCount=2, maxVocabSize=50000, seed=0)
        self.setParams(**kwargs)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), ArrayType(StringType()))
        require_column(schema, self.getLabelCol(), ArrayType(StringType()), param="labelCol")
        return add_fields(schema, BiLSTMTaggerModel(tagsCol=self.getTagsCol(), outputCol=self.getOutputCol())
                          ._out_schema().fields)

    # ----------------------------------------------------------------------------------------- vocabulary
    def _vocabulary(self, df: DataFrame) -> Tuple[Dict[str, int], List[str]]:
        # distinct tokens with counts (vocabulary-sized, not data-sized), keyed like the tagger looks them up
        counts = (df.select(F.explode(column(self.getInputCol())).alias("t")).groupBy("t").count().collect())
        merged: Counter = Counter()
        for row in counts:
            merged[normalize_token(row["t"] or "", _LOOKUP[0])] += row["count"]
        kept = [t for t, c in merged.most_common(self.getMaxVocabSize()) if c >= self.getMinTokenCount()]
        vocab = {t: i for i, t in enumerate(_SHAPES + kept, start=_UNK + 1)}
        labels = sorted(r["l"] for r in df.select(F.explode(column(self.getLabelCol())).alias("l")).distinct()
                        .collect() if r["l"] is not None)
        if not labels:
            raise ValueError(f"labelCol {self.getLabelCol()!r} holds no tags; cannot train a tagger")
        return vocab, labels

    def _training_set(self, df: DataFrame, metadata: TaggerMetadata) -> List[Tuple[List[int], List[int]]]:
        lookup = TokenEncoder(metadata)
        label_index = {l: i for i, l in enumerate(metadata.labels)}
        out = []
        rows = df.select(column(self.getInputCol()).alias("x"), column(self.getLabelCol()).alias("y"))
        for n, row in enumerate(rows.toLocalIterator()):
            tokens, tags = row["x"], row["y"]
            if not tokens:
                continue
            if tags is None or len(tags) != len(tokens) or None in tags:
                raise ValueError(f"row {n}: {len(tokens)} tokens but tags {tags!r} in {self.getLabelCol()!r}; "
                                 "each token needs exactly one non-null tag")
            out.append(([lookup.index(t or "") for t in tokens], [label_index[t] for t in tags]))
        if not out:
            raise ValueError(f"inputCol {self.getInputCol()!r} has no non-empty token lists to train on")
        return out

    # ------------------------------------------------------------------------------------------- training
    def _keras_model(self, vocab_size: int, n_labels: int) -> Any:
        import keras

        tokens = keras.Input(shape=(None,), dtype="int64", name="token_ids")
        x = keras.layers.Embedding(vocab_size, self.getEmbeddingDim(), mask_zero=True)(tokens)
        x = keras.layers.Bidirectional(keras.layers.LSTM(self.getHiddenDim(), return_sequences=True))(x)
        x = keras.layers.Dropout(0.3)(x)
        return keras.Model(tokens, keras.layers.Dense(n_labels, name="scores")(x))

    def _train_step(self, model: Any) -> Callable[..., Any]:
        """One Adam step on a padded batch, traced once for every batch shape (Keras' train_on_batch retraces
        for each new shape, which cost more than the training itself)."""
        import keras
        import tensorflow as tf

        optimizer = keras.optimizers.Adam(self.getLearningRate())
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
        ids = tf.TensorSpec([None, None], tf.int64)

        @tf.function(input_signature=[ids, ids, tf.TensorSpec([None, None], tf.float32)])
        def step(x, y, w):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(loss_fn(y, model(x, training=True)) * w) / tf.reduce_sum(w)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        return step

    def _batches(self, data: List[Tuple[List[int], List[int]]], rng: np.random.Generator):
        order = sorted(range(len(data)), key=lambda i: (len(data[i][0]), rng.random()))
        size = self.getBatchSize()
        groups = [order[i:i + size] for i in range(0, len(order), size)]
        rng.shuffle(groups)
        for group in groups:
            width = max(len(data[i][0]) for i in group)
            x = np.zeros((len(group), width), np.int64)
            y = np.zeros((len(group), width), np.int64)
            w = np.zeros((len(group), width), np.float32)
            for r, i in enumerate(group):
                n = len(data[i][0])
                x[r, :n], y[r, :n], w[r, :n] = data[i][0], data[i][1], 1.0
            yield x, y, w

    def _fit(self, dataset: DataFrame) -> BiLSTMTaggerModel:
        import keras

        vocab, labels = self._vocabulary(dataset)
        metadata = TaggerMetadata(
            labels=labels, tagScheme="BIOES" if any(l[:2] in ("E-", "S-") for l in labels) else "BIO",
            tokenVocab=vocab, unkTokenIndex=_UNK, paddingTokenIndex=_PAD, tokenLookup=list(_LOOKUP),
            source=f"BiLSTMTagger {self.uid}")
        data = self._training_set(dataset, metadata)
        keras.utils.set_random_seed(self.getSeed())
        model = self._keras_model(len(vocab) + _UNK + 1, len(labels))
        step = self._train_step(model)
        rng = np.random.default_rng(self.getSeed())
        for _ in range(self.getMaxEpochs()):
            for x, y, w in self._batches(data, rng):
                step(x, y, w)
        return BiLSTMTaggerModel(model=_keras_archive(model, metadata), inputCol=self.getInputCol(),
                                 outputCol=self.getOutputCol(), tagsCol=self.getTagsCol(),
                                 miniBatchSize=self.getMiniBatchSize())


def _keras_archive(model: Any, metadata: TaggerMetadata) -> bytes:
    """The model as a ``.keras`` archive with our metadata as an extra member (Keras ignores unknown members)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tagger.keras")
        model.save(path)
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(KERAS_METADATA_MEMBER, metadata.to_json())
        with open(path, "rb") as f:
            return f.read()
