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

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructType

from mmlspark_py.core.params import HasInputCol, HasLabelCol, HasMiniBatchSize, HasOutputCol, HasSeed, to_positive_int
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._init_defaults()
        self.setParams(**kwargs)


class BiLSTMTagger(Estimator, HasInputCol, HasLabelCol, HasOutputCol, HasMiniBatchSize, HasSeed):
    """Trains an embedding + bi-LSTM + CRF (or softmax) tagger with Keras on Spark executors (see the module
    docstring).

    :param inputCol: tokens (array<string>); ``labelCol``: tags (array<string>, default ``tags``).
    :param outputCol: entity spans of the fitted model (default ``entities``); ``tagsCol``: its predicted tags
        (default ``predictedTags``).
    :param embeddingDim, hiddenDim: sizes of the token embedding and of each LSTM direction (100, 100).
    :param maxEpochs, batchSize, learningRate: Adam training schedule (3, 32 sentences per step over all
        workers, 0.005).
    :param useCrf: CRF output layer with Viterbi decoding (default true) or a per-token softmax.
    :param numWorkers: training processes (Spark barrier tasks); ``useGpu``: one GPU each.
    :param checkpointDir: folder every worker reads for per-epoch checkpoints ('' : none).
    :param minTokenCount: tokens seen fewer times become word-shape classes (2); ``maxVocabSize`` caps the
        vocabulary (50,000 most frequent).
    :param seed: makes the initialisation and batch order repeatable.
    """

    tagsCol = Param(Params._dummy(), "tagsCol", "output column of per-token predicted tags (array<string>)",
                    typeConverter=TypeConverters.toString)
    embeddingDim = Param(Params._dummy(), "embeddingDim", "token embedding size", typeConverter=to_positive_int)
    hiddenDim = Param(Params._dummy(), "hiddenDim", "LSTM hidden size per direction", typeConverter=to_positive_int)
    maxEpochs = Param(Params._dummy(), "maxEpochs", "passes over the training data", typeConverter=to_positive_int)
    batchSize = Param(Params._dummy(), "batchSize", "sentences per training step, summed over all workers",
                      typeConverter=to_positive_int)
    learningRate = Param(Params._dummy(), "learningRate", "Adam learning rate", typeConverter=_positive_float)
    minTokenCount = Param(Params._dummy(), "minTokenCount", "tokens seen fewer times are mapped to word-shape "
                          "classes", typeConverter=to_positive_int)
    maxVocabSize = Param(Params._dummy(), "maxVocabSize", "largest vocabulary kept (most frequent tokens)",
                         typeConverter=to_positive_int)
    useCrf = Param(Params._dummy(), "useCrf", "whether the output layer is a linear-chain CRF (Viterbi decoding) "
                   "rather than a per-token softmax", typeConverter=TypeConverters.toBoolean)
    numWorkers = Param(Params._dummy(), "numWorkers", "training processes (Spark barrier tasks)",
                       typeConverter=to_positive_int)
    useGpu = Param(Params._dummy(), "useGpu", "train with one GPU per worker (needs Spark GPU scheduling)",
                   typeConverter=TypeConverters.toBoolean)
    checkpointDir = Param(Params._dummy(), "checkpointDir", "folder every worker reads for per-epoch checkpoints; "
                          "a re-run resumes from the newest ('' : no checkpoints)", typeConverter=TypeConverters.toString)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._setDefault(labelCol="tags", outputCol="entities", tagsCol="predictedTags", miniBatchSize=64,
                         embeddingDim=100, hiddenDim=100, maxEpochs=3, batchSize=32, learningRate=0.005,
                         minTokenCount=2, maxVocabSize=50000, seed=0, useCrf=True, numWorkers=1, useGpu=False,
                         checkpointDir="")
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

    def _training_frame(self, df: DataFrame) -> DataFrame:
        """The sentences to train on (non-empty token lists), checked in one Spark pass: every token has one
        non-null tag."""
        tokens, tags = column(self.getInputCol()), column(self.getLabelCol())
        usable = tokens.isNotNull() & (F.size(tokens) > 0)
        bad = usable & (tags.isNull() | (F.size(tags) != F.size(tokens)) | F.exists(tags, lambda t: t.isNull()))
        example = F.when(bad, F.to_json(F.struct(tokens.alias("tokens"), tags.alias("tags"))))
        row = df.agg(F.count(F.when(usable, 1)).alias("usable"), F.count(F.when(bad, 1)).alias("bad"),
                     F.first(example, ignorenulls=True).alias("example")).first()
        if row["bad"]:
            raise ValueError(f"labelCol {self.getLabelCol()!r}: {row['bad']} row(s) have tags of another length than "
                             f"their tokens or null tags, e.g. {row['example']}; each token needs exactly one "
                             "non-null tag")
        if not row["usable"]:
            raise ValueError(f"inputCol {self.getInputCol()!r} has no non-empty token lists to train on")
        return df.where(usable).select(tokens.alias(TOKENS_COL), tags.alias(TAGS_COL))

    # ------------------------------------------------------------------------------------------- training
    def _fit(self, dataset: DataFrame) -> BiLSTMTaggerModel:
        vocab, labels = self._vocabulary(dataset)
        metadata = TaggerMetadata(
            labels=labels, tagScheme="BIOES" if any(l[:2] in ("E-", "S-") for l in labels) else "BIO",
            tokenVocab=vocab, unkTokenIndex=_UNK, paddingTokenIndex=_PAD, tokenLookup=list(_LOOKUP),
            source=f"BiLSTMTagger {self.uid}")
        frame = self._training_frame(dataset)
        config = TaggerTrainingConfig(
            metadataJson=metadata.to_json(), embeddingDim=self.getEmbeddingDim(), hiddenDim=self.getHiddenDim(),
            epochs=self.getMaxEpochs(), batchSize=self.getBatchSize(), learningRate=self.getLearningRate(),
            seed=self.getSeed(), useCrf=self.getUseCrf(), checkpointDir=self.getCheckpointDir())
        if config.batchSize < self.getNumWorkers():
            raise ValueError(f"batchSize {config.batchSize} must be at least numWorkers {self.getNumWorkers()}")
        archive = TensorFlowDistributor(self.getNumWorkers(), useGpu=self.getUseGpu()).runOnDataFrame(
            frame, train_tagger, config)
        return BiLSTMTaggerModel(model=archive, inputCol=self.getInputCol(), outputCol=self.getOutputCol(),
                                 tagsCol=self.getTagsCol(), miniBatchSize=self.getMiniBatchSize())
