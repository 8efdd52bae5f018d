"""Saving and loading pure-Python stages, alone or inside Spark ``Pipeline``/``PipelineModel``.

Layout under a stage's path (any Hadoop path: local, HDFS, cloud stores)::

    metadata/part-00000     one JSON line, the same layout as pyspark's DefaultParamsWriter, so Spark's
                            Pipeline readers find the class; plus "externalParams"
    params/<name>.bin       a BytesParam payload, as is
    params/<name>/          a nested stage's own folder
    params/<name>/<i>/      the i-th stage of a StageListParam
    defaults/...            the same, for param defaults

Metadata and payloads are written and read through :mod:`mmlspark_py.core.filesystem` (no Spark job per file;
the JVM's Hadoop FileSystem on a classic session, ``pyarrow.fs`` on Spark Connect).

Plain params are JSON in the metadata; :class:`~mmlspark_py.core.params.JsonParam` params (typed specs) are
encoded by the param and decoded by its type converter on load. Nothing is ever pickled, and loading never
unpickles.

**A saved folder is input from a stranger.** Loading never imports a module the metadata names unless the class
is allowed: mmlspark-py's own stages, pyspark's ML stages (and Spark's JVM stages, by their pyspark wrappers),
or classes and module prefixes the user registered with :func:`register_stage_class` /
:func:`allow_stage_modules`. Every value read is validated by its param's converter, and every failure names
the file it came from (:class:`PersistenceError`). :func:`load_stage` loads whatever stage (or Spark
``Pipeline``/``PipelineModel`` folder) is saved at a path under these rules; prefer it to pyspark's
``PipelineModel.load`` for folders you did not write yourself, since pyspark imports whatever class a Python
stage's metadata names.

Use through the mixins :class:`StageWritable` and :class:`StageReadable`, which every stage base class in
:mod:`mmlspark_py.core.stage` already has::

    stage.write().overwrite().save(path)
    same = type(stage).load(path)
"""

from __future__ import annotations

import importlib
import json
import posixpath
import threading
import time
from typing import Any, Dict, List, Set, Tuple, Type

from pyspark.ml.param import Param, Params
from pyspark.ml.util import MLReadable, MLReader, MLWritable, MLWriter

from mmlspark_py.core import filesystem
from mmlspark_py.core.params import BytesParam, JsonParam, StageListParam, StageParam
from mmlspark_py.core.spark_compat import active_session

__all__ = [
    "PersistenceError",
    "StageWriter",
    "StageReader",
    "StageWritable",
    "StageReadable",
    "load_stage",
    "read_metadata",
    "register_stage_class",
    "allow_stage_modules",
    "resolve_stage_class",
    "AllowList",
]

_EXTERNAL = (BytesParam, StageParam, StageListParam)
# Metadata is small; a "metadata" file of more than this is not ours (and is not read into memory).
MAX_METADATA_BYTES = 16 * 1024 * 1024
# Nested stages deeper than this are refused (a crafted folder could otherwise recurse without end).
MAX_NESTING = 32


class PersistenceError(RuntimeError):
    """A stage could not be saved or loaded; the message names the stage, param and path."""


_SECTION_DIRS = {"paramMap": "params", "defaultParamMap": "defaults"}


# ------------------------------------------------------------------------------------------- allowed classes
class AllowList:
    """What saved metadata may name: objects registered by name, and modules under allowed dotted prefixes.

    One instance holds the stage classes loading may import (below); :mod:`mmlspark_py.stages.references` keeps
    another for the functions Lambda and UDFTransformer may load.
    """

    def __init__(self, *builtin_prefixes: str):
        self._builtin: Tuple[str, ...] = builtin_prefixes
        self._prefixes: Set[str] = set()
        self._objects: Dict[str, Any] = {}
        self._lock = threading.Lock()

    def register(self, name: str, obj: Any) -> None:
        """Allow ``name`` to resolve to ``obj`` (nothing is imported for it)."""
        with self._lock:
            self._objects[name] = obj

    def registered(self, name: str) -> Any:
        """The object registered under ``name``, or None."""
        with self._lock:
            return self._objects.get(name)

    def allow_modules(self, *prefixes: str) -> None:
        """Allow modules whose dotted names start with any of ``prefixes``."""
        with self._lock:
            self._prefixes.update(p if p.endswith(".") else p + "." for p in prefixes)

    def allows_module(self, module: str) -> bool:
        """Whether ``module`` is under a built-in or allowed prefix."""
        dotted = module + "."
        with self._lock:
            return dotted.startswith(self._builtin) or any(dotted.startswith(p) for p in self._prefixes)


