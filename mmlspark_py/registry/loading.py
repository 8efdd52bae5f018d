"""Loading registered models: ``models:/name@alias``, ``models:/name/3``, ``models:/name/latest``, ``runs:/...``
or a local folder, into the fitted PipelineModel.

The stages load through :func:`mmlspark_py.core.persistence.load_stage` (Spark's readers for JVM stages, ours
for Python stages: no pickling, only allowed stage classes are imported), so a model loads on a machine
that has mmlspark-py but not the code that trained it. The artifact is read in place when the store is a
local folder, else downloaded once per process; on a cluster whose default file system is not local it is
copied there first (Spark's readers run on executors).

Errors: :class:`ModelNotFound` (naming the versions/aliases that exist), :class:`ModelLoadError` (a missing or
corrupt artifact, naming the file).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Optional
from urllib.parse import unquote, urlparse

from pyspark.sql import SparkSession

from mmlspark_py.core.session import get_spark
from mmlspark_py.registry.errors import ModelLoadError, ModelNotFound
from mmlspark_py.registry.registration import get_version, get_version_by_alias, list_versions
from mmlspark_py.registry.saved_model import load_saved_model
from mmlspark_py.tracking import ModelIO, mlflow_module

_MODELS_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/]+)|/(?P<version>\d+|latest))?/?$")
_downloads: Dict[str, str] = {}


@dataclass(frozen=True)
class ResolvedModel:
    """A model found in the registry (or a run, or a folder): where its files are and what it declares."""

    uri: str
    local_dir: str
    name: Optional[str]
    version: Optional[int]
    io: Optional[ModelIO]
    lineage: Dict[str, Any]
    flavor: Dict[str, Any]

    @property
    def sparkml_path(self) -> str:
        return os.path.join(self.local_dir, self.flavor.get("model_data", "sparkml"))


def parse_models_uri(uri: str) -> tuple[str, Optional[str], Optional[str]]:
    """``(name, alias, version)`` of a ``models:/`` URI (version ``"latest"`` or digits, or None)."""
    match = _MODELS_URI.match(uri)
    if not match:
        raise ValueError(f"model URI {uri!r}: expected models:/NAME@ALIAS, models:/NAME/VERSION or models:/NAME/latest")
    return match["name"], match["alias"], match["version"]


def _local_path(source: str) -> Optional[str]:
    parsed = urlparse(source)
    if parsed.scheme in ("", "file"):
        return unquote(parsed.path) if parsed.scheme else source
    return None


def _download(source: str) -> str:
    local = _local_path(source)
    if local is not None:
        return local
    if source not in _downloads:
        dst = tempfile.mkdtemp(prefix="mmlspark-model-")
        _downloads[source] = mlflow_module().artifacts.download_artifacts(artifact_uri=source, dst_path=dst)
    return _downloads[source]


def _read_mlmodel(local_dir: str, uri: str) -> tuple[Dict[str, Any], Optional[ModelIO], Dict[str, Any]]:
    from mlflow.models import Model

    from mmlspark_py.tracking import METADATA_KEY

    path = os.path.join(local_dir, "MLmodel")
    if not os.path.isfile(path):
        raise ModelLoadError(f"{uri}: the model artifact has no MLmodel file at {path}")
    try:
        mlmodel = Model.load(path)
    except Exception as e:
        raise ModelLoadError(f"{uri}: the MLmodel file {path} is corrupt: {e}") from e
    if "spark" not in mlmodel.flavors:
        raise ModelLoadError(f"{uri}: {path} has flavors {sorted(mlmodel.flavors)}; a Spark model is needed")
    ours = (mlmodel.metadata or {}).get(METADATA_KEY, {})
    try:
        io = ModelIO.from_json(ours) if "input_schema" in ours else None
    except Exception as e:
        raise ModelLoadError(f"{uri}: the signature in {path} is corrupt: {e}") from e
    return mlmodel.flavors["spark"], io, ours.get("lineage", {})


def resolve(uri: str) -> ResolvedModel:
    """Find the model ``uri`` names (registry, run or folder) and read its MLmodel file.

    :raises ModelNotFound: no such model, version or alias. :raises ModelLoadError: missing/corrupt MLmodel.
    """
    name, version = None, None
    if uri.startswith("models:/"):
        name, alias, ver = parse_models_uri(uri)
        if alias:
            found = get_version_by_alias(name, alias)
        elif ver and ver != "latest":
            found = get_version(name, int(ver))
        else:
            versions = list_versions(name)
            if not versions:
                raise ModelNotFound(f"model {name!r} has no versions")
            found = versions[0]
        version = found.version
        source = mlflow_module().MlflowClient().get_model_version_download_uri(name, str(version))
    elif uri.startswith("runs:/"):
        source = uri
    else:
        source = os.path.abspath(uri)
    local_dir = _download(source)
    if not os.path.isdir(local_dir):
        raise ModelLoadError(f"{uri}: the model artifact folder {local_dir} does not exist")
    flavor, io, lineage = _read_mlmodel(local_dir, uri)
    return ResolvedModel(uri, local_dir, name, version, io, lineage, flavor)


def _readable_by_cluster(spark: SparkSession, local_dir: str) -> str:
    """``local_dir``, or a copy on the default file system when that is not local (executors read it)."""
    jvm: Any = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    default_fs = jvm.org.apache.hadoop.fs.FileSystem.get(conf)
    if default_fs.getUri().getScheme() in (None, "file"):
        return "file://" + os.path.abspath(local_dir)
    target = jvm.org.apache.hadoop.fs.Path(f"/tmp/mmlspark-models/{uuid.uuid4().hex}")
    default_fs.copyFromLocalFile(False, True, jvm.org.apache.hadoop.fs.Path("file://" + local_dir), target)
    return target.toString()


def load_model(uri: str, spark: Optional[SparkSession] = None) -> Any:
    """The fitted PipelineModel registered at ``uri`` (see the module docstring for the URI forms)."""
    resolved = resolve(uri)
    spark = spark or get_spark()
    if not os.path.isdir(resolved.sparkml_path):
        raise ModelLoadError(f"{uri}: the model artifact has no Spark model folder at {resolved.sparkml_path}")
    return load_saved_model(_readable_by_cluster(spark, resolved.sparkml_path), spark, uri)
