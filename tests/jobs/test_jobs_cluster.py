"""Jobs as ordinary Spark applications on a real standalone cluster (master + worker processes):

- ``spark-submit --master spark://... mmlspark_py/jobs/score.py``: the score job under spark-submit;
- ``mmlspark-py train JOB.yaml --target lab``: a compute target from a targets file naming the cluster.

Each driver is its own process (the test session's local[2] session cannot be replaced), with the test's
MLflow store through ``MLFLOW_TRACKING_URI``; the executors run in the worker's processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.image.test_standalone_cluster import SPARK_HOME, cluster  # noqa: F401  (the cluster fixture)
from tests.registry.fitted import our_pipeline, people

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


@pytest.fixture(scope="module")
def registered(mlflow_home, spark, tmp_path_factory):
    from mmlspark_py.registry import register_model

    folder = tmp_path_factory.mktemp("cluster-jobs")
    train = people(spark, 120)
    train.write.parquet(str(folder / "people.parquet"))
    people(spark, 50, seed=2).drop("label").write.parquet(str(folder / "new.parquet"))
    register_model(our_pipeline(train), "people", training_data=train, alias="champion", digest=False)
    return folder


def _env(env):
    import mlflow

    return {**env, "PYTHONPATH": os.getcwd(), "MLFLOW_TRACKING_URI": mlflow.get_tracking_uri()}


def test_score_under_spark_submit_on_the_cluster(cluster, registered, spark):  # noqa: F811
    from mmlspark_py.registry import load_model

    url, env, work = cluster
    out = registered / "scored"
    entry = str(Path(__file__).parents[2] / "mmlspark_py" / "jobs" / "score.py")
    done = subprocess.run(
        [
            str(SPARK_HOME / "bin" / "spark-submit"),
            "--master",
            url,
            "--conf",
            "spark.ui.enabled=false",
            entry,
            "--model",
            "models:/people@champion",
            "--input",
            str(registered / "new.parquet"),
            "--output",
            str(out),
        ],
        env=_env(env),
        cwd=str(registered),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # spark-submit passes the Python driver's stderr (progress) on to its stdout
    assert f"target 'local' ({url})" in done.stdout  # spark-submit's master was kept
    assert "score: wrote" in done.stdout and "model_version: 1" in done.stdout
    new = spark.read.parquet(str(registered / "new.parquet"))
    expected = sorted(
        (r.age, r.hours, r.city, r.scored_labels) for r in load_model("models:/people/1").transform(new).collect()
    )
    got = sorted((r.age, r.hours, r.city, r.scored_labels) for r in spark.read.parquet(str(out)).collect())
    assert got == expected
    executor_logs = "".join(p.read_text(errors="replace") for p in work.glob("app-*/*/stderr"))
    assert "Starting Python task execution" in executor_logs or "Running task" in executor_logs


def test_train_on_a_named_compute_target(cluster, registered):  # noqa: F811
    import mlflow

    url, env, _ = cluster
    (registered / "targets.yaml").write_text(
        f"targets:\n  lab:\n    master: {url}\n    conf: {{spark.ui.enabled: false, spark.cores.max: '2'}}\n"
    )
    (registered / "train.yaml").write_text(
        f"kind: train\nexperiment: cluster\ninput: {registered / 'people.parquet'}\n"
        "labelCol: label\nplots: false\nregister: people\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mmlspark_py", "train", "train.yaml", "--target", "lab", "--targets", "targets.yaml"],
        env=_env(env),
        cwd=str(registered),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run_id = [line.split(": ")[1] for line in done.stdout.splitlines() if line.startswith("run_id")][0]
    tags = mlflow.MlflowClient().get_run(run_id).data.tags
    assert tags["mmlspark.target.name"] == "lab" and tags["mmlspark.target.master"] == url
    assert "registered: models:/people/2" in done.stdout
