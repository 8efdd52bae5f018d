"""Physical plans for tests that assert on a plan's shape, the same on Spark 3.5 and 4.x, classic and Connect.

Operator names differ between versions: a scalar Arrow UDF runs as ``ArrowEvalPython`` (4.x); the
``mapInArrow`` fallback of pyspark 3.5 as ``PythonMapInArrow`` (3.5) or ``MapInArrow`` (4.x); a row-at-a-time
UDF as ``BatchEvalPython``. :func:`python_passes` counts all of them, so a test states "one Python pass"
without naming the version's operator.
"""

from __future__ import annotations

import re

from pyspark.sql import DataFrame

from mmlspark_py.core.spark_compat import is_connect

PYTHON_OPERATORS = (
    "ArrowEvalPython",
    "BatchEvalPython",
    "PythonMapInArrow",
    "MapInArrow",
    "MapInPandas",
    "FlatMapGroupsInPandas",
    "FlatMapGroupsInArrow",
)
_PYTHON = re.compile(r"\b(" + "|".join(PYTHON_OPERATORS) + r")\b")


def physical_plan(df: DataFrame) -> str:
    """The executed physical plan of ``df`` as text."""
    if is_connect(df):
        return df._explain_string(mode="simple")  # the Connect client's way to ask for it
    return df._jdf.queryExecution().executedPlan().toString()


def python_passes(df: DataFrame) -> int:
    """How many operators in ``df``'s plan run Python code (UDF evaluations and map-in-Arrow/pandas steps)."""
    return len(_PYTHON.findall(physical_plan(df)))
