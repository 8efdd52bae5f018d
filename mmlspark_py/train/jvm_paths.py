"""The JVM companion's path for ComputePerInstanceStatistics (see :mod:`mmlspark_py.core.jvm_companion`).

``log_loss`` needs one probability per row. Spark's ``vector_to_array`` copies the whole vector into a new SQL
array first; the companion reads the one element from the vector, with ``try_element_at``'s exact rules.
ComputePerInstanceStatistics guards both paths alike before the call (a null or >= 1 index, never a null
vector: see its ``_true_index`` and ``_transform``), so neither path can fail a job or count from the end.
"""

from __future__ import annotations

from typing import Optional

from pyspark.sql import Column, DataFrame

from mmlspark_py.core import jvm_companion


def vector_at(df: DataFrame, vector: Column, index: Column) -> Optional[Column]:
    """``try_element_at(vector_to_array(vector), index)`` (1-based ``index``), or None without a companion."""
    jvm = jvm_companion.companion(df.sparkSession)
    if jvm is None:
        return None
    return jvm.call("vector_at", vector, index)
