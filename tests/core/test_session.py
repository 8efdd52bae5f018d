from mmlspark_py import get_spark


def test_get_spark_returns_the_active_session(spark):
    assert get_spark() is spark
    assert spark.conf.get("spark.sql.execution.arrow.pyspark.enabled") == "true"
    assert spark.sparkContext.getConf().get("spark.python.worker.reuse", "true") == "true"
