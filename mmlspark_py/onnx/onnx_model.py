"""``ONNXModel``: an ONNX model as a Spark Transformer, on CPU or the task's GPU (``synapse.ml.onnx.ONNXModel``).

Columns in: one per model input, named by ``feedDict`` (model input -> column): numeric scalars, arrays nested to
the input's rank (flat arrays when its dimensions are fixed) or ML vectors; dynamic dimensions are fine (rows of
different shapes run as separate batches). Columns out: one per ``fetchDict`` entry (column -> model output or
*any intermediate node*: the model is then sliced at those nodes, once, in the driver), arrays nested to the
output's rank with its element type (scalars for ``[batch]`` outputs); ``softMaxDict`` (fetched column -> new
column) adds the softmax of a fetched 1-d output as an ML vector, ``argMaxDict`` its argmax as a double.

Execution: Arrow batches of ``miniBatchSize`` rows (core.batching); the model is broadcast once and each Python
worker keeps one onnxruntime session (core.model_cache via :func:`mmlspark_py.onnx.runtime.get_session`), with
``spark.task.cpus`` threads. ``deviceType``: ``CPU``, ``CUDA`` (the GPU Spark assigned to the task; an error
when onnxruntime has no CUDA) or ``auto`` (CUDA when available, else CPU with a warning).

Bad input: a model that does not parse, a feedDict that misses an input or names a column of the wrong type
fail in the driver naming the input and its expected shape and type. A null feed gives null outputs. A row of
the wrong shape (or ragged, or with null elements) fails the task naming the row's problem, unless ``errorCol``
is set: then its outputs are null and ``errorCol`` says why (null for good rows), and the job goes on.

Example::

    model = (ONNXModel().setModelLocation("efficientnet_lite0.onnx")
             .setFeedDict({"image": "tensor"}).setFetchDict({"logits": "logits"})
             .setSoftMaxDict({"logits": "probability"}).setArgMaxDict({"logits": "prediction"}))
    model.getModelInputs()        # {'image': TensorInfo(name='image', shape=('n', 3, 224, 224), ...)}
    scored = model.transform(df)  # + logits array<float>, probability vector, prediction double
    model.write().overwrite().save("/tmp/m"); ONNXModel.load("/tmp/m")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pyarrow as pa
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.param import Param, Params
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.pandas.types import to_arrow_type
from pyspark.sql.types import ArrayType, DataType, DoubleType, NumericType, StringType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.model_cache import SharedPayload, get_or_create
from mmlspark_py.core.params import BytesParam, HasErrorCol, HasMiniBatchSize, to_dict_string, to_one_of
from mmlspark_py.core.stage import SchemaError, Transformer, add_fields
from mmlspark_py.onnx.graph import PreparedModel, load_model, node_outputs, prepare_model
from mmlspark_py.onnx.runtime import DEVICE_TYPES, TensorInfo, get_session
from mmlspark_py.onnx.tensors import (RowTensors, assemble, dense_vectors, read_column, resolve_feeds,
                                      shape_text, spark_type, to_arrow)

__all__ = ["ONNXModel", "ONNXModelError"]

OPTIMIZATION_LEVELS = {"NO_OPT": "disable", "BASIC_OPT": "basic", "EXTENDED_OPT": "extended", "ALL_OPT": "all"}


class ONNXModelError(RuntimeError):
    """A row an ONNXModel could not score, raised in the task when no ``errorCol`` is set."""


def read_model_file(path: str) -> bytes:
    """The bytes of the file at ``path`` (any Hadoop path), read through Spark's binaryFile source."""
    spark = SparkSession.getActiveSession()
    if spark is None:
        with open(path, "rb") as f:
            return f.read()
    try:
        rows = spark.read.format("binaryFile").load(path).select("content").take(2)
    except Exception as e:  # noqa: BLE001 - Spark's AnalysisException for a missing path
        raise FileNotFoundError(f"modelLocation: cannot read {path!r}: {str(e).splitlines()[0]}") from e
    if len(rows) != 1:
        raise FileNotFoundError(f"modelLocation: {path!r} must name exactly one file, found {len(rows)}")
    return bytes(rows[0]["content"])


def shared_payload(spark: SparkSession, prepared: PreparedModel) -> SharedPayload:
    """The broadcast of ``prepared``'s bytes for this SparkContext, created once per driver process."""
    app = spark.sparkContext.applicationId
    return get_or_create(("onnx-broadcast", app, prepared.key), lambda: SharedPayload(spark, prepared.data))


