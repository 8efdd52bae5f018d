"""Saving and loading pure-Python stages, alone or inside Spark ``Pipeline``/``PipelineModel``.

Layout under a stage's path (any Hadoop path: local, HDFS, cloud stores)::

    metadata/               one JSON line, the same layout as pyspark's DefaultParamsWriter, so Spark's
                            Pipeline readers find the class; plus "externalParams"
    params/<name>/          a BytesParam payload (a one-row Parquet file) or a nested stage's own folder
    params/<name>/<i>/      the i-th stage of a StageListParam

Plain params are JSON in the metadata; :class:`~mmlspark_py.core.params.JsonParam` params (typed specs) are
encoded by the param and decoded by its type converter on load. Nothing is ever pickled, and loading never
unpickles: a stage that cannot be described this way cannot be saved.

Use through the mixins :class:`StageWritable` and :class:`StageReadable`, which every stage base class in
:mod:`mmlspark_py.core.stage` already has::

    stage.write().overwrite().save(path)
    same = type(stage).load(path)
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, Tuple, Type

from pyspark.ml.param import Param, Params
from pyspark.ml.util import DefaultParamsReader, MLReadable, MLReader, MLWritable, MLWriter
from pyspark.sql import SparkSession

from mmlspark_py.core.params import BytesParam, JsonParam, StageListParam, StageParam

_EXTERNAL = (BytesParam, StageParam, StageListParam)


class PersistenceError(RuntimeError):
    """A stage could not be saved or loaded; the message names the stage, param and path."""


def _param_dir(path: str, name: str) -> str:
    return os.path.join(path, "params", name)


def _save_external(param: Param, value: Any, path: str, spark: SparkSession) -> None:
    target = _param_dir(path, param.name)
    if isinstance(param, BytesParam):
        spark.createDataFrame([(bytearray(value),)], "payload binary").coalesce(1).write.parquet(target)
    elif isinstance(param, StageParam):
        value.write().save(target)
    else:
        for i, stage in enumerate(value):
            stage.write().save(os.path.join(target, str(i)))


def _load_external(param: Param, count: int, path: str, spark: SparkSession) -> Any:
    source = _param_dir(path, param.name)
    if isinstance(param, BytesParam):
        return bytes(spark.read.parquet(source).head()["payload"])
    if isinstance(param, StageParam):
        return DefaultParamsReader.loadParamsInstance(source, spark)
    return [DefaultParamsReader.loadParamsInstance(os.path.join(source, str(i)), spark) for i in range(count)]


def _encode(param: Param, value: Any) -> Any:
    encoded = param.to_json(value) if isinstance(param, JsonParam) else value
    try:
        json.dumps(encoded)
    except TypeError as e:
        raise PersistenceError(f"param {param.name!r} holds a value that cannot be saved as JSON: {e}") from e
    return encoded


class StageWriter(MLWriter):
    """Writes a stage's params as JSON metadata plus one file or folder per binary payload or nested stage."""

    def __init__(self, instance: Params):
        super().__init__()
        self.instance = instance

    def _split(self, param_map: Dict[Param, Any], path: str) -> Tuple[Dict[str, Any], Dict[str, int]]:
        plain: Dict[str, Any] = {}
        external: Dict[str, int] = {}
        for param, value in param_map.items():
            if isinstance(param, _EXTERNAL) and value is not None:
                _save_external(param, value, path, self.sparkSession)
                external[param.name] = len(value) if isinstance(param, StageListParam) else 1
            else:
                plain[param.name] = _encode(param, value)
        return plain, external

    def saveImpl(self, path: str) -> None:
        stage = self.instance
        params, external = self._split(stage._paramMap, path)
        defaults, external_defaults = self._split(stage._defaultParamMap, path)
        metadata = {
            "class": f"{type(stage).__module__}.{type(stage).__name__}",
            "timestamp": int(round(time.time() * 1000)),
            "sparkVersion": self.sparkSession.version,
            "uid": stage.uid,
            "paramMap": params,
            "defaultParamMap": defaults,
            "externalParams": {"paramMap": external, "defaultParamMap": external_defaults},
        }
        text = json.dumps(metadata, separators=(",", ":"))
        self.sparkSession.createDataFrame([(text,)], "value string").coalesce(1).write.text(
            os.path.join(path, "metadata"))


class StageReader(MLReader):
    """Reads what :class:`StageWriter` wrote, into an instance of the expected class (or a subclass)."""

    def __init__(self, cls: Type[Params]):
        super().__init__()
        self.cls = cls

    def _resolve_class(self, metadata: Dict[str, Any], path: str) -> Type[Params]:
        module, _, name = metadata["class"].rpartition(".")
        stage_cls = getattr(__import__(module, fromlist=[name]), name, None)
        if not (isinstance(stage_cls, type) and issubclass(stage_cls, self.cls)):
            raise PersistenceError(f"{path} holds a {metadata['class']}, not a {self.cls.__module__}."
                                   f"{self.cls.__name__}")
        return stage_cls

    def load(self, path: str) -> Params:
        try:
            metadata = DefaultParamsReader.loadMetadata(path, self.sparkSession)
        except Exception as e:  # noqa: BLE001 - re-raised with the path named
            raise PersistenceError(f"no saved stage at {path}: {e}") from e
        instance = self._resolve_class(metadata, path)()
        instance._resetUid(metadata["uid"])
        external = metadata.get("externalParams", {"paramMap": {}, "defaultParamMap": {}})
        for section, setter in (("paramMap", instance.set), ("defaultParamMap", self._set_default(instance))):
            for name, value in metadata[section].items():
                setter(instance.getParam(name), value)
            for name, count in external[section].items():
                param = instance.getParam(name)
                setter(param, _load_external(param, count, path, self.sparkSession))
        return instance

    @staticmethod
    def _set_default(instance: Params):
        return lambda param, value: instance._setDefault(**{param.name: value})


class StageWritable(MLWritable):
    """Mixin: ``stage.write().save(path)`` and ``stage.save(path)`` through :class:`StageWriter`."""

    def write(self) -> MLWriter:
        return StageWriter(self)


class StageReadable(MLReadable):
    """Mixin: ``Stage.load(path)`` through :class:`StageReader`."""

    @classmethod
    def read(cls) -> MLReader:
        return StageReader(cls)

