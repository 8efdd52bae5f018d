"""StratifiedRepartition: resample and repartition so that every partition holds every label (SynapseML's
``StratifiedRepartition``), e.g. for learners that need each class on each worker (LightGBM multiclass).

``labelCol`` may have any type that can be grouped (null is a label of its own). ``mode`` says how many rows
each label gets, with N the number of partitions of the input:

* ``"equal"``: every label gets max(largest label count, N) rows (labels are oversampled with replacement);
* ``"original"``: every label keeps its rows as they are (no sampling, only redistribution);
* ``"mixed"`` (default): halfway between: a label of n rows gets round(n * (1 + f) / 2) rows, f being its
  ``"equal"`` sampling factor.

How: rows of each label are put in a seeded random order; a label of n rows that must give t rows takes each
row ``t // n`` times plus the first ``t % n`` rows once more (exact counts, like Spark's
``sampleByKeyExact`` with replacement, but without its randomness in the totals). The k-th row of a label
goes to partition ``k mod N``, so a label with at least N rows is in every partition and labels are spread
evenly. All of this is Spark SQL (window ranks, ``explode``, one hash ``repartition``); only the per-label row
counts reach the driver.

SynapseML's ``"original"`` mode still samples with replacement (duplicating and dropping random rows), and its
``"mixed"`` factors (count / mean equal-factor) grow the largest label most; both are corrected here.
It also needs integer labels; any groupable type works here.

Example::

    StratifiedRepartition(labelCol="label", mode="equal", seed=7).transform(df.repartition(8))
"""

from __future__ import annotations

from typing import List

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from mmlspark_py.core.params import HasLabelCol, HasSeed, declare, to_one_of
from mmlspark_py.core.spark_compat import default_parallelism, num_partitions
from mmlspark_py.core.stage import Transformer, column, require_column

__all__ = ["StratifiedRepartition", "partition_keys"]

MODES = ("equal", "original", "mixed")
_TMP = "__stratified_"


def partition_keys(spark: SparkSession, n: int) -> List[int]:
    """Keys k_0..k_{n-1} such that ``repartition(n, key)`` puts key k_p in partition p.

    Spark hash-partitions by ``pmod(murmur3(key), n)``, the same hash as the SQL function ``hash``; the
    smallest id of each residue is found by Spark itself (a small job over ids), so the mapping is exact.
    """
    found = (
        spark.range(0, 64 * n + 1024)
        .select("id", F.pmod(F.hash("id"), F.lit(n)).alias("p"))
        .groupBy("p")
        .agg(F.min("id").alias("id"))
        .collect()
    )
    keys = {r["p"]: r["id"] for r in found}
    missing = [p for p in range(n) if p not in keys]
    if missing:  # never seen: murmur3 spreads consecutive ids evenly
        raise RuntimeError(f"no hash key found for partitions {missing[:10]} of {n}")
    return [keys[p] for p in range(n)]


class StratifiedRepartition(Transformer, HasLabelCol, HasSeed):
    """Resamples per label by ``mode`` and spreads every label over all partitions (see the module docstring)."""

    mode = declare(
        "'equal' to oversample every label to the largest count, 'original' to keep the label ratios, "
        "'mixed' for halfway between",
        to_one_of(MODES),
        default="mixed",
    )

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getLabelCol(), param="labelCol")
        return schema

    def _target(self, count: Column, largest: int, partitions: int) -> Column:
        """Rows a label of ``count`` rows should give, as an expression."""
        mode = self.getMode()
        if mode == "original":
            return count
        equal = F.lit(max(largest, partitions)).cast("long")
        if mode == "equal":
            return equal
        return F.round((count + equal) / 2.0).cast("long")

    def _transform(self, df: DataFrame) -> DataFrame:
        partitions = num_partitions(df) or default_parallelism(df.sparkSession)  # Connect cannot tell the count
        label = column(self.getLabelCol())
        largest = df.groupBy(label).count().agg(F.max("count")).first()[0]  # type: ignore[index]
        if largest is None:  # no rows
            return df
        by_label = Window.partitionBy(label)
        count, rank, target, copy, index = (f"{_TMP}{n}" for n in ("count", "rank", "target", "copy", "index"))
        ranked = df.withColumn(count, F.count(F.lit(1)).over(by_label)).withColumn(
            rank, F.row_number().over(by_label.orderBy(F.rand(self.getSeed()))) - 1
        )
        ranked = ranked.withColumn(target, self._target(F.col(count), largest, partitions))
        # Copy j of the row ranked r is the label's row number r + j * count; keep those below target.
        copies = F.sequence(F.lit(0).cast("long"), F.ceil((F.col(target) - F.col(rank)) / F.col(count)) - 1)
        sampled = (
            ranked.where(F.col(rank) < F.col(target))
            .withColumn(copy, F.explode(copies))
            .withColumn(index, F.col(rank) + F.col(copy) * F.col(count))
        )
        keys = F.array(*[F.lit(k).cast("long") for k in partition_keys(df.sparkSession, partitions)])
        key = F.element_at(keys, (F.pmod(F.col(index), F.lit(partitions)) + 1).cast("int"))
        return sampled.repartition(partitions, key).select(*[column(c) for c in df.columns])
