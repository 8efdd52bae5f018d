"""Stage-harness cases of the entity-extraction stages (tiny models, so save/load rounds stay fast)."""

from __future__ import annotations

from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from mmlspark_py.text.bilstm_tagger import BiLSTMTagger, BiLSTMTaggerModel
from mmlspark_py.text.entity_extractor import EntityExtractor
from tests.harness.stage_harness import StageCase
from tests.text.entities.tagger_fixtures import tiny_tagger_bytes

_SCHEMA = StructType(
    [StructField("id", StringType(), False), StructField("tokens", ArrayType(StringType(), True), True)]
)
_ROWS = [
    ("a", ["John", "Smith", "lives", "in", "Paris", "."]),
    ("b", None),
    ("c", []),
    ("d", ["Mary", "🙂", None, "Ann", "Lee"]),
]


def _extractor(spark, tmp):
    return EntityExtractor(inputCol="tokens", model=tiny_tagger_bytes(), miniBatchSize=2), spark.createDataFrame(
        _ROWS, _SCHEMA
    )


_TRAIN_SCHEMA = StructType(list(_SCHEMA.fields) + [StructField("tags", ArrayType(StringType(), True), True)])
_TRAIN_ROWS = [
    ("a", ["John", "Smith", "lives", "in", "Paris"], ["B-PER", "I-PER", "O", "O", "B-LOC"]),
    ("b", ["Mary", "met", "John"], ["B-PER", "O", "B-PER"]),
    ("c", None, None),
    ("d", ["Paris", "is", "big", "🙂"], ["B-LOC", "O", "O", "O"]),
]


def _bilstm(spark, tmp):
    # tiny and seeded: the harness fits it several times and compares outputs exactly
    tagger = BiLSTMTagger(
        inputCol="tokens", labelCol="tags", embeddingDim=4, hiddenDim=3, maxEpochs=1, minTokenCount=1, seed=3
    )
    return tagger, spark.createDataFrame(_TRAIN_ROWS, _TRAIN_SCHEMA).coalesce(1)


CASES = [
    StageCase("EntityExtractor.tiny_onnx", _extractor, covers=(EntityExtractor,), sort_by=("id",)),
    StageCase("BiLSTMTagger.tiny", _bilstm, covers=(BiLSTMTagger, BiLSTMTaggerModel), sort_by=("id",)),
]
