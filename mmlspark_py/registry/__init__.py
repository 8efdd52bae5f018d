"""The model registry, on MLflow: versions with lineage, aliases, loading by ``models:/`` URI.

- :func:`register_model`: a fitted PipelineModel (our Python stages and Spark's JVM stages) as a new version,
  with its signature and lineage (source run, training data, library/Spark/Python versions).
- :func:`set_alias` / :func:`delete_alias`: ``champion``, ``staging``, ... (aliases, not MLflow's deprecated
  stages).
- :func:`load_model`: ``models:/name@alias``, ``models:/name/3`` -> the PipelineModel, on a machine without the
  training code.
- :func:`list_models`, :func:`list_versions`, :func:`get_version`, :func:`delete_model`.

The command line: ``mmlspark-py registry list|show|alias|delete`` (:mod:`.cli`). Needs the ``registry`` extra
(MLflow). The store is configured by :func:`mmlspark_py.tracking.configure` (default: ``./mlflow.db``).
"""

from mmlspark_py.registry.errors import ModelLoadError, ModelNotFound, RegistryError
from mmlspark_py.registry.loading import ResolvedModel, load_model, parse_models_uri, resolve
from mmlspark_py.registry.registration import (
    RegisteredVersion,
    delete_alias,
    delete_model,
    get_version,
    get_version_by_alias,
    list_models,
    list_versions,
    register_model,
    set_alias,
)

__all__ = [
    "register_model",
    "set_alias",
    "delete_alias",
    "load_model",
    "resolve",
    "ResolvedModel",
    "parse_models_uri",
    "list_models",
    "list_versions",
    "get_version",
    "get_version_by_alias",
    "delete_model",
    "RegisteredVersion",
    "RegistryError",
    "ModelNotFound",
    "ModelLoadError",
]
