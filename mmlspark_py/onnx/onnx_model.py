"""``ONNXModel``: an ONNX model as a Spark Transformer, on CPU or the task's GPU (``synapse.ml.onnx.ONNXModel``).

Columns in: one per model input, named by ``feedDict`` (model input -> column): numeric scalars, arrays nested to
the input's rank (flat arrays when its dimensions are fixed), ML vectors, or raw tensors (``binary``: each row's
values in the input's element type, native byte order, C order; for inputs whose dimensions after the batch are
fixed, or 1-d inputs; :func:`mmlspark_py.core.tensors.raw_tensor_column` builds such a column). **Raw binary
tensors are the fast form**: the JVM moves each row as one byte array and Python reads it without a copy, where
nested arrays cost the JVM a conversion per element (``benchmarks/onnx_inference.py`` times both against bare
onnxruntime; figures in ``benchmarks/RESULTS.md``), and they move fastest in Arrow batches of about 8 MB
(``spark.sql.execution.arrow.maxBytesPerBatch``: sessions from :func:`mmlspark_py.core.session.get_spark` have it;
Spark's default of 64 MB costs the JVM more than twice the CPU per row). Dynamic dimensions are fine (rows of
different shapes run as separate batches). Columns out: one per ``fetchDict`` entry (column -> model output or *any
intermediate node*: the model is then sliced at those nodes, once, in the driver), arrays nested to the output's
rank with its element type (scalars for ``[batch]`` outputs); a ``seq(map(k, tensor(v)))`` output (what skl2onnx
and onnxmltools give classifiers: ZipMap) becomes a ``map<k, v>`` column. ``softMaxDict`` (fetched column -> new
column) adds the softmax of a fetched 1-d output (or of a map's values in key order) as an ML vector,
``argMaxDict`` its argmax (the key of a map's largest value) as a double.

Execution: Arrow batches of at most ``miniBatchSize`` rows and 64 MB of input (core.batching); the model is
broadcast once and each Python
worker keeps one onnxruntime session (core.model_cache via :func:`mmlspark_py.core.onnx_sessions.get_session`), with
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

from typing import Dict, List, Tuple

from pyspark.ml.linalg import VectorUDT
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    ArrayType,
    DataType,
    DoubleType,
    MapType,
    NumericType,
    StringType,
    StructField,
    StructType,
)

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.model_cache import broadcast_once
from mmlspark_py.core.model_files import read_model_bytes
from mmlspark_py.core.onnx_sessions import OnnxRunner
from mmlspark_py.core.params import (
    BytesParam,
    HasErrorCol,
    HasMiniBatchSize,
    declare,
    override,
    to_dict_string,
    to_one_of,
)
from mmlspark_py.core.scoring import DEVICE_TYPES, ScoringError, ScoringPlan, task_cpus
from mmlspark_py.core.stage import SchemaError, Transformer, add_fields
from mmlspark_py.core.tensors import TensorInfo, resolve_feeds, spark_type
from mmlspark_py.onnx.graph import (
    ModelFormatError,
    PreparedModel,
    check_payload,
    load_model,
    node_outputs,
    prepare_model,
)

__all__ = ["ONNXModel", "ONNXModelError"]

# Rows that cannot be scored raise the shared scoring error; the old name stays importable.
ONNXModelError = ScoringError

TENSOR_BATCH_BYTES = 64 * 1024 * 1024
"""Input bytes one batch of ONNXModel holds at most, whatever its row count."""
OPTIMIZATION_LEVELS = {"NO_OPT": "disable", "BASIC_OPT": "basic", "EXTENDED_OPT": "extended", "ALL_OPT": "all"}


class ONNXModel(Transformer, HasMiniBatchSize, HasErrorCol):
    """Runs an ONNX model on DataFrame columns (see the module docstring for columns, devices and errors)."""

    modelPayload = BytesParam.declare(
        "the serialized ONNX model (bytes); checked when set or loaded, so a corrupt or truncated model fails there",
        validate=check_payload,
    )
    feedDict = declare("map from model input names to input column names", to_dict_string)
    fetchDict = declare("map from output column names to model output (or intermediate node) names", to_dict_string)
    softMaxDict = declare(
        "map from a fetched column to a new column holding its softmax (ML vector)", to_dict_string, default={}
    )
    argMaxDict = declare(
        "map from a fetched column to a new column holding its argmax (double)", to_dict_string, default={}
    )
    deviceType = declare(
        "device the model runs on: CPU, CUDA (the GPU Spark assigned to the task) or auto (CUDA "
        "when onnxruntime offers it, else CPU)",
        to_one_of(DEVICE_TYPES, case_insensitive=True),
        default="auto",
    )
    optimizationLevel = declare(
        "onnxruntime graph optimization level: NO_OPT, BASIC_OPT, EXTENDED_OPT or ALL_OPT",
        to_one_of(OPTIMIZATION_LEVELS, case_insensitive=True),
        default="ALL_OPT",
    )
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    # ------------------------------------------------------------------------------------------- the model
    def setModelLocation(self, path: str) -> ONNXModel:
        """Loads the model from ``path`` (any Hadoop path) into ``modelPayload``; returns this stage.

        :raises ModelFormatError: naming ``path`` when the file is not a usable ONNX model (corrupt, truncated).
        """
        data = read_model_bytes(path)
        try:
            return self._set(modelPayload=data)
        except ModelFormatError as e:
            raise ModelFormatError(f"modelLocation {path!r}: {e}") from None

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
            raise SchemaError(
                f"feedDict names {unknown}, which are not model inputs; inputs are "
                f"{[i.describe() for i in all_inputs.values()]}"
            )
        return resolve_feeds(schema, feed, prepared.inputs)

    def _fetches(self, prepared: PreparedModel) -> List[Tuple[str, str, DataType]]:
        return [(column, output, spark_type(prepared.output(output))) for column, output in self.getFetchDict().items()]

    def _derived_fields(self, fetches: List[Tuple[str, str, DataType]]) -> List[StructField]:
        types = {column: dtype for column, _, dtype in fetches}
        fields = []
        for param, dtype in (("softMaxDict", VectorUDT()), ("argMaxDict", DoubleType())):
            for source, target in self.getOrDefault(param).items():
                source_type = types.get(source)
                numeric_array = isinstance(source_type, ArrayType) and isinstance(source_type.elementType, NumericType)
                numeric_map = isinstance(source_type, MapType) and isinstance(source_type.keyType, NumericType)
                if not (numeric_array or numeric_map):
                    raise SchemaError(
                        f"{param}: {source!r} must be a fetchDict column holding a 1-d numeric array or a map "
                        f"with numeric keys (a ZipMap output); fetched columns are {types}"
                    )
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
            out_schema = StructType(
                [
                    StructField(f.name, VectorUDT(), True) if f.name in dict((c, o) for c, o, _ in fetches) else f
                    for f in out_schema
                ]
            )
        runner = OnnxRunner(
            broadcast_once(spark, self._prepared().data),
            self.getDeviceType(),
            OPTIMIZATION_LEVELS[self.getOptimizationLevel()],
            task_cpus(spark),
        )
        return ScoringPlan(
            runner=runner,
            feeds=tuple(feeds),
            fetches=tuple(fetches),
            softmax=tuple(self.getSoftMaxDict().items()),
            argmax=tuple(self.getArgMaxDict().items()),
            error_col=self.getErrorCol() if self.isDefined("errorCol") else None,
            out_schema=out_schema,
        )

    def _transform(self, df: DataFrame) -> DataFrame:
        plan = self.scoring_plan(df.schema, df.sparkSession)
        return with_batched_columns(
            df,
            [column for _, column, _, _ in plan.feeds],
            plan,
            plan.out_schema,
            self.getMiniBatchSize(),
            TENSOR_BATCH_BYTES,
        )
