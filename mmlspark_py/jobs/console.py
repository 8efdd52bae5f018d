"""A quiet, informative console for the ``mmlspark-py`` command.

What a person running a job sees is its own progress and results, not Spark's start-up banner or a warning
the job can do nothing about:

* :func:`silence_known_warnings`: pyspark >= 4 warns on every pandas UDF that pandas >= 3 is "not yet fully
  supported" (everything this library runs works and is tested on it); exactly that warning is ignored, in
  this process and (through ``PYTHONWARNINGS``) in the Python workers Spark starts from it;
* :func:`quiet_spark_start`: a JVM this process starts logs at ``level`` (default WARN) through a small log4j2
  configuration, without the "Using Spark's default log4j profile" / "Setting default log level" banner and
  the native-Hadoop-library warning; with progress off (``MMLSPARK_PY_PROGRESS=0``) Spark's console progress
  bar is off too. Nothing changes when a JVM already runs (spark-submit, a notebook's session) or when the
  user set ``PYSPARK_SUBMIT_ARGS`` or ``SPARK_REMOTE``;
* :func:`apply_log_level`: the level on an existing session (a no-op on Spark Connect).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Any

from mmlspark_py.core import progress
from mmlspark_py.core.spark_compat import PANDAS3_WARNING, active_session, set_log_level, silence_pandas3_warning

__all__ = ["silence_known_warnings", "quiet_spark_start", "apply_log_level", "LEVELS"]

LEVELS = ("ERROR", "WARN", "INFO", "DEBUG")

_LOG4J2 = """\
# Written by mmlspark-py: Spark's console log for the mmlspark-py command.
rootLogger.level = {level}
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{{HH:mm:ss}} %p %c{{1}}: %m%n%ex
# Spark treats a pyspark driver as a shell and would reset the root level to its shell's level (WARN) with a
# banner unless the shell's logger is configured too.
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = {level}
logger.pyshell.name = org.apache.spark.api.python.PythonGatewayServer
logger.pyshell.level = {level}
# Hadoop's pure-Java code paths are the normal case on a laptop.
logger.nativecode.name = org.apache.hadoop.util.NativeCodeLoader
logger.nativecode.level = error
"""


def silence_known_warnings() -> None:
    """Ignore pyspark's pandas >= 3 FutureWarning here and in the Python workers started from this process."""
    silence_pandas3_warning()
    rule = f"ignore:{PANDAS3_WARNING}:FutureWarning"
    current = os.environ.get("PYTHONWARNINGS", "")
    if rule not in current:
        os.environ["PYTHONWARNINGS"] = f"{current},{rule}" if current else rule


def log4j2_config(level: str) -> str:
    """The path of a log4j2 properties file logging at ``level`` to stderr (written once per level)."""
    text = _LOG4J2.format(level=level.lower())
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = os.path.join(tempfile.gettempdir(), f"mmlspark-py-log4j2-{digest}.properties")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    return path


def quiet_spark_start(level: str = "WARN") -> bool:
    """Make a JVM this process starts log at ``level`` without its banner; returns whether it applied.

    Applies only when this process will start the JVM: no active session, no ``SPARK_REMOTE`` (Spark
    Connect) and no user-set ``PYSPARK_SUBMIT_ARGS`` (spark-submit sets it, as do users who tune the launch).
    """
    if level not in LEVELS:
        raise ValueError(f"log level {level!r} is not one of {LEVELS}")
    launched = ("SPARK_REMOTE", "PYSPARK_SUBMIT_ARGS", "PYSPARK_GATEWAY_PORT")  # Connect, user-tuned, spark-submit
    if active_session() is not None or any(os.environ.get(name) for name in launched):
        return False
    options = f"-Dlog4j2.configurationFile=file:{log4j2_config(level)}"
    args = ["--driver-java-options", f'"{options}"']
    if not progress.enabled():
        args += ["--conf", "spark.ui.showConsoleProgress=false"]
    os.environ["PYSPARK_SUBMIT_ARGS"] = " ".join([*args, "pyspark-shell"])
    return True


def apply_log_level(spark: Any, level: str = "WARN") -> None:
    """Set ``level`` on ``spark``'s application (classic sessions; a Connect server keeps its own)."""
    set_log_level(spark, level)
