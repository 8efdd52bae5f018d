"""Registering fitted models as versions with lineage; aliases, listing and deleting.

A version's lineage (source run, training data schema/path/rows/digest, library, Spark and Python versions,
stage classes) is in the model's ``MLmodel`` metadata (see :mod:`mmlspark_py.tracking.model_logging`) and,
for searching and display, in the version's ``mmlspark.*`` tags. Aliases (``champion``, ``staging``, ...) name
versions; MLflow's deprecated stages are not used.

Example::

    version = register_model(model, "income", training_data=train, alias="champion")
    set_alias("income", "challenger", 2)
    load_model("models:/income@champion")
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Union

from pyspark.sql import DataFrame
from pyspark.sql.types import StructType

from mmlspark_py.registry.errors import ModelNotFound, RegistryError
from mmlspark_py.registry.saved_model import load_saved_model
from mmlspark_py.tracking import log_model, mlflow_module, start_run

MAX_TAG = 5000
_MISSING = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "INVALID_PARAMETER_VALUE")


@dataclass(frozen=True)
class RegisteredVersion:
    """One version of a registered model."""

    name: str
    version: int
    run_id: Optional[str]
    source: str
    aliases: List[str] = field(default_factory=list)
    tags: Dict[str, str] = field(default_factory=dict)
    description: str = ""
    created: Optional[int] = None

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


def _client() -> Any:
    return mlflow_module().MlflowClient()


def _version(mv: Any) -> RegisteredVersion:
    return RegisteredVersion(
        mv.name,
        int(mv.version),
        mv.run_id,
        mv.source,
        list(getattr(mv, "aliases", []) or []),
        dict(mv.tags or {}),
        mv.description or "",
        mv.creation_timestamp,
    )


def _check_name(name: str) -> None:
    if not name or any(c in name for c in "'\"/@\\") or name != name.strip():
        raise ValueError(
            f"model name {name!r}: use letters, digits, '-', '_', '.' and spaces (no quotes, '/', '@' or backslashes)"
        )


def _is_missing(error: Exception) -> bool:
    return getattr(error, "error_code", "") in _MISSING


def _tag_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= MAX_TAG else text[: MAX_TAG - 3] + "..."


def lineage_tags(lineage: Dict[str, Any]) -> Dict[str, str]:
    """The ``mmlspark.*`` version tags of a lineage dict."""
    tags = {
        "mmlspark.source_run_id": lineage.get("source_run_id") or "",
        "mmlspark.stages": _tag_text(",".join(lineage.get("stages", []))),
    }
    for key, value in (lineage.get("environment") or {}).items():
        tags[f"mmlspark.env.{key}"] = _tag_text(value)
    data = lineage.get("training_data") or {}
    for key in ("path", "rows", "digest", "path_count"):
        if key in data:
            tags[f"mmlspark.data.{key}"] = _tag_text(str(data[key]))
    if "schema" in data:
        tags["mmlspark.data.schema"] = _tag_text(data["schema"])
    return tags


def logged_metadata(model_uri: str) -> Dict[str, Any]:
    """The ``mmlspark`` metadata of a logged model's MLmodel file (``{}`` if it has none)."""
    from mlflow.models import Model

    from mmlspark_py.tracking import METADATA_KEY

    local = mlflow_module().artifacts.download_artifacts(artifact_uri=model_uri.rstrip("/") + "/MLmodel")
    return (Model.load(local).metadata or {}).get(METADATA_KEY, {})


def register_model(
    model: Union[Any, str],
    name: str,
    training_data: Optional[DataFrame] = None,
    training_data_path: Optional[str] = None,
    input_schema: Optional[StructType] = None,
    alias: Optional[str] = None,
    experiment: str = "models",
    run_id: Optional[str] = None,
    description: Optional[str] = None,
    tags: Optional[Dict[str, str]] = None,
    input_cols: Optional[Sequence[str]] = None,
    output_cols: Optional[Sequence[str]] = None,
    digest: bool = True,
) -> RegisteredVersion:
    """Register ``model`` as a new version of ``name``.

    :param model: a fitted model (PipelineModel or one fitted stage, our stages and Spark's mixed), a folder
        where one was saved, or the URI of a logged model (``runs:/<run>/model``, ``models:/...``).
    :param training_data: the training DataFrame (signature and data lineage; see
        :func:`mmlspark_py.tracking.log_model`), or ``input_schema``. Not needed for a logged model's URI.
    :param alias: set this alias to the new version.
    :param experiment, run_id: the run the model is logged to: ``run_id``, else the active run, else a new run
        of ``experiment`` named ``register <name>``.
    :returns: the new :class:`RegisteredVersion`.

    Versions registered concurrently (threads or processes) get distinct numbers; none is lost.
    """
    _check_name(name)
    mlflow = mlflow_module()
    if isinstance(model, str) and model.startswith(("runs:/", "models:/")):
        uri, lineage = model, logged_metadata(model).get("lineage", {})
    else:
        if isinstance(model, str):
            model = load_saved_model(model)
        from mmlspark_py.tracking import active_run_id

        kwargs = dict(
            training_data=training_data,
            training_data_path=training_data_path,
            input_schema=input_schema,
            input_cols=input_cols,
            output_cols=output_cols,
            digest=digest,
        )
        if run_id or active_run_id():
            logged = log_model(model, run_id=run_id or active_run_id(), **kwargs)
        else:
            with start_run(experiment, run_name=f"register {name}", snapshot=False) as run:
                logged = log_model(model, run_id=run.run_id, **kwargs)
        uri, lineage = logged.uri, logged.lineage
    all_tags = {**lineage_tags(lineage), **(tags or {})}
    mv = mlflow.register_model(uri, name, tags=all_tags)
    client = _client()
    if description:
        client.update_model_version(name, mv.version, description)
    if alias:
        client.set_registered_model_alias(name, alias, mv.version)
    return get_version(name, int(mv.version))


