"""Differences between Spark versions (3.5, 4.x) and between classic and Spark Connect sessions, in one place.

Every version- or session-dependent line of mmlspark-py goes through here, so the rest of the code reads the
same on pyspark 3.5 and 4.x, on a classic session (a JVM behind py4j) and on a Spark Connect client (no
``sparkContext``, no ``_jvm``):

* :data:`SPARK_VERSION`: ``(major, minor)`` of the installed pyspark;
* :func:`is_connect` / :func:`has_jvm`: what kind of session this is; :func:`jvm` the py4j gateway (or a clear
  :class:`ConnectUnsupportedError` naming what needs it);
* :data:`HAS_ARROW_UDF`: Spark's scalar Arrow UDFs (``F.arrow_udf``, pyspark >= 4.1);
* :func:`dataframe_from_arrow`: a DataFrame from a ``pyarrow.Table`` (native on 4.x; through pandas on 3.5);
* :func:`python_eval_type`: pyspark's ``PythonEvalType`` wherever this version keeps it;
* :func:`session_of`: the session of a DataFrame on either kind of session;
* :func:`default_parallelism` / :func:`executor_count`: the cluster's size as a session sees it;
* :func:`set_log_level`: Spark's console log level (a no-op on Connect, whose server logs elsewhere);
* :func:`num_partitions`: a DataFrame's partition count where the session can tell (not on Connect);
* :func:`with_column`: ``withColumn`` that keeps the new column's metadata on Connect too;
* :func:`in_thread`: a function that runs in another thread with the caller's session (Connect's is per thread);
* :func:`silence_pandas3_warning`: ignore pyspark >= 4's "pandas >= 3 not yet fully supported" warning;
* :func:`make_valid_utf8`: invalid UTF-8 bytes of a string column as U+FFFD (``F.make_valid_utf8`` on 4.x).
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar

import pyarrow as pa
import pyspark
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

__all__ = [
    "SPARK_VERSION",
    "HAS_ARROW_UDF",
    "ConnectUnsupportedError",
    "is_connect",
    "has_jvm",
    "jvm",
    "dataframe_from_arrow",
    "python_eval_type",
    "session_of",
    "active_session",
    "default_parallelism",
    "executor_count",
    "set_log_level",
    "make_valid_utf8",
    "in_thread",
    "num_partitions",
    "with_column",
    "silence_pandas3_warning",
    "PANDAS3_WARNING",
]


T = TypeVar("T")


def _version(text: str) -> Tuple[int, int]:
    parts = text.split(".")
    return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)


SPARK_VERSION: Tuple[int, int] = _version(pyspark.__version__)
HAS_ARROW_UDF: bool = hasattr(F, "arrow_udf")


class ConnectUnsupportedError(RuntimeError):
    """Something needs the JVM of a classic session, and this is a Spark Connect session."""


def is_connect(spark: Any) -> bool:
    """Whether ``spark`` (a SparkSession or a DataFrame) belongs to a Spark Connect client."""
    module = type(spark).__module__
    return module.startswith("pyspark.sql.connect")


def has_jvm(spark: Any) -> bool:
    """Whether ``spark`` has a JVM reachable from this process (a classic session)."""
    return not is_connect(spark)


def jvm(spark: SparkSession, needed_for: str) -> Any:
    """The py4j JVM view of a classic session.

    :param needed_for: what needs it, for the error message.
    :raises ConnectUnsupportedError: on a Spark Connect session.
    """
    if is_connect(spark):
        raise ConnectUnsupportedError(
            f"{needed_for} needs a classic Spark session (a JVM in this process); this is a Spark Connect session"
        )
    return spark.sparkContext._jvm


def session_of(df: DataFrame) -> SparkSession:
    """The session ``df`` belongs to (``df.sparkSession`` exists on every supported version and kind)."""
    return df.sparkSession


def active_session() -> Any:
    """The active session of this thread or process (classic or Connect), or None."""
    try:
        # This thread's session, else the one this process created (the driver's other threads use it too).
        return SparkSession.active()
    except Exception:  # noqa: BLE001 - none yet (pyspark raises its "no active or default session" error)
        pass
    # A Connect session exists only if its module was imported; importing it here would cost a second and,
    # on pandas >= 3, print pyspark's pandas warning in every classic run.
    connect = sys.modules.get("pyspark.sql.connect.session")
    return connect.SparkSession.getActiveSession() if connect is not None else None


def dataframe_from_arrow(spark: SparkSession, table: pa.Table, schema: StructType) -> DataFrame:
    """A DataFrame of ``schema`` holding ``table``'s rows (small tables: driver-side data such as listings)."""
    if SPARK_VERSION >= (4, 0):
        return spark.createDataFrame(table, schema=schema)
    if table.num_rows == 0:
        return spark.createDataFrame([], schema)
    # pyspark 3.5 cannot take an Arrow table; its Arrow-enabled pandas path keeps types exact.
    return spark.createDataFrame(table.to_pandas(), schema=schema)