_STAGE_CLASSES = AllowList("mmlspark_py.", "pyspark.ml.")


def register_stage_class(cls: type) -> type:
    """Allow loading ``cls`` from saved metadata (for your own stage classes); usable as a class decorator."""
    _STAGE_CLASSES.register(f"{cls.__module__}.{cls.__qualname__}", cls)
    return cls


def allow_stage_modules(*prefixes: str) -> None:
    """Allow loading stage classes from modules whose dotted names start with any of ``prefixes``.

    Only for code you trust: loading a saved stage imports the module its metadata names.
    """
    _STAGE_CLASSES.allow_modules(*prefixes)


def resolve_stage_class(name: str, where: str = "") -> type:
    """The Spark ML stage class named ``name`` in saved metadata, if it is allowed (see the module docstring).

    ``org.apache.spark.*`` names resolve to their pyspark wrappers. Nothing is imported for a name that is not
    allowed.

    :param where: the file the name was read from, for messages.
    :raises PersistenceError: for a name that is not an allowed Spark ML stage class.
    """
    from pyspark.ml.base import Estimator, Transformer

    source = f" (in {where})" if where else ""
    if not isinstance(name, str) or not name or len(name) > 300:
        raise PersistenceError(f"saved stage class {name!r}{source} is not a class name")
    if name.startswith("org.apache.spark."):
        name = name.replace("org.apache.spark", "pyspark", 1)
    registered = _STAGE_CLASSES.registered(name)
    if registered is not None:
        return registered
    module, _, attr = name.rpartition(".")
    if not module or not all(part.isidentifier() for part in name.split(".")):
        raise PersistenceError(f"saved stage class {name!r}{source} is not a valid dotted class name")
    if not _STAGE_CLASSES.allows_module(module):
        raise PersistenceError(
            f"refusing to load class {name!r}{source}: loading imports only mmlspark_py and pyspark.ml stage "
            "classes, or classes you allow with mmlspark_py.core.persistence.register_stage_class(cls) / "
            "allow_stage_modules('your.package')"
        )
    try:
        cls = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as e:
        raise PersistenceError(f"saved stage class {name!r}{source} does not exist: {e}") from e
    if not (isinstance(cls, type) and issubclass(cls, (Estimator, Transformer))):
        raise PersistenceError(f"saved class {name!r}{source} is not a Spark ML stage")
    return cls


# ---------------------------------------------------------------------------------------------- writing
def _save_external(param: Param, value: Any, path: str, section: str, spark: Any) -> None:
    target = posixpath.join(path, _SECTION_DIRS[section], param.name)
    if isinstance(param, BytesParam):
        filesystem.write_bytes(spark, target + ".bin", value)
    elif isinstance(param, StageParam):
        value.write().save(target)
    else:
        for i, stage in enumerate(value):
            stage.write().save(posixpath.join(target, str(i)))


def _encode(param: Param, value: Any) -> Any:
    encoded = param.to_json(value) if isinstance(param, JsonParam) else value
    try:
        json.dumps(encoded)
    except TypeError as e:
        raise PersistenceError(f"param {param.name!r} holds a value that cannot be saved as JSON: {e}") from e
    return encoded


def _session(explicit: Any) -> Any:
    return explicit if explicit is not None else active_session()


