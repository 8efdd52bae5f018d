"""Repartition, Cacher, PartitionConsolidator: partition counts, caching, rows unchanged."""

from __future__ import annotations

import pytest

from mmlspark_py.stages import Cacher, PartitionConsolidator, Repartition
from tests.stages.stage_cases import small


def _ids(df):
    return sorted(r["id"] for r in df.collect())


def test_repartition_up_and_down(spark):
    df = small(spark).repartition(4)
    assert Repartition(n=6).transform(df).rdd.getNumPartitions() == 6
    down = Repartition(n=1).transform(df)
    assert down.rdd.getNumPartitions() == 1 and _ids(down) == [1, 2, 3, 4, 5]
    assert Repartition(n=1, disable=True).transform(df).rdd.getNumPartitions() == 4
    with pytest.raises(ValueError, match="positive integer"):
        Repartition(n=0)
    with pytest.raises(ValueError, match="param n"):
        Repartition().transform(df)


def test_cacher(spark):
    df = small(spark)
    assert Cacher().transform(df).is_cached
    assert not Cacher(disable=True).transform(small(spark)).is_cached


def test_partition_consolidator_one_partition_per_executor(spark):
    df = small(spark).repartition(3)
    out = PartitionConsolidator().transform(df)
    assert out.rdd.getNumPartitions() == 1  # local mode: one executor
    assert _ids(out) == [1, 2, 3, 4, 5]
