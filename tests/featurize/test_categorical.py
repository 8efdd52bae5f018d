"""ValueIndexer, IndexToValue, CleanMissingData and DataConversion against values computed directly."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from mmlspark_py.featurize import CleanMissingData, DataConversion, IndexToValue, ValueIndexer, ValueIndexerModel
from mmlspark_py.featurize.categorical import get_levels
from tests.featurize.data import mixed_df, mixed_rows


@pytest.fixture(scope="module")
def df(spark):
    return mixed_df(spark)


def test_value_indexer_levels_sorted_null_last_and_round_trip(df):
    model = ValueIndexer(inputCol="color", outputCol="ci").fit(df)
    assert model.getLevels() == ["blue", "green", "red", None]
    out = model.transform(df)
    assert get_levels(out.schema, "ci") == ["blue", "green", "red", None]
    assert out.schema["ci"].metadata["ml_attr"]["vals"] == ["blue", "green", "red", "__null"]
    back = IndexToValue(inputCol="ci", outputCol="color2").transform(out)
    for r in back.collect():
        assert r["color2"] == r["color"]
        assert r["ci"] == ["blue", "green", "red", None].index(r["color"])


def test_value_indexer_numeric_and_unseen(spark, df):
    model = ValueIndexer(inputCol="n", outputCol="ni").fit(df)
    values = sorted({r[2] for r in mixed_rows() if r[2] is not None})
    assert model.getLevels() == values + [None]
    unseen = spark.createDataFrame([(12345,)], "n int")
    assert model.transform(unseen).head()["ni"] is None


def test_value_indexer_estimator_persistence(df, tmp_path):
    stage = ValueIndexer(inputCol="color", outputCol="ci")
    stage.write().overwrite().save(str(tmp_path / "vi"))
    loaded = ValueIndexer.load(str(tmp_path / "vi"))
    assert loaded.uid == stage.uid and loaded.getInputCol() == "color"
    assert isinstance(loaded.fit(df), ValueIndexerModel)


def test_index_to_value_needs_levels(df):
    with pytest.raises(ValueError, match="no categorical levels"):
        IndexToValue(inputCol="n", outputCol="o").transform(df)


@pytest.mark.parametrize("mode", ["Mean", "Median"])
def test_clean_missing_data_matches_numpy(spark, mode):
    rows = [(1, 1.0, 5), (2, None, None), (3, float("nan"), 7), (4, 10.0, 8), (5, 4.0, None), (6, 2.0, 1)]
    df = spark.createDataFrame(rows, "id int, x double, k int")
    model = CleanMissingData(inputCols=["x", "k"], cleaningMode=mode).fit(df)
    agg = np.mean if mode == "Mean" else np.median
    fx, fk = agg([1.0, 10.0, 4.0, 2.0]), agg([5, 7, 8, 1])
    assert model.getFillValues() == pytest.approx([fx, fk], abs=1e-12)
    out = {r["id"]: r for r in model.transform(df).collect()}
    assert out[2]["x"] == pytest.approx(fx) and out[3]["x"] == pytest.approx(fx) and out[1]["x"] == 1.0
    assert out[2]["k"] == int(fk) and out[4]["k"] == 8
    assert model.transform(df).schema == model.transformSchema(df.schema)


def test_clean_missing_data_custom_and_errors(spark, df):
    strings = spark.createDataFrame([("a",), (None,)], "s string")
    out = CleanMissingData(inputCols=["s"], cleaningMode="Custom", customValue="missing").fit(strings)
    assert [r["s"] for r in out.transform(strings).collect()] == ["a", "missing"]
    with pytest.raises(ValueError, match="'empty'.*no non-missing values"):
        CleanMissingData(inputCols=["empty"]).fit(df)
    with pytest.raises(ValueError, match="'color' has type string"):
        CleanMissingData(inputCols=["color"]).fit(df)


def test_data_conversion(spark):
    df = spark.createDataFrame(
        [("1", "2021-05-06 07:08:09", "06/05/2021", "x"), ("2", None, None, "y")],
        "a string, t string, u string, c string",
    )
    assert [r["a"] for r in DataConversion(cols=["a"], convertTo="integer").transform(df).collect()] == [1, 2]
    assert DataConversion(cols=["a"], convertTo="double").transform(df).schema["a"].dataType.simpleString() == "double"
    dated = DataConversion(cols=["t"], convertTo="date").transform(df).collect()
    assert dated[0]["t"] == datetime.datetime(2021, 5, 6, 7, 8, 9) and dated[1]["t"] is None
    parsed = DataConversion(cols=["u"], convertTo="date", dateTimeFormat="dd/MM/yyyy").transform(df).head()
    assert parsed["u"] == datetime.datetime(2021, 5, 6)
    categorical = DataConversion(cols=["c"], convertTo="toCategorical").transform(df)
    assert [r["c"] for r in categorical.collect()] == [0, 1] and get_levels(categorical.schema, "c") == ["x", "y"]
    cleared = DataConversion(cols=["c"], convertTo="clearCategorical").transform(categorical)
    assert [r["c"] for r in cleared.collect()] == ["x", "y"]
    with pytest.raises(ValueError, match="not one of"):
        DataConversion(cols=["a"], convertTo="complex")
