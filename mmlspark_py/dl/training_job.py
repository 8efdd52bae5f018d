"""A DeepVisionClassifier training job from a plain spec (what ``mmlspark-py train JOB.yaml`` runs for it).

The spec is a flat mapping with the job runner's conventions (camelCase keys, ``kind`` first)::

    kind: deep_vision                      # or DeepVisionClassifier
    input: /data/fashion/train             # image folders: <input>/<class name>/<image files>
    inputFormat: image_folders             # or any Spark source (parquet, ...) with imageCol and labelCol
    testInput: /data/fashion/test          # optional: held-out accuracy
    params: {epochs: 5, numWorkers: 2, imageHeight: 28, imageWidth: 28, imageChannels: 1,
             checkpointDir: /shared/ckpt}   # any DeepVisionClassifier param
    modelOutput: /models/fashion            # the fitted model (a Spark ML folder), written atomically
    overwrite: false                       # replace an existing modelOutput (checked before training)
    experiment: fashion                    # optional: an MLflow run in this experiment
    runName: cnn-2w

``image_folders`` reads every file under ``input`` (any Hadoop path; compressed bytes decoded on the
executors), labelled by its parent folder's name, classes indexed in sorted order (a test set uses the
training set's classes; its files in other folders are ignored).

With ``experiment`` (and MLflow installed), the job is one MLflow run (tracking URI from
``MLFLOW_TRACKING_URI``): the params, the per-epoch metrics with the epoch as step (the learning curve), the
test accuracy and the model folder as a tag. :func:`run_training_job` returns the summary (``classes``,
``history``, ``metrics``, ``modelOutput``, ``mlflowRunId``).

Under the job runner (``mmlspark-py train JOB.yaml`` / ``mmlspark-py run``), the ``deep_vision`` kind
(``mmlspark_py.jobs.deep_vision_job``) builds this spec without ``experiment``: the runner's own MLflow run
records the params, the learning curve and the test accuracy instead, so there is one run per job.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from mmlspark_py.dl.deep_vision_classifier import DeepVisionClassifier, DeepVisionModel

__all__ = ["run_training_job", "read_image_folders", "check_spec", "JobSpecError", "KINDS", "SPEC_KEYS"]

KINDS = ("deep_vision", "DeepVisionClassifier")
SPEC_KEYS = (
    "kind",
    "input",
    "inputFormat",
    "imageCol",
    "labelCol",
    "testInput",
    "params",
    "modelOutput",
    "overwrite",
    "experiment",
    "runName",
)


class JobSpecError(ValueError):
    """The job spec is malformed; the message names the key and what is valid."""


def _string(spec: Mapping[str, Any], key: str, required: bool = False, default: Optional[str] = None) -> Any:
    value = spec.get(key, default)
    if (value is None and required) or (value is not None and (not isinstance(value, str) or not value)):
        raise JobSpecError(f"deep_vision job: {key!r} must be a non-empty string, got {value!r}")
    return value


def read_image_folders(
    spark: SparkSession, path: str, classes: Optional[List[str]] = None
) -> Tuple[DataFrame, List[str]]:
    """``image`` (binaryFile struct) and ``label`` (class index) of every file under ``path/<class>/``."""
    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(path)
        .select(F.struct("path", "content").alias("image"), F.element_at(F.split("path", "/"), -2).alias("className"))
    )
    if classes is None:
        classes = sorted(r["className"] for r in files.select("className").distinct().collect())
    if len(classes) < 2:
        raise JobSpecError(f"deep_vision job: {path} must hold one sub-folder per class (two or more); found {classes}")
    first: Dict[str, int] = {}
    for i, name in enumerate(classes):
        first.setdefault(name, i)
    # a map lookup (pyspark 3.5's array_position takes no column): a class not listed is null and dropped
    index = F.try_element_at(F.create_map(*[F.lit(v) for kv in first.items() for v in kv]), F.col("className"))
    labelled = files.withColumn("label", index.cast("int"))
    return labelled.where(F.col("label") >= 0).drop("className"), classes


def _read(
    spark: SparkSession, path: str, fmt: str, image_col: str, label_col: str, classes: Optional[List[str]]
) -> Tuple[DataFrame, Optional[List[str]]]:
    if fmt == "image_folders":
        return read_image_folders(spark, path, classes)
    df = spark.read.format(fmt).load(path)
    return df.withColumnRenamed(image_col, "image").withColumnRenamed(label_col, "label"), classes


def _accuracy(model: DeepVisionModel, df: DataFrame) -> float:
    row = model.transform(df).agg(F.avg((F.col("prediction") == F.col("label")).cast("double")).alias("a")).first()
    return float(row["a"]) if row is not None and row["a"] is not None else float("nan")


def _log_mlflow(
    spec: Mapping[str, Any], params: Mapping[str, Any], history: List[Dict[str, Any]], metrics: Mapping[str, float]
) -> str:
    import mlflow

    mlflow.set_experiment(spec["experiment"])
    with mlflow.start_run(run_name=spec.get("runName")) as run:
        mlflow.log_params({"kind": "deep_vision", "input": spec["input"], **params})
        for record in history:
            mlflow.log_metrics(
                {k: float(v) for k, v in record.items() if k != "epoch" and isinstance(v, (int, float))},
                step=int(record["epoch"]),
            )
        mlflow.log_metrics(dict(metrics))
        mlflow.set_tag("modelOutput", spec["modelOutput"])
        return str(run.info.run_id)


def check_spec(spec: Mapping[str, Any]) -> DeepVisionClassifier:
    """The classifier ``spec`` describes; raises :class:`JobSpecError` naming the first bad key."""
    if spec.get("kind", KINDS[0]) not in KINDS:
        raise JobSpecError(f"kind must be one of {list(KINDS)}, got {spec.get('kind')!r}")
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise JobSpecError(f"deep_vision job: unknown key(s) {unknown}; valid: {list(SPEC_KEYS)}")
    for key, required in (
        ("input", True),
        ("modelOutput", True),
        ("inputFormat", False),
        ("imageCol", False),
        ("labelCol", False),
        ("testInput", False),
        ("experiment", False),
        ("runName", False),
    ):
        _string(spec, key, required)
    if not isinstance(spec.get("overwrite", False), bool):
        raise JobSpecError(f"deep_vision job: 'overwrite' must be true or false, got {spec.get('overwrite')!r}")
    params = spec.get("params") or {}
    if not isinstance(params, Mapping):
        raise JobSpecError(
            f"deep_vision job: 'params' must be a mapping of DeepVisionClassifier params, got {params!r}"
        )
    try:
        return DeepVisionClassifier(**dict(params))
    except (TypeError, ValueError) as e:
        raise JobSpecError(f"deep_vision job: params: {e}") from None


def run_training_job(spec: Mapping[str, Any], spark: Optional[SparkSession] = None) -> Dict[str, Any]:
    """Run the training job ``spec`` (see the module docstring); returns its summary.

    :raises JobSpecError: a malformed spec, before anything runs.
    """
    classifier = check_spec(spec)
    from mmlspark_py.core.atomic_output import check_output_path, publish_atomically
    from mmlspark_py.core.session import get_spark

    spark = spark or get_spark()
    inputs = [p for p in (spec["input"], spec.get("testInput")) if p]
    overwrite = bool(spec.get("overwrite", False))
    check_output_path(spark, spec["modelOutput"], inputs, overwrite)  # before hours of training, not after
    fmt = spec.get("inputFormat", "image_folders")
    image_col, label_col = spec.get("imageCol", "image"), spec.get("labelCol", "label")
    train, classes = _read(spark, spec["input"], fmt, image_col, label_col, None)
    model = classifier.setImageCol("image").setLabelCol("label").fit(train)
    publish_atomically(
        spark, spec["modelOutput"], lambda tmp: model.write().save(tmp), overwrite=overwrite, inputs=inputs
    )
    metrics: Dict[str, float] = {}
    if spec.get("testInput"):
        test, _ = _read(spark, spec["testInput"], fmt, image_col, label_col, classes)
        metrics["test_accuracy"] = _accuracy(model, test)
    history = model.getHistory()
    summary: Dict[str, Any] = {
        "kind": "deep_vision",
        "modelOutput": spec["modelOutput"],
        "classes": classes,
        "history": history,
        "metrics": metrics,
    }
    if spec.get("experiment"):
        summary["mlflowRunId"] = _log_mlflow(spec, dict(spec.get("params") or {}), history, metrics)
    return summary
