"""Where run history and the registry live, and the one place that imports mlflow.

MLflow is the optional ``registry`` extra, imported only when tracking is used: importing
:mod:`mmlspark_py.tracking` costs nothing and works without it.

The store, in order of precedence:

1. :func:`configure` (``uri=`` any MLflow tracking URI, e.g. ``http://127.0.0.1:5000``, or ``home=`` a folder);
2. the ``MLFLOW_TRACKING_URI`` environment variable (MLflow's own);
3. ``MMLSPARK_MLFLOW_HOME``: a folder that holds ``mlflow.db`` (SQLite) and ``mlruns/`` (artifacts);
4. MLflow's embedded default: ``sqlite:///<cwd>/mlflow.db`` with artifacts under ``<cwd>/mlruns``.

Telemetry is turned off (``MLFLOW_DISABLE_TELEMETRY``, ``DO_NOT_TRACK``) unless the user set those variables;
everything works offline.
"""

from __future__ import annotations

import os
import threading
from types import ModuleType
from typing import Optional

HOME_ENV = "MMLSPARK_MLFLOW_HOME"
_ARTIFACTS = "mlruns"
_lock = threading.Lock()
_home: Optional[str] = None


class TrackingUnavailable(ImportError):
    """MLflow is not installed; the message says which extra to install."""


def mlflow_module() -> ModuleType:
    """The ``mlflow`` module, imported on first use with telemetry off and the configured store applied.

    :raises TrackingUnavailable: mlflow is not installed.
    """
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    try:
        import mlflow
    except ImportError as e:
        raise TrackingUnavailable(
            "run history and the model registry need MLflow: pip install 'mmlspark-py[registry]'"
        ) from e
    _apply_home(mlflow)
    return mlflow


def mlflow_if_available() -> Optional[ModuleType]:
    """The ``mlflow`` module, or None when it is not installed (autologging is then a no-op)."""
    try:
        return mlflow_module()
    except TrackingUnavailable:
        return None


def configure(uri: Optional[str] = None, home: Optional[str] = None) -> str:
    """Point tracking and registry at ``uri`` (any MLflow tracking URI) or at a ``home`` folder.

    ``home`` holds ``mlflow.db`` and ``mlruns/`` (created if needed). With neither, nothing changes. Returns the
    tracking URI in effect.
    """
    global _home
    mlflow = mlflow_module()
    if uri is not None and home is not None:
        raise ValueError("configure: give uri or home, not both")
    if uri is not None:
        _home = None
        mlflow.set_tracking_uri(uri)
        mlflow.set_registry_uri(uri)
    elif home is not None:
        _home = os.path.abspath(home)
        _set_home(mlflow, _home)
    return mlflow.get_tracking_uri()


def reset() -> None:
    """Forget :func:`configure`: back to the environment's or MLflow's default store."""
    global _home
    _home = None
    mlflow = mlflow_module()
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)
    os.environ.pop("MLFLOW_REGISTRY_URI", None)  # set_registry_uri(None) leaves the variable it exported


def artifact_root() -> Optional[str]:
    """The artifact folder new experiments get when a home folder is in effect (None: MLflow's default)."""
    home = _home or (os.environ.get(HOME_ENV) if not os.environ.get("MLFLOW_TRACKING_URI") else None)
    return os.path.join(os.path.abspath(home), _ARTIFACTS) if home else None


def _apply_home(mlflow: ModuleType) -> None:
    """Applies ``MMLSPARK_MLFLOW_HOME`` once, when nothing more specific is configured."""
    with _lock:
        if _home is not None or mlflow.tracking.is_tracking_uri_set():
            return
        home = os.environ.get(HOME_ENV)
        if home:
            _set_home(mlflow, os.path.abspath(home))


def _set_home(mlflow: ModuleType, home: str) -> None:
    os.makedirs(os.path.join(home, _ARTIFACTS), exist_ok=True)
    uri = "sqlite:///" + os.path.join(home, "mlflow.db")
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)


def experiment_id(name: str) -> str:
    """The id of experiment ``name``, created (with its artifacts under the home folder, if any) when missing."""
    mlflow = mlflow_module()
    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    root = artifact_root()
    location = None
    if root:
        location = "file://" + os.path.join(root, name.replace("/", "_"))
    try:
        return mlflow.create_experiment(name, artifact_location=location)
    except mlflow.exceptions.MlflowException:
        # another process created it between our lookup and create
        found = mlflow.get_experiment_by_name(name)
        if found is None:
            raise
        return found.experiment_id
