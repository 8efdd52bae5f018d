"""Timer (timings returned and logged, outputs of the wrapped stage) and MultiColumnAdapter."""

from __future__ import annotations

import logging

import pytest
from pyspark.ml.feature import StringIndexer

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.stages import (
    ClassBalancer,
    MultiColumnAdapter,
    MultiColumnAdapterModel,
    RenameColumn,
    Timer,
    TimerModel,
)
from tests.stages.stage_cases import small


def test_timer_returns_and_logs_timings(spark, caplog):
    df = small(spark)
    timer = Timer(stage=ClassBalancer(inputCol="label"), disableMaterialization=False)
    model, message = timer.fitWithTime(df)
    assert isinstance(model, TimerModel) and " took " in message and message.endswith("to fit 5 rows")
    out, message = model.transformWithTime(df)
    assert message.endswith("to transform 5 rows")
    expected = ClassBalancer(inputCol="label").fit(df).transform(df)
    assert repr(out.collect()) == repr(expected.collect())  # repr: NaN == NaN
    with caplog.at_level(logging.INFO, logger="mmlspark_py.stages.timer"):
        timer.fit(df).transform(df)
    assert [m for m in caplog.messages if "to fit" in m] and [m for m in caplog.messages if "to transform" in m]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mmlspark_py.stages.timer"):
        Timer(stage=ClassBalancer(inputCol="label"), logToScala=False).fit(df).transform(df)
    assert not caplog.messages


def test_timer_of_a_transformer_has_no_fit_time(spark):
    model, message = Timer(stage=RenameColumn(inputCol="a", outputCol="z")).fitWithTime(small(spark))
    assert message == "" and model.transform(small(spark)).columns[1] == "z"
    with pytest.raises(ValueError, match="param stage"):
        Timer().fit(small(spark))


def test_adapter_fits_one_copy_per_column(spark):
    df = spark.createDataFrame([("a", 1), ("a", 1), ("b", 1), ("a", 2)], "x string, y int")
    model = MultiColumnAdapter(baseStage=ClassBalancer(), inputCols=["x", "y"], outputCols=["wx", "wy"]).fit(df)
    assert isinstance(model, MultiColumnAdapterModel) and len(model.getStages()) == 2
    rows = model.transform(df).collect()
    assert [(r["wx"], r["wy"]) for r in rows] == [(1.0, 1.0), (1.0, 1.0), (3.0, 1.0), (1.0, 3.0)]


def test_adapter_with_a_jvm_estimator(spark, tmp_path):
    df = spark.createDataFrame([("a", "q"), ("b", "q"), ("a", "r")], "x string, y string")
    adapter = MultiColumnAdapter(baseStage=StringIndexer(), inputCols=["x", "y"], outputCols=["ix", "iy"])
    assert adapter.transformSchema(df.schema).names == ["x", "y", "ix", "iy"]
    model = adapter.fit(df)
    model.write().save(str(tmp_path / "m"))
    loaded = MultiColumnAdapterModel.load(str(tmp_path / "m"))
    assert [(r["ix"], r["iy"]) for r in loaded.transform(df).collect()] == [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]


def test_adapter_errors(spark):
    df = spark.createDataFrame([("a", 1)], "x string, y int")
    with pytest.raises(TypeError, match="needs a one-column stage"):
        MultiColumnAdapter(baseStage=Timer())
    with pytest.raises(SchemaError, match="inputCols: column 'zz' does not exist"):
        MultiColumnAdapter(baseStage=ClassBalancer(), inputCols=["zz"], outputCols=["o"]).fit(df)
    with pytest.raises(SchemaError, match="outputCols: column 'y' already exists"):
        MultiColumnAdapter(baseStage=ClassBalancer(), inputCols=["x"], outputCols=["y"]).fit(df)
    with pytest.raises(ValueError, match="differ in length"):
        MultiColumnAdapter(baseStage=ClassBalancer(), inputCols=["x", "y"], outputCols=["o"]).fit(df)
