"""Lambda and UDFTransformer: values, any callable in memory, and honest persistence (by allowed reference, or
pickled only on both sides' explicit opt-in)."""

from __future__ import annotations

import json
import pathlib

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType

from mmlspark_py.core.persistence import PersistenceError
from mmlspark_py.core.stage import SchemaError
from mmlspark_py.stages import Lambda, ObjectReferenceError, UDFTransformer, allow_pickled_functions
from tests.stages import referenced
from tests.stages.stage_cases import small


def _metadata(path: pathlib.Path) -> dict:
    text = "".join(p.read_text() for p in sorted((path / "metadata").glob("part-*")))
    return json.loads(text)


def test_lambda_values(spark):
    out = Lambda(transformFunc=referenced.add_ratio).transform(small(spark))
    assert [r["ratio"] for r in out.where("id in (1, 5)").orderBy("id").collect()] == [0.5, 0.5]


def test_lambda_takes_any_callable_in_memory(spark):
    stage = Lambda().setTransform(lambda df: df.select("id")).setTransformSchema(lambda s: s)

    def nested(df):
        return df.where("id > 3")

    assert [r["id"] for r in stage.transform(small(spark)).collect()] == [1, 2, 3, 4, 5]
    assert [r["id"] for r in Lambda(transformFunc=nested).transform(small(spark)).collect()] == [4, 5]
    assert stage.transformSchema(small(spark).schema) == small(spark).schema  # the schema function's answer


def test_lambda_errors(spark):
    with pytest.raises(ObjectReferenceError, match="has no attribute 'missing'"):
        Lambda(transformFunc="tests.stages.referenced:missing")
    with pytest.raises(ObjectReferenceError, match="refusing to resolve 'no_such_module_xyz:f'"):
        Lambda(transformFunc="no_such_module_xyz:f")
    with pytest.raises(TypeError, match="expected a function"):
        Lambda(transformFunc=3)
    with pytest.raises(TypeError, match="returned int, expected a DataFrame"):
        Lambda(transformFunc=referenced.not_a_dataframe).transform(small(spark))


def test_lambda_is_saved_by_reference(spark, tmp_path):
    stage = Lambda(transformFunc=referenced.add_ratio, transformSchemaFunc=referenced.add_ratio_schema)
    stage.write().save(str(tmp_path / "l"))
    params = _metadata(tmp_path / "l")["paramMap"]
    assert params == {
        "transformFunc": "tests.stages.referenced:add_ratio",
        "transformSchemaFunc": "tests.stages.referenced:add_ratio_schema",
    }
    assert Lambda.load(str(tmp_path / "l")).getTransformFunc() is referenced.add_ratio


def test_saving_a_lambda_fails_at_save_time_and_writes_nothing(spark, tmp_path):
    stage = Lambda(transformFunc=lambda df: df)
    with pytest.raises(
        PersistenceError,
        match=r"param 'transformFunc': cannot save .*lambda or a nested function"
        r".*allowPickle=True",
    ):
        stage.write().save(str(tmp_path / "l"))
    assert not (tmp_path / "l").exists()


def test_pickling_needs_opt_in_on_both_sides(spark, tmp_path):
    stage = Lambda(transformFunc=lambda df: df.where("id < 3"), allowPickle=True)
    stage.write().save(str(tmp_path / "l"))
    saved = _metadata(tmp_path / "l")["paramMap"]["transformFunc"]
    assert set(saved) == {"cloudpickle", "python"}
    with pytest.raises(PersistenceError, match="saved by pickling .* never done by default.*allow_pickled_functions"):
        Lambda.load(str(tmp_path / "l"))
    with allow_pickled_functions():
        loaded = Lambda.load(str(tmp_path / "l"))
    assert [r["id"] for r in loaded.transform(small(spark)).collect()] == [1, 2]


def test_udf_transformer_values(spark):
    df = small(spark)
    out = UDFTransformer(inputCol="id", outputCol="n", udf=referenced.plus_one).transform(df)
    assert out.schema["n"].dataType == LongType()
    assert [r["n"] for r in out.collect()] == [2, 3, 4, 5, 6]
    joined = UDFTransformer(inputCols=["label", "id"], outputCol="j", udf=referenced.joined).transform(df)
    assert [r["j"] for r in joined.collect()] == ["x-1", "y-2", "x-3", None, "x-5"]


def test_udf_of_a_lambda_works_in_memory_and_saves_only_when_pickling_is_allowed(spark, tmp_path):
    stage = UDFTransformer().setUDF(F.udf(lambda x: 1)).setInputCol("id").setOutputCol("out")
    out = stage.transform(small(spark))
    assert out.schema["out"].dataType == StringType()
    assert [r["out"] for r in out.collect()] == ["1"] * 5
    with pytest.raises(PersistenceError, match="param 'udf': cannot save"):
        stage.write().save(str(tmp_path / "u"))
    stage.setAllowPickle(True).write().save(str(tmp_path / "u"))
    with allow_pickled_functions():
        loaded = UDFTransformer.load(str(tmp_path / "u"))
    assert [r["out"] for r in loaded.transform(small(spark)).collect()] == ["1"] * 5


def test_udf_transformer_saves_the_module_binding(spark, tmp_path):
    stage = UDFTransformer(inputCol="id", udf=referenced.joined)
    stage.write().save(str(tmp_path / "u"))
    assert _metadata(tmp_path / "u")["paramMap"]["udf"] == "tests.stages.referenced:joined"
    assert UDFTransformer.load(str(tmp_path / "u")).getUDF() is referenced.joined


def test_udf_transformer_errors(spark):
    with pytest.raises(TypeError, match="expected a Spark UDF"):
        UDFTransformer(udf=referenced.add_ratio)
    with pytest.raises(ValueError, match="exactly one of inputCol and inputCols"):
        UDFTransformer(inputCol="id", inputCols=["id"], udf=referenced.plus_one).transform(small(spark))
    with pytest.raises(SchemaError, match=r"inputCols: column\(s\) \['nope'\] do not exist"):
        UDFTransformer(inputCols=["id", "nope"], udf=referenced.joined).transform(small(spark))
