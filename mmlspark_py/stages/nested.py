"""The output schema of any Spark ML stage: ours (``transformSchema`` in Python) or Spark's own JVM stages,
whose Python wrappers have no ``transformSchema``. Used by stages that hold other stages (Timer,
MultiColumnAdapter).

Example::

    stage_schema(StringIndexer(inputCol="c", outputCol="i"), df.schema)   # df.schema + i: double
"""

from __future__ import annotations

import json
from typing import Any

from pyspark.ml.wrapper import JavaParams
from pyspark.sql import SparkSession
from pyspark.sql.types import StructType

__all__ = ["stage_schema"]


def stage_schema(stage: Any, schema: StructType) -> StructType:
    """The schema ``stage`` (or, for an estimator, its fitted model) produces from ``schema``.

    Python stages answer through their ``transformSchema``; JVM stages through the JVM object's
    ``transformSchema`` (which also validates the input columns, as Spark's ``fit``/``transform`` do).
    :raises TypeError: for a stage that has neither.
    """
    if hasattr(stage, "transformSchema"):
        return stage.transformSchema(schema)
    if isinstance(stage, JavaParams):
        stage._transfer_params_to_java()
        jvm = SparkSession.active()._jvm
        java_schema = jvm.org.apache.spark.sql.types.DataType.fromJson(schema.json())
        return StructType.fromJson(json.loads(stage._java_obj.transformSchema(java_schema).json()))
    raise TypeError(f"cannot compute the output schema of {type(stage).__name__}: it has no transformSchema "
                    "and is not a Spark JVM stage")