def list_models() -> List[Dict[str, Any]]:
    """One dict per registered model: name, latest version, aliases (alias -> version), description."""
    rows = []
    for rm in _client().search_registered_models(max_results=1000):
        versions = [int(v.version) for v in (rm.latest_versions or [])]
        rows.append(
            {
                "name": rm.name,
                "latest": max(versions) if versions else None,
                "aliases": dict(sorted((a, int(v)) for a, v in (rm.aliases or {}).items())),
                "description": rm.description or "",
            }
        )
    return sorted(rows, key=lambda r: r["name"])


def list_versions(name: str) -> List[RegisteredVersion]:
    """Every version of ``name``, newest first. :raises ModelNotFound: no such model."""
    model = _registered(name)
    found = _client().search_model_versions(f"name = '{name}'")
    # searched versions carry no aliases (SQL store): take them from the model
    aliases = {a: int(v) for a, v in (model.aliases or {}).items()}
    versions = [
        replace(_version(v), aliases=sorted(a for a, n in aliases.items() if n == int(v.version))) for v in found
    ]
    return sorted(versions, key=lambda v: -v.version)


def _registered(name: str) -> Any:
    try:
        return _client().get_registered_model(name)
    except Exception as e:
        if _is_missing(e):
            known = [m["name"] for m in list_models()]
            raise ModelNotFound(f"no registered model {name!r}; registered models: {known}") from e
        raise


def get_version(name: str, version: int) -> RegisteredVersion:
    """Version ``version`` of ``name``. :raises ModelNotFound: naming the versions that exist."""
    _registered(name)
    try:
        return _version(_client().get_model_version(name, str(version)))
    except Exception as e:
        if _is_missing(e):
            known = [v.version for v in list_versions(name)]
            raise ModelNotFound(f"model {name!r} has no version {version}; versions: {known}") from e
        raise


def get_version_by_alias(name: str, alias: str) -> RegisteredVersion:
    """The version alias ``alias`` of ``name`` points to. :raises ModelNotFound: naming the aliases that exist."""
    model = _registered(name)
    try:
        return _version(_client().get_model_version_by_alias(name, alias))
    except Exception as e:
        if _is_missing(e):
            known = dict(sorted((a, int(v)) for a, v in (model.aliases or {}).items()))
            raise ModelNotFound(f"model {name!r} has no alias {alias!r}; aliases: {known}") from e
        raise


def set_alias(name: str, alias: str, version: int) -> RegisteredVersion:
    """Point ``alias`` of ``name`` at ``version`` (moving it if set). :raises ModelNotFound: no such version."""
    if not alias or alias.isdigit() or alias.lower() == "latest":
        raise ValueError(f"alias {alias!r}: must be a name (not a number or 'latest')")
    get_version(name, version)
    _client().set_registered_model_alias(name, alias, str(version))
    return get_version(name, version)


def delete_alias(name: str, alias: str) -> None:
    """Remove ``alias`` from ``name``. :raises ModelNotFound: no such alias."""
    get_version_by_alias(name, alias)
    _client().delete_registered_model_alias(name, alias)


def delete_model(name: str, version: Optional[int] = None) -> None:
    """Delete one version of ``name``, or (``version=None``) the model with all its versions.

    :raises ModelNotFound: no such model or version.
    """
    if version is None:
        _registered(name)
        _client().delete_registered_model(name)
        return
    get_version(name, version)
    try:
        _client().delete_model_version(name, str(version))
    except Exception as e:  # pragma: no cover - depends on the store
        raise RegistryError(f"could not delete version {version} of {name!r}: {e}") from e
