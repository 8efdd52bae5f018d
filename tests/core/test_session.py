from mmlspark_py import get_spark
from mmlspark_py.core.session import DEFAULT_CONF
from mmlspark_py.core.spark_compat import SPARK_VERSION


def test_get_spark_returns_the_active_session(spark):
    assert get_spark() is spark
    assert spark.conf.get("spark.sql.execution.arrow.pyspark.enabled") == "true"
    assert spark.sparkContext.getConf().get("spark.python.worker.reuse", "true") == "true"


def test_new_sessions_get_the_library_defaults_unless_configured(spark):
    """The test session is built by get_spark with maxRecordsPerBatch set explicitly (kept) and no byte bound
    (so the library's 8 MB, not Spark's 64 MB), and Spark's Arrow batches obey it."""
    assert spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch") == "1000"
    assert spark.conf.get("spark.sql.execution.arrow.maxBytesPerBatch").rstrip("b") == str(8 * 1024 * 1024)

    def batch_sizes(batches):
        import pyarrow as pa

        for b in batches:
            yield pa.record_batch([pa.array([b.num_rows] * b.num_rows, pa.int64())], names=["n"])

    rows = spark.range(6, numPartitions=1).selectExpr("unhex(repeat('00', 3 * 1024 * 1024)) AS blob")  # 3 MB each
    seen = {r.n for r in rows.mapInArrow(batch_sizes, "n long").collect()}
    if SPARK_VERSION < (4, 0):
        # Spark 3.5 has no byte bound: the row count alone bounds a batch, so the library's 3.5 default is small
        assert seen == {6}, seen
        assert DEFAULT_CONF["spark.sql.execution.arrow.maxRecordsPerBatch"] == "256"
        return
    # Spark closes a batch once it holds the bound: 3 rows of 3 MB (at Spark's 64 MB, all 6 in one batch)
    assert seen == {3}, seen
    assert DEFAULT_CONF["spark.sql.execution.arrow.maxRecordsPerBatch"] == "10000"
