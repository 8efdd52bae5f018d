"""Logging a fitted model to a run in MLflow's Spark flavor, with its exact signature and lineage.

The model is saved with ``mlflow.spark.save_model`` (Spark's own persistence; our Python stages save through
:mod:`mmlspark_py.core.persistence`, no pickling) and uploaded as the run's artifacts under ``artifact_path``.
The ``MLmodel`` file gets MLflow's signature and, in its ``metadata``, an ``mmlspark`` section:

- ``input_schema`` / ``output_schema``: the exact Spark schemas (:mod:`mmlspark_py.tracking.signature`);
- ``lineage``: source run, training data (schema, paths, rows, digest), library/Spark/Python versions
  (:mod:`mmlspark_py.tracking.lineage`);
- ``stages``: the class of every stage, nested ones included (what loading will import).

Requirements are given explicitly: MLflow otherwise reloads the model in a new JVM to infer them (~20 s).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from pyspark.ml import PipelineModel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from mmlspark_py.tracking.autolog import active_run_id
from mmlspark_py.tracking.backend import mlflow_module
from mmlspark_py.tracking.lineage import environment_lineage, training_data_lineage
from mmlspark_py.tracking.signature import ModelIO, model_io, stages_of, to_mlflow_signature

METADATA_KEY = "mmlspark"


@dataclass(frozen=True)
class LoggedModel:
    """Where a logged model is: ``uri`` (``runs:/<run>/<path>``), its run, its signature and lineage."""

    uri: str
    run_id: str
    artifact_path: str
    io: ModelIO
    lineage: Dict[str, Any]


def pip_requirements() -> List[str]:
    import pyspark

    import mmlspark_py

    return [f"mmlspark-py=={mmlspark_py.__version__}", f"pyspark=={pyspark.__version__}"]


def stage_classes(model: Any) -> List[str]:
    """The class names of every stage in ``model`` (nested ones included), sorted, without repeats."""
    return sorted({f"{type(s).__module__}.{type(s).__name__}" for s in stages_of(model)})


def _as_pipeline(model: Any) -> PipelineModel:
    return model if isinstance(model, PipelineModel) else PipelineModel([model])


def _run_id(run_id: Optional[str]) -> str:
    if run_id:
        return run_id
    active = active_run_id() or (mlflow_module().active_run().info.run_id if mlflow_module().active_run() else None)
    if active is None:
        raise RuntimeError("log_model: no active run; call it inside `with start_run(...)` or pass run_id=")
    return active


def log_model(
    model: Any,
    artifact_path: str = "model",
    run_id: Optional[str] = None,
    training_data: Optional[DataFrame] = None,
    training_data_path: Optional[str] = None,
    input_schema: Optional[StructType] = None,
    input_cols: Optional[Sequence[str]] = None,
    output_cols: Optional[Sequence[str]] = None,
    digest: bool = True,
    extra_metadata: Optional[Dict[str, Any]] = None,
) -> LoggedModel:
    """Log fitted ``model`` (a PipelineModel or one fitted stage) to a run.

    :param run_id: the run (default: the active one).
    :param training_data: the DataFrame the model was fitted on: gives the signature and the data lineage
        (schema, source files, rows and a content digest: one Spark job; ``digest=False`` skips it).
    :param training_data_path: recorded as the data's path (e.g. the job's ``--input``).
    :param input_schema: the input schema, when no ``training_data`` is given (one of the two is needed).
    :param input_cols, output_cols: override the inferred signature columns.
    :returns: a :class:`LoggedModel`; ``.uri`` is ``runs:/<run_id>/<artifact_path>``.
    """
    mlflow = mlflow_module()
    from mlflow.models import Model

    run = _run_id(run_id)
    spark = SparkSession.getActiveSession()
    if spark is None:
        raise RuntimeError("log_model needs an active SparkSession (the model's stages are saved through it)")
    schema = training_data.schema if training_data is not None else input_schema
    if schema is None:
        raise ValueError("log_model: give training_data (a DataFrame) or input_schema (a StructType)")
    pipeline = _as_pipeline(model)
    io = model_io(pipeline, schema, input_cols, output_cols)
    lineage: Dict[str, Any] = {
        "source_run_id": run,
        "environment": environment_lineage(),
        "stages": stage_classes(pipeline),
    }
    if training_data is not None:
        lineage["training_data"] = training_data_lineage(training_data, training_data_path, digest)
    metadata = {METADATA_KEY: {**io.to_json(), "lineage": lineage, **(extra_metadata or {})}}
    with tempfile.TemporaryDirectory(prefix="mmlspark-model-") as tmp:
        local = os.path.join(tmp, "model")
        mlflow.spark.save_model(
            pipeline,
            local,
            mlflow_model=Model(artifact_path=artifact_path, run_id=run),
            signature=to_mlflow_signature(io),
            pip_requirements=pip_requirements(),
            metadata=metadata,
        )
        mlflow.MlflowClient().log_artifacts(run, local, artifact_path)
    return LoggedModel(f"runs:/{run}/{artifact_path}", run, artifact_path, io, lineage)
