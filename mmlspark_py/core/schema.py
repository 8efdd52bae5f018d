"""Output schemas of stages, computed without running a job: the one home of schema helpers.

* :func:`planned_schema`: the schema a transform function produces, found by applying it to an *empty*
  DataFrame of the input schema. That is analysis only (no Spark job runs), and it makes
  ``transformSchema(schema) == transform(df).schema`` hold exactly, metadata included, for stages built from
  Spark's own stages and SQL expressions.
* :func:`stage_schema`: the schema any Spark ML stage produces: ours (``transformSchema`` in Python), Spark's
  JVM stages (the JVM object's ``transformSchema`` on a classic session, which also validates the input
  columns as Spark's ``fit``/``transform`` do; on Spark Connect a transformer's plan on an empty DataFrame).
* :func:`model_schema`: a fitted model's output schema (its own ``transformSchema`` when it is ours).
* :func:`active_spark`: the session to plan with (also from driver threads where none is "active").

Example::

    stage_schema(StringIndexer(inputCol="c", outputCol="i"), df.schema)   # df.schema + i: double
"""

from __future__ import annotations

import json
from typing import Any, Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from mmlspark_py.core.spark_compat import active_session, is_connect

__all__ = ["active_spark", "planned_schema", "stage_schema", "model_schema"]


def active_spark() -> SparkSession:
    """The active SparkSession (classic or Connect; also from worker threads of the driver)."""
    return active_session() or SparkSession.builder.getOrCreate()


def planned_schema(transform: Callable[[DataFrame], DataFrame], schema: StructType) -> StructType:
    """The schema ``transform`` produces for input ``schema``, computed on an empty DataFrame (no job runs)."""
    return transform(active_spark().createDataFrame([], schema)).schema


def _is_ours(stage: Any) -> bool:
    return hasattr(stage, "transformSchema") and not type(stage).__module__.startswith("pyspark")


def stage_schema(stage: Any, schema: StructType) -> StructType:
    """The schema ``stage`` (or, for an estimator, its fitted model) produces from ``schema``.

    :raises TypeError: for a stage whose schema cannot be known without fitting it (a JVM estimator on Spark
        Connect) or that is no Spark ML stage at all.
    """
    from pyspark.ml import Transformer
    from pyspark.ml.wrapper import JavaParams

    if _is_ours(stage):
        return stage.transformSchema(schema)
    spark = active_spark()
    if isinstance(stage, JavaParams) and not is_connect(spark) and getattr(stage, "_java_obj", None) is not None:
        stage._transfer_params_to_java()
        jvm: Any = spark._jvm
        java_obj: Any = stage._java_obj
        java_schema = jvm.org.apache.spark.sql.types.DataType.fromJson(schema.json())
        return StructType.fromJson(json.loads(java_obj.transformSchema(java_schema).json()))
    if isinstance(stage, Transformer):
        return planned_schema(stage.transform, schema)
    if hasattr(stage, "transformSchema"):
        return stage.transformSchema(schema)
    raise TypeError(
        f"cannot compute the output schema of {type(stage).__name__} without fitting it: it has no "
        "transformSchema and is not a Spark JVM stage on a classic session"
    )


def model_schema(model: Any, schema: StructType) -> StructType:
    """A fitted model's output schema: its own ``transformSchema`` when it is ours, else planned."""
    if _is_ours(model):
        return model.transformSchema(schema)
    return planned_schema(model.transform, schema)
