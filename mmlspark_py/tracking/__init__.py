"""Run history on MLflow: runs with automatic logging, code snapshots, and model logging with lineage.

- :func:`start_run`: a context manager around an MLflow run; while it is open, fits of our estimators,
  ComputeModelStatistics metrics and plots are logged automatically (:mod:`.autolog`), and the code is
  snapshot (:mod:`.snapshot`).
- :func:`log_model`: a fitted model in MLflow's Spark flavor with its exact signature and lineage.
- :func:`autolog`: also record into plain ``mlflow.start_run()`` runs.
- :func:`configure`: the store (default: SQLite and an artifact folder under the working directory; any MLflow
  tracking URI works). See :mod:`.backend`.
- :class:`ModelIO` / :func:`model_io`: a model's exact input and output schemas (its signature).

Importing this package is cheap and does not import MLflow (the ``registry`` extra); the functions import it
when called.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "start_run",
    "TrackedRun",
    "active_run_id",
    "log_model",
    "LoggedModel",
    "METADATA_KEY",
    "autolog",
    "configure",
    "reset",
    "mlflow_module",
    "TrackingUnavailable",
    "flatten_params",
    "ModelIO",
    "model_io",
    "format_table",
]

_LAZY = {
    "start_run": "mmlspark_py.tracking.runs",
    "TrackedRun": "mmlspark_py.tracking.runs",
    "log_model": "mmlspark_py.tracking.model_logging",
    "LoggedModel": "mmlspark_py.tracking.model_logging",
    "autolog": "mmlspark_py.tracking.autolog",
    "flatten_params": "mmlspark_py.tracking.autolog",
    "configure": "mmlspark_py.tracking.backend",
    "TrackingUnavailable": "mmlspark_py.tracking.backend",
    "reset": "mmlspark_py.tracking.backend",
    "mlflow_module": "mmlspark_py.tracking.backend",
    "active_run_id": "mmlspark_py.tracking.runs",
    "METADATA_KEY": "mmlspark_py.tracking.model_logging",
    "ModelIO": "mmlspark_py.tracking.signature",
    "model_io": "mmlspark_py.tracking.signature",
    "format_table": "mmlspark_py.tracking.cli",
}


def __getattr__(name: str) -> Any:
    # lazy: `import mmlspark_py.tracking` must stay cheap for the areas that autolog through it
    if name not in _LAZY:
        raise AttributeError(f"module 'mmlspark_py.tracking' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)


def __dir__() -> list:
    return sorted(list(globals()) + __all__)
