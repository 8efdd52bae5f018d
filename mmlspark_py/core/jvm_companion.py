"""The JVM companion: JVM-native versions of row-wise stages, used when its jar is on the session.

Stages such as PageSplitter or UnrollImage run in Python workers, so every row crosses from the JVM to Python
and back. The companion jar (``mmlspark_py/jars/mmlspark-py-companion_<scala>.jar``, built from ``scala/`` by
``scala/build_jar.py``) holds Java UDFs computing exactly the same results inside the JVM. A stage asks
:func:`companion` for the session's companion and, when there is one, builds its output column with
:meth:`Companion.call`; otherwise it runs its Python path, which stays the reference.

- A session started by :func:`mmlspark_py.get_spark` gets the jar through ``spark.jars``
  (:func:`with_companion_jar`).
- On any other session (spark-submit, notebooks, clusters) the jar is used when the user added it: one line,
  ``add_to_session(spark)`` (``ADD JAR`` of the bundled jar; the warning logged once per session without it
  says so), or ``--jars <jar_path()>`` / ``spark.jars`` when starting Spark.
- Spark Connect has no ``_jvm``, but the same registration works (``spark.udf.registerJavaFunction`` names
  a class on the server) when the server has the jar (``--jars`` when starting it, or ``ADD JAR`` on a
  local server).
- ``spark.conf.set("spark.mmlspark_py.jvmCompanion.enabled", "false")`` makes every stage take its Python
  path (tests compare the two; users can rule out the companion when reporting a problem).

On first use in a session the companion's functions are registered as temporary functions named
``mmlspark_py_<name>`` and one row is computed to check them: the loaded classes must be the version bundled
with this library and built for the Scala version the session runs. Any failure (no jar, a jar for another
Scala version, an old jar on the cluster) is logged once, with the reason, and the stages use their Python
paths.
"""

from __future__ import annotations

import logging
import pathlib
import re
import threading
import weakref
import zipfile
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, BinaryType, DataType, DoubleType, StringType

__all__ = ["Companion", "companion", "add_to_session", "jar_path", "with_companion_jar", "enable_line", "ENABLED_CONF"]

log = logging.getLogger(__name__)

ENABLED_CONF = "spark.mmlspark_py.jvmCompanion.enabled"
JARS_DIR = pathlib.Path(__file__).resolve().parent.parent / "jars"
_PACKAGE = "mmlsparkpy.companion"
_PREFIX = "mmlspark_py_"


def _vector_type() -> DataType:
    from pyspark.ml.linalg import VectorUDT

    return VectorUDT()


# name -> (class in the jar, return type): every function the jar offers.
FUNCTIONS: Dict[str, Tuple[str, Any]] = {
    "page_split": ("PageSplit", lambda: ArrayType(BinaryType(), True)),
    "page_split_class": ("PageSplitAtClass", lambda: ArrayType(BinaryType(), True)),
    "text_replace": ("TextReplace", StringType),
    "unicode_normalize": ("UnicodeNormalize", BinaryType),
    "unroll_image": ("UnrollImage", _vector_type),
    "vector_at": ("VectorAt", DoubleType),
}


def _local_scala_binary() -> Optional[str]:
    """The Scala binary version of the installed pyspark (from its scala-library jar), e.g. ``2.13``."""
    import pyspark

    for path in (pathlib.Path(pyspark.__file__).resolve().parent / "jars").glob("scala-library-*.jar"):
        match = re.fullmatch(r"scala-library-(\d+\.\d+)\.\d+\.jar", path.name)
        if match:
            return match.group(1)
    return None


def jar_path(scala_binary: Optional[str] = None) -> Optional[pathlib.Path]:
    """The bundled companion jar for ``scala_binary`` (default: the installed pyspark's), or None."""
    binary = scala_binary or _local_scala_binary()
    path = JARS_DIR / f"mmlspark-py-companion_{binary}.jar"
    return path if binary and path.is_file() else None


def _bundled_version(scala_binary: str) -> Optional[str]:
    path = jar_path(scala_binary)
    if path is None:
        return None
    with zipfile.ZipFile(path) as z:
        manifest = z.read("META-INF/MANIFEST.MF").decode("utf-8")
    match = re.search(r"^Implementation-Version: (\S+)", manifest, re.M)
    return match.group(1) if match else None


def with_companion_jar(conf: Mapping[str, str]) -> Dict[str, str]:
    """``conf`` for a new session with the companion jar appended to ``spark.jars`` (unless disabled)."""
    out = dict(conf)
    path = jar_path()
    if path is None or str(out.get(ENABLED_CONF, "true")).lower() == "false":
        return out
    jars = [j for j in out.get("spark.jars", "").split(",") if j]
    if str(path) not in jars:
        out["spark.jars"] = ",".join(jars + [str(path)])
    return out


def enable_line() -> str:
    """The one line that adds the bundled companion jar to an existing session."""
    if jar_path() is None:
        return "(this installation has no companion jar for the installed pyspark's Scala version)"
    return "from mmlspark_py.core.jvm_companion import add_to_session; add_to_session(spark)"


