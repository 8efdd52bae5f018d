"""Module-level functions and UDFs that the Lambda and UDFTransformer tests refer to (saved by reference)."""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf, udf
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

from mmlspark_py.stages import allow_function_modules

# Saved stages that name functions of this package may be loaded (tests trust their own code).
allow_function_modules("tests.stages.referenced")


def add_ratio(df: DataFrame) -> DataFrame:
    """df + ratio = a / b (Spark SQL)."""
    return df.withColumn("ratio", F.col("a") / F.col("b"))


def add_ratio_schema(schema: StructType) -> StructType:
    """The schema add_ratio produces."""
    return StructType(list(schema.fields) + [StructField("ratio", DoubleType(), True)])


def not_a_dataframe(df: DataFrame) -> int:
    """Returns a number, to check that Lambda rejects it."""
    return 3


@pandas_udf(LongType())
def plus_one(s: pd.Series) -> pd.Series:
    """A pandas (Arrow-batched) UDF: x + 1."""
    return s + 1


def _join(a, b):
    return None if a is None or b is None else f"{a}-{b}"


# A row-at-a-time UDF bound to a name other than its function's: found by its module-level binding.
joined = udf(_join, StringType())