class StageWriter(MLWriter):
    """Writes a stage's params as JSON metadata plus one file or folder per binary payload or nested stage."""

    def __init__(self, instance: Params):
        super().__init__()
        self.instance = instance

    @property
    def sparkSession(self) -> Any:  # classic or Connect; never starts a second session
        return _session(self._sparkSession) or MLWriter.sparkSession.fget(self)  # type: ignore[attr-defined]

    def save(self, path: str) -> None:
        """Save the stage to ``path``; with ``overwrite()`` an existing folder there is replaced."""
        spark = self.sparkSession
        if filesystem.exists(spark, path):
            if not self.shouldOverwrite:
                raise FileExistsError(f"path {path} already exists; use write().overwrite().save(path) to replace it")
            filesystem.delete(spark, path)
        self.saveImpl(path)

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
        filesystem.write_bytes(self.sparkSession, posixpath.join(path, "metadata", "part-00000"), text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------- reading
def read_metadata(path: str, spark: Any = None) -> Dict[str, Any]:
    """The metadata JSON of the stage saved at ``path`` (ours or Spark's own layout).

    :raises PersistenceError: nothing saved there, or metadata that is not a JSON object, naming the file.
    """
    spark = _session(spark)
    folder = posixpath.join(path, "metadata")
    try:
        files = filesystem.data_files(spark, folder)
        if not files:
            raise FileNotFoundError(f"no metadata file in {folder}")
        data = filesystem.read_bytes(spark, files[0], max_bytes=MAX_METADATA_BYTES)
    except (FileNotFoundError, ValueError) as e:
        raise PersistenceError(f"no saved stage at {path}: {e}") from e
    try:
        text = data.decode("utf-8").splitlines()[0]
        metadata = json.loads(text)
    except (UnicodeDecodeError, IndexError, json.JSONDecodeError) as e:
        raise PersistenceError(f"corrupt stage metadata in {files[0]}: {e}") from e
    if not isinstance(metadata, dict) or not isinstance(metadata.get("class"), str):
        raise PersistenceError(f"corrupt stage metadata in {files[0]}: not a JSON object with a 'class'")
    metadata["_file"] = files[0]
    return metadata


def _counts(value: Any, where: str) -> Dict[str, int]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and 0 <= v <= 10_000 for k, v in value.items()
    ):
        raise PersistenceError(f"corrupt stage metadata in {where}: externalParams is malformed")
    return value


_depth = threading.local()


def load_stage(path: str, spark: Any = None) -> Params:
    """Load whatever stage is saved at ``path``: ours, a pyspark Python stage, a Spark JVM stage, or a Spark
    ``Pipeline``/``PipelineModel`` folder, importing only allowed classes (see the module docstring).

    :raises PersistenceError: naming the path and file for anything missing, corrupt or not allowed.
    """
    spark = _session(spark)
    level = getattr(_depth, "level", 0)
    if level >= MAX_NESTING:
        raise PersistenceError(f"{path}: stages nested more than {MAX_NESTING} deep")
    _depth.level = level + 1
    try:
        metadata = read_metadata(path, spark)
        cls = resolve_stage_class(metadata["class"], metadata["_file"])
        from pyspark.ml.pipeline import Pipeline, PipelineModel

        if cls in (Pipeline, PipelineModel):
            return _load_pipeline(cls, path, metadata, spark)
        try:
            return cls.load(path)  # type: ignore[attr-defined]
        except PersistenceError:
            raise
        except Exception as e:
            raise PersistenceError(
                f"cannot load the {metadata['class']} saved at {path}: "
                f"{str(e).splitlines()[0] if str(e) else type(e).__name__}"
            ) from e
    finally:
        _depth.level = level


def _load_pipeline(cls: type, path: str, metadata: Dict[str, Any], spark: Any) -> Params:
    """A Pipeline/PipelineModel with each stage loaded by :func:`load_stage` (pyspark's layout)."""
    where = metadata["_file"]
    uids = metadata.get("paramMap", {}).get("stageUids", metadata.get("stageUids"))
    if not isinstance(uids, list) or not all(isinstance(u, str) for u in uids):
        raise PersistenceError(f"corrupt pipeline metadata in {where}: no stageUids list")
    width = len(str(len(uids)))
    stages: List[Any] = []
    for index, uid in enumerate(uids):
        if "/" in uid or uid.startswith("."):
            raise PersistenceError(f"corrupt pipeline metadata in {where}: stage uid {uid!r}")
        stage_path = posixpath.join(path, "stages", f"{index:0{width}d}_{uid}")
        if not filesystem.exists(spark, stage_path):
            raise PersistenceError(f"{path}: pipeline stage {index} ({uid}) is missing: no folder {stage_path}")
        stages.append(load_stage(stage_path, spark))
    from pyspark.ml.pipeline import Pipeline

    pipeline: Any
    if cls is Pipeline:
        pipeline = Pipeline(stages=stages)
    else:
        from pyspark.ml.pipeline import PipelineModel

        pipeline = PipelineModel(stages)
    pipeline._resetUid(metadata.get("uid", pipeline.uid))
    return pipeline


