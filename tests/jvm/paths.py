"""Running a stage both ways (JVM companion, Python path) on the same data, for the differential tests."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator, List, Tuple

from pyspark.sql import DataFrame, SparkSession

from mmlspark_py.core import jvm_companion


@contextlib.contextmanager
def python_path(spark: SparkSession) -> Iterator[None]:
    """Within the block every stage takes its Python path (the companion is switched off by conf)."""
    spark.conf.set(jvm_companion.ENABLED_CONF, "false")
    try:
        yield
    finally:
        spark.conf.unset(jvm_companion.ENABLED_CONF)


def plan_of(df: DataFrame) -> str:
    # the analyzed plan: the optimizer may already have evaluated a projection over local data
    return df._jdf.queryExecution().analyzed().toString()


def uses(df: DataFrame, function: str) -> bool:
    """Whether ``df``'s plan calls companion function ``function``."""
    return f"mmlspark_py_{function}" in plan_of(df)


def both_ways(
    spark: SparkSession, transform: Callable[[], DataFrame], function: str, order_by: str = "id"
) -> Tuple[List, List]:
    """Rows of ``transform()`` on the companion path (checked to call ``function``) and on the Python path."""
    on_jvm = transform()
    assert uses(on_jvm, function), f"the companion path did not call {function}:\n{plan_of(on_jvm)}"
    with python_path(spark):
        on_python = transform()
        assert not uses(on_python, function)
        python_rows = on_python.orderBy(order_by).collect()
    return on_jvm.orderBy(order_by).collect(), python_rows
