"""Scoring Arrow batches with a model: the one path ONNXModel, ImageFeaturizer, TFModel, SentenceEmbedder and
EntityExtractor share.

A :class:`ScoringPlan` holds plain values only (no stage, no JVM objects), so it can be shipped to Python
workers: a *runner* (``runner.load()`` loads the model once per worker through :mod:`.model_cache`,
``runner.run(output names, feeds) -> arrays`` runs it; ONNX: :class:`mmlspark_py.core.onnx_sessions.OnnxRunner`,
TensorFlow: ``TFRunner``), the feeds (model input <- column, read by :func:`mmlspark_py.core.tensors.read_column`),
the fetches (column <- model output) and the derived softmax/argmax columns. Rows of one shape are scored
together; bad rows get null outputs and a reason in the error column, or fail the task naming the row when no
error column is set (:mod:`.error_column`).

Devices: :func:`task_gpu_id` is the GPU Spark assigned to the running task; :func:`task_cpus` the cores per task
(the threads a model may use).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pyarrow as pa
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import SparkSession
from pyspark.sql.pandas.types import to_arrow_type
from pyspark.sql.types import DataType, MapType, StructType

from mmlspark_py.core.error_column import RowError, RowErrors
from mmlspark_py.core.tensors import (
    RowTensors,
    TensorInfo,
    assemble,
    dense_vectors,
    is_none,
    map_argmax,
    map_column,
    map_matrix,
    read_column,
    shape_text,
    to_arrow,
)

__all__ = ["ScoringPlan", "ScoringError", "task_gpu_id", "task_cpus", "DEVICE_TYPES"]

DEVICE_TYPES = ("CPU", "CUDA", "auto")


class ScoringError(RowError):
    """A row a model-running stage could not score, raised in the task when no ``errorCol`` is set."""


def task_gpu_id() -> int:
    """The GPU Spark assigned to the running task (its first address), or 0 outside a task / without GPUs."""
    from pyspark import TaskContext

    ctx = TaskContext.get()
    if ctx is None:
        return 0
    gpu = ctx.resources().get("gpu")
    if gpu is None or not gpu.addresses:
        return 0
    return int(gpu.addresses[0])


def task_cpus(spark: SparkSession) -> int:
    """Cores Spark gives each task (``spark.task.cpus``): the threads a model may use per task."""
    return int(spark.conf.get("spark.task.cpus", "1") or "1")


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _joined(chunks: List[Any]) -> Any:
    """Outputs of consecutive chunks of rows, joined: arrays concatenated, lists (sequence outputs) chained."""
    if all(isinstance(c, np.ndarray) for c in chunks):
        return np.concatenate(chunks)
    return [item for chunk in chunks for item in chunk]


def _output_column(values: Any, dtype: DataType) -> pa.Array:
    """A fetched output (an array, or a list of maps for a ZipMap output) as the Arrow column of ``dtype``."""
    if isinstance(dtype, MapType):
        return map_column(values, dtype)
    if isinstance(dtype, VectorUDT):
        return dense_vectors(values.reshape(len(values), -1))
    return to_arrow(values, dtype)


@dataclass(frozen=True)
class ScoringPlan:
    """What a Python worker needs to score Arrow batches: plain values only (no stage, no JVM objects).

    ``runner.load()`` loads the model (cached per process; its errors, e.g. a missing GPU, fail the task) and
    ``runner.run(output names, feeds) -> arrays`` runs it (ONNX here; TFModel brings its own runner).
    """

    runner: Any
    feeds: Tuple[Tuple[str, str, DataType, TensorInfo], ...]  # (model input, column, column type, input info)
    fetches: Tuple[Tuple[str, str, DataType], ...]  # (column, model output, Spark type or VectorUDT)
    softmax: Tuple[Tuple[str, str], ...]  # (fetched column, new column)
    argmax: Tuple[Tuple[str, str], ...]
    error_col: Optional[str]
    out_schema: StructType
    stage: str = "ONNXModel"  # named in errors

    def _read(self, batch: pa.RecordBatch) -> Tuple[List[RowTensors], np.ndarray, RowErrors]:
        tensors = [read_column(batch.column(i), dtype, info) for i, (_, _, dtype, info) in enumerate(self.feeds)]
        nulls = np.logical_or.reduce([t.nulls for t in tensors])
        errors = RowErrors(batch.num_rows, self.error_col, self.stage, self.feeds[0][1], ScoringError)
        for t, (_, column, _, _) in zip(tensors, self.feeds):
            for row in np.nonzero(~is_none(t.errors) & ~errors.failed() & ~nulls)[0]:
                shape = shape_text(t.shapes[row])
                errors.column = column
                errors.add(int(row), f"column {column!r}: {t.errors[row]}; this row's shape is {shape}")
        return tensors, nulls, errors

    def _run(self, feeds: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        names = [output for _, output, _ in self.fetches]
        batch_dims = {info.shape[0] for _, _, _, info in self.feeds if isinstance(info.shape[0], int)}
        rows = len(next(iter(feeds.values())))
        if not batch_dims:
            return dict(zip(names, self.runner.run(names, feeds)))
        step = batch_dims.pop()  # a model exported with a fixed batch size: run in chunks of it, padding the last
        chunks = []
        for start in range(0, rows, step):
            part = {k: v[start : start + step] for k, v in feeds.items()}
            short = step - len(next(iter(part.values())))
            part = {k: np.concatenate([v, np.repeat(v[-1:], short, axis=0)]) if short else v for k, v in part.items()}
            chunks.append([out[: step - short] for out in self.runner.run(names, part)])
        return {name: _joined([c[i] for c in chunks]) for i, name in enumerate(names)}

    def _columns(self, outputs: Dict[str, Any]) -> Dict[str, pa.Array]:
        by_column = {column: (outputs[output], dtype) for column, output, dtype in self.fetches}
        columns = {column: _output_column(values, dtype) for column, (values, dtype) in by_column.items()}
        for source, target in self.softmax:
            values, dtype = by_column[source]
            scores = map_matrix(values) if isinstance(dtype, MapType) else values.astype(np.float64)
            columns[target] = dense_vectors(_softmax(scores))
        for source, target in self.argmax:
            values, dtype = by_column[source]
            columns[target] = pa.array(
                map_argmax(values) if isinstance(dtype, MapType) else np.argmax(values, axis=-1).astype(np.float64)
            )
        return columns

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        n = batch.num_rows
        tensors, nulls, errors = self._read(batch)
        good = np.nonzero(~nulls & ~errors.failed())[0]
        parts: Dict[str, List[Tuple[np.ndarray, pa.Array]]] = {f.name: [] for f in self.out_schema}
        if len(good):
            self.runner.load()
            keys = np.concatenate([t.shapes[good] for t in tensors], axis=1)
            uniques, inverse = np.unique(keys, axis=0, return_inverse=True)
            for g, key in enumerate(uniques):
                rows = good[inverse.reshape(-1) == g]
                self._score_group(tensors, rows, key, parts, errors)
        if self.error_col is not None:
            parts[self.error_col] = [(np.arange(n), errors.to_arrow())]
        arrays = [assemble(parts[f.name], n, to_arrow_type(f.dataType)) for f in self.out_schema]
        return pa.RecordBatch.from_arrays(arrays, names=self.out_schema.names)

    def _score_group(
        self, tensors: List[RowTensors], rows: np.ndarray, key: np.ndarray, parts: Dict[str, List], errors: RowErrors
    ) -> None:
        feeds, start = {}, 0
        for t, (name, _, _, info) in zip(tensors, self.feeds):
            shape = tuple(int(d) for d in key[start : start + t.shapes.shape[1]])
            start += t.shapes.shape[1]
            feeds[name] = t.gather(rows, shape).astype(info.dtype, copy=False)
        try:
            columns = self._columns(self._run(feeds))
        except Exception as e:
            if self.error_col is None:
                raise
            mask = np.zeros(len(errors.reasons), dtype=bool)
            mask[rows] = True
            errors.mark(mask, f"the model failed on this row's batch: {str(e).splitlines()[0]}")
            return
        for column, values in columns.items():
            parts[column].append((rows, values))
