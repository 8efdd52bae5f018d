"""Stage-harness cases of the entity-extraction stages (tiny models, so save/load rounds stay fast)."""

from __future__ import annotations

from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from mmlspark_py.text.entity_extractor import EntityExtractor
from tests.harness.stage_harness import StageCase
from tests.text.entities.tagger_fixtures import tiny_tagger_bytes

_SCHEMA = StructType([StructField("id", StringType(), False),
                      StructField("tokens", ArrayType(StringType(), True), True)])
_ROWS = [("a", ["John", "Smith", "lives", "in", "Paris", "."]), ("b", None), ("c", []),
         ("d", ["Mary", "🙂", None, "Ann", "Lee"])]


def _extractor(spark, tmp):
    return EntityExtractor(inputCol="tokens", model=tiny_tagger_bytes(), miniBatchSize=2), \
        spark.createDataFrame(_ROWS, _SCHEMA)


CASES = [StageCase("EntityExtractor.tiny_onnx", _extractor, covers=(EntityExtractor,), sort_by=("id",))]
