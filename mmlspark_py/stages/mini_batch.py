"""Mini-batching: group consecutive rows of each partition into one row of arrays, and undo it
(SynapseML's FixedMiniBatchTransformer, DynamicMiniBatchTransformer, TimeIntervalMiniBatchTransformer and
FlattenBatch).

A batching stage turns every column ``c: T`` into ``c: array<T>``; output row k of a partition holds, in each
column, the values of the k-th run of consecutive input rows of that partition (row order is kept; no
shuffle). Batches never span partitions. The three batchers differ only in where runs end:

* FixedMiniBatchTransformer: every ``batchSize`` rows (the last batch of a partition may be shorter).
* DynamicMiniBatchTransformer: SynapseML batches "whatever rows are available now". Here rows reach the batch
  function in Arrow record batches as Spark produces them (at most
  ``spark.sql.execution.arrow.maxRecordsPerBatch`` rows each); each one becomes a batch, cut to at most
  ``maxBatchSize`` rows.
* TimeIntervalMiniBatchTransformer: a batch collects rows until ``millisToWait`` milliseconds have passed since
  its first rows arrived (later rows start the next batch), or it has ``maxBatchSize`` rows. Rows arrive in
  Arrow record batches, so the time is checked as each record batch arrives (SynapseML checks per row); with
  ``millisToWait=0`` every record batch is a batch. Batch sizes depend on timing by nature.

FlattenBatch is the inverse: every array column is exploded in step (element i of each array forms output row
i), other columns are repeated; ``FlattenBatch().transform(batcher.transform(df))`` gives back ``df``'s rows in
order. A row whose arrays differ in length fails with an error naming the row's lengths; a null array gives
nulls; a row whose arrays are all null gives no rows.

The batchers run as Arrow batch functions over the stream of each partition
(:func:`mmlspark_py.core.batching.map_batch_stream`): no per-row Python; the arrays are built by slicing Arrow
columns. FlattenBatch is pure Spark SQL (``arrays_zip`` + ``inline``).

Example::

    batched = FixedMiniBatchTransformer(batchSize=64).transform(df)     # columns are now arrays
    scored = batched.withColumn(...)                                    # call a service per batch
    FlattenBatch().transform(scored)                                    # one row per input row again
"""

from __future__ import annotations

import time
from typing import Callable, Iterator, List

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DataType, StructField, StructType

from mmlspark_py.core.batching import map_batch_stream
from mmlspark_py.core.params import Params, TypeConverters, declare, to_non_negative_int, to_positive_int
from mmlspark_py.core.stage import Transformer, column

__all__ = [
    "FixedMiniBatchTransformer",
    "DynamicMiniBatchTransformer",
    "TimeIntervalMiniBatchTransformer",
    "FlattenBatch",
]

_INT_MAX = 2147483647


def _as_lists(table: pa.Table, sizes: List[int], schema: pa.Schema) -> pa.RecordBatch:
    """One row per entry of ``sizes``: row k holds, per column, the next ``sizes[k]`` values as a list."""
    offsets = pa.array([0] + list(_cumulative(sizes)), pa.int32())
    table = table.combine_chunks()
    columns = [
        pa.ListArray.from_arrays(
            offsets,
            table.column(i).chunk(0) if table.column(i).num_chunks else pa.array([], table.schema.field(i).type),
        )
        for i in range(table.num_columns)
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _cumulative(sizes: List[int]) -> Iterator[int]:
    total = 0
    for size in sizes:
        total += size
        yield total


def _cut(rows: int, limit: int) -> List[int]:
    """Sizes of consecutive batches of at most ``limit`` rows covering ``rows`` rows."""
    return [limit] * (rows // limit) + ([rows % limit] if rows % limit else [])


Planner = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.Table]]


def _take_full(pending: List[pa.RecordBatch], rows: int, size: int):
    """(the first ``size``-multiple of rows as a table, the rest as batches, the rest's row count)."""
    table = pa.Table.from_batches(pending)
    full = rows - rows % size
    return table.slice(0, full), table.slice(full).to_batches(), rows - full


def _fixed(batch_size: int) -> Planner:
    def plan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
        pending: List[pa.RecordBatch] = []
        rows = 0
        for batch in batches:
            pending.append(batch)
            rows += batch.num_rows
            if rows >= batch_size:
                full, pending, rows = _take_full(pending, rows, batch_size)
                yield full
        if rows:
            yield pa.Table.from_batches(pending)

    return plan


def _timed(millis: int, max_size: int) -> Planner:
    def plan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
        pending: List[pa.RecordBatch] = []
        rows, started = 0, 0.0
        for batch in batches:
            if not batch.num_rows:
                continue
            if rows and (time.monotonic() - started) * 1000.0 >= millis:
                yield pa.Table.from_batches(pending)  # rows arriving after the deadline start a new batch
                pending, rows = [], 0
            if not rows:
                started = time.monotonic()
            pending.append(batch)
            rows += batch.num_rows
            if rows >= max_size:
                full, pending, rows = _take_full(pending, rows, max_size)
                started = time.monotonic()
                yield full
        if rows:
            yield pa.Table.from_batches(pending)

    return plan


