"""StratifiedRepartition: exact per-label counts per mode, every label in every partition."""

from __future__ import annotations

from collections import Counter

import pytest
from pyspark.sql import functions as F

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.stages import StratifiedRepartition


@pytest.fixture(scope="module")
def df(spark):
    rows = [(i, "a") for i in range(30)] + [(100 + i, "b") for i in range(6)] + [(200, "c"), (201, None)]
    return spark.createDataFrame(rows, "id int, label string").repartition(4).cache()


def _layout(out):
    return Counter((r["p"], r["label"]) for r in out.select(F.spark_partition_id().alias("p"), "label").collect())


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("equal", {"a": 30, "b": 30, "c": 30, None: 30}),
        ("original", {"a": 30, "b": 6, "c": 1, None: 1}),
        ("mixed", {"a": 30, "b": 18, "c": 16, None: 16}),
    ],
)
def test_counts_and_spread(df, mode, expected):
    out = StratifiedRepartition(labelCol="label", mode=mode, seed=1).transform(df)
    assert out.rdd.getNumPartitions() == 4
    assert Counter(r["label"] for r in out.collect()) == expected
    layout = _layout(out)
    for label, total in expected.items():  # a label with >= 4 rows is in every partition, spread evenly
        per_partition = [layout[(p, label)] for p in range(4)]
        assert max(per_partition) - min(per_partition) <= 1
        if total >= 4:
            assert min(per_partition) >= 1


def test_original_keeps_every_row_once(df):
    out = StratifiedRepartition(labelCol="label", mode="original").transform(df)
    assert sorted(r["id"] for r in out.collect()) == sorted(r["id"] for r in df.collect())


def test_equal_oversamples_all_rows_of_small_labels(df):
    out = StratifiedRepartition(labelCol="label", mode="equal", seed=9).transform(df)
    ids_b = Counter(r["id"] for r in out.where("label = 'b'").collect())
    assert set(ids_b) == set(range(100, 106)) and set(ids_b.values()) == {5}  # 30 rows = each of 6 x 5


def test_empty_and_missing_label(spark, df):
    empty = spark.createDataFrame([], "id int, label string")
    assert StratifiedRepartition(labelCol="label").transform(empty).count() == 0
    with pytest.raises(SchemaError, match="labelCol: column 'y' does not exist"):
        StratifiedRepartition(labelCol="y").transform(df)
