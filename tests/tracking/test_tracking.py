"""Run history on a real MLflow store (SQLite + artifact folder in a temp dir): autologging of fits, metrics
and plots, code snapshots, model logging with signature and lineage, and the ``runs`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from pyspark.ml.linalg import DenseMatrix
from pyspark.sql.types import StructType

from mmlspark_py.featurize import Featurize
from mmlspark_py.tracking import start_run
from mmlspark_py.tracking.snapshot import take_snapshot
from mmlspark_py.train import ComputeModelStatistics


@pytest.fixture(scope="module")
def data(spark):
    rows = [(float(i % 7), "abc"[i % 3], i % 2, float(i % 2 if i % 5 else 1 - i % 2)) for i in range(40)]
    return spark.createDataFrame(rows, ["x", "c", "label", "prediction"])


def _client():
    import mlflow

    return mlflow.MlflowClient()


def _artifacts(run_id, path=""):
    out = []
    for a in _client().list_artifacts(run_id, path):
        out += _artifacts(run_id, a.path) if a.is_dir else [a.path]
    return out


def test_autolog_records_fit_metrics_and_plots(mlflow_home, data, tmp_path):
    from mmlspark_py.plot import plot_confusion_matrix

    featurize = Featurize(inputCols=["x", "c"], outputCol="features", numFeatures=64)
    with start_run("autolog", run_name="fit-and-evaluate", snapshot=False) as run:
        featurize.fit(data)
        stats = ComputeModelStatistics(labelCol="label", scoredLabelsCol="prediction").transform(data).head()
        plot_confusion_matrix(np.array([[3.0, 1.0], [2.0, 4.0]]), str(tmp_path / "cm.png"))
    logged = _client().get_run(run.run_id)
    uid = featurize.uid
    params, metrics = logged.data.params, logged.data.metrics
    assert params[f"{uid}.inputCols"] == json.dumps(["x", "c"])
    assert params[f"{uid}.numFeatures"] == "64" and params[f"{uid}.oneHotEncodeCategoricals"] == "true"
    assert metrics[f"{uid}.rows"] == 40.0 and metrics[f"{uid}.fit_seconds"] > 0
    assert logged.data.tags[f"mmlspark.fit.{uid}"] == "mmlspark_py.featurize.featurize.Featurize"
    # metrics: the values ComputeModelStatistics returned, names made valid for MLflow
    labels = [r.label for r in data.collect()]
    predictions = [r.prediction for r in data.collect()]
    accuracy = np.mean(np.array(labels) == np.array(predictions))
    assert metrics["accuracy"] == pytest.approx(accuracy) == pytest.approx(stats["accuracy"])
    assert metrics["precision"] == pytest.approx(stats["precision"])
    artifacts = _artifacts(run.run_id)
    assert "plots/cm.png" in artifacts and f"fits/{uid}/input_schema.json" in artifacts
    schema = _client().download_artifacts(run.run_id, f"fits/{uid}/input_schema.json")
    assert StructType.fromJson(json.load(open(schema))) == data.schema
    matrix = json.load(open(_client().download_artifacts(run.run_id, "metrics/confusion_matrix.json")))
    assert DenseMatrix(2, 2, np.array(matrix["matrix"]).flatten(order="F").tolist()) == stats["confusion_matrix"]


def test_refit_with_other_params_logs_changed_values_apart(mlflow_home, data):
    featurize = Featurize(inputCols=["x"], outputCol="features")
    with start_run("autolog", snapshot=False, log_data_size=False) as run:
        featurize.fit(data)
        featurize.setImputeMissing(False).fit(data)
    params = _client().get_run(run.run_id).data.params
    assert params[f"{featurize.uid}.imputeMissing"] == "true"
    assert params[f"{featurize.uid}.imputeMissing:fit2"] == "false"
    history = _client().get_metric_history(run.run_id, f"{featurize.uid}.fit_seconds")
    assert [m.step for m in history] == [0, 1]
    assert f"{featurize.uid}.rows" not in _client().get_run(run.run_id).data.metrics


def test_no_run_no_recording(mlflow_home, data):
    before = len(_client().search_runs([e.experiment_id for e in _client().search_experiments()]))
    Featurize(inputCols=["x"], outputCol="features").fit(data)
    after = len(_client().search_runs([e.experiment_id for e in _client().search_experiments()]))
    assert before == after


def test_failed_block_marks_run_failed(mlflow_home):
    with pytest.raises(ZeroDivisionError):
        with start_run("autolog", snapshot=False) as run:
            raise ZeroDivisionError("inside the run")
    assert _client().get_run(run.run_id).info.status == "FAILED"


def test_without_mlflow_autologging_is_a_no_op_and_runs_say_what_to_install():
    code = """