def _batch_partitions(df: DataFrame, planner: Planner, max_size: int, out: StructType) -> DataFrame:
    """``df`` with each planned run of rows (cut to ``max_size``) as one row of arrays."""
    from pyspark.sql.pandas.types import to_arrow_schema

    arrow_schema = to_arrow_schema(out)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for table in planner(batches):
            yield _as_lists(table, _cut(table.num_rows, max_size), arrow_schema)

    # Record batches go to the planner as Spark hands them over (slicing them would only add calls); each
    # output row is a whole batch, so output rows are not cut either.
    return map_batch_stream(df, None, run, out, _INT_MAX)


def _element_type(field: StructField) -> DataType:
    assert isinstance(field.dataType, ArrayType)
    return field.dataType.elementType


def _batched_schema(schema: StructType) -> StructType:
    return StructType([StructField(f.name, ArrayType(f.dataType, f.nullable), True) for f in schema])


class _Batcher(Transformer):
    def transformSchema(self, schema: StructType) -> StructType:
        return _batched_schema(schema)


class FixedMiniBatchTransformer(_Batcher):
    """Batches of ``batchSize`` consecutive rows of a partition.

    SynapseML prefetches batches in a thread when ``buffered``; here Spark's Arrow stream already feeds the batch
    function ahead of it, so ``buffered`` and ``maxBufferSize`` only exist for compatibility and do not change
    the output.
    """

    batchSize = declare("the number of rows per batch (> 0)", to_positive_int)
    buffered = declare(
        "whether to buffer batches in memory (compatibility; no effect on the output)",
        TypeConverters.toBoolean,
        default=False,
    )
    maxBufferSize = declare(
        "the max number of buffered batches (compatibility; no effect on the output)", to_positive_int, default=_INT_MAX
    )

    def transformSchema(self, schema: StructType) -> StructType:
        if not self.isDefined(self.batchSize):
            raise ValueError("FixedMiniBatchTransformer: param batchSize (rows per batch, > 0) is not set")
        return super().transformSchema(schema)

    def _transform(self, df: DataFrame) -> DataFrame:
        size = self.getBatchSize()
        return _batch_partitions(df, _fixed(size), size, _batched_schema(df.schema))


class _HasMaxBatchSize(Params):
    maxBatchSize = declare("the max number of rows per batch", to_positive_int, default=_INT_MAX)


class DynamicMiniBatchTransformer(_Batcher, _HasMaxBatchSize):
    """Batches of the rows that arrive together (one Arrow record batch), at most ``maxBatchSize`` each."""

    def _transform(self, df: DataFrame) -> DataFrame:
        size = self.getMaxBatchSize()
        return _batch_partitions(
            df,
            lambda batches: (pa.Table.from_batches([b]) for b in batches if b.num_rows),
            size,
            _batched_schema(df.schema),
        )


class TimeIntervalMiniBatchTransformer(_Batcher, _HasMaxBatchSize):
    """Batches of the rows that arrive within ``millisToWait`` ms, at most ``maxBatchSize`` each."""

    millisToWait = declare("the time to wait before constructing a batch (ms, >= 0)", to_non_negative_int)

    def transformSchema(self, schema: StructType) -> StructType:
        if not self.isDefined(self.millisToWait):
            raise ValueError("TimeIntervalMiniBatchTransformer: param millisToWait (ms, >= 0) is not set")
        return super().transformSchema(schema)

    def _transform(self, df: DataFrame) -> DataFrame:
        size = self.getMaxBatchSize()
        return _batch_partitions(df, _timed(self.getMillisToWait(), size), size, _batched_schema(df.schema))


class FlattenBatch(Transformer):
    """One row per array element: the inverse of the batchers (see the module docstring)."""

    def transformSchema(self, schema: StructType) -> StructType:
        return StructType(
            [
                StructField(f.name, f.dataType.elementType, True) if isinstance(f.dataType, ArrayType) else f
                for f in schema
            ]
        )

    def _transform(self, df: DataFrame) -> DataFrame:
        arrays = [f.name for f in df.schema if isinstance(f.dataType, ArrayType)]
        if not arrays:
            return df
        sizes = [F.when(column(c).isNotNull(), F.size(column(c))) for c in arrays]
        longest = F.greatest(*sizes) if len(sizes) > 1 else sizes[0]
        # A null array stands for nulls; arrays_zip pads it only if it is an array, so make it one.
        filled = [
            F.coalesce(column(c), F.array_repeat(F.lit(None).cast(_element_type(df.schema[c])), longest)).alias(c)
            for c in arrays
        ]
        zipped = F.arrays_zip(*filled)
        if len(arrays) > 1:
            lengths = F.concat_ws(", ", *[F.concat(F.lit(f"{c}="), s.cast("string")) for c, s in zip(arrays, sizes)])
            same = F.least(*sizes) == F.greatest(*sizes)
            zipped = F.when(same | same.isNull(), zipped).otherwise(
                F.raise_error(F.concat(F.lit("FlattenBatch: the array columns of a row differ in length: "), lengths))
            )
        tmp = "__flatten_batch"
        exploded = df.withColumn(tmp, F.explode(zipped))
        return exploded.select(*[F.col(tmp)[c].alias(c) if c in arrays else column(c) for c in df.columns])
