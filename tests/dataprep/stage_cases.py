"""Stage-harness cases for mmlspark_py.dataprep."""

from mmlspark_py.dataprep import (
    DataPrepConvertType,
    DataPrepFillMissing,
    DataPrepFilter,
    DataPrepSelect,
    DeriveColumnByExample,
    DeriveColumnByExampleModel,
    SplitColumnByExample,
    SplitColumnByExampleModel,
)
from tests.harness.stage_harness import StageCase

NAMES = [("Marta Quillfeather", "ops", "12"), ("Jonah P. Wexley", "data", None), ("Bo Ng", None, "7"), (None, "x", "3")]


def _names_df(spark):
    return spark.createDataFrame(NAMES, "name string, team string, n string")


def _derive(spark, tmp):
    stage = DeriveColumnByExample(
        inputCols=["name", "team"], outputCol="tag", examples=[[["Marta Quillfeather", "ops"], "OPS/Quillfeather"]]
    )
    return stage, _names_df(spark)


def _split(spark, tmp):
    df = spark.createDataFrame([("ACM-00421-BLK",), ("TR-88-NVY",), (None,), ("ZEP-5",)], "sku string")
    return SplitColumnByExample(
        inputCol="sku", outputCols=["maker", "item", "color"], examples=[["ACM-00421-BLK", ["ACM", "00421", "BLK"]]]
    ), df


def _fill(spark, tmp):
    return DataPrepFillMissing(inputCols=["team", "n"], value="0"), _names_df(spark)


def _filter(spark, tmp):
    return DataPrepFilter(condition="name IS NOT NULL AND length(name) > 5"), _names_df(spark)


def _convert(spark, tmp):
    return DataPrepConvertType(inputCols=["n"], dataType="int"), _names_df(spark)


def _select(spark, tmp):
    return DataPrepSelect(columns=["n", "name"], renames={"n": "count"}), _names_df(spark)


CASES = [
    StageCase("DeriveColumnByExample", _derive, covers=(DeriveColumnByExample, DeriveColumnByExampleModel)),
    StageCase("SplitColumnByExample", _split, covers=(SplitColumnByExample, SplitColumnByExampleModel)),
    StageCase("DataPrepFillMissing", _fill, covers=(DataPrepFillMissing,)),
    StageCase("DataPrepFilter", _filter, covers=(DataPrepFilter,)),
    StageCase("DataPrepConvertType", _convert, covers=(DataPrepConvertType,)),
    StageCase("DataPrepSelect", _select, covers=(DataPrepSelect,)),
]