def add_to_session(spark: SparkSession) -> Optional[Companion]:
    """Add the bundled jar to a running session (``ADD JAR``) and return its companion (None if unusable).

    Equivalent to starting Spark with ``--jars <jar_path()>``; on Spark Connect the path must be readable by
    the server.
    """
    path = jar_path()
    if path is None:
        raise FileNotFoundError(f"no companion jar in {JARS_DIR} for Scala {_local_scala_binary()}")
    spark.sql(f"ADD JAR '{path}'")
    forget(spark)
    return companion(spark)


@dataclass(frozen=True)
class Companion:
    """The companion as registered on one session.

    :param version: the companion version the session runs (``<source hash>_<scala binary version>``).
    :param scala: the Scala version of the session's JVM.
    :param icu_unicode: ``(major, minor)`` Unicode version of ICU4J on the session, None without ICU.
    """

    version: str
    scala: str
    icu_unicode: Optional[Tuple[int, int]]

    @staticmethod
    def call(name: str, *cols: Column) -> Column:
        """A column computing companion function ``name`` (a key of :data:`FUNCTIONS`) of ``cols``."""
        if name not in FUNCTIONS:
            raise KeyError(f"no companion function {name!r}; known: {sorted(FUNCTIONS)}")
        return F.call_function(_PREFIX + name, *cols)


_lock = threading.Lock()
_sessions: weakref.WeakKeyDictionary[SparkSession, Optional[Companion]] = weakref.WeakKeyDictionary()
_logged: weakref.WeakKeyDictionary[SparkSession, set] = weakref.WeakKeyDictionary()


def fallback(spark: SparkSession, stage: str, reason: str) -> None:
    """Log, once per session, stage and reason, that ``stage`` takes its Python path."""
    with _lock:
        seen = _logged.setdefault(spark, set())
        if (stage, reason) in seen:
            return
        seen.add((stage, reason))
    log.info("%s: using the Python path (%s)", stage, reason)


def _enabled(spark: SparkSession) -> bool:
    return str(spark.conf.get(ENABLED_CONF, "true")).lower() != "false"


def _register(spark: SparkSession, name: str, cls: str, return_type: DataType) -> None:
    spark.udf.registerJavaFunction(_PREFIX + name, f"{_PACKAGE}.{cls}", return_type)


def _probe(spark: SparkSession) -> Tuple[Optional[Companion], str]:
    """Register the companion on ``spark`` and check it; (companion, "") or (None, why not)."""
    try:
        _register(spark, "companion_info", "CompanionInfo", StringType())
        row = spark.range(1, numPartitions=1).select(F.call_function(_PREFIX + "companion_info")).first()
        info = str(row[0]) if row is not None else ""
    except Exception as e:  # noqa: BLE001 - no jar: classic fails to load the class, Connect fails the query
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None, f"the companion jar is not on this session ({first_line[:200]})"
    found, why = check_info(info)
    if found is None:
        return None, why
    try:
        for name, (cls, return_type) in FUNCTIONS.items():
            _register(spark, name, cls, return_type())
    except Exception as e:  # noqa: BLE001 - any failure means: use the Python paths, and say why
        return None, f"registering the companion's functions failed: {str(e).strip()[:200]}"
    return found, ""


def check_info(info: str) -> Tuple[Optional[Companion], str]:
    """The companion described by the jar's ``CompanionInfo`` answer, if this library can use it; else why not."""
    fields = dict(item.split("=", 1) for item in info.split(";") if "=" in item)
    version, scala = fields.get("companion", "unknown"), fields.get("scala", "unknown")
    scala_binary = ".".join(scala.split(".")[:2])
    loaded_binary = version.rsplit("_", 1)[-1]
    if loaded_binary != scala_binary:
        return None, f"the session's companion jar was built for Scala {loaded_binary}, the session runs {scala}"
    bundled = _bundled_version(scala_binary)
    if bundled is None:
        return None, f"this installation has no companion jar for Scala {scala_binary} to compare with"
    if version != bundled:
        return None, (
            f"the session runs companion {version}, this library needs {bundled} (an older or newer "
            f"jar is on the classpath)"
        )
    icu = re.match(r"(\d+)\.(\d+)", fields.get("icuUnicode", ""))
    return Companion(version, scala, (int(icu.group(1)), int(icu.group(2))) if icu else None), ""


def companion(spark: SparkSession) -> Optional[Companion]:
    """The session's companion (registered on first use), or None: then stages use their Python paths.

    Disabled by ``spark.mmlspark_py.jvmCompanion.enabled=false``. When the jar is missing or unusable, one
    warning per session says why and how to add it.
    """
    if not _enabled(spark):
        return None
    with _lock:
        if spark in _sessions:
            return _sessions[spark]
        found, why = _probe(spark)
        _sessions[spark] = found
    if found is None:
        log.warning(
            "mmlspark-py JVM companion not used on this session: %s. PageSplitter, TextPreprocessor, "
            "UnicodeNormalize, UnrollImage and ComputePerInstanceStatistics run their Python paths. "
            "To add the bundled jar to this session: %s",
            why,
            enable_line(),
        )
    return found


def forget(spark: SparkSession) -> None:
    """Probe ``spark`` again on next use (after adding the jar to it, say)."""
    with _lock:
        _sessions.pop(spark, None)
