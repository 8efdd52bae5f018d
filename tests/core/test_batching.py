import pyarrow as pa
import pyarrow.compute as pc
import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

from mmlspark_py.core import batching
from tests.harness.plans import physical_plan, python_passes

OUT = StructType(
    [
        StructField("len", IntegerType(), True),
        StructField("rows_seen", LongType(), True),
        StructField("up", StringType(), True),
    ]
)


def _fn(batch: pa.RecordBatch) -> pa.RecordBatch:
    text = batch.column("my text")
    seen = pa.array([batch.num_rows] * batch.num_rows, pa.int64())
    return pa.record_batch(
        [pc.utf8_length(text).cast(pa.int32()), seen, pc.utf8_upper(text)], names=["len", "rows_seen", "up"]
    )


@pytest.fixture(scope="module")
def texts(spark):
    rows = [(i, None if i % 7 == 0 else "x" * (i % 5), i * 2) for i in range(200)]
    return spark.createDataFrame(rows, "id int, `my text` string, other int").repartition(3)


@pytest.mark.parametrize(
    "use_arrow_udf",
    [
        pytest.param(
            True, id="arrow_udf", marks=pytest.mark.skipif(not batching.HAS_ARROW_UDF, reason="pyspark < 4.1")
        ),
        pytest.param(False, id="mapInArrow"),
    ],
)
def test_values_nulls_passthrough_and_batch_bound(texts, monkeypatch, use_arrow_udf):
    monkeypatch.setattr(batching, "USE_ARROW_UDF", use_arrow_udf)
    out = batching.with_batched_columns(texts, ["my text"], _fn, OUT, batch_rows=16)
    assert out.columns == ["id", "my text", "other", "len", "rows_seen", "up"]
    rows = {r.id: r for r in out.collect()}
    assert len(rows) == 200
    for i, r in rows.items():
        expected = None if i % 7 == 0 else "x" * (i % 5)
        assert r["my text"] == expected and r.other == i * 2
        assert r.len == (None if expected is None else len(expected))
        assert r.up == (None if expected is None else expected.upper())
    assert max(r.rows_seen for r in rows.values()) <= 16


@pytest.mark.skipif(not batching.USE_ARROW_UDF, reason="pyspark < 4.1: mapInArrow moves whole rows")
def test_only_one_python_evaluation_and_only_input_columns_cross(texts):
    out = batching.with_batched_columns(texts, ["my text"], _fn, OUT, batch_rows=16)
    plan = physical_plan(out)
    assert python_passes(out) == 1 and plan.count("ArrowEvalPython") == 1
    assert "other" not in plan.split("ArrowEvalPython")[1].split("]")[0]


def test_output_replaces_a_same_named_column_and_empty_input_works(spark, texts):
    out = batching.with_batched_columns(texts.withColumn("len", F.lit("old")), ["my text"], _fn, OUT, 50)
    assert out.schema["len"].dataType == IntegerType()
    empty = batching.with_batched_columns(texts.limit(0), ["my text"], _fn, OUT, 50)
    assert empty.collect() == [] and empty.columns[-3:] == ["len", "rows_seen", "up"]


def test_a_wrong_batch_function_fails_with_a_clear_message(texts):
    bad = lambda b: pa.record_batch([pa.array([1] * b.num_rows)], names=["nope"])  # noqa: E731
    out = batching.with_batched_columns(texts, ["my text"], bad, OUT, 50)
    with pytest.raises(Exception, match=r"returned columns \['nope'\]"):
        out.collect()


def test_a_filter_on_the_output_does_not_run_the_python_pass_twice(texts):
    out = batching.with_batched_columns(texts, ["my text"], _fn, OUT, batch_rows=16)
    filtered = out.where(F.col("len").isNotNull())
    assert python_passes(filtered) == 1
    assert filtered.count() == sum(1 for i in range(200) if i % 7)
