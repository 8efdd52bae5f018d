"""Shared fixtures: one real local[2] SparkSession for the whole test session, and small real data."""

from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

SPARK_TEST_CONF = {
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "1000",
    "spark.ui.enabled": "false",
    "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
}


@pytest.fixture(scope="session")
def spark():
    """The one local[2] SparkSession of the test session (stopped at the end)."""
    from mmlspark_py.core.session import get_spark

    session = get_spark(master="local[2]", app_name="mmlspark-py-tests", conf=SPARK_TEST_CONF)
    yield session
    session.stop()
