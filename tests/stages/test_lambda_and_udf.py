"""Lambda and UDFTransformer: values, saving by reference (never pickled), and the errors for what cannot be
saved."""

from __future__ import annotations

import json
import pathlib

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import LongType

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.stages import Lambda, UDFTransformer
from mmlspark_py.stages.references import ObjectReferenceError
from tests.stages import referenced
from tests.stages.stage_cases import small


def _metadata(path: pathlib.Path) -> dict:
    text = "".join(p.read_text() for p in sorted((path / "metadata").glob("part-*")))
    return json.loads(text)


def test_lambda_values(spark):
    out = Lambda(transformFunc=referenced.add_ratio).transform(small(spark))
    assert [r["ratio"] for r in out.where("id in (1, 5)").orderBy("id").collect()] == [0.5, 0.5]


def test_lambda_rejects_what_cannot_be_saved():
    with pytest.raises(ObjectReferenceError, match="lambda or a nested function"):
        Lambda(transformFunc=lambda df: df)

    def nested(df):
        return df

    with pytest.raises(ObjectReferenceError, match="lambda or a nested function"):
        Lambda().setTransformFunc(nested)
    with pytest.raises(ObjectReferenceError, match="has no attribute 'missing'"):
        Lambda(transformFunc="tests.stages.referenced:missing")
    with pytest.raises(ObjectReferenceError, match="cannot import module"):
        Lambda(transformFunc="no_such_module_xyz:f")


def test_lambda_must_return_a_dataframe(spark):
    with pytest.raises(TypeError, match="returned int, expected a DataFrame"):
        Lambda(transformFunc=referenced.not_a_dataframe).transform(small(spark))


def test_lambda_is_saved_by_reference(spark, tmp_path):
    stage = Lambda(transformFunc=referenced.add_ratio, transformSchemaFunc=referenced.add_ratio_schema)
    stage.write().save(str(tmp_path / "l"))
    params = _metadata(tmp_path / "l")["paramMap"]
    assert params == {"transformFunc": "tests.stages.referenced:add_ratio",
                      "transformSchemaFunc": "tests.stages.referenced:add_ratio_schema"}
    assert Lambda.load(str(tmp_path / "l")).getTransformFunc() is referenced.add_ratio


def test_udf_transformer_values(spark):
    df = small(spark)
    out = UDFTransformer(inputCol="id", outputCol="n", udf=referenced.plus_one).transform(df)
    assert out.schema["n"].dataType == LongType()
    assert [r["n"] for r in out.collect()] == [2, 3, 4, 5, 6]
    joined = UDFTransformer(inputCols=["label", "id"], outputCol="j", udf=referenced.joined).transform(df)
    assert [r["j"] for r in joined.collect()] == ["x-1", "y-2", "x-3", None, "x-5"]


def test_udf_transformer_saves_the_module_binding(spark, tmp_path):
    stage = UDFTransformer(inputCol="id", udf=referenced.joined)
    assert stage.getOrDefault("udf") == "tests.stages.referenced:joined"
    stage.write().save(str(tmp_path / "u"))
    assert UDFTransformer.load(str(tmp_path / "u")).getUDF() is referenced.joined


def test_udf_transformer_errors(spark):
    local = F.udf(lambda x: x, LongType())
    with pytest.raises(ObjectReferenceError, match="lambda or a nested function"):
        UDFTransformer(udf=local)
    with pytest.raises(TypeError, match="expected a Spark UDF"):
        UDFTransformer(udf=referenced.add_ratio)
    with pytest.raises(ValueError, match="exactly one of inputCol and inputCols"):
        UDFTransformer(inputCol="id", inputCols=["id"], udf=referenced.plus_one).transform(small(spark))
    with pytest.raises(SchemaError, match=r"inputCols: column\(s\) \['nope'\] do not exist"):
        UDFTransformer(inputCols=["id", "nope"], udf=referenced.joined).transform(small(spark))
