"""``start_run``: an MLflow run with autologging, a code snapshot and the compute target recorded.

Example::

    from mmlspark_py.tracking import start_run

    with start_run("income", run_name="lr-baseline") as run:
        model = TrainClassifier(model=LogisticRegression(), labelCol="income").fit(train)   # params, fit time
        ComputeModelStatistics().transform(model.transform(test))                           # metrics
        run.log_model(model, training_data=train)                                           # the model
    print(run.run_id)
"""

from __future__ import annotations

import logging
import tempfile
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional

from mmlspark_py.tracking import autolog
from mmlspark_py.tracking.autolog import active_run_id
from mmlspark_py.tracking.backend import experiment_id, mlflow_module
from mmlspark_py.tracking.snapshot import MAX_TOTAL_BYTES, take_snapshot

_log = logging.getLogger(__name__)


class TrackedRun:
    """The run inside a ``start_run`` block: its ids and one-call logging helpers."""

    def __init__(self, run_id: str, experiment_id: str):
        self.run_id = run_id
        self.experiment_id = experiment_id

    def log_params(self, params: Dict[str, Any]) -> None:
        mlflow_module().log_params(params, run_id=self.run_id)

    def log_metrics(self, metrics: Dict[str, float], step: Optional[int] = None) -> None:
        mlflow_module().log_metrics(metrics, step=step, run_id=self.run_id)

    def set_tags(self, tags: Dict[str, Any]) -> None:
        client = mlflow_module().MlflowClient()
        for key, value in tags.items():
            client.set_tag(self.run_id, key, value)

    def log_artifact(self, path: str, artifact_path: Optional[str] = None) -> None:
        mlflow_module().MlflowClient().log_artifact(self.run_id, path, artifact_path)

    def log_model(self, model: Any, artifact_path: str = "model", **kwargs: Any) -> Any:
        """Logs a fitted model to this run: :func:`mmlspark_py.tracking.log_model`."""
        from mmlspark_py.tracking.model_logging import log_model

        return log_model(model, artifact_path=artifact_path, run_id=self.run_id, **kwargs)

    def __repr__(self) -> str:
        return f"TrackedRun(run_id={self.run_id!r}, experiment_id={self.experiment_id!r})"


@contextmanager
def start_run(
    experiment: str = "Default",
    run_name: Optional[str] = None,
    tags: Optional[Dict[str, Any]] = None,
    description: Optional[str] = None,
    nested: bool = False,
    snapshot: bool = True,
    code_folder: Optional[str] = None,
    snapshot_max_bytes: int = MAX_TOTAL_BYTES,
    log_fits: bool = True,
    log_data_size: bool = True,
    log_metrics: bool = True,
    log_artifacts: bool = True,
    target: Optional[Dict[str, Any]] = None,
) -> Iterator[TrackedRun]:
    """Open an MLflow run in ``experiment`` (created when missing) for the ``with`` block.

    :param experiment: experiment name.
    :param run_name, tags, description, nested: as ``mlflow.start_run``.
    :param snapshot: record the code (git commit + diff, or an archive of ``code_folder``; see
        :mod:`mmlspark_py.tracking.snapshot`), at most ``snapshot_max_bytes`` archived.
    :param log_fits, log_data_size, log_metrics, log_artifacts: what autologging records
        (:mod:`mmlspark_py.tracking.autolog`).
    :param target: the compute target the run's Spark work runs on (``{"name", "master", ...}``), recorded as
        ``mmlspark.target.*`` tags.

    The run ends FINISHED, or FAILED when the block raises. A failing snapshot is a warning, not an error.
    """
    mlflow = mlflow_module()
    exp = experiment_id(experiment)
    all_tags = dict(tags or {})
    for key, value in (target or {}).items():
        if isinstance(value, (str, int, float, bool)):
            all_tags[f"mmlspark.target.{key}"] = str(value)
    with mlflow.start_run(
        experiment_id=exp, run_name=run_name, tags=all_tags or None, description=description, nested=nested
    ) as active:
        run = TrackedRun(active.info.run_id, exp)
        if snapshot:
            _log_snapshot(run, code_folder, snapshot_max_bytes)
        settings = autolog.RunSettings(log_fits, log_data_size, log_metrics, log_artifacts)
        opened = autolog.OpenRun(run.run_id, settings)
        autolog.attach(opened)
        try:
            yield run
        finally:
            autolog.detach(opened)


def _log_snapshot(run: TrackedRun, folder: Optional[str], max_bytes: int) -> None:
    try:
        with tempfile.TemporaryDirectory(prefix="mmlspark-code-") as tmp:
            snap = take_snapshot(tmp, folder, max_total_bytes=max_bytes)
            run.set_tags(snap.tags)
            for path in snap.files:
                run.log_artifact(path, "code")
    except Exception as e:  # noqa: BLE001 - a run without its snapshot is better than no run
        _log.warning("could not record the code snapshot for run %s: %s", run.run_id, e)


__all__ = ["start_run", "TrackedRun", "active_run_id"]
