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
* :func:`session_of`: the session of a DataFrame on either kind of session.
"""

from __future__ import annotations

from typing import Any, Tuple

import pyarrow as pa
import pyspark
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

__all__ = ["SPARK_VERSION", "HAS_ARROW_UDF", "ConnectUnsupportedError", "is_connect", "has_jvm", "jvm",
           "dataframe_from_arrow", "python_eval_type", "session_of", "active_session"]


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
        raise ConnectUnsupportedError(f"{needed_for} needs a classic Spark session (a JVM in this process); this is a "
                                      "Spark Connect session")
    return spark.sparkContext._jvm


def session_of(df: DataFrame) -> SparkSession:
    """The session ``df`` belongs to (``df.sparkSession`` exists on every supported version and kind)."""
    return df.sparkSession


def active_session() -> Any:
    """The active session of this thread or process (classic or Connect), or None."""
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    try:
        from pyspark.sql.connect.session import SparkSession as ConnectSession

        return ConnectSession.getActiveSession()
    except Exception:  # noqa: BLE001 - Connect's optional dependencies (grpcio, ...) are not installed
        return None


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