import sys
sys.modules["mlflow"] = None          # as if it were not installed
from mmlspark_py.core import events
from mmlspark_py import tracking
from mmlspark_py.tracking.autolog import autolog
autolog()
events.emit("fit", stage=None, dataset=None, model=None, seconds=1.0)   # must do nothing
try:
    with tracking.start_run("x"):
        pass
except tracking.TrackingUnavailable as e:
    print("OK", e)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout and "pip install 'mmlspark-py[registry]'" in done.stdout


def test_importing_tracking_does_not_import_mlflow():
    code = "import sys, mmlspark_py.tracking, mmlspark_py.core.stage; print('mlflow' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.stdout.strip() == "False", done.stderr


def _git(folder, *args):
    subprocess.run(
        ["git", "-C", str(folder), *args],
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        },
    )


def test_snapshot_of_a_git_repository_records_commit_diff_and_untracked(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("print('v1')\n")
    (repo / ".gitignore").write_text("data/\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    (repo / "train.py").write_text("print('v2')\n")
    (repo / "notes.py").write_text("x = 1\n")
    (repo / "data").mkdir()
    (repo / "data" / "big.csv").write_text("a,b\n")
    out = tmp_path / "out"
    out.mkdir()
    snap = take_snapshot(str(out), str(repo))
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert snap.tags["mlflow.source.git.commit"] == head.strip()
    assert snap.tags["mmlspark.code.dirty"] == "true"
    diff = (out / "git_diff.patch").read_text()
    assert "-print('v1')" in diff and "+print('v2')" in diff
    assert zipfile.ZipFile(out / "untracked.zip").namelist() == ["notes.py"]  # data/ is git-ignored


def test_snapshot_archive_applies_ignore_rules_and_size_limits(tmp_path):
    code = tmp_path / "code"
    (code / "pkg").mkdir(parents=True)
    (code / "job.py").write_text("print(1)\n")
    (code / "pkg" / "util.py").write_text("y = 2\n")
    (code / "pkg" / "cache.pyc").write_bytes(b"\0" * 10)
    (code / "weights.bin").write_bytes(b"\0" * 5000)
    (code / "secret.env").write_text("TOKEN=1\n")
    (code / ".mmlsparkignore").write_text("# local secrets\n*.env\n")
    out = tmp_path / "out"
    out.mkdir()
    snap = take_snapshot(str(out), str(code), max_file_bytes=1000)
    assert snap.tags["mmlspark.code.kind"] == "archive"
    assert sorted(zipfile.ZipFile(out / "snapshot.zip").namelist()) == [".mmlsparkignore", "job.py", "pkg/util.py"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [name for name, _ in manifest["left_out"]] == ["weights.bin"]


def test_start_run_logs_the_snapshot_and_target(mlflow_home, tmp_path):
    code = tmp_path / "project"
    code.mkdir()
    (code / "job.py").write_text("print('hello')\n")
    with start_run("snapshots", code_folder=str(code), target={"name": "local", "master": "local[2]"}) as run:
        pass
    logged = _client().get_run(run.run_id)
    assert logged.data.tags["mmlspark.target.name"] == "local"
    assert logged.data.tags["mmlspark.target.master"] == "local[2]"
    archive = _client().download_artifacts(run.run_id, "code/snapshot.zip")
    assert zipfile.ZipFile(archive).read("job.py") == b"print('hello')\n"


def test_runs_command_lists_shows_and_compares(mlflow_home, tmp_path, capsys):
    from mmlspark_py.jobs.cli import main

    ids = []
    for accuracy in (0.5, 0.75):
        with start_run("cli", snapshot=False) as run:
            run.log_metrics({"accuracy": accuracy})
            run.log_params({"regParam": str(accuracy)})
        ids.append(run.run_id)
    assert main(["runs", "list", "--experiment", "cli"]) == 0
    listing = capsys.readouterr().out
    assert ids[0] in listing and ids[1] in listing and "accuracy=0.75" in listing
    assert main(["runs", "show", ids[0]]) == 0
    shown = capsys.readouterr().out
    assert "accuracy" in shown and "0.5" in shown and "regParam" in shown
    plot = tmp_path / "accuracy.png"
    assert main(["runs", "compare", *ids, "--metric", "accuracy", "--plot", str(plot)]) == 0
    compared = capsys.readouterr().out
    row = [line for line in compared.splitlines() if line.startswith("accuracy")][0]
    assert row.split()[1:] == ["0.5", "0.75"]
    assert "regParam" in compared
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
