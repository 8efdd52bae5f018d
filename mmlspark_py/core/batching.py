"""Arrow-batched execution of Python code over DataFrame columns: the one way Python stages run.

:func:`with_batched_columns` adds columns computed by ``fn`` on Arrow record batches of at most ``batch_rows``
rows. Only the named input columns travel to the Python worker and only the new columns travel back (Spark's
``arrow_udf``, pyspark >= 4.1; older versions fall back to ``mapInArrow``, which moves whole rows). Memory per
task is bounded by the batch: Spark hands Python Arrow batches bounded by
``spark.sql.execution.arrow.maxRecordsPerBatch``/``maxBytesPerBatch`` and they are cut further into slices of
``batch_rows`` before ``fn`` sees them.

``fn`` receives a ``pyarrow.RecordBatch`` with the input columns (named as in the DataFrame) and returns a
``pyarrow.RecordBatch`` or ``Table`` with exactly the output fields, in order, with the same number of rows.
It runs in Python workers: load models through :mod:`mmlspark_py.core.model_cache` inside it, never outside,
and let it capture plain values only (strings, numbers, specs, a SharedPayload), never the stage itself, which
may hold JVM objects that cannot be shipped.

:func:`map_batches` is for batch functions that change the row count (the image reader expanding zip files,
page splitting, explode-like stages): ``fn`` receives slices of at most ``batch_rows`` rows of the selected
columns and yields any number of record batches of the output schema; it also bounds the rows each yielded
batch holds, so a function that multiplies rows cannot build an unbounded batch.

Slices are bounded by rows (``batch_rows``) and, when ``batch_bytes`` is given, by the bytes the input columns
hold (:func:`row_nbytes`: tensors, encoded images and pixels are counted exactly), so a batch of large rows
stays small. Each slice's result goes back to Spark on its own (Spark checks only that the total row count
matches), so a task holds one slice's outputs at a time whatever ``maxRecordsPerBatch`` says.

A batch function may split its work in two: an object with ``prepare(batch) -> state`` (reading files,
decoding, resizing: work that releases the GIL) and ``finish(state) -> RecordBatch`` (running the model) is run
as a pipeline: while ``finish`` runs on one slice, one background thread prepares the next (at most one slice
ahead, so memory stays bounded). On a GPU the decode of the next batch hides behind the model's run.

Example::

    def lengths(batch):
        return pa.record_batch([pc.utf8_length(batch.column("text"))], names=["len"])
    df2 = with_batched_columns(df, ["text"], lengths, StructType([StructField("len", IntegerType())]), 1024)
"""

from __future__ import annotations

import datetime
import decimal
import uuid
import warnings
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Deque, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.column import Column
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    DateType,
    DecimalType,
    MapType,
    NumericType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

from mmlspark_py.core.spark_compat import HAS_ARROW_UDF
from mmlspark_py.core.stage import column

BatchFn = Callable[[pa.RecordBatch], Union[pa.RecordBatch, pa.Table]]

# Overridable for tests of the pre-4.1 path; production code never changes it.
USE_ARROW_UDF = HAS_ARROW_UDF


