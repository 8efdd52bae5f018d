"""Mini-batch transformers and FlattenBatch: batch boundaries per partition, flatten(batch(df)) == df."""

from __future__ import annotations

import pytest

from mmlspark_py.stages import (
    DynamicMiniBatchTransformer,
    FixedMiniBatchTransformer,
    FlattenBatch,
    TimeIntervalMiniBatchTransformer,
)


@pytest.fixture(scope="module")
def df(spark):
    rows = [(i, float(i) / 3 if i % 4 else float("nan"), None if i % 5 == 0 else f"s{i}", [i, None]) for i in range(23)]
    return spark.createDataFrame(rows, "id int, x double, s string, a array<int>").repartition(3).cache()


def _partition_rows(df):
    """[[ids of partition 0 in order], [...], ...]."""
    return df.rdd.glom().map(lambda rows: [r["id"] for r in rows]).collect()


def _batch_ids(batched):
    return batched.rdd.glom().map(lambda rows: [list(r["id"]) for r in rows]).collect()


def _same_rows(a, b):
    return [tuple(map(repr, r)) for r in a.collect()] == [tuple(map(repr, r)) for r in b.collect()]


def test_fixed_batches_follow_partition_order(df):
    batched = FixedMiniBatchTransformer(batchSize=3).transform(df)
    for ids, batches in zip(_partition_rows(df), _batch_ids(batched)):
        assert batches == [ids[i : i + 3] for i in range(0, len(ids), 3)]


@pytest.mark.parametrize(
    "batcher",
    [
        FixedMiniBatchTransformer(batchSize=4),
        DynamicMiniBatchTransformer(maxBatchSize=5),
        TimeIntervalMiniBatchTransformer(millisToWait=600000, maxBatchSize=3),
        TimeIntervalMiniBatchTransformer(millisToWait=0),
    ],
)
def test_flatten_undoes_every_batcher(df, batcher):
    batched = batcher.transform(df)
    assert all(
        len(ids) <= (batcher.getOrDefault("batchSize") if batcher.hasParam("batchSize") else batcher.getMaxBatchSize())
        for part in _batch_ids(batched)
        for ids in part
    )
    assert _same_rows(FlattenBatch().transform(batched), df)


def test_dynamic_and_time_batches_follow_arrow_batches(spark, df):
    # The test session's Arrow batches hold up to 1000 rows: one batch per partition, cut by maxBatchSize.
    for batcher in (DynamicMiniBatchTransformer(), TimeIntervalMiniBatchTransformer(millisToWait=0)):
        assert _batch_ids(batcher.transform(df)) == [[ids] for ids in _partition_rows(df)]


def test_empty_dataframe(spark):
    empty = spark.createDataFrame([], "id int")
    assert FixedMiniBatchTransformer(batchSize=2).transform(empty).count() == 0
    assert FlattenBatch().transform(FixedMiniBatchTransformer(batchSize=2).transform(empty)).count() == 0


def test_flatten_nulls_scalars_and_length_mismatch(spark):
    df = spark.createDataFrame(
        [([1, 2], None, "k"), (None, None, "all-null"), ([3], ["z"], None)], "a array<int>, b array<string>, c string"
    )
    out = FlattenBatch().transform(df.where("c is null or c = 'k'"))
    assert [tuple(r) for r in out.collect()] == [(1, None, "k"), (2, None, "k"), (3, "z", None)]
    assert FlattenBatch().transform(df.where("c = 'all-null'")).count() == 0
    bad = spark.createDataFrame([([1, 2], ["z"])], "a array<int>, b array<string>")
    with pytest.raises(Exception, match="differ in length: a=2, b=1"):
        FlattenBatch().transform(bad).collect()


def test_param_errors(df):
    with pytest.raises(ValueError, match="param batchSize"):
        FixedMiniBatchTransformer().transform(df)
    with pytest.raises(ValueError, match="param millisToWait"):
        TimeIntervalMiniBatchTransformer().transform(df)
    with pytest.raises(ValueError, match="positive integer"):
        FixedMiniBatchTransformer(batchSize=0)
