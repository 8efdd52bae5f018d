"""``TFModel``: a TensorFlow SavedModel or Keras model file as a Spark Transformer, CPU or GPU.

The same shape as :class:`mmlspark_py.onnx.ONNXModel`: ``feedDict`` (model input -> column) and ``fetchDict``
(output column -> model output), batches of ``miniBatchSize`` rows through Arrow, one loaded model per Python
worker (core.model_cache), outputs as arrays nested to the output's rank with its element type; the same input
forms (scalars, nested or flat arrays, ML vectors) and bad-row handling (``errorCol``).

Inputs/outputs: a SavedModel's signature ``signatureName`` (default ``serving_default``: its input and output
names); a Keras file's input layer names and ``model.output_names``.

Model: ``setModelLocation(path)`` takes a SavedModel folder (zipped into ``modelPayload``) or a ``.keras``/``.h5``
file; the payload is broadcast once and unpacked per worker. Keras files are loaded with ``safe_mode`` (no
arbitrary code). ``deviceType``: ``CPU``, ``GPU`` (Spark's task GPU; an error when TensorFlow sees none) or
``auto``. TensorFlow (the ``tf`` extra) is imported only when a model is described or run.

Example::

    model = TFModel().setModelLocation("digits.keras").setFeedDict({"pixels": "image"}) \\
        .setFetchDict({"logits": "logits"})
    model.transform(df)   # + logits array<float>
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

import numpy as np
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core import filesystem
from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.model_cache import SharedPayload, broadcast_once, get_or_create, sha256_hex
from mmlspark_py.core.model_files import read_model_bytes, read_model_folder
from mmlspark_py.core.params import (
    BytesParam,
    HasErrorCol,
    HasMiniBatchSize,
    declare,
    override,
    to_dict_string,
    to_one_of,
)
from mmlspark_py.core.scoring import ScoringPlan, task_cpus, task_gpu_id
from mmlspark_py.core.spark_compat import active_session
from mmlspark_py.core.stage import SchemaError, Transformer, add_fields
from mmlspark_py.core.tensors import TensorInfo, resolve_feeds, spark_type

__all__ = ["TFModel", "TFDeviceError"]

FORMATS = ("savedmodel", "keras", "h5")
_TF_TYPES = {
    "float32": "tensor(float)",
    "float64": "tensor(double)",
    "float16": "tensor(float16)",
    "int8": "tensor(int8)",
    "int16": "tensor(int16)",
    "int32": "tensor(int32)",
    "int64": "tensor(int64)",
    "uint8": "tensor(uint8)",
    "bool": "tensor(bool)",
    "string": "tensor(string)",
}


class TFDeviceError(RuntimeError):
    """A GPU was asked for explicitly but TensorFlow sees none."""


def _tf():
    try:
        import tensorflow as tf
    except ImportError as e:
        raise ImportError("TFModel needs TensorFlow: pip install 'mmlspark-py[tf]'") from e
    return tf


def _info(name: str, shape, dtype) -> TensorInfo:
    dims = tuple(None if d is None else int(d) for d in shape)
    return TensorInfo(name, dims, _TF_TYPES.get(getattr(dtype, "name", str(dtype)), str(dtype)))


@dataclass
class LoadedTF:
    """A loaded model: ``call(feeds) -> {output: array}``, its inputs and outputs."""

    model: Any
    signature: Any
    inputs: Tuple[TensorInfo, ...]
    outputs: Tuple[TensorInfo, ...]

    def call(self, feeds: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        tf = _tf()
        tensors = {k: tf.constant(v) for k, v in feeds.items()}
        if self.signature is not None:
            return {k: v.numpy() for k, v in self.signature(**tensors).items()}
        args = [tensors[i.name] for i in self.inputs]
        result = self.model(args[0] if len(args) == 1 else args, training=False)
        results = result if isinstance(result, (list, tuple)) else [result]
        if isinstance(result, dict):
            return {k: np.asarray(v) for k, v in result.items()}
        return {o.name: np.asarray(r) for o, r in zip(self.outputs, results)}


def load_tf(payload: bytes, fmt: str, signature_name: str) -> LoadedTF:
    """Unpack and load a model payload (in a private temp folder); raises ValueError when it cannot be loaded."""
    tf = _tf()
    folder = tempfile.mkdtemp(prefix="mmlspark_tf_")
    try:
        if fmt == "savedmodel":
            with zipfile.ZipFile(io.BytesIO(payload)) as z:
                z.extractall(folder)
            model = tf.saved_model.load(folder)
            if signature_name not in model.signatures:
                raise ValueError(
                    f"signatureName: the SavedModel has no signature {signature_name!r}; it has "
                    f"{sorted(model.signatures)}"
                )
            fn = model.signatures[signature_name]
            inputs = tuple(_info(k, s.shape, s.dtype) for k, s in fn.structured_input_signature[1].items())
            outputs = tuple(_info(k, s.shape, s.dtype) for k, s in fn.structured_outputs.items())
            return LoadedTF(model, fn, inputs, outputs)
        import keras

        path = os.path.join(folder, f"model.{fmt}")
        with open(path, "wb") as f:
            f.write(payload)
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
        inputs = tuple(_info(t.name, t.shape, t.dtype) for t in model.inputs)
        outputs = tuple(_info(n, t.shape, t.dtype) for n, t in zip(model.output_names, model.outputs))
        return LoadedTF(model, None, inputs, outputs)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ValueError(
            f"TensorFlow cannot load the {fmt} model ({len(payload)} bytes; corrupt or truncated?): {e}"
        ) from e


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _payload_problem(data: bytes, fmt: str) -> str:
    """Why ``data`` cannot be a model file of ``fmt`` (a truncated or corrupt file), from its structure alone
    (TensorFlow is not imported); empty when it looks whole."""
    if fmt == "h5":
        return "" if data.startswith(_HDF5_SIGNATURE) else "no HDF5 signature (corrupt, truncated or another format)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            bad = archive.testzip()
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        return f"not a readable zip archive, as .keras files are (corrupt or truncated?): {e}"
    if bad is not None:
        return f"the archive entry {bad!r} is corrupt"
    if fmt == "keras" and "config.json" not in names:
        return "the archive holds no config.json (not a Keras 3 model file)"
    return ""


def _configure_device(device_type: str, threads: int) -> str:
    tf = _tf()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow already initialised in this process; keep its settings
        pass
    gpus = tf.config.list_physical_devices("GPU")
    if device_type == "CPU":
        return "/CPU:0"
    if gpus:
        return f"/GPU:{task_gpu_id() if task_gpu_id() < len(gpus) else 0}"
    if device_type == "GPU":
        raise TFDeviceError(
            "deviceType GPU was requested but TensorFlow sees no GPU (tensorflow-cpu installed, "
            "or no CUDA driver); use deviceType 'auto' or 'CPU'"
        )
    warnings.warn("deviceType 'auto': TensorFlow sees no GPU; running on CPU", RuntimeWarning, stacklevel=2)
    return "/CPU:0"


@dataclass(frozen=True)
class TFRunner:
    """Runs the broadcast model in a Python worker; the model is loaded once per process."""

    payload: SharedPayload
    fmt: str
    signature_name: str
    device_type: str
    threads: int

    def _device(self) -> str:
        return get_or_create(("tf-device", self.device_type), lambda: _configure_device(self.device_type, self.threads))

    def load(self) -> LoadedTF:
        return get_or_create(
            ("tf", self.payload.key, self.fmt, self.signature_name, self._device()),
            lambda: load_tf(self.payload.value, self.fmt, self.signature_name),
        )

    def run(self, names: List[str], feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
        loaded = self.load()
        with _tf().device(self._device()):
            outputs = loaded.call(feeds)
        return [outputs[n] for n in names]


class TFModel(Transformer, HasMiniBatchSize, HasErrorCol):
    """Runs a TensorFlow model on DataFrame columns (see the module docstring)."""

    modelPayload = BytesParam.declare("the model: a zipped SavedModel folder or a Keras file")
    modelFormat = declare("format of modelPayload: savedmodel, keras or h5", to_one_of(FORMATS))
    signatureName = declare("SavedModel signature to run", TypeConverters.toString, default="serving_default")
    feedDict = declare("map from model input names to input column names", to_dict_string)
    fetchDict = declare("map from output column names to model output names", to_dict_string)
    deviceType = declare(
        "device: CPU, GPU (the task's GPU) or auto",
        to_one_of(("CPU", "GPU", "auto"), case_insensitive=True),
        default="auto",
    )
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    def setModelLocation(self, path: str) -> TFModel:
        """Reads a SavedModel folder or a ``.keras``/``.h5`` file (any Hadoop path) into ``modelPayload``."""
        spark = active_session()
        if filesystem.is_dir(spark, path):
            if not filesystem.exists(spark, path.rstrip("/") + "/saved_model.pb"):
                raise FileNotFoundError(f"modelLocation: {path!r} is a folder without saved_model.pb")
            return self._set(modelPayload=read_model_folder(path, spark), modelFormat="savedmodel")
        fmt = "h5" if path.endswith((".h5", ".hdf5")) else "keras"
        data = read_model_bytes(path, spark)
        problem = _payload_problem(data, fmt)
        if problem:
            raise ValueError(f"modelLocation {path!r}: not a usable {fmt} model file ({len(data)} bytes): {problem}")
        return self._set(modelPayload=data, modelFormat=fmt)

    def _loaded(self) -> LoadedTF:
        if not self.isDefined("modelPayload") or not self.isDefined("modelFormat"):
            raise SchemaError("TFModel: no model; call setModelLocation(path) or set modelPayload and modelFormat")
        data = self.getModelPayload()
        return get_or_create(
            ("tf-describe", sha256_hex(data), self.getModelFormat(), self.getSignatureName()),
            lambda: load_tf(data, self.getModelFormat(), self.getSignatureName()),
        )

    def getModelInputs(self) -> Dict[str, TensorInfo]:
        return {i.name: i for i in self._loaded().inputs}

    def getModelOutputs(self) -> Dict[str, TensorInfo]:
        return {o.name: o for o in self._loaded().outputs}

    def _plan_parts(self, schema: StructType):
        loaded = self._loaded()
        feed = self.getFeedDict() if self.isDefined("feedDict") else {}
        fetch = self.getFetchDict() if self.isDefined("fetchDict") else {}
        outputs = {o.name: o for o in loaded.outputs}
        if not fetch:
            raise SchemaError(f"TFModel: set fetchDict (column -> output); outputs are {sorted(outputs)}")
        feeds = resolve_feeds(schema, feed, loaded.inputs)
        unknown = sorted(set(feed) - {i.name for i in loaded.inputs})
        missing = sorted(set(fetch.values()) - set(outputs))
        if unknown or missing:
            raise SchemaError(
                f"TFModel: feedDict inputs {unknown} / fetchDict outputs {missing} are not in the "
                f"model (inputs {[i.describe() for i in loaded.inputs]}, outputs "
                f"{[o.describe() for o in loaded.outputs]})"
            )
        fetches = [(column, output, spark_type(outputs[output])) for column, output in fetch.items()]
        fields = [StructField(column, dtype, True) for column, _, dtype in fetches]
        if self.isDefined("errorCol"):
            fields.append(StructField(self.getErrorCol(), StringType(), True))
        return StructType(fields), feeds, fetches

    def transformSchema(self, schema: StructType) -> StructType:
        return add_fields(schema, self._plan_parts(schema)[0].fields)

    def _transform(self, df: DataFrame) -> DataFrame:
        out_schema, feeds, fetches = self._plan_parts(df.schema)
        spark = df.sparkSession
        runner = TFRunner(
            broadcast_once(spark, self.getModelPayload()),
            self.getModelFormat(),
            self.getSignatureName(),
            self.getDeviceType(),
            task_cpus(spark),
        )
        plan = ScoringPlan(
            runner=runner,
            feeds=tuple(feeds),
            fetches=tuple(fetches),
            softmax=(),
            argmax=(),
            error_col=self.getErrorCol() if self.isDefined("errorCol") else None,
            out_schema=out_schema,
            stage="TFModel",
        )
        return with_batched_columns(
            df, [column for _, column, _, _ in feeds], plan, out_schema, self.getMiniBatchSize()
        )
