"""Stages that change how a DataFrame is partitioned or stored, not its rows: Repartition, Cacher and
PartitionConsolidator (SynapseML's ``stages``). Each is one call on Spark's DataFrame API.

Example::

    Pipeline(stages=[Repartition(n=64), Cacher(), featurizer]).fit(df)
    PartitionConsolidator().transform(df)    # one partition per executor, e.g. before a rate-limited service
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from mmlspark_py.core import spark_compat
from mmlspark_py.core.params import HasInputCol, HasOutputCol, Params, TypeConverters, declare, to_positive_int
from mmlspark_py.core.stage import Transformer

__all__ = ["Repartition", "Cacher", "PartitionConsolidator", "executor_count"]


class _HasDisable(Params):
    disable = declare(
        "whether to pass the DataFrame through unchanged (so that the stage can be turned off, e.g. for evaluation)",
        TypeConverters.toBoolean,
        default=False,
    )


class Repartition(Transformer, _HasDisable):
    """Splits the DataFrame into ``n`` partitions: ``coalesce(n)`` (no shuffle) when that is fewer than it has,
    otherwise ``repartition(n)`` (a round-robin shuffle), as SynapseML does.

    Columns and rows are unchanged; only their partitioning (and so row order) changes.
    """

    n = declare("number of partitions (> 0)", to_positive_int)

    def transformSchema(self, schema: StructType) -> StructType:
        if not self.isDefined(self.n):
            raise ValueError("Repartition: param n (the number of partitions, > 0) is not set")
        return schema

    def _transform(self, df: DataFrame) -> DataFrame:
        if self.getDisable():
            return df
        n = self.getN()
        current = spark_compat.num_partitions(df)  # unknown on Connect: a shuffle gives exactly n
        return df.coalesce(n) if current is not None and n < current else df.repartition(n)


class Cacher(Transformer, _HasDisable):
    """Caches the DataFrame (``DataFrame.cache()``: memory, spilling to disk) so later stages reuse it."""

    def transformSchema(self, schema: StructType) -> StructType:
        return schema

    def _transform(self, df: DataFrame) -> DataFrame:
        return df if self.getDisable() else df.cache()


def executor_count(spark: SparkSession) -> int:
    """The number of executors now registered (1 in local mode, where the driver is the executor)."""
    return spark_compat.executor_count(spark)


class PartitionConsolidator(Transformer, HasInputCol, HasOutputCol):
    """Moves all rows of each executor into one partition, so one task per executor consumes them.

    Used before stages that must not run concurrently on one machine (e.g. calls to a rate-limited service).
    SynapseML funnels the partitions of an executor through one running task with a shared in-JVM queue; here
    the same effect comes from ``coalesce(<number of executors>)``, which merges partitions without a shuffle
    and groups them by the executor that holds them. Rows and columns are unchanged.

    ``inputCol``, ``outputCol``, ``concurrency``, ``timeout`` and ``concurrentTimeout`` are accepted so SynapseML
    code moves by changing its imports; as in SynapseML they do not change what this stage does.
    """

    concurrency = declare(
        "max number of concurrent calls (kept for SynapseML compatibility; not used by this stage)",
        to_positive_int,
        default=1,
    )
    timeout = declare(
        "number of seconds to wait before closing the connection (kept for SynapseML compatibility; "
        "not used by this stage)",
        TypeConverters.toFloat,
        default=60.0,
    )
    concurrentTimeout = declare(
        "max number of seconds to wait on futures if concurrency >= 1 (kept for SynapseML "
        "compatibility; not used by this stage)",
        TypeConverters.toFloat,
    )

    def transformSchema(self, schema: StructType) -> StructType:
        return schema

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.coalesce(executor_count(df.sparkSession))
