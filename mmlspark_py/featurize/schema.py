"""Exact output schemas of stages built from Spark's own stages and SQL expressions.

A stage here that composes Spark stages cannot know the metadata Spark's stages attach (attribute names,
vector sizes) without asking them. :func:`planned_schema` asks: it applies the stage's transform function to an
*empty* DataFrame of the input schema. That is analysis only (no Spark job runs), and it makes
``transformSchema(schema) == transform(df).schema`` hold exactly, metadata included, by construction.
"""

from __future__ import annotations

from typing import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType


def active_spark() -> SparkSession:
    """The active SparkSession (also from worker threads of the driver, where none is 'active')."""
    return SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()


def planned_schema(transform: Callable[[DataFrame], DataFrame], schema: StructType) -> StructType:
    """The schema ``transform`` produces for input ``schema``, computed on an empty DataFrame (no job runs)."""
    return transform(active_spark().createDataFrame([], schema)).schema
