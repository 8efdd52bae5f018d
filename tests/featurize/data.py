"""Small real DataFrames for the featurize tests (mixed types, missing values, awkward values)."""

from __future__ import annotations

import datetime

from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DateType,
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

MIXED_SCHEMA = StructType(
    [
        StructField("id", IntegerType(), False),
        StructField("x", DoubleType()),
        StructField("n", IntegerType()),
        StructField("flag", BooleanType()),
        StructField("color", StringType()),
        StructField("d", DateType()),
        StructField("ts", TimestampType()),
        StructField("arr", ArrayType(DoubleType())),
        StructField("v", VectorUDT()),
        StructField("empty", DoubleType()),
    ]
)


def mixed_rows():
    colors = ["red", "green", "blue", None]
    rows = []
    for i in range(12):
        x = [1.5, None, float("nan"), float("inf"), -2.0, 4.0][i % 6]
        rows.append(
            (
                i,
                x,
                i * 3 if i % 5 else None,
                [True, False, None][i % 3],
                colors[i % 4],
                datetime.date(2020, 1 + i % 12, 1 + i),
                datetime.datetime(2021, 2, 3, i, 2 * i, 3 * i),
                [float(i), None if i == 3 else 1.0],
                Vectors.dense([i, -i]) if i % 4 else None,
                None,
            )
        )
    return rows


def mixed_df(spark):
    return spark.createDataFrame(mixed_rows(), MIXED_SCHEMA)
