"""BiLSTMTagger: train a new sequence tagger (embedding + bi-LSTM + CRF or softmax) from token and tag columns.

Columns:
    in  ``inputCol`` array<string>: tokens; ``labelCol`` array<string>: one BIO/BIOES tag per token.
    out (the fitted :class:`BiLSTMTaggerModel`, like :class:`~mmlspark_py.text.entity_extractor.EntityExtractor`)
        ``tagsCol`` array<string> and ``outputCol`` array<struct<text, label, start, end>>.

The vocabulary and label set are counted by Spark; tokens are keyed lower-cased with digits as 0, and tokens
seen fewer than ``minTokenCount`` times are replaced by word-shape classes (capitalised, upper case, number,
...), which the model learns as its unknown-word embeddings. Training runs with TensorFlow/Keras (the ``tf``
extra) through :class:`~mmlspark_py.dl.TensorFlowDistributor` on ``numWorkers`` Spark barrier tasks as one
data-parallel job (``useGpu``: one GPU each): the sentences stream from the DataFrame's partitions to the
workers (nothing is collected to the driver), which encode and batch them by length (see
:mod:`mmlspark_py.text.tagger_training`). ``batchSize`` sentences per step are summed over the workers.

The output layer is a linear-chain CRF (``useCrf``, default true, as NeuroNER's): transition scores between
tags are learned with the sentence-level likelihood and tags are decoded with Viterbi, so predicted tag
sequences are consistent (no ``I-PER`` after ``O``); with ``useCrf=False`` each token's tag is the argmax of a
softmax. ``checkpointDir`` (a folder every worker reads) saves each epoch; a re-run resumes.

Rows with a null/empty token list are skipped; a row whose tags and tokens differ in length, or with a null
tag, is an error (in the driver, before training) naming how many rows and one example. The fitted model is a
Keras archive in our tagger format, so ``EntityExtractor().setModelLocation(...)`` can run it too.

Example::

    tagger = BiLSTMTagger(inputCol="tokens", labelCol="tags", maxEpochs=3, numWorkers=2)
    model = tagger.fit(train_df)                     # BiLSTMTaggerModel
    model.transform(test_df).select("predictedTags", "entities")
    open("my_tagger.keras", "wb").write(model.getModel())
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Tuple

from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructType

from mmlspark_py.core.params import (
    HasInputCol,
    HasLabelCol,
    HasMiniBatchSize,
    HasOutputCol,
    HasSeed,
    declare,
    override,
    to_positive_int,
)
from mmlspark_py.core.stage import Estimator, Model, add_fields, column, require_column
from mmlspark_py.dl import TensorFlowDistributor
from mmlspark_py.text.entity_extractor import _TaggerParams
from mmlspark_py.text.sequence_tagger import SHAPE_PREFIX, TaggerMetadata, normalize_token
from mmlspark_py.text.tagger_training import TAGS_COL, TOKENS_COL, TaggerTrainingConfig, train_tagger

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


class BiLSTMTagger(Estimator, HasInputCol, HasLabelCol, HasOutputCol, HasMiniBatchSize, HasSeed):
    """Trains an embedding + bi-LSTM + CRF (or softmax) tagger with Keras on Spark executors (see the module
    docstring): ``inputCol`` tokens and ``labelCol`` tags (array<string>) in; the fitted
    :class:`BiLSTMTaggerModel` adds ``tagsCol`` and ``outputCol`` (entity spans)."""

    inputCol = override(HasInputCol.inputCol, doc="tokens of each sentence (array<string>)")
    labelCol = override(HasLabelCol.labelCol, default="tags", doc="one BIO/BIOES tag per token (array<string>)")
    outputCol = override(HasOutputCol.outputCol, default="entities", doc="entity spans of the fitted model")
    miniBatchSize = override(
        HasMiniBatchSize.miniBatchSize, default=64, doc="rows per Arrow batch when the fitted model tags"
    )
    seed = override(HasSeed.seed, default=0, doc="makes the initialisation and batch order repeatable")
    tagsCol = declare(
        "output column of per-token predicted tags (array<string>)", TypeConverters.toString, default="predictedTags"
    )
    embeddingDim = declare("token embedding size", to_positive_int, default=100)
    hiddenDim = declare("LSTM hidden size per direction", to_positive_int, default=100)
    maxEpochs = declare("passes over the training data", to_positive_int, default=3)
    batchSize = declare("sentences per training step, summed over all workers", to_positive_int, default=32)
    learningRate = declare("Adam learning rate", _positive_float, default=0.005)
    minTokenCount = declare("tokens seen fewer times are mapped to word-shape classes", to_positive_int, default=2)
    maxVocabSize = declare("largest vocabulary kept (most frequent tokens)", to_positive_int, default=50000)
    useCrf = declare(
        "whether the output layer is a linear-chain CRF (Viterbi decoding) rather than a per-token softmax",
        TypeConverters.toBoolean,
        default=True,
    )
    numWorkers = declare("training processes (Spark barrier tasks)", to_positive_int, default=1)
    useGpu = declare(
        "train with one GPU per worker (needs Spark GPU scheduling)", TypeConverters.toBoolean, default=False
    )
    checkpointDir = declare(
        "folder every worker reads for per-epoch checkpoints; a re-run resumes from the newest ('' : no checkpoints)",
        TypeConverters.toString,
        default="",
    )

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), ArrayType(StringType()))
        require_column(schema, self.getLabelCol(), ArrayType(StringType()), param="labelCol")
        return add_fields(
            schema, BiLSTMTaggerModel(tagsCol=self.getTagsCol(), outputCol=self.getOutputCol())._out_schema().fields
        )

    # ----------------------------------------------------------------------------------------- vocabulary
    def _vocabulary(self, df: DataFrame) -> Tuple[Dict[str, int], List[str]]:
        # distinct tokens with counts (vocabulary-sized, not data-sized), keyed like the tagger looks them up
        counts = df.select(F.explode(column(self.getInputCol())).alias("t")).groupBy("t").count().collect()
        merged: Counter = Counter()
        for row in counts:
            merged[normalize_token(row["t"] or "", _LOOKUP[0])] += row["count"]
        kept = [t for t, c in merged.most_common(self.getMaxVocabSize()) if c >= self.getMinTokenCount()]
        vocab = {t: i for i, t in enumerate(_SHAPES + kept, start=_UNK + 1)}
        labels = sorted(
            r["l"]
            for r in df.select(F.explode(column(self.getLabelCol())).alias("l")).distinct().collect()
            if r["l"] is not None
        )
        if not labels:
            raise ValueError(f"labelCol {self.getLabelCol()!r} holds no tags; cannot train a tagger")
        return vocab, labels

    def _training_frame(self, df: DataFrame) -> DataFrame:
        """The sentences to train on (non-empty token lists), checked in one Spark pass: every token has one
        non-null tag."""
        tokens, tags = column(self.getInputCol()), column(self.getLabelCol())
        usable = tokens.isNotNull() & (F.size(tokens) > 0)
        bad = usable & (tags.isNull() | (F.size(tags) != F.size(tokens)) | F.exists(tags, lambda t: t.isNull()))
        example = F.when(bad, F.to_json(F.struct(tokens.alias("tokens"), tags.alias("tags"))))
        row = df.agg(
            F.count(F.when(usable, 1)).alias("usable"),
            F.count(F.when(bad, 1)).alias("bad"),
            F.first(example, ignorenulls=True).alias("example"),
        ).first()
        assert row is not None  # a global aggregation always has one row
        if row["bad"]:
            raise ValueError(
                f"labelCol {self.getLabelCol()!r}: {row['bad']} row(s) have tags of another length than "
                f"their tokens or null tags, e.g. {row['example']}; each token needs exactly one "
                "non-null tag"
            )
        if not row["usable"]:
            raise ValueError(f"inputCol {self.getInputCol()!r} has no non-empty token lists to train on")
        return df.where(usable).select(tokens.alias(TOKENS_COL), tags.alias(TAGS_COL))

    # ------------------------------------------------------------------------------------------- training
    def _fit(self, dataset: DataFrame) -> BiLSTMTaggerModel:
        vocab, labels = self._vocabulary(dataset)
        metadata = TaggerMetadata(
            labels=labels,
            tagScheme="BIOES" if any(tag[:2] in ("E-", "S-") for tag in labels) else "BIO",
            tokenVocab=vocab,
            unkTokenIndex=_UNK,
            paddingTokenIndex=_PAD,
            tokenLookup=list(_LOOKUP),
            source=f"BiLSTMTagger {self.uid}",
        )
        frame = self._training_frame(dataset)
        config = TaggerTrainingConfig(
            metadataJson=metadata.to_json(),
            embeddingDim=self.getEmbeddingDim(),
            hiddenDim=self.getHiddenDim(),
            epochs=self.getMaxEpochs(),
            batchSize=self.getBatchSize(),
            learningRate=self.getLearningRate(),
            seed=self.getSeed(),
            useCrf=self.getUseCrf(),
            checkpointDir=self.getCheckpointDir(),
        )
        if config.batchSize < self.getNumWorkers():
            raise ValueError(f"batchSize {config.batchSize} must be at least numWorkers {self.getNumWorkers()}")
        archive = TensorFlowDistributor(self.getNumWorkers(), useGpu=self.getUseGpu()).runOnDataFrame(
            frame, train_tagger, config
        )
        return BiLSTMTaggerModel(
            model=archive,
            inputCol=self.getInputCol(),
            outputCol=self.getOutputCol(),
            tagsCol=self.getTagsCol(),
            miniBatchSize=self.getMiniBatchSize(),
        )
