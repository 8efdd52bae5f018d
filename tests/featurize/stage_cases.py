"""Stage-harness cases of the featurize stages (small mixed-type data)."""

from __future__ import annotations

from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql.types import IntegerType, StructField, StructType

from mmlspark_py.featurize import (
    CleanMissingData,
    CleanMissingDataModel,
    CountSelector,
    CountSelectorModel,
    DataConversion,
    Featurize,
    FeaturizeModel,
    IndexToValue,
    ValueIndexer,
    ValueIndexerModel,
)
from tests.featurize.data import mixed_df
from tests.harness.stage_harness import StageCase

_SCHEMA = StructType([StructField("id", IntegerType()), StructField("v", VectorUDT())])


def _featurize(spark, tmp):
    df = mixed_df(spark)
    return Featurize(inputCols=[c for c in df.columns if c != "id"], outputCol="features"), df


def _value_indexer(spark, tmp):
    # the estimator's levels depend on the data, so its transformSchema cannot list them in the metadata (as
    # Spark's StringIndexer); the harness compares an estimator's names, types and nullability, and the fitted
    # model's exact schema
    return ValueIndexer(inputCol="color", outputCol="color_index"), mixed_df(spark)


def _index_to_value(spark, tmp):
    df = mixed_df(spark)
    indexed = ValueIndexer(inputCol="color", outputCol="color_index").fit(df).transform(df)
    return IndexToValue(inputCol="color_index", outputCol="color_back"), indexed


def _clean(spark, tmp):
    return CleanMissingData(inputCols=["x", "n"], outputCols=["x_clean", "n_clean"], cleaningMode="Median"), mixed_df(
        spark
    ).where("x is null or abs(x) < 1e9")


def _conversion(spark, tmp):
    return DataConversion(cols=["n", "flag"], convertTo="double"), mixed_df(spark)


def _count_selector(spark, tmp):
    rows = [(0, Vectors.sparse(6, [(1, 1.0), (4, 2.0)])), (1, Vectors.dense([0.0, 0.0, 3.0, 0.0, 0.0, 0.0])), (2, None)]
    return CountSelector(inputCol="v", outputCol="kept"), spark.createDataFrame(rows, _SCHEMA)


CASES = [
    StageCase("CountSelector.sparse", _count_selector, covers=(CountSelector, CountSelectorModel), sort_by=("id",)),
    StageCase("Featurize.mixed", _featurize, covers=(Featurize, FeaturizeModel), sort_by=("id",)),
    StageCase("ValueIndexer.color", _value_indexer, covers=(ValueIndexer, ValueIndexerModel), sort_by=("id",)),
    StageCase("IndexToValue.color", _index_to_value, covers=(IndexToValue,), sort_by=("id",)),
    StageCase("CleanMissingData.median", _clean, covers=(CleanMissingData, CleanMissingDataModel), sort_by=("id",)),
    StageCase("DataConversion.double", _conversion, covers=(DataConversion,), sort_by=("id",)),
]