def _load_external(param: Param, count: int, path: str, section: str, spark: Any) -> Any:
    source = posixpath.join(path, _SECTION_DIRS[section], param.name)
    if isinstance(param, BytesParam):
        try:
            return filesystem.read_bytes(spark, source + ".bin")
        except FileNotFoundError as e:
            raise PersistenceError(f"{path}: the payload of param {param.name!r} is missing ({source}.bin)") from e
    if isinstance(param, StageParam):
        return _load_nested(source, param.name, path, spark)
    return [_load_nested(posixpath.join(source, str(i)), f"{param.name}[{i}]", path, spark) for i in range(count)]


def _load_nested(source: str, label: str, path: str, spark: Any) -> Params:
    if not filesystem.exists(spark, source):
        raise PersistenceError(f"{path}: nested stage {label!r} is missing (no folder {source})")
    return load_stage(source, spark)


def _checked_set(instance: Params) -> Any:
    def set_value(param: Param, value: Any, where: str) -> None:
        try:
            instance.set(param, value)  # runs the param's converter
        except (TypeError, ValueError) as e:
            raise PersistenceError(f"{where}: invalid value for param {param.name!r}: {e}") from e

    return set_value


class StageReader(MLReader):
    """Reads what :class:`StageWriter` wrote, into an instance of the expected class (or a subclass)."""

    def __init__(self, cls: Type[Params]):
        super().__init__()
        self.cls = cls

    @property
    def sparkSession(self) -> Any:  # classic or Connect; never starts a second session
        return _session(self._sparkSession) or MLReader.sparkSession.fget(self)  # type: ignore[attr-defined]

    def _resolve_class(self, metadata: Dict[str, Any], path: str) -> Type[Params]:
        stage_cls = resolve_stage_class(metadata["class"], metadata["_file"])
        if not issubclass(stage_cls, self.cls):
            raise PersistenceError(
                f"{path} holds a {metadata['class']}, not a {self.cls.__module__}.{self.cls.__name__}"
            )
        return stage_cls

    def load(self, path: str) -> Params:
        spark = self.sparkSession
        metadata = read_metadata(path, spark)
        where = metadata["_file"]
        instance = self._resolve_class(metadata, path)()
        uid = metadata.get("uid")
        if not isinstance(uid, str) or not uid:
            raise PersistenceError(f"corrupt stage metadata in {where}: no uid")
        instance._resetUid(uid)
        external = metadata.get("externalParams", {"paramMap": {}, "defaultParamMap": {}})
        if not isinstance(external, dict):
            raise PersistenceError(f"corrupt stage metadata in {where}: externalParams is malformed")
        for section, setter in (("paramMap", _checked_set(instance)), ("defaultParamMap", self._set_default(instance))):
            values = metadata.get(section, {})
            if not isinstance(values, dict):
                raise PersistenceError(f"corrupt stage metadata in {where}: {section} is not an object")
            for name, value in values.items():
                setter(self._param(instance, name, where), value, where)
            for name, count in _counts(external.get(section, {}), where).items():
                param = self._param(instance, name, where)
                setter(param, _load_external(param, count, path, section, spark), where)
        return instance

    @staticmethod
    def _param(instance: Params, name: str, where: str) -> Param:
        if not isinstance(name, str) or not instance.hasParam(name):
            raise PersistenceError(f"{where}: {type(instance).__name__} has no param {name!r}")
        return instance.getParam(name)

    @staticmethod
    def _set_default(instance: Params) -> Any:
        def set_default(param: Param, value: Any, where: str) -> None:
            try:
                instance._setDefault(**{param.name: value})
            except (TypeError, ValueError) as e:
                raise PersistenceError(f"{where}: invalid default for param {param.name!r}: {e}") from e

        return set_default


class StageWritable(MLWritable):
    """Mixin: ``stage.write().save(path)`` and ``stage.save(path)`` through :class:`StageWriter`."""

    def write(self) -> MLWriter:
        return StageWriter(self)  # type: ignore[arg-type]


class StageReadable(MLReadable):
    """Mixin: ``Stage.load(path)`` through :class:`StageReader`."""

    @classmethod
    def read(cls) -> MLReader:
        return StageReader(cls)  # type: ignore[arg-type]
