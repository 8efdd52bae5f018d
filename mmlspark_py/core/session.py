"""The SparkSession mmlspark-py runs on: the active one if there is one, otherwise one started as configured.

On spark-submit, Databricks, HDInsight, Spark Connect and in notebooks a session (or its configuration) already
exists, and :func:`get_spark` never overrides it: the master comes from ``spark-submit --master``,
``spark-defaults.conf``, the ``MASTER`` environment variable or ``SPARK_REMOTE`` (Spark Connect) when any is set,
and only with none at all does Spark fall back to ``local[*]``. On a laptop with nothing configured it starts
``local[*]`` with Arrow on, Arrow batches bounded to 8 MB (so wide rows such as images cannot blow up a worker, and
the JVM moves tensors and pixels with less than half the CPU it spends at Spark's 64 MB default; for an existing
session: ``spark.conf.set("spark.sql.execution.arrow.maxBytesPerBatch", 8 << 20)``; Spark 3.5 has no byte bound,
so there batches are bounded to 256 rows instead) and the Python workers pointed
at the interpreter running this code (otherwise executors may start a system ``python3`` without our dependencies).
Those SQL settings are applied only where nobody configured them.
A new classic session also gets the JVM companion jar on ``spark.jars`` (:mod:`mmlspark_py.core.jvm_companion`).
"""

from __future__ import annotations

import os
import sys
from typing import Dict, Optional

from pyspark.sql import SparkSession

from mmlspark_py.core.jvm_companion import with_companion_jar
from mmlspark_py.core.spark_compat import SPARK_VERSION, active_session, is_connect, silence_pandas3_warning

# Arrow batches the JVM hands to Python workers, in bytes. Spark's default is 64 MB; for wide rows (tensors,
# pixels) the JVM spends far more CPU building batches that big than at 8 MB (measured: 2.3 vs 0.9 ms of JVM
# CPU per 602 KB tensor row; onnx_inference 0.78x -> 0.91x bare onnxruntime in one run, benchmarks/RESULTS.md
# "onnx_inference with 8 MB Arrow batches"). Rows of under 800 bytes still travel 10,000 to a batch.
ARROW_BATCH_BYTES = 8 * 1024 * 1024

# Spark 3.5 has no byte bound on Arrow batches (maxBytesPerBatch arrived in Spark 4.0; 3.5 ignores it), so there
# the row count is the only bound and it is set for wide rows: 256 rows of a 1 MB image are 256 MB per batch,
# where 10,000 would be 10 GB. Narrow rows pay a little more per-batch overhead on 3.5.
ARROW_BATCH_ROWS = 10_000 if SPARK_VERSION >= (4, 0) else 256

# SQL settings (changeable at run time) applied only when the session does not set them already.
DEFAULT_CONF: Dict[str, str] = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH_ROWS),
    "spark.sql.execution.arrow.maxBytesPerBatch": str(ARROW_BATCH_BYTES),
}


def get_spark(
    master: Optional[str] = None, app_name: str = "mmlspark-py", conf: Optional[Dict[str, str]] = None
) -> SparkSession:
    """The active SparkSession (classic or Connect), or a new one.

    :param master: a master URL to use for a NEW session (e.g. ``"local[2]"``); None (the default) leaves the
        choice to the configuration (spark-submit, spark-defaults.conf, ``MASTER``, ``SPARK_REMOTE``), which is
        ``local[*]`` when nothing is configured.
    :param app_name: the application name of a new session.
    :param conf: Spark settings for a new session.
    """
    silence_pandas3_warning()  # the library's entry point: its users see no warning they cannot act on
    active = active_session()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if (master or "local").startswith("local") and not os.environ.get("SPARK_REMOTE"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    # a new classic session gets the companion jar (kept out of a Connect client's builder: the server has its own)
    new_conf = dict(conf or {}) if os.environ.get("SPARK_REMOTE") else with_companion_jar(conf or {})
    for key, value in new_conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    apply_defaults(spark)
    return spark


def apply_defaults(spark: SparkSession) -> None:
    """Set each of :data:`DEFAULT_CONF` that the session's configuration does not set explicitly."""
    for key, value in DEFAULT_CONF.items():
        try:
            if is_connect(spark):
                explicit = spark.conf.get(key, None) is not None
            else:
                explicit = spark.sparkContext.getConf().contains(key)
            if not explicit:
                spark.conf.set(key, value)
        except Exception:  # noqa: BLE001 - a managed platform may forbid changing a setting: keep theirs
            continue
