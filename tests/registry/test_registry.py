"""The model registry on a real MLflow store: register with lineage, aliases, load by URI, list/delete, the
CLI, corrupt artifacts, concurrent registration from 8 processes, and a real ``mlflow server``."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from pyspark.sql import functions as F

from mmlspark_py.registry import (
    ModelLoadError,
    ModelNotFound,
    delete_alias,
    delete_model,
    get_version,
    list_models,
    list_versions,
    load_model,
    register_model,
    resolve,
    set_alias,
)
from mmlspark_py.tracking.lineage import data_digest
from tests.registry.fitted import our_pipeline, people

OUTPUTS = ["scores", "scored_probabilities", "scored_labels"]


@pytest.fixture(scope="module")
def train(spark):
    return people(spark, 120)


@pytest.fixture(scope="module")
def model(train):
    return our_pipeline(train)


@pytest.fixture(scope="module")
def registered(mlflow_home, model, train):
    return register_model(model, "people", training_data=train, training_data_path="people.csv", alias="champion")


def _rows(df):
    return [tuple(r) for r in df.select(*OUTPUTS).collect()]


def test_register_records_lineage_and_signature(registered, train):
    assert registered.version == 1 and registered.aliases == ["champion"]
    tags = registered.tags
    assert tags["mmlspark.source_run_id"] == registered.run_id
    assert tags["mmlspark.data.rows"] == "120" and tags["mmlspark.data.path"] == "people.csv"
    assert tags["mmlspark.data.digest"] == data_digest(train)["digest"]
    assert json.loads(tags["mmlspark.data.schema"]) == train.schema.jsonValue()
    import pyspark

    assert tags["mmlspark.env.pyspark"] == pyspark.__version__
    assert tags["mmlspark.env.python"] == sys.version.split()[0]
    assert "mmlspark_py.train.train_classifier.TrainedClassifierModel" in tags["mmlspark.stages"]
    assert "pyspark.ml.classification.LogisticRegressionModel" in tags["mmlspark.stages"]
    resolved = resolve("models:/people@champion")
    assert resolved.io.inputs == ["age", "hours", "city"]  # the label is not an input
    assert resolved.io.outputs == OUTPUTS
    assert resolved.lineage["training_data"]["digest"] == tags["mmlspark.data.digest"]


def test_digest_ignores_row_order_and_sees_changed_values(train):
    assert data_digest(train.orderBy(F.rand(3)).repartition(3))["digest"] == data_digest(train)["digest"]
    changed = train.withColumn("age", F.when(F.col("hours") == 11, F.col("age") + 1).otherwise(F.col("age")))
    assert data_digest(changed)["digest"] != data_digest(train)["digest"]


def test_load_by_alias_and_version_gives_the_same_predictions(registered, model, train):
    expected = _rows(model.transform(train))
    assert _rows(load_model("models:/people@champion").transform(train)) == expected
    assert _rows(load_model("models:/people/1").transform(train)) == expected
    # MLflow's own Spark flavor reads the same artifact
    import mlflow

    assert _rows(mlflow.spark.load_model("models:/people/1").transform(train)) == expected


def test_aliases_move_and_missing_names_say_what_exists(registered, model, train):
    second = register_model(model, "people", training_data=train, digest=False)
    assert second.version == 2
    set_alias("people", "champion", 2)
    set_alias("people", "previous", 1)
    assert resolve("models:/people@champion").version == 2
    assert resolve("models:/people/latest").version == 2
    with pytest.raises(ModelNotFound, match=r"no alias 'nope'; aliases: \{'champion': 2, 'previous': 1\}"):
        load_model("models:/people@nope")
    with pytest.raises(ModelNotFound, match=r"no version 9; versions: \[2, 1\]"):
        load_model("models:/people/9")
    with pytest.raises(ModelNotFound, match=r"no registered model 'nobody'; registered models: \['people'\]"):
        load_model("models:/nobody@champion")
    delete_alias("people", "previous")
    assert [v.aliases for v in list_versions("people")] == [["champion"], []]
    with pytest.raises(ValueError, match="not a number"):
        set_alias("people", "3", 1)


def test_corrupt_artifacts_fail_with_the_file_named(registered, model, train, tmp_path):
    version = register_model(model, "fragile", training_data=train, digest=False)
    folder = resolve(f"models:/fragile/{version.version}").local_dir
    # a stage's saved parameters (the logistic regression's coefficients) are gone
    data_dirs = [os.path.join(root) for root, dirs, _ in os.walk(folder) if root.endswith("/data")]
    assert data_dirs
    for d in data_dirs:
        shutil.rmtree(d)
    with pytest.raises(ModelLoadError, match="fragile.*cannot load the saved model at"):
        load_model("models:/fragile/1")
    # the MLmodel file is not YAML any more
    with open(os.path.join(folder, "MLmodel"), "w") as f:
        f.write("{{{ not yaml")
    with pytest.raises(ModelLoadError, match="MLmodel file .* is corrupt"):
        load_model("models:/fragile/1")
    os.remove(os.path.join(folder, "MLmodel"))
    with pytest.raises(ModelLoadError, match="has no MLmodel file"):
        resolve("models:/fragile/1")


def test_list_and_delete(registered, model, train):
    register_model(model, "doomed", training_data=train, digest=False, alias="x")
    register_model("models:/doomed/1", "doomed")
    names = [m["name"] for m in list_models()]
    assert "doomed" in names and "people" in names
    delete_model("doomed", 1)
    assert [v.version for v in list_versions("doomed")] == [2]
    delete_model("doomed")
    assert "doomed" not in [m["name"] for m in list_models()]
    with pytest.raises(ModelNotFound):
        get_version("doomed", 2)


def test_registry_command(registered, capsys):
    from mmlspark_py.jobs.cli import main

    assert main(["registry", "list"]) == 0
    out = capsys.readouterr().out
    assert "people" in out and "champion->" in out
    assert main(["registry", "show", "people"]) == 0
    out = capsys.readouterr().out
    assert "inputs:  age: double, hours: int, city: string" in out and "digest" in out
    assert main(["registry", "alias", "people", "staging", "1"]) == 0
    assert resolve("models:/people@staging").version == 1
    assert main(["registry", "alias", "people", "staging", "--delete"]) == 0
    assert main(["registry", "show", "models:/people@staging"]) == 2
    assert "no alias 'staging'" in capsys.readouterr().err


_REGISTER = """
import sys
from mmlspark_py.registry import register_model
v = register_model(sys.argv[1], "concurrent")
print("VERSION", v.version)
"""


@pytest.mark.slow
def test_eight_processes_register_concurrently_without_lost_or_duplicate_versions(registered, tmp_path):
    import mlflow

    env = {**os.environ, "PYTHONPATH": os.getcwd(), "MLFLOW_TRACKING_URI": mlflow.get_tracking_uri()}
    logged = f"runs:/{registered.run_id}/model"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _REGISTER, logged],
            env=env,
            cwd=str(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outs]
    printed = sorted(int(line.split()[1]) for out, _ in outs for line in out.splitlines() if line.startswith("VERSION"))
    assert printed == list(range(1, 9))
    versions = list_versions("concurrent")
    assert sorted(v.version for v in versions) == list(range(1, 9))
    assert {v.tags["mmlspark.source_run_id"] for v in versions} == {registered.run_id}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_real_mlflow_server_works_as_the_store(mlflow_home, model, train, tmp_path):
    from mmlspark_py.tracking import start_run
    from mmlspark_py.tracking.backend import configure

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--backend-store-uri",
            f"sqlite:///{tmp_path}/server.db",
            "--artifacts-destination",
            str(tmp_path / "artifacts"),
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=str(tmp_path),
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.stderr.read()[-2000:]
            time.sleep(0.5)
        configure(uri=f"http://127.0.0.1:{port}")
        with start_run("served", snapshot=False) as run:
            run.log_metrics({"accuracy": 0.9})
            version = register_model(model, "remote", training_data=train, digest=False, alias="champion")
        assert version.run_id == run.run_id
        loaded = load_model("models:/remote@champion")
        assert _rows(loaded.transform(train)) == _rows(model.transform(train))
        # everything went through the server: its store has the run, its artifact folder the model files
        assert os.path.isfile(tmp_path / "server.db")
        assert any(name == "MLmodel" for _, _, files in os.walk(tmp_path / "artifacts") for name in files)
    finally:
        configure(home=str(mlflow_home))
        server.terminate()
        server.wait(timeout=60)
