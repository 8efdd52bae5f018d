import datetime
import decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DateType,
    DayTimeIntervalType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

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


def _both_paths(fallback: str):
    """Parametrize over the Arrow-UDF path (pyspark >= 4.1) and the older versions' path, named ``fallback``."""
    return pytest.mark.parametrize(
        "use_arrow_udf",
        [
            pytest.param(
                True, id="arrow_udf", marks=pytest.mark.skipif(not batching.HAS_ARROW_UDF, reason="pyspark < 4.1")
            ),
            pytest.param(False, id=fallback),
        ],
    )


@pytest.fixture(scope="module")
def texts(spark):
    rows = [(i, None if i % 7 == 0 else "x" * (i % 5), i * 2) for i in range(200)]
    return spark.createDataFrame(rows, "id int, `my text` string, other int").repartition(3)


@_both_paths("mapInArrow")
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


# ---------------------------------------------------------------------------- with_prunable_columns
PIX = StructType(
    [
        StructField("name", StringType(), True),
        StructField("n", IntegerType(), False),
        StructField("data", BinaryType(), False),
    ]
)
PRUNABLE_OUT = StructType([StructField("pix", PIX, True), StructField("why", StringType(), True)])


def _pix(batch: pa.RecordBatch) -> pa.RecordBatch:
    texts = batch.column(0).to_pylist()
    pix = [None if t is None or t == "" else {"name": t, "n": len(t), "data": t.encode() * 2} for t in texts]
    why = [None if p is not None else f"no pixels in {t!r}" for t, p in zip(texts, pix)]
    arrow_pix = pa.array(pix, pa.struct([("name", pa.string()), ("n", pa.int32()), ("data", pa.binary())]))
    return pa.record_batch([arrow_pix, pa.array(why, pa.string())], names=["pix", "why"])


@_both_paths("pandas_udf")
def test_prunable_columns_equal_values_schema_and_no_pass_when_unselected(texts, monkeypatch, use_arrow_udf):
    monkeypatch.setattr(batching, "USE_ARROW_UDF", use_arrow_udf)
    out = batching.with_prunable_columns(texts, ["my text"], _pix, PRUNABLE_OUT, batch_rows=16)
    assert out.columns == ["id", "my text", "other", "pix", "why"]
    assert out.schema["pix"].dataType == PIX and out.schema["pix"].nullable  # inner non-null fields stay so
    rows = {r.id: r for r in out.collect()}
    assert len(rows) == 200
    for i, r in rows.items():
        text = None if i % 7 == 0 else "x" * (i % 5)
        if not text:
            assert r.pix is None and r.why == f"no pixels in {text!r}"
        else:
            assert (r.pix.name, r.pix.n, bytes(r.pix.data), r.why) == (text, len(text), text.encode() * 2, None)
    assert batching.with_prunable_columns(texts.limit(0), ["my text"], _pix, PRUNABLE_OUT, 16).collect() == []
    # a query that selects none of the outputs runs no Python at all; one that does, one pass
    assert python_passes(out.select("id", "other")) == 0
    assert python_passes(out.select("pix.n", "why")) == 1


TYPED = StructType(
    [
        StructField("day", DateType(), False),
        StructField("at", TimestampType(), False),
        StructField("local", TimestampNTZType(), False),
        StructField("amount", DecimalType(12, 3), False),
        StructField("flag", BooleanType(), False),
        StructField("ratio", DoubleType(), False),
    ]
)
TYPED_OUT = StructType([StructField("typed", TYPED, True)])


def _typed(batch: pa.RecordBatch) -> pa.RecordBatch:
    ids = batch.column(0).to_pylist()
    rows = [
        None
        if i % 3 == 0
        else {
            "day": datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
            "at": datetime.datetime(2021, 5, 6, 7, 8, 9) + datetime.timedelta(minutes=i),
            "local": datetime.datetime(1999, 12, 31, 23, 59) + datetime.timedelta(seconds=i),
            "amount": decimal.Decimal(i) / 8,
            "flag": i % 2 == 0,
            "ratio": i / 7,
        }
        for i in ids
    ]
    arrow_type = pa.struct(
        [
            ("day", pa.date32()),
            ("at", pa.timestamp("us", tz="UTC")),
            ("local", pa.timestamp("us")),
            ("amount", pa.decimal128(12, 3)),
            ("flag", pa.bool_()),
            ("ratio", pa.float64()),
        ]
    )
    return pa.record_batch([pa.array(rows, arrow_type)], names=["typed"])


@_both_paths("pandas_udf")
def test_prunable_struct_keeps_non_null_dates_times_and_decimals(texts, monkeypatch, use_arrow_udf):
    monkeypatch.setattr(batching, "USE_ARROW_UDF", use_arrow_udf)
    out = batching.with_prunable_columns(texts, ["id"], _typed, TYPED_OUT, batch_rows=16)
    assert out.schema["typed"].dataType == TYPED
    got = {r.id: r.typed for r in out.select("id", F.col("typed.day"), "typed").collect()}
    assert len(got) == 200
    for i, t in got.items():
        if i % 3 == 0:
            assert t is None
            continue
        assert t.day == datetime.date(2020, 1, 1) + datetime.timedelta(days=i)
        utc = datetime.datetime(2021, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
        assert t.at.timestamp() == utc.timestamp() + 60 * i  # collect() gives local wall time
        assert t.local == datetime.datetime(1999, 12, 31, 23, 59) + datetime.timedelta(seconds=i)
        assert t.amount == decimal.Decimal(i) / 8 and t.flag == (i % 2 == 0) and t.ratio == i / 7
    assert python_passes(out.select("id")) == 0


def test_prunable_columns_refuse_types_the_pandas_path_cannot_carry(texts, monkeypatch):
    monkeypatch.setattr(batching, "USE_ARROW_UDF", False)
    nested = StructType([StructField("a", StructType([StructField("b", PIX, True)]), True)])
    with pytest.raises(ValueError, match=r"cannot return a\.b"):
        batching.with_prunable_columns(texts, ["my text"], _pix, nested, 16)
    with pytest.raises(ValueError, match="cannot read column 's'"):
        batching.with_prunable_columns(texts.select(F.struct("id").alias("s")), ["s"], _pix, PRUNABLE_OUT, 16)
    interval = StructType([StructField("i", StructType([StructField("d", DayTimeIntervalType(), False)]), True)])
    with pytest.raises(ValueError, match=r"cannot return i\.d"):
        batching.with_prunable_columns(texts, ["my text"], _pix, interval, 16)
