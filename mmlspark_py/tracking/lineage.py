"""Lineage of a model: what it was trained on and with, as a plain JSON dict.

``training_data_lineage(df)`` describes a DataFrame without bringing it to the driver: its schema, its source
files (first :data:`MAX_PATHS` of ``df.inputFiles()`` and their count) and a content digest, one Spark job:
the row count and the sum of a 64-bit hash (``xxhash64``) of every row, so the digest does not depend on the
row order or the partitioning, and changes when any value does.

``environment_lineage()``: library, Spark, Python and MLflow versions.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from typing import Any, Dict, List, Optional

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import MapType

MAX_PATHS = 20


def _hashable(df: DataFrame, name: str) -> Column:
    col = F.col("`" + name.replace("`", "``") + "`")
    if isinstance(df.schema[name].dataType, MapType):
        # Spark refuses to hash maps (equal maps may differ in entry order): hash the sorted entries
        return F.array_sort(F.map_entries(col))
    return col


def data_digest(df: DataFrame) -> Dict[str, Any]:
    """``{"rows", "digest"}``: row count and an order-independent sha256 of the schema and the row hashes."""
    row_hash = F.xxhash64(*[_hashable(df, c) for c in df.columns]) if df.columns else F.lit(0)
    # decimal(38,0): a sum of 64-bit hashes overflows a long (an error under ANSI mode)
    stats = df.agg(
        F.count(F.lit(1)).alias("rows"), F.coalesce(F.sum(row_hash.cast("decimal(38,0)")), F.lit(0)).alias("total")
    ).collect()[0]
    text = json.dumps(
        {"schema": df.schema.jsonValue(), "rows": stats["rows"], "sum": str(stats["total"])}, sort_keys=True
    )
    return {"rows": int(stats["rows"]), "digest": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def source_paths(df: DataFrame) -> Dict[str, Any]:
    """``{"paths": first files, "path_count": n}`` of the files ``df`` reads (empty for in-memory data)."""
    try:
        files: List[str] = list(df.inputFiles())
    except Exception:  # noqa: BLE001 - not every plan can list its files (e.g. Connect, some sources)
        files = []
    return {"paths": sorted(files)[:MAX_PATHS], "path_count": len(files)}


def training_data_lineage(df: DataFrame, path: Optional[str] = None, digest: bool = True) -> Dict[str, Any]:
    """Schema, source paths and (with ``digest``) row count and content digest of ``df``."""
    lineage: Dict[str, Any] = {"schema": df.schema.jsonValue(), **source_paths(df)}
    if path:
        lineage["path"] = path
    if digest:
        lineage.update(data_digest(df))
    return lineage


def environment_lineage() -> Dict[str, str]:
    """Versions of mmlspark-py, Spark (pyspark), Python and MLflow (when installed), and the platform."""
    import pyspark

    import mmlspark_py

    env = {
        "mmlspark_py": mmlspark_py.__version__,
        "pyspark": pyspark.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    if "mlflow" in sys.modules:
        env["mlflow"] = sys.modules["mlflow"].__version__
    return env
