"""The SparkSession mmlspark-py runs on: the active one if there is one, otherwise an embedded local one.

On spark-submit, Databricks, HDInsight and in notebooks a session already exists and is used as it is. On a
laptop with none, :func:`get_spark` starts ``local[*]`` with Arrow and Python worker reuse on, Arrow batches
bounded in bytes (so wide rows such as images cannot blow up a worker) and the Python workers pointed at the
interpreter running this code (otherwise executors may start a system ``python3`` without our dependencies),
and the JVM companion jar on ``spark.jars`` (:mod:`mmlspark_py.core.jvm_companion`).
"""

from __future__ import annotations

import os
import sys
from typing import Dict, Optional

from pyspark.sql import SparkSession

from mmlspark_py.core.jvm_companion import with_companion_jar

DEFAULT_CONF: Dict[str, str] = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.python.worker.reuse": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "10000",
    "spark.sql.execution.arrow.maxBytesPerBatch": str(64 * 1024 * 1024),
    "spark.ui.showConsoleProgress": "false",
}


def get_spark(master: str = "local[*]", app_name: str = "mmlspark-py",
              conf: Optional[Dict[str, str]] = None) -> SparkSession:
    """The active SparkSession, or a new embedded one on ``master`` with :data:`DEFAULT_CONF` plus ``conf``.

    ``master`` and ``conf`` apply only when a new session is started; ``spark.jars`` in ``conf`` is kept and the
    companion jar added to it (unless ``spark.mmlspark_py.jvmCompanion.enabled`` is ``"false"``).
    """
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in with_companion_jar({**DEFAULT_CONF, **(conf or {})}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
