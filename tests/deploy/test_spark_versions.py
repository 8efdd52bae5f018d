"""spark_compat: the same answers on pyspark 3.5 and 4.x, classic and Connect (run by CI on both versions)."""

from __future__ import annotations

import threading

import pyarrow as pa
import pyspark
import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, LongType, StringType, StructField, StructType

from mmlspark_py.core import spark_compat
from tests.harness.plans import python_passes


def test_version_is_parsed_from_the_installed_pyspark():
    major, minor = (int(x) for x in pyspark.__version__.split(".")[:2])
    assert spark_compat.SPARK_VERSION == (major, minor)
    assert spark_compat.SPARK_VERSION >= (3, 5)


def test_dataframe_from_arrow_keeps_values_types_and_nulls(spark):
    table = pa.table({"id": pa.array([1, 2, None], pa.int64()), "s": pa.array(["a", None, "ç"], pa.string())})
    schema = StructType([StructField("id", LongType()), StructField("s", StringType())])
    df = spark_compat.dataframe_from_arrow(spark, table, schema)
    assert df.schema == schema
    assert [tuple(r) for r in df.orderBy(F.col("id").asc_nulls_last()).collect()] == [(1, "a"), (2, None), (None, "ç")]
    assert spark_compat.dataframe_from_arrow(spark, table.slice(0, 0), schema).count() == 0


def test_python_eval_type_has_the_scalar_kinds():
    eval_type = spark_compat.python_eval_type()
    assert eval_type.SQL_BATCHED_UDF == 100 and eval_type.SQL_SCALAR_PANDAS_UDF == 200


def test_make_valid_utf8_replaces_each_invalid_sequence(spark):
    raw = [b"ok", b"a\xffb", b"\xc3\xa7a", b"\xe2\x82", None]
    df = spark.createDataFrame(
        [(i, r) for i, r in enumerate(raw)], StructType([StructField("i", LongType()), StructField("b", BinaryType())])
    )
    out = df.select("i", spark_compat.make_valid_utf8(F.col("b").cast("string")).alias("s")).orderBy("i")
    got = [r.s for r in out.collect()]
    assert got[0] == "ok" and got[2] == "ça" and got[4] is None
    assert got[1] == "a\ufffdb"
    assert got[3] and set(got[3]) == {"\ufffd"}  # a truncated sequence: replaced, never passed through
    assert python_passes(out) == 0  # a Spark expression on every version


def test_cluster_size_as_a_session_sees_it(spark):
    assert spark_compat.default_parallelism(spark) == 2  # the test session is local[2]
    assert spark_compat.executor_count(spark) == 1  # local mode: the driver is the executor


def test_in_thread_gives_the_worker_thread_the_session(spark):
    seen = []

    def work():
        active = spark_compat.active_session()
        seen.append(active is not None and active.range(3).count())

    thread = threading.Thread(target=spark_compat.in_thread(spark, work))
    thread.start()
    thread.join(120)
    assert seen == [3]


def test_active_session_is_the_test_session(spark):
    assert spark_compat.active_session() is spark or spark_compat.is_connect(spark)
    assert spark_compat.is_connect(spark) == (not spark_compat.has_jvm(spark))


@pytest.mark.skipif(spark_compat.SPARK_VERSION < (4, 0), reason="Spark Connect's server ships with pyspark >= 4")
def test_jvm_is_refused_on_connect_with_a_clear_error(spark):
    if not spark_compat.is_connect(spark):
        assert spark_compat.jvm(spark, "test") is not None
        return
    with pytest.raises(spark_compat.ConnectUnsupportedError, match="needs a classic Spark session"):
        spark_compat.jvm(spark, "test")
