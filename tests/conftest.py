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


# MMLSPARK_TEST_REMOTE=local[2] runs the tests through Spark Connect: a Connect server (its own JVM, with that
# master) is started, and `spark` is a Connect client of it, with no JVM in this process.
REMOTE = os.environ.get("MMLSPARK_TEST_REMOTE")
if REMOTE:
    # As in a Connect user's process: UDFs built while tests are collected are Connect UDFs.
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """The one SparkSession of the test session (stopped at the end): local[2], or a Connect client."""
    from mmlspark_py.core.session import get_spark

    if REMOTE:
        from pyspark.sql import SparkSession

        from tests.deploy.processes import connect_server

        with connect_server(tmp_path_factory.mktemp("connect"), master=REMOTE, conf=SPARK_TEST_CONF) as url:
            session = SparkSession.builder.remote(url).getOrCreate()
            yield session
            session.stop()
        return
    session = get_spark(master="local[2]", app_name="mmlspark-py-tests", conf=SPARK_TEST_CONF)
    yield session
    session.stop()


def pytest_ignore_collect(collection_path, config):
    """Under tests/, only test_*.py and conftest.py files are collected: --doctest-modules (for the package's
    docstring examples) would otherwise import the scripts tests start as separate processes (spark-submit jobs,
    workers), which run on import."""
    if collection_path.suffix == ".py" and collection_path.is_file():
        name = collection_path.name
        if not (name.startswith("test_") or name == "conftest.py"):
            return True
    return None
