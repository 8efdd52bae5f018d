"""Saving and loading pure-Python stages, alone or inside Spark ``Pipeline``/``PipelineModel``.

Layout under a stage's path (any Hadoop path: local, HDFS, cloud stores)::

    metadata/part-00000     one JSON line, the same layout as pyspark's DefaultParamsWriter, so Spark's
                            Pipeline readers find the class; plus "externalParams"
    params/<name>.bin       a BytesParam payload, as is
    params/<name>/          a nested stage's own folder
    params/<name>/<i>/      the i-th stage of a StageListParam
    defaults/...            the same, for param defaults

Metadata and payloads are written and read with the Hadoop FileSystem API directly (no Spark job per file).

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
from pyspark.ml.util import MLReadable, MLReader, MLWritable, MLWriter
from pyspark.sql import SparkSession

from mmlspark_py.core import filesystem
from mmlspark_py.core.params import BytesParam, JsonParam, StageListParam, StageParam

_EXTERNAL = (BytesParam, StageParam, StageListParam)


class PersistenceError(RuntimeError):
    """A stage could not be saved or loaded; the message names the stage, param and path."""


_SECTION_DIRS = {"paramMap": "params", "defaultParamMap": "defaults"}


def _save_external(param: Param, value: Any, path: str, section: str, spark: SparkSession) -> None:
    target = os.path.join(path, _SECTION_DIRS[section], param.name)
    if isinstance(param, BytesParam):
        filesystem.write_bytes(spark, target + ".bin", value)
    elif isinstance(param, StageParam):
        value.write().save(target)
    else:
        for i, stage in enumerate(value):
            stage.write().save(os.path.join(target, str(i)))


def _load_external(param: Param, count: int, path: str, section: str, spark: SparkSession) -> Any:
    source = os.path.join(path, _SECTION_DIRS[section], param.name)
    if isinstance(param, BytesParam):
        return filesystem.read_bytes(spark, source + ".bin")
    if isinstance(param, StageParam):
        return load_stage(source, spark)
    return [load_stage(os.path.join(source, str(i)), spark) for i in range(count)]


def read_metadata(path: str, spark: SparkSession) -> Dict[str, Any]:
    """The metadata JSON of the stage saved at ``path`` (ours or Spark's own layout).

    :raises PersistenceError: nothing saved there.
    """
    try:
        files = filesystem.data_files(spark, os.path.join(path, "metadata"))
        text = filesystem.read_bytes(spark, files[0]).decode("utf-8").splitlines()[0]
    except (FileNotFoundError, IndexError) as e:
        raise PersistenceError(f"no saved stage at {path}: {e}") from e
    return json.loads(text)


def _import_class(name: str) -> Type[Any]:
    module, _, attr = name.rpartition(".")
    return getattr(__import__(module, fromlist=[attr]), attr)


def load_stage(path: str, spark: SparkSession) -> Params:
    """Load whatever stage is saved at ``path``: ours, a pyspark Python stage, or a Spark JVM stage."""
    class_name = read_metadata(path, spark)["class"]
    if class_name.startswith("org.apache.spark."):
        class_name = class_name.replace("org.apache.spark", "pyspark", 1)
    return _import_class(class_name).load(path)


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

    def _split(self, param_map: Dict[Param, Any], path: str, section: str) -> Tuple[Dict[str, Any], Dict[str, int]]:
        plain: Dict[str, Any] = {}
        external: Dict[str, int] = {}
        for param, value in param_map.items():
            if isinstance(param, _EXTERNAL) and value is not None:
                _save_external(param, value, path, section, self.sparkSession)
                external[param.name] = len(value) if isinstance(param, StageListParam) else 1
            else:
                plain[param.name] = _encode(param, value)
        return plain, external

    def saveImpl(self, path: str) -> None:
        stage = self.instance
        params, external = self._split(stage._paramMap, path, "paramMap")
        defaults, external_defaults = self._split(stage._defaultParamMap, path, "defaultParamMap")
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
        filesystem.write_bytes(self.sparkSession, os.path.join(path, "metadata", "part-00000"),
                               text.encode("utf-8"))


class StageReader(MLReader):
    """Reads what :class:`StageWriter` wrote, into an instance of the expected class (or a subclass)."""

    def __init__(self, cls: Type[Params]):
        super().__init__()
        self.cls = cls

    def _resolve_class(self, metadata: Dict[str, Any], path: str) -> Type[Params]:
        stage_cls = _import_class(metadata["class"])
        if not (isinstance(stage_cls, type) and issubclass(stage_cls, self.cls)):
            raise PersistenceError(f"{path} holds a {metadata['class']}, not a {self.cls.__module__}."
                                   f"{self.cls.__name__}")
        return stage_cls

    def load(self, path: str) -> Params:
        metadata = read_metadata(path, self.sparkSession)
        instance = self._resolve_class(metadata, path)()
        instance._resetUid(metadata["uid"])
        external = metadata.get("externalParams", {"paramMap": {}, "defaultParamMap": {}})
        for section, setter in (("paramMap", instance.set), ("defaultParamMap", self._set_default(instance))):
            for name, value in metadata[section].items():
                setter(instance.getParam(name), value)
            for name, count in external[section].items():
                param = instance.getParam(name)
                setter(param, _load_external(param, count, path, section, self.sparkSession))
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