def slices(batch: pa.RecordBatch, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Zero-copy slices of ``batch`` with at most ``batch_rows`` rows each."""
    for start in range(0, batch.num_rows, batch_rows):
        yield batch.slice(start, batch_rows)


def row_nbytes(array: Union[pa.Array, pa.ChunkedArray]) -> np.ndarray:
    """The bytes each row of ``array`` holds: variable-width values (binary, strings) and nested lists and
    structs summed exactly, fixed-width values by their width; validity bitmaps are not counted."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    kind = array.type
    if (
        pa.types.is_binary(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_binary(kind)
        or pa.types.is_large_string(kind)
    ):
        width = np.int64 if pa.types.is_large_binary(kind) or pa.types.is_large_string(kind) else np.int32
        offsets = np.frombuffer(array.buffers()[1], width)[array.offset : array.offset + len(array) + 1]
        return np.diff(offsets).astype(np.int64)
    if pa.types.is_struct(kind):
        total = np.zeros(len(array), np.int64)
        for i in range(kind.num_fields):
            total += row_nbytes(array.field(i))
        return total
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        offsets = array.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
        inner = np.concatenate([[0], np.cumsum(row_nbytes(array.values))])
        return inner[offsets[1:]] - inner[offsets[:-1]]
    if pa.types.is_fixed_size_list(kind):
        inner = row_nbytes(array.flatten()).reshape(len(array), kind.list_size)
        return inner.sum(axis=1).astype(np.int64)
    bits = getattr(kind, "bit_width", 0) or 0
    return np.full(len(array), max(bits // 8, 1 if bits else 0), np.int64)


def byte_slices(batch: pa.RecordBatch, batch_rows: int, batch_bytes: Optional[int]) -> Iterator[pa.RecordBatch]:
    """Zero-copy slices of ``batch`` of at most ``batch_rows`` rows and, when ``batch_bytes`` is set, at most
    that many bytes of input (a single larger row is a slice of its own)."""
    if batch_bytes is None or batch.num_rows == 0:
        yield from slices(batch, batch_rows)
        return
    sizes = np.zeros(batch.num_rows, np.int64)
    for column_ in batch.columns:
        sizes += row_nbytes(column_)
    start, held = 0, 0
    for row, size in enumerate(sizes.tolist()):
        if row > start and (row - start >= batch_rows or held + size > batch_bytes):
            yield batch.slice(start, row - start)
            start, held = row, 0
        held += size
    yield batch.slice(start, batch.num_rows - start)


def _checked_output(result: Union[pa.RecordBatch, pa.Table], out_schema: StructType, num_rows: int) -> pa.RecordBatch:
    if isinstance(result, pa.Table):
        result = (
            result.combine_chunks().to_batches()[0]
            if result.num_rows
            else pa.RecordBatch.from_pylist([], schema=result.schema)
        )
    if result.schema.names != out_schema.names or result.num_rows != num_rows:
        raise RuntimeError(
            f"batch function returned columns {result.schema.names} with {result.num_rows} rows; "
            f"expected {out_schema.names} with {num_rows} rows"
        )
    return result


def is_pipelined(fn: Any) -> bool:
    """Whether ``fn`` splits its work into ``prepare(batch)`` and ``finish(state)`` (see the module docstring)."""
    return callable(getattr(fn, "prepare", None)) and callable(getattr(fn, "finish", None))


def _results(parts: Iterable[pa.RecordBatch], fn: Any) -> Iterator[Tuple[int, Any]]:
    """``(rows, fn's result)`` for each non-empty part, in order; pipelined functions prepare one part ahead."""
    parts = (part for part in parts if part.num_rows)
    if not is_pipelined(fn):
        for part in parts:
            yield part.num_rows, fn(part)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="mmlspark-prepare") as pool:
        pending: Deque[Tuple[int, Future]] = deque()
        for part in parts:
            pending.append((part.num_rows, pool.submit(fn.prepare, part)))
            if len(pending) > 1:
                rows, state = pending.popleft()
                yield rows, fn.finish(state.result())
        while pending:
            rows, state = pending.popleft()
            yield rows, fn.finish(state.result())


def run_batches(
    batches: Iterable[pa.RecordBatch],
    fn: BatchFn,
    out_schema: StructType,
    batch_rows: int,
    batch_bytes: Optional[int] = None,
) -> Iterator[pa.RecordBatch]:
    """``fn``'s checked output for each slice of each of ``batches`` (in a Python worker), one slice at a time."""
    parts = (part for batch in batches for part in byte_slices(batch, batch_rows, batch_bytes))
    for rows, result in _results(parts, fn):
        yield _checked_output(result, out_schema, rows)


def _run_sliced(
    batch: pa.RecordBatch, fn: BatchFn, out_schema: StructType, batch_rows: int, batch_bytes: Optional[int] = None
) -> Iterator[pa.RecordBatch]:
    yield from run_batches([batch], fn, out_schema, batch_rows, batch_bytes)


def _struct_udf(
    input_cols: Sequence[str], fn: BatchFn, out_schema: StructType, batch_rows: int, batch_bytes: Optional[int] = None
) -> Any:
    names = list(input_cols)

    def run(arrays: Iterator[Union[pa.Array, Tuple[pa.Array, ...]]]) -> Iterator[pa.Array]:
        batches = (
            pa.RecordBatch.from_arrays(list(arrs if isinstance(arrs, tuple) else (arrs,)), names=names)
            for arrs in arrays
        )
        # One output array per slice, not per input batch: Spark matches only the total row count, and a task
        # then holds one slice of results (e.g. decoded images), not a whole maxRecordsPerBatch of them.
        for out in run_batches(batches, fn, out_schema, batch_rows, batch_bytes):
            yield pa.StructArray.from_arrays(out.columns, fields=list(out.schema))

    with warnings.catch_warnings():  # pyspark prefers type hints; the explicit type is exact here
        warnings.simplefilter("ignore", UserWarning)
        udf = F.arrow_udf(run, out_schema, F.ArrowUDFType.SCALAR_ITER)  # type: ignore[attr-defined,call-overload,unused-ignore]
    # Non-deterministic stops the optimizer from copying the call into a filter pushed below the projection,
    # which would run the whole Python pass twice (e.g. ``transform(df).where(col(out).isNotNull())``).
    return udf.asNondeterministic()


def _via_arrow_udf(
    df: DataFrame,
    input_cols: Sequence[str],
    fn: BatchFn,
    out_schema: StructType,
    batch_rows: int,
    batch_bytes: Optional[int] = None,
) -> DataFrame:
    tmp = f"__mmlspark_batch_{uuid.uuid4().hex}"
    udf = _struct_udf(input_cols, fn, out_schema, batch_rows, batch_bytes)
    staged = df.withColumn(tmp, udf(*[column(c) for c in input_cols]))
    kept: List = [column(c) for c in df.columns if c not in out_schema.names]
    return staged.select(*kept, *[F.col(tmp)[f.name].alias(f.name) for f in out_schema])


def _via_map_in_arrow(
    df: DataFrame,
    input_cols: Sequence[str],
    fn: BatchFn,
    out_schema: StructType,
    batch_rows: int,
    batch_bytes: Optional[int] = None,
) -> DataFrame:
    kept = [f for f in df.schema if f.name not in out_schema.names]
    full_schema = StructType(kept + [f for f in out_schema])

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        parts = (part for batch in batches for part in byte_slices(batch, batch_rows, batch_bytes))
        pending: Deque[pa.RecordBatch] = deque()

        def selected() -> Iterator[pa.RecordBatch]:
            for part in parts:
                pending.append(part)
                yield part.select(list(input_cols))

        for out in run_batches(selected(), fn, out_schema, batch_rows):
            part = pending.popleft()
            yield pa.RecordBatch.from_arrays(
                [part.column(f.name) for f in kept] + list(out.columns), names=full_schema.names
            )

    return df.mapInArrow(run, full_schema)


def with_batched_columns(
    df: DataFrame,
    input_cols: Sequence[str],
    fn: BatchFn,
    out_schema: StructType,
    batch_rows: int,
    batch_bytes: Optional[int] = None,
) -> DataFrame:
    """``df`` plus the fields of ``out_schema`` computed by ``fn`` over Arrow batches of input columns.

    :param df: the input DataFrame; its columns are kept (a column named like an output is replaced).
    :param input_cols: the columns ``fn`` reads, in order.
    :param fn: batch function (see the module docstring; it may be pipelined); called in Python workers.
    :param out_schema: the fields ``fn`` returns; they are appended in this order and are nullable.
    :param batch_rows: the most rows ``fn`` sees at once (bounds memory per task).
    :param batch_bytes: the most bytes of input ``fn`` sees at once (None: rows alone bound a slice).
    :raises RuntimeError: in the task, when ``fn`` returns other columns or another row count.
    """
    if not input_cols:
        raise ValueError("with_batched_columns needs at least one input column")
    run = _via_arrow_udf if USE_ARROW_UDF else _via_map_in_arrow
    return run(df, input_cols, fn, out_schema, batch_rows, batch_bytes)


def with_prunable_columns(
    df: DataFrame,
    input_cols: Sequence[str],
    fn: BatchFn,
    out_schema: StructType,
    batch_rows: int,
) -> DataFrame:
    """:func:`with_batched_columns` for a pass that is often not needed: Spark leaves it out of any query that
    selects none of its outputs, on every Spark version.

    On pyspark >= 4.1 that is :func:`with_batched_columns` itself (an Arrow UDF in a projection). Older versions
    have no Arrow UDF, and ``mapInArrow`` runs for every row whatever is selected; there the pass is a pandas
    UDF in a projection instead, which costs a pandas copy of its inputs and outputs when it does run.

    :param input_cols: the columns ``fn`` reads: atomic types (strings, binary, numbers) on pyspark < 4.1.
    :param out_schema: as in :func:`with_batched_columns`; a struct field may hold atomic fields only (one
        level: Spark 3.5's pandas UDFs return no nested structs).
    :raises ValueError: on pyspark < 4.1, for an input or output type the pandas path cannot carry.
    """
    if USE_ARROW_UDF:
        return with_batched_columns(df, input_cols, fn, out_schema, batch_rows)
    return _via_pandas_udf(df, input_cols, fn, out_schema, batch_rows)


def _flat_fields(out_schema: StructType) -> List[StructField]:
    """``out_schema`` one level flatter: a struct field becomes a presence flag and its own fields."""
    flat: List[StructField] = []
    for i, f in enumerate(out_schema):
        if isinstance(f.dataType, StructType):
            flat.append(StructField(f"_{i}", BooleanType(), True))
            for j, sub in enumerate(f.dataType):
                if isinstance(sub.dataType, (StructType, ArrayType, MapType)) or (
                    not sub.nullable and _zero(sub.dataType) is None
                ):
                    raise ValueError(
                        f"the pandas path cannot return {f.name}.{sub.name} ({sub.dataType.simpleString()})"
                    )
                flat.append(StructField(f"_{i}_{j}", sub.dataType, True))
        elif isinstance(f.dataType, MapType):
            raise ValueError(f"the pandas path cannot return {f.name} ({f.dataType.simpleString()})")
        else:
            flat.append(StructField(f"_{i}", f.dataType, True))
    return flat


def _flatten(batch: Union[pa.RecordBatch, pa.Table]) -> List[pa.Array]:
    arrays: List[pa.Array] = []
    for col in batch.columns:
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if pa.types.is_struct(col.type):
            arrays.append(col.is_valid())
            arrays.extend(col.field(j) for j in range(col.type.num_fields))
        else:
            arrays.append(col)
    return arrays


def _zero(data_type: Any) -> Optional[Column]:
    """A literal of ``data_type`` (an atomic type), or None where there is none to write."""
    if isinstance(data_type, BinaryType):
        return F.lit(bytearray())
    if isinstance(data_type, StringType):
        return F.lit("")
    if isinstance(data_type, DecimalType):  # a literal of the same scale: the cast only widens, never overflows
        return F.lit(decimal.Decimal(0).scaleb(-data_type.scale)).cast(data_type)
    if isinstance(data_type, (NumericType, BooleanType)):
        return F.lit(0).cast(data_type)
    if isinstance(data_type, DateType):
        return F.lit(datetime.date(1970, 1, 1))
    if isinstance(data_type, (TimestampType, TimestampNTZType)):
        return F.lit(datetime.datetime(1970, 1, 1)).cast(data_type)
    return None


def _non_null(value: Any, data_type: Any) -> Column:
    """``value`` declared non-null: a coalesce with a literal of its type that is never taken (the value is
    there whenever its struct is)."""
    zero = _zero(data_type)
    assert zero is not None, data_type  # _flat_fields refused the type
    return F.coalesce(value, zero)


def _from_pandas(series: Any, arrow_type: pa.DataType) -> pa.Array:
    array = pa.Array.from_pandas(series, type=arrow_type)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _via_pandas_udf(
    df: DataFrame, input_cols: Sequence[str], fn: BatchFn, out_schema: StructType, batch_rows: int
) -> DataFrame:
    from pyspark.sql.pandas.types import to_arrow_type

    names = list(input_cols)
    in_types = []
    for c in names:
        t = df.schema[c].dataType
        if isinstance(t, (StructType, ArrayType, MapType)):
            raise ValueError(f"the pandas path cannot read column {c!r} ({t.simpleString()})")
        in_types.append(to_arrow_type(t))
    flat = StructType(_flat_fields(out_schema))

    def run(series: Iterator[Any]) -> Iterator[Any]:
        for cols in series:
            cols = cols if isinstance(cols, tuple) else (cols,)
            batch = pa.RecordBatch.from_arrays([_from_pandas(s, t) for s, t in zip(cols, in_types)], names=names)
            outs = [_flatten(out) for out in run_batches([batch], fn, out_schema, batch_rows)]
            if not outs:  # an empty input batch
                outs = [[pa.array([], type=to_arrow_type(f.dataType)) for f in flat]]
            table = pa.Table.from_batches([pa.RecordBatch.from_arrays(arrays, names=flat.names) for arrays in outs])
            frame = table.to_pandas(integer_object_nulls=True)
            # pandas >= 3 makes Arrow-backed string columns, which Spark's struct conversion cannot take
            yield frame.astype(
                {name: object for name, typ in zip(table.column_names, table.schema.types) if pa.types.is_string(typ)}
            )

    with warnings.catch_warnings():  # pyspark prefers type hints; the explicit type is exact here
        warnings.simplefilter("ignore", UserWarning)
        # non-deterministic for the reason _struct_udf gives
        udf = F.pandas_udf(run, flat, F.PandasUDFType.SCALAR_ITER).asNondeterministic()  # type: ignore[call-overload]
    tmp = f"__mmlspark_batch_{uuid.uuid4().hex}"
    staged = df.withColumn(tmp, udf(*[column(c) for c in names]))
    outputs = []
    for i, f in enumerate(out_schema):
        if isinstance(f.dataType, StructType):
            parts = [
                (F.col(tmp)[f"_{i}_{j}"] if sub.nullable else _non_null(F.col(tmp)[f"_{i}_{j}"], sub.dataType)).alias(
                    sub.name
                )
                for j, sub in enumerate(f.dataType)
            ]
            outputs.append(F.when(F.col(tmp)[f"_{i}"], F.struct(*parts)).alias(f.name))
        else:
            outputs.append(F.col(tmp)[f"_{i}"].alias(f.name))
    kept = [column(c) for c in df.columns if c not in out_schema.names]
    return staged.select(*kept, *outputs)


ExpandFn = Callable[[pa.RecordBatch], Iterable[Union[pa.RecordBatch, pa.Table]]]
StreamFn = Callable[[Iterator[pa.RecordBatch]], Iterable[Union[pa.RecordBatch, pa.Table]]]


def map_batch_stream(
    df: DataFrame, input_cols: Optional[Sequence[str]], fn: StreamFn, out_schema: StructType, batch_rows: int
) -> DataFrame:
    """Like :func:`map_batches`, but ``fn`` sees the whole stream of slices of one partition at once.

    For batch functions that carry state from one slice to the next and must flush it when the partition ends
    (e.g. grouping consecutive rows into fixed-size batches): ``fn(slices) -> iterable of RecordBatch/Table``,
    called once per partition with an iterator of slices of at most ``batch_rows`` rows of the selected columns.
    Outputs are checked and cut as in :func:`map_batches`.
    """
    names = list(input_cols) if input_cols is not None else None
    expected = out_schema.names

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        selected = (
            part.select(names) if names is not None else part for batch in batches for part in slices(batch, batch_rows)
        )
        for result in fn(selected):
            if result.schema.names != expected:
                raise RuntimeError(f"batch function returned columns {result.schema.names}; expected {expected}")
            for out in (
                result.to_batches(max_chunksize=batch_rows)
                if isinstance(result, pa.Table)
                else slices(result, batch_rows)
            ):
                if out.num_rows:
                    yield out

    source = df.select(*[column(c) for c in names]) if names is not None else df
    return source.mapInArrow(run, out_schema)


def map_batches(
    df: DataFrame, input_cols: Optional[Sequence[str]], fn: ExpandFn, out_schema: StructType, batch_rows: int
) -> DataFrame:
    """A DataFrame of ``out_schema`` made by ``fn`` from Arrow slices of ``df`` (any number of rows out).

    :param input_cols: the columns ``fn`` reads (None: all); only they are handed to ``fn``.
    :param fn: ``fn(batch) -> iterable of RecordBatch/Table`` with exactly ``out_schema``'s fields, in order.
    :param batch_rows: the most rows ``fn`` sees at once, and the most rows of each batch handed back
        (larger outputs are cut).
    :raises RuntimeError: in the task, when ``fn`` yields other columns.
    """

    def each(parts: Iterator[pa.RecordBatch]) -> Iterator[Union[pa.RecordBatch, pa.Table]]:
        for part in parts:
            yield from fn(part)

    return map_batch_stream(df, input_cols, each, out_schema, batch_rows)