def task_cpus(spark: SparkSession) -> int:
    """Cores Spark gives each task (``spark.task.cpus``): the threads a model may use per task."""
    return int(spark.conf.get("spark.task.cpus", "1"))


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class OnnxRunner:
    """Runs the broadcast model on numpy feeds in a Python worker (one cached session per process)."""

    payload: SharedPayload
    device_type: str
    optimization_level: str
    threads: int

    def load(self):
        return get_session(self.payload, self.device_type, self.optimization_level, self.threads)

    def run(self, names: List[str], feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
        return self.load().run(names, feeds)


@dataclass(frozen=True)
class ScoringPlan:
    """What a Python worker needs to score Arrow batches: plain values only (no stage, no JVM objects).

    ``runner.load()`` loads the model (cached per process; its errors, e.g. a missing GPU, fail the task) and
    ``runner.run(output names, feeds) -> arrays`` runs it (ONNX here; TFModel brings its own runner).
    """

    runner: Any
    feeds: Tuple[Tuple[str, str, DataType, TensorInfo], ...]  # (model input, column, column type, input info)
    fetches: Tuple[Tuple[str, str, DataType], ...]            # (column, model output, Spark type or VectorUDT)
    softmax: Tuple[Tuple[str, str], ...]                       # (fetched column, new column)
    argmax: Tuple[Tuple[str, str], ...]
    error_col: Optional[str]
    out_schema: StructType

    def _read(self, batch: pa.RecordBatch) -> Tuple[List[RowTensors], np.ndarray, np.ndarray]:
        tensors = [read_column(batch.column(i), dtype, info) for i, (_, _, dtype, info) in enumerate(self.feeds)]
        nulls = np.logical_or.reduce([t.nulls for t in tensors])
        errors = np.full(batch.num_rows, None, dtype=object)
        for t, (_, column, _, _) in zip(tensors, self.feeds):
            for row in np.nonzero(np.not_equal(t.errors, None) & np.equal(errors, None) & ~nulls)[0]:
                shape = shape_text(t.shapes[row])
                errors[row] = f"column {column!r}: {t.errors[row]}; this row's shape is {shape}"
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
            part = {k: v[start:start + step] for k, v in feeds.items()}
            short = step - len(next(iter(part.values())))
            part = {k: np.concatenate([v, np.repeat(v[-1:], short, axis=0)]) if short else v for k, v in part.items()}
            chunks.append([out[:step - short] for out in self.runner.run(names, part)])
        return {name: np.concatenate([c[i] for c in chunks]) for i, name in enumerate(names)}

    def _columns(self, outputs: Dict[str, np.ndarray]) -> Dict[str, pa.Array]:
        by_column = {column: (outputs[output], dtype) for column, output, dtype in self.fetches}
        columns = {column: dense_vectors(values.reshape(len(values), -1)) if isinstance(dtype, VectorUDT)
                   else to_arrow(values, dtype) for column, (values, dtype) in by_column.items()}
        for source, target in self.softmax:
            columns[target] = dense_vectors(_softmax(by_column[source][0].astype(np.float64)))
        for source, target in self.argmax:
            columns[target] = pa.array(np.argmax(by_column[source][0], axis=-1).astype(np.float64))
        return columns

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        n = batch.num_rows
        tensors, nulls, errors = self._read(batch)
        good = np.nonzero(~nulls & np.equal(errors, None))[0]
        if self.error_col is None and len(good) + nulls.sum() < n:
            bad = int(np.nonzero(np.not_equal(errors, None))[0][0])
            raise ONNXModelError(f"ONNXModel: row {bad} of a batch cannot be scored: {errors[bad]} (set errorCol "
                                 "to get null outputs and the reason instead)")
        parts: Dict[str, List[Tuple[np.ndarray, pa.Array]]] = {f.name: [] for f in self.out_schema}
        if len(good):
            self.runner.load()
            keys = np.concatenate([t.shapes[good] for t in tensors], axis=1)
            uniques, inverse = np.unique(keys, axis=0, return_inverse=True)
            for g, key in enumerate(uniques):
                rows = good[inverse.reshape(-1) == g]
                self._score_group(tensors, rows, key, parts, errors)
        if self.error_col is not None:
            parts[self.error_col] = [(np.arange(n), pa.array(errors.tolist(), pa.string()))]
        arrays = [assemble(parts[f.name], n, to_arrow_type(f.dataType)) for f in self.out_schema]
        return pa.RecordBatch.from_arrays(arrays, names=self.out_schema.names)

    def _score_group(self, tensors: List[RowTensors], rows: np.ndarray, key: np.ndarray,
                     parts: Dict[str, List], errors: np.ndarray) -> None:
        feeds, start = {}, 0
        for t, (name, _, _, info) in zip(tensors, self.feeds):
            shape = tuple(int(d) for d in key[start:start + t.shapes.shape[1]])
            start += t.shapes.shape[1]
            feeds[name] = t.gather(rows, shape).astype(info.dtype, copy=False)
        try:
            columns = self._columns(self._run(feeds))
        except Exception as e:  # noqa: BLE001 - onnxruntime's failure on these rows (e.g. a dynamic shape)
            if self.error_col is None:
                raise
            errors[rows] = f"onnxruntime failed on this row's batch: {str(e).splitlines()[0]}"
            return
        for column, values in columns.items():
            parts[column].append((rows, values))


class ONNXModel(Transformer, HasMiniBatchSize, HasErrorCol):
    """Runs an ONNX model on DataFrame columns (see the module docstring for columns, devices and errors).

    :param modelPayload: the ONNX model's bytes (``setModelLocation(path)`` reads them from any Hadoop path).
    :param feedDict: model input name -> input column.
    :param fetchDict: output column -> model output or intermediate node name.
    :param softMaxDict: fetched column -> column receiving its softmax (ML vector).
    :param argMaxDict: fetched column -> column receiving its argmax (double).
    :param deviceType: ``CPU``, ``CUDA`` or ``auto``.
    :param optimizationLevel: ``NO_OPT``, ``BASIC_OPT``, ``EXTENDED_OPT`` or ``ALL_OPT``.
    :param miniBatchSize: rows per onnxruntime call.
    :param errorCol: optional column receiving why a row's outputs are null.
    """

    modelPayload = BytesParam(Params._dummy(), "modelPayload", "the serialized ONNX model (bytes)")
    feedDict = Param(Params._dummy(), "feedDict", "map from model input names to input column names",
                     typeConverter=to_dict_string)
    fetchDict = Param(Params._dummy(), "fetchDict", "map from output column names to model output (or "
                      "intermediate node) names", typeConverter=to_dict_string)
    softMaxDict = Param(Params._dummy(), "softMaxDict", "map from a fetched column to a new column holding its "
                        "softmax (ML vector)", typeConverter=to_dict_string)
    argMaxDict = Param(Params._dummy(), "argMaxDict", "map from a fetched column to a new column holding its "
                       "argmax (double)", typeConverter=to_dict_string)
    deviceType = Param(Params._dummy(), "deviceType", "device the model runs on: CPU, CUDA (the GPU Spark "
                       "assigned to the task) or auto (CUDA when onnxruntime offers it, else CPU)",
                       typeConverter=to_one_of(DEVICE_TYPES, case_insensitive=True))
    optimizationLevel = Param(Params._dummy(), "optimizationLevel", "onnxruntime graph optimization level: "
                              "NO_OPT, BASIC_OPT, EXTENDED_OPT or ALL_OPT",
                              typeConverter=to_one_of(OPTIMIZATION_LEVELS, case_insensitive=True))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._setDefault(softMaxDict={}, argMaxDict={}, deviceType="auto", optimizationLevel="ALL_OPT",
                         miniBatchSize=64)
        self.setParams(**kwargs)

    # ------------------------------------------------------------------------------------------- the model
    def setModelLocation(self, path: str) -> "ONNXModel":
        """Loads the model from ``path`` (any Hadoop path) into ``modelPayload``; returns this stage."""
        data = read_model_file(path)
        load_model(data)  # fail here, naming the file, rather than at transform time
        return self._set(modelPayload=data)

    def _model_bytes(self) -> bytes:
        if not self.isDefined("modelPayload"):
            raise SchemaError("ONNXModel: no model; call setModelLocation(path) or setModelPayload(bytes)")
        return self.getModelPayload()

    def getModelInputs(self) -> Dict[str, TensorInfo]:
        """The model's inputs: name -> :class:`TensorInfo` (shape with None/names for dynamic dims, type)."""
        return {i.name: i for i in prepare_model(self._model_bytes()).inputs}

    def getModelOutputs(self) -> Dict[str, TensorInfo]:
        """The model's outputs: name -> :class:`TensorInfo`."""
        return {o.name: o for o in prepare_model(self._model_bytes()).outputs}

    def getModelNodes(self) -> List[str]:
        """Every intermediate value name ``fetchDict`` may fetch, in graph order."""
        return node_outputs(load_model(self._model_bytes()))

    # ------------------------------------------------------------------------------------------ the schema
    def _prepared(self) -> PreparedModel:
        if not self.isDefined("fetchDict") or not self.getFetchDict():
            outputs = list(self.getModelOutputs())
            raise SchemaError(f"ONNXModel: set fetchDict (output column -> model output); outputs are {outputs}")
        return prepare_model(self._model_bytes(), list(self.getFetchDict().values()))

    def _feeds(self, schema: StructType, prepared: PreparedModel) -> List[Tuple[str, str, DataType, TensorInfo]]:
        feed = self.getFeedDict() if self.isDefined("feedDict") else {}
        all_inputs = self.getModelInputs()
        unknown = sorted(set(feed) - set(all_inputs))
        if unknown:
            raise SchemaError(f"feedDict names {unknown}, which are not model inputs; inputs are "
                              f"{[i.describe() for i in all_inputs.values()]}")
        return resolve_feeds(schema, feed, prepared.inputs)

    def _fetches(self, prepared: PreparedModel) -> List[Tuple[str, str, DataType]]:
        return [(column, output, spark_type(prepared.output(output)))
                for column, output in self.getFetchDict().items()]

    def _derived_fields(self, fetches: List[Tuple[str, str, DataType]]) -> List[StructField]:
        types = {column: dtype for column, _, dtype in fetches}
        fields = []
        for param, dtype in (("softMaxDict", VectorUDT()), ("argMaxDict", DoubleType())):
            for source, target in self.getOrDefault(param).items():
                source_type = types.get(source)
                if not (isinstance(source_type, ArrayType) and isinstance(source_type.elementType, NumericType)):
                    raise SchemaError(f"{param}: {source!r} must be a fetchDict column holding a 1-d numeric "
                                      f"array; fetched columns are {types}")
                fields.append(StructField(target, dtype, True))
        return fields

    def _output_schema(self, schema: StructType) -> Tuple[StructType, List, List]:
        prepared = self._prepared()
        feeds = self._feeds(schema, prepared)
        fetches = self._fetches(prepared)
        fields = [StructField(column, dtype, True) for column, _, dtype in fetches] + self._derived_fields(fetches)
        if self.isDefined("errorCol"):
            fields.append(StructField(self.getErrorCol(), StringType(), True))
        return StructType(fields), feeds, fetches

    def transformSchema(self, schema: StructType) -> StructType:
        out, _, _ = self._output_schema(schema)
        return add_fields(schema, out.fields)

    # --------------------------------------------------------------------------------------------- running
    def scoring_plan(self, schema: StructType, spark: SparkSession, vector_outputs: bool = False) -> ScoringPlan:
        """The batch function scoring a DataFrame of ``schema`` (for composing this stage into a fused pass).

        :param vector_outputs: fetched outputs become ML vectors (flattened per row) instead of arrays.
        """
        out_schema, feeds, fetches = self._output_schema(schema)
        if vector_outputs:
            fetches = [(c, o, VectorUDT()) for c, o, _ in fetches]
            out_schema = StructType([StructField(f.name, VectorUDT(), True) if f.name in dict(
                (c, o) for c, o, _ in fetches) else f for f in out_schema])
        runner = OnnxRunner(shared_payload(spark, self._prepared()), self.getDeviceType(),
                            OPTIMIZATION_LEVELS[self.getOptimizationLevel()], task_cpus(spark))
        return ScoringPlan(
            runner=runner, feeds=tuple(feeds), fetches=tuple(fetches),
            softmax=tuple(self.getSoftMaxDict().items()), argmax=tuple(self.getArgMaxDict().items()),
            error_col=self.getErrorCol() if self.isDefined("errorCol") else None, out_schema=out_schema)

    def _transform(self, df: DataFrame) -> DataFrame:
        plan = self.scoring_plan(df.schema, df.sparkSession)
        return with_batched_columns(df, [column for _, column, _, _ in plan.feeds], plan, plan.out_schema,
                                    self.getMiniBatchSize())
