"""SelectColumns, DropColumns, RenameColumn, Explode: values, order and missing-column errors."""

from __future__ import annotations

import pytest
from pyspark.sql.types import DoubleType, StructField

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.stages import DropColumns, Explode, RenameColumn, SelectColumns
from tests.stages.stage_cases import small


@pytest.fixture(scope="module")
def df(spark):
    return small(spark).cache()


def test_select_keeps_the_order_of_cols(df):
    out = SelectColumns(cols=["label", "id"]).transform(df)
    assert out.columns == ["label", "id"]
    assert [tuple(r) for r in out.collect()] == [(r["label"], r["id"]) for r in df.collect()]


def test_select_and_drop_name_the_missing_column(df):
    with pytest.raises(SchemaError, match=r"cols: column\(s\) \['nope'\] do not exist; columns are \['id'"):
        SelectColumns(cols=["id", "nope"]).transform(df)
    with pytest.raises(SchemaError, match=r"\['nope'\]"):
        DropColumns(cols=["nope"]).transform(df)


def test_drop(df):
    assert DropColumns(cols=["a", "b"]).transform(df).columns == ["id", "label", "tokens"]


def test_rename_in_place_and_errors(df):
    out = RenameColumn(inputCol="a", outputCol="alpha").transform(df)
    assert out.columns == ["id", "alpha", "b", "label", "tokens"]
    assert out.schema["alpha"] == StructField("alpha", DoubleType(), True)


def test_rename_onto_an_existing_name_keeps_both_as_synapseml_does(df):
    stage = RenameColumn(inputCol="a", outputCol="b")
    with pytest.warns(UserWarning, match="two columns named 'b'"):
        out = stage.transform(df)
    assert out.columns == ["id", "b", "b", "label", "tokens"] == df.withColumnRenamed("a", "b").columns
    assert stage.transformSchema(df.schema) == out.schema
    assert [(r[1], r[2]) for r in out.where("id = 1").collect()] == [(1.0, 2.0)]
    with pytest.raises(SchemaError, match="inputCol: column 'zz' does not exist"):
        RenameColumn(inputCol="zz", outputCol="y").transform(df)


def test_explode_values_and_type_error(df):
    out = Explode(inputCol="tokens", outputCol="t").transform(df)
    assert [(r["id"], r["t"]) for r in out.collect()] == [(1, "p"), (1, "q"), (4, "r"), (4, None), (5, "s")]
    with pytest.raises(SchemaError, match="'label' has type string, expected an array"):
        Explode(inputCol="label").transform(df)
