"""Automatic logging: what our stages announce (:mod:`mmlspark_py.core.events`) is recorded to the active run.

While a run is active (one opened by :func:`mmlspark_py.tracking.start_run`, in any thread, or a plain
``mlflow.start_run()`` in the current thread after :func:`autolog`):

- every ``fit`` of one of our estimators logs its params, nested stages flattened with their uid
  (``TrainClassifier_3f2a.labelCol``, ``LogisticRegression_81c0.regParam``), and the metrics
  ``<uid>.fit_seconds`` and ``<uid>.rows`` (one Spark count; off with ``log_data_size=False``), and the input
  schema as ``fits/<uid>/input_schema.json``. A second fit of the same stage with other param values logs the
  changed values as ``<key>:fit<n>`` (MLflow params cannot change);
- ``ComputeModelStatistics`` metrics are logged as run metrics (names made valid for MLflow: ``R^2`` becomes
  ``R_2``; a repeated evaluation adds a step), its confusion matrix as ``metrics/confusion_matrix.json``;
- plots written by :mod:`mmlspark_py.plot` (and the quickstart's contact sheet) are logged under ``plots/``.

With no active run, or without MLflow installed, recording does nothing. A failure to record is logged as a
warning and never fails the fit (see :func:`mmlspark_py.core.events.emit`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from pyspark.ml.param import Params

from mmlspark_py.core import events

MAX_PARAM_VALUE = 6000
_INVALID_KEY = re.compile(r"[^\w\-. :/]")


@dataclass
class RunSettings:
    """What autologging records for one run."""

    log_fits: bool = True
    log_data_size: bool = True
    log_metrics: bool = True
    log_artifacts: bool = True


@dataclass
class OpenRun:
    """A run opened by ``start_run``: visible to autologging from every thread while it is open."""

    run_id: str
    settings: RunSettings


_open_runs: List[OpenRun] = []
_lock = threading.Lock()


def attach(run: OpenRun) -> None:
    """Makes ``run`` the target of autologging (until :func:`detach`) and turns the recorder on."""
    with _lock:
        _open_runs.append(run)
    events.subscribe(_recorder)


def detach(run: OpenRun) -> None:
    with _lock:
        if run in _open_runs:
            _open_runs.remove(run)


def autolog(enable: bool = True) -> None:
    """Record to plain ``mlflow.start_run()`` runs too (``start_run`` runs are always recorded)."""
    _recorder.follow_mlflow = enable
    if enable:
        events.subscribe(_recorder)


def _short(value: str) -> str:
    return value if len(value) <= MAX_PARAM_VALUE else value[: MAX_PARAM_VALUE - 3] + "..."


def _param_text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes sha256:{hashlib.sha256(value).hexdigest()[:16]}>"
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except TypeError:
        return str(value)


def flatten_params(stage: Params) -> Dict[str, str]:
    """Every defined param of ``stage`` and of the stages nested in it, as ``{"<uid>.<param>": text}``."""
    out: Dict[str, str] = {}
    pending = [stage]
    seen = set()
    while pending:
        current = pending.pop(0)
        if current.uid in seen:
            continue
        seen.add(current.uid)
        for param in current.params:
            if not current.isDefined(param):
                continue
            value = current.getOrDefault(param)
            key = f"{current.uid}.{param.name}"
            if isinstance(value, Params):
                out[key] = value.uid
                pending.append(value)
            elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Params) for v in value):
                out[key] = ",".join(v.uid for v in value)
                pending += list(value)
            else:
                out[key] = _short(_param_text(value))
        for nested in getattr(current, "stages", None) or []:
            if isinstance(nested, Params):
                pending.append(nested)
    return out


def metric_key(name: str) -> str:
    """``name`` with the characters MLflow rejects in keys replaced by ``_``."""
    return _INVALID_KEY.sub("_", name)


class _Recorder:
    """The events listener; resolves the target run per event and logs through an MlflowClient."""

    def __init__(self) -> None:
        self.follow_mlflow = False
        self._lock = threading.Lock()
        self._params: Dict[str, Dict[str, str]] = {}
        self._counts: Dict[Tuple[str, str], int] = {}

    def _target(self) -> Optional[OpenRun]:
        mlflow = sys.modules.get("mlflow")
        if mlflow is None:  # no run can be active without mlflow imported: the cheap no-op path
            return None
        if self.follow_mlflow:
            active = mlflow.active_run()
            if active is not None:
                for run in reversed(_open_runs):
                    if run.run_id == active.info.run_id:
                        return run
                return OpenRun(active.info.run_id, RunSettings())
        with _lock:
            return _open_runs[-1] if _open_runs else None

    def _next(self, run_id: str, key: str) -> int:
        with self._lock:
            n = self._counts.get((run_id, key), 0) + 1
            self._counts[(run_id, key)] = n
            return n

    def __call__(self, event: str, **data: Any) -> None:
        run = self._target()
        if run is None:
            return
        from mmlspark_py.tracking.backend import mlflow_module

        client = mlflow_module().MlflowClient()
        if event == "fit" and run.settings.log_fits:
            self._fit(client, run, **data)
        elif event == "metrics" and run.settings.log_metrics:
            self._metrics(client, run, **data)
        elif event == "artifact" and run.settings.log_artifacts:
            client.log_artifact(run.run_id, data["path"], artifact_path=data.get("kind", "artifact") + "s")

    def _new_params(self, run_id: str, params: Dict[str, str], n: int) -> Dict[str, str]:
        with self._lock:
            logged = self._params.setdefault(run_id, {})
            out = {}
            for key, value in params.items():
                if key not in logged:
                    out[key] = logged[key] = value
                elif logged[key] != value:
                    out[f"{key}:fit{n}"] = value
            return out

    def _fit(self, client: Any, run: OpenRun, stage: Params, dataset: Any, model: Any, seconds: float) -> None:
        from mlflow.entities import Metric, Param, RunTag

        n = self._next(run.run_id, "fit:" + stage.uid)
        now = int(time.time() * 1000)
        metrics = [Metric(f"{stage.uid}.fit_seconds", float(seconds), now, n - 1)]
        if run.settings.log_data_size:
            metrics.append(Metric(f"{stage.uid}.rows", float(dataset.count()), now, n - 1))
        params = [Param(k, v) for k, v in self._new_params(run.run_id, flatten_params(stage), n).items()]
        tags = [RunTag(f"mmlspark.fit.{stage.uid}", f"{type(stage).__module__}.{type(stage).__name__}")]
        for i in range(0, max(len(params), 1), 100):  # MLflow takes at most 100 params per batch
            client.log_batch(
                run.run_id, metrics=metrics if i == 0 else [], params=params[i : i + 100], tags=tags if i == 0 else []
            )
        if n == 1:
            client.log_dict(run.run_id, dataset.schema.jsonValue(), f"fits/{stage.uid}/input_schema.json")

    def _metrics(self, client: Any, run: OpenRun, stage: Any, metrics: Dict[str, Any]) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        batch = []
        for name, value in metrics.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            key = metric_key(name)
            batch.append(Metric(key, float(value), now, self._next(run.run_id, "metric:" + key) - 1))
        if batch:
            client.log_batch(run.run_id, metrics=batch)
        matrix = metrics.get("confusion_matrix")
        if matrix is not None:
            values = matrix.tolist() if hasattr(matrix, "tolist") else matrix
            client.log_dict(
                run.run_id, {"levels": _plain(metrics.get("levels")), "matrix": values}, "metrics/confusion_matrix.json"
            )


def _plain(values: Any) -> Any:
    if values is None:
        return None
    return [
        v if isinstance(v, (str, int, bool)) or (isinstance(v, float) and math.isfinite(v)) else str(v) for v in values
    ]


_recorder = _Recorder()


def active_run_id() -> Optional[str]:
    """The id of the run autologging records to in this thread, or None."""
    target = _recorder._target()
    return target.run_id if target else None
