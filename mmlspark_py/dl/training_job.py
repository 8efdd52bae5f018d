"""A DeepVisionClassifier training job described by a plain spec (what ``mmlspark-py train JOB.yaml`` runs).

Spec (a dict, e.g. parsed from YAML)::

    kind: DeepVisionClassifier
    train: {path: /data/train, format: image_folders}   # or {path: t.parquet, format: parquet,
                                                        #     imageCol: image, labelCol: label}
    test: {path: /data/test, format: image_folders}     # optional: held-out accuracy
    params: {epochs: 5, numWorkers: 2, imageHeight: 28, imageWidth: 28, imageChannels: 1,
             checkpointDir: /shared/ckpt}               # any DeepVisionClassifier param
    output: /models/fashion                             # the fitted model (a Spark ML folder)
    tracking: {experiment: fashion, runName: cnn-2w}     # optional: an MLflow run

Data formats: ``image_folders`` reads ``path/<class name>/<image files>`` (any Hadoop path, compressed bytes
decoded on the executors) with labels indexed by sorted class name; any other format is a Spark data source
(``parquet``, ``orc``, ...) holding ``imageCol`` and a numeric ``labelCol``.

With ``tracking``, the job is logged as one MLflow run (tracking URI from ``MLFLOW_TRACKING_URI`` or
``tracking.uri``): the params, the per-epoch metrics with the epoch as step (the learning curve), the test
accuracy and the model folder. :func:`run_training_job` returns a summary dict and writes it next to the model
as ``<output>_summary.json`` (the model folder itself stays a loadable Spark ML folder).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Mapping, Optional, Tuple

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from mmlspark_py.dl.deep_vision_classifier import DeepVisionClassifier, DeepVisionModel

__all__ = ["run_training_job", "JobSpecError", "KIND"]

KIND = "DeepVisionClassifier"
_DATA_KEYS = {"path", "format", "imageCol", "labelCol"}


class JobSpecError(ValueError):
    """The job spec is malformed; the message names the key and what is valid."""


def _data_spec(spec: Mapping[str, Any], key: str) -> Dict[str, Any]:
    data = spec.get(key)
    if not isinstance(data, Mapping) or not isinstance(data.get("path"), str):
        raise JobSpecError(f"{key}: expected a mapping with a 'path' string (and 'format'), got {data!r}")
    unknown = set(data) - _DATA_KEYS
    if unknown:
        raise JobSpecError(f"{key}: unknown key(s) {sorted(unknown)}; valid: {sorted(_DATA_KEYS)}")
    return {"format": "image_folders", "imageCol": "image", "labelCol": "label", **data}


def _image_folders(spark: SparkSession, path: str, classes: Optional[List[str]]) -> Tuple[DataFrame, List[str]]:
    files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(path)
             .select(F.struct("path", "content").alias("image"),
                     F.element_at(F.split("path", "/"), -2).alias("className")))
    if classes is None:
        classes = sorted(r["className"] for r in files.select("className").distinct().collect())
    if len(classes) < 2:
        raise JobSpecError(f"{path}: image_folders needs one sub-folder per class (two or more); found {classes}")
    index = F.array_position(F.array(*[F.lit(c) for c in classes]), F.col("className")) - 1
    labelled = files.withColumn("label", index.cast("int"))
    return labelled.where(F.col("label") >= 0).drop("className"), classes


def _read(spark: SparkSession, data: Dict[str, Any], classes: Optional[List[str]]
          ) -> Tuple[DataFrame, Optional[List[str]]]:
    if data["format"] == "image_folders":
        return _image_folders(spark, data["path"], classes)
    df = spark.read.format(data["format"]).load(data["path"])
    return df.withColumnRenamed(data["imageCol"], "image").withColumnRenamed(data["labelCol"], "label"), classes


def _accuracy(model: DeepVisionModel, df: DataFrame) -> float:
    row = model.transform(df).agg(F.avg((F.col("prediction") == F.col("label")).cast("double")).alias("a")).first()
    return float(row["a"]) if row["a"] is not None else float("nan")


def _log_mlflow(tracking: Mapping[str, Any], params: Mapping[str, Any], history: List[Dict[str, Any]],
                metrics: Mapping[str, float], output: str) -> str:
    import mlflow

    if tracking.get("uri"):
        mlflow.set_tracking_uri(tracking["uri"])
    mlflow.set_experiment(tracking.get("experiment", "mmlspark-py"))
    with mlflow.start_run(run_name=tracking.get("runName")) as run:
        mlflow.log_params({k: v for k, v in params.items()})
        for record in history:
            mlflow.log_metrics({k: float(v) for k, v in record.items() if k != "epoch"
                                and isinstance(v, (int, float))}, step=int(record["epoch"]))
        mlflow.log_metrics(dict(metrics))
        mlflow.set_tag("model_path", output)
        return run.info.run_id


def run_training_job(spec: Mapping[str, Any], spark: Optional[SparkSession] = None) -> Dict[str, Any]:
    """Run the training job ``spec`` (see the module docstring); returns its summary.

    :raises JobSpecError: a malformed spec, before anything runs.
    """
    if spec.get("kind", KIND) != KIND:
        raise JobSpecError(f"kind: this runner trains {KIND!r}, got {spec.get('kind')!r}")
    unknown = set(spec) - {"kind", "train", "test", "params", "output", "tracking"}
    if unknown:
        raise JobSpecError(f"unknown key(s) {sorted(unknown)}; valid: kind, train, test, params, output, tracking")
    train_spec = _data_spec(spec, "train")
    test_spec = _data_spec(spec, "test") if spec.get("test") is not None else None
    output = spec.get("output")
    if not isinstance(output, str) or not output:
        raise JobSpecError(f"output: expected the folder to save the model in, got {output!r}")
    params = dict(spec.get("params") or {})
    try:
        classifier = DeepVisionClassifier(**params)
    except (TypeError, ValueError) as e:
        raise JobSpecError(f"params: {e}") from None
    from mmlspark_py.core.session import get_spark

    spark = spark or get_spark()
    train, classes = _read(spark, train_spec, None)
    model = classifier.setImageCol("image").setLabelCol("label").fit(train)
    model.write().overwrite().save(output)
    metrics: Dict[str, float] = {}
    if test_spec is not None:
        test, _ = _read(spark, test_spec, classes)
        metrics["test_accuracy"] = _accuracy(model, test)
    history = model.getHistory()
    summary: Dict[str, Any] = {"kind": KIND, "model": output, "classes": classes, "history": history,
                               "metrics": metrics, "params": params}
    if spec.get("tracking"):
        summary["mlflowRunId"] = _log_mlflow(spec["tracking"], params, history, metrics, output)
    if "://" not in output:
        with open(os.path.abspath(output.rstrip("/")) + "_summary.json", "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
    return summary