def python_eval_type() -> Any:
    """pyspark's ``PythonEvalType`` (``pyspark.util`` on 4.x, ``pyspark.rdd`` on 3.5)."""
    try:
        from pyspark.util import PythonEvalType
    except ImportError:
        from pyspark.rdd import PythonEvalType  # type: ignore[no-redef,unused-ignore]
    return PythonEvalType


def _master(spark: SparkSession) -> str:
    if has_jvm(spark):
        return str(spark.sparkContext.master)
    return str(spark.conf.get("spark.master", "") or "")


def default_parallelism(spark: SparkSession) -> int:
    """Spark's default parallelism (the cluster's task slots on a classic session).

    A Connect client cannot ask the scheduler; it reads ``spark.default.parallelism``, else the cores of a
    ``local[N]`` master, else ``spark.sql.shuffle.partitions`` (what Spark SQL itself uses for shuffles).
    """
    if has_jvm(spark):
        return int(spark.sparkContext.defaultParallelism)
    configured = spark.conf.get("spark.default.parallelism", None)
    if configured:
        return int(configured)
    master = _master(spark)
    if master.startswith("local["):
        cores = master[len("local[") :].split("]")[0].split(",")[0]
        if cores.isdigit():
            return int(cores)
    return int(spark.conf.get("spark.sql.shuffle.partitions", "200") or 200)


def executor_count(spark: SparkSession) -> int:
    """The number of executors now registered (1 in local mode, where the driver is the executor).

    On Connect: ``spark.executor.instances`` when configured, else 1 (a client cannot list executors).
    """
    if not has_jvm(spark):
        configured = spark.conf.get("spark.executor.instances", None)
        return max(1, int(configured)) if configured else 1
    # getExecutorMemoryStatus lists the driver's block manager too; in local mode (not local-cluster) the
    # driver is the only one and also runs the tasks.
    entries = int(spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size())
    master = _master(spark)
    local = master == "local" or master.startswith("local[")
    return max(1, entries if local else entries - 1)


def set_log_level(spark: SparkSession, level: str) -> None:
    """Spark's log level for this application (``WARN``, ``ERROR``, ...); a Connect server keeps its own."""
    if has_jvm(spark):
        spark.sparkContext.setLogLevel(level)


def make_valid_utf8(col: Column) -> Column:
    """``col`` (a string column) with each invalid UTF-8 sequence replaced by U+FFFD.

    pyspark >= 4.0 has ``F.make_valid_utf8``; on 3.5 a round trip through ``encode``/``decode`` does the same
    (the JVM's UTF-8 decoder substitutes U+FFFD for malformed input).
    """
    if hasattr(F, "make_valid_utf8"):
        return F.make_valid_utf8(col)
    return F.decode(F.encode(col, "UTF-8"), "UTF-8")


def in_thread(spark: SparkSession, fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` made to run in another thread (a pool worker) with ``spark`` as that thread's active session.

    A Spark Connect session is active per thread, and pyspark.ml's JVM-backed estimators look it up when they
    fit; a classic session is process-wide, so there ``fn`` is returned as it is.
    """
    if not is_connect(spark):
        return fn
    from pyspark.util import inheritable_thread_target

    return inheritable_thread_target(spark)(fn)


def num_partitions(df: DataFrame) -> Optional[int]:
    """How many partitions ``df`` has; None on Spark Connect, whose DataFrames have no ``rdd`` to ask."""
    if is_connect(df):
        return None
    return int(df.rdd.getNumPartitions())


def with_column(df: DataFrame, name: str, col: Column, metadata: Optional[Dict[str, Any]] = None) -> DataFrame:
    """``df.withColumn(name, col)`` whose column carries ``metadata`` on every kind of session.

    A classic ``withColumn`` keeps the metadata of ``col.alias(name, metadata=...)``; Spark Connect's drops
    it, so the metadata is set explicitly (``withMetadata``, a projection the optimizer folds away).
    """
    out = df.withColumn(name, col)
    return out.withMetadata(name, metadata) if metadata else out  # empty: as alias(), whatever col carries


PANDAS3_WARNING = "PySpark does not yet fully support pandas"


def silence_pandas3_warning() -> None:
    """Ignore exactly pyspark's FutureWarning that pandas >= 3 is not yet fully supported, in this process.

    pyspark 4.x prints it on every pandas conversion; mmlspark-py is tested on pandas 3, so it only adds noise.
    """
    import warnings

    warnings.filterwarnings("ignore", message=PANDAS3_WARNING, category=FutureWarning)
