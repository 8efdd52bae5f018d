"""The job runner end to end on the test session: train -> register -> score (every format), prep as a job
kind, spec validation, wrong input schemas rejected before any work, and a job killed mid-write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from mmlspark_py.core.spec import SpecError
from mmlspark_py.jobs.cli import main
from mmlspark_py.jobs.runner import JobError, build_spec, run_job
from mmlspark_py.jobs.score_job import ScoreInputError
from tests.registry.fitted import people


def _client():
    import mlflow

    return mlflow.MlflowClient()


@pytest.fixture(scope="module")
def folder(tmp_path_factory, spark):
    folder = tmp_path_factory.mktemp("jobs")
    people(spark, 160).write.parquet(str(folder / "people.parquet"))
    people(spark, 40, seed=1).drop("label").write.parquet(str(folder / "new.parquet"))
    return folder


@pytest.fixture(scope="module")
def trained(mlflow_home, folder):
    job = {
        "kind": "train",
        "experiment": "jobs",
        "input": str(folder / "people.parquet"),
        "labelCol": "label",
        "learner": {"name": "LogisticRegression", "params": {"regParam": 0.01}},
        "testFraction": 0.25,
        "register": "people",
        "alias": "champion",
        "plots": True,
    }
    return run_job(job, quiet=True)


def test_train_job_logs_registers_and_records_the_target(trained, folder):
    assert trained["registered"] == "models:/people/1" and 0.5 < trained["accuracy"] <= 1.0
    run = _client().get_run(trained["run_id"])
    assert run.data.params["job.labelCol"] == "label"
    assert json.loads(run.data.params["job.learner"]) == {"name": "LogisticRegression", "params": {"regParam": 0.01}}
    assert run.data.tags["mmlspark.target.name"] == "local"
    assert run.data.tags["mmlspark.target.master"].startswith("local")
    assert run.data.metrics["accuracy"] == pytest.approx(trained["accuracy"])  # autologged by the evaluation
    assert run.data.metrics["job.accuracy"] == pytest.approx(trained["accuracy"])
    assert any(k.endswith(".regParam") and v == "0.01" for k, v in run.data.params.items())  # autologged fit
    artifacts = [a.path for a in _client().list_artifacts(trained["run_id"], "plots")]
    assert "plots/confusion_matrix.png" in artifacts and "plots/roc.png" in artifacts
    version = _client().get_model_version("people", "1")
    assert version.run_id == trained["run_id"]
    assert version.tags["mmlspark.data.path"] == str(folder / "people.parquet")


@pytest.mark.parametrize("fmt", ["parquet", "json", "csv"])
def test_score_writes_inputs_plus_predictions_in_each_format(trained, folder, spark, fmt):
    from mmlspark_py.registry import load_model

    out = str(folder / f"scored-{fmt}")
    result = run_job(
        {
            "kind": "score",
            "model": "models:/people@champion",
            "input": str(folder / "new.parquet"),
            "output": out,
            "format": fmt,
        },
        quiet=True,
        track=False,
    )
    assert result["model_version"] == 1
    reader = spark.read.option("header", "true") if fmt == "csv" else spark.read
    written = reader.format(fmt).load(out)
    columns = ["age", "hours", "city", "scores", "scored_probabilities", "scored_labels"]
    assert (sorted(written.columns) == sorted(columns)) if fmt == "json" else (written.columns == columns)
    new = spark.read.parquet(str(folder / "new.parquet"))
    expected = {
        (float(r.age), int(r.hours), r.city): r.scored_labels
        for r in load_model("models:/people/1").transform(new).collect()
    }
    got = {(float(r.age), int(r.hours), r.city): r.scored_labels for r in written.collect()}
    assert got == expected and len(got) > 30
    if fmt != "parquet":  # vectors as arrays (json) or JSON text (csv)
        first = written.head()["scored_probabilities"]
        probabilities = json.loads(first) if fmt == "csv" else first
        assert sum(probabilities) == pytest.approx(1.0)
    assert [p for p in os.listdir(folder) if p.startswith(f".scored-{fmt}.")] == []


def test_score_from_csv_casts_text_to_the_model_types(trained, folder, spark):
    (folder / "new.csv").write_text("city,age,hours,id\nBoston,40,45,a\nAustin,22,12,b\n")
    out = str(folder / "from-csv")
    assert (
        main(
            [
                "score",
                "--model",
                "models:/people/1",
                "--input",
                str(folder / "new.csv"),
                "--output",
                out,
                "--no-track",
            ]
        )
        == 0
    )
    rows = {r.id: r.scored_labels for r in spark.read.parquet(out).collect()}
    assert rows == {"a": "yes", "b": "no"}


def test_wrong_input_schema_fails_before_any_work(trained, folder, spark, capsys):
    from pyspark.sql import functions as F

    bad = spark.read.parquet(str(folder / "new.parquet")).drop("hours").withColumn("city", F.lit(True))
    bad.write.parquet(str(folder / "bad.parquet"))
    out = folder / "bad-out"
    with pytest.raises(ScoreInputError) as error:
        run_job(
            {
                "kind": "score",
                "model": "models:/people@champion",
                "input": str(folder / "bad.parquet"),
                "output": str(out),
            },
            quiet=True,
            track=False,
            job_group="wrong-schema",
        )
    message = str(error.value)
    assert "missing column 'hours' (int)" in message
    assert "column 'city' is boolean, the model needs string" in message
    assert "The input has columns ['age', 'city']" in message
    # at most the job that read the parquet footer ran: the model was never loaded nor anything scored
    tracker = spark.sparkContext.statusTracker()
    assert len(tracker.getJobIdsForGroup("wrong-schema")) <= 1
    assert not out.exists() and not [p for p in os.listdir(folder) if p.startswith(".bad-out.")]
    # the command line says the same and exits 2
    assert (
        main(
            [
                "score",
                "--model",
                "models:/people@champion",
                "--input",
                str(folder / "bad.parquet"),
                "--output",
                str(out),
                "--no-track",
            ]
        )
        == 2
    )
    assert "missing column 'hours'" in capsys.readouterr().err


def test_missing_model_and_existing_output_are_rejected(trained, folder, capsys):
    assert (
        main(
            [
                "score",
                "--model",
                "models:/people@nope",
                "--input",
                str(folder / "new.parquet"),
                "--output",
                str(folder / "x"),
                "--no-track",
            ]
        )
        == 2
    )
    assert "no alias 'nope'; aliases: {'champion': 1}" in capsys.readouterr().err
    assert (
        main(
            [
                "score",
                "--model",
                "models:/people/1",
                "--input",
                str(folder / "new.parquet"),
                "--output",
                str(folder / "scored-parquet"),
                "--no-track",
            ]
        )
        == 2
    )
    assert "already exists" in capsys.readouterr().err


def test_job_specs_are_validated_naming_the_key():
    with pytest.raises(SpecError, match=r"ScoreJob has no field\(s\) \['outptu'\]"):
        build_spec({"kind": "score", "model": "m", "input": "i", "outptu": "o"})
    with pytest.raises(SpecError, match="score job: 'overwrite' must be bool, got 'yes'"):
        build_spec({"kind": "score", "model": "m", "input": "i", "output": "o", "overwrite": "yes"})
    with pytest.raises(SpecError, match="format must be one of"):
        build_spec({"kind": "score", "model": "m", "input": "i", "output": "o", "format": "xlsx"})
    with pytest.raises(SpecError, match="missing 1 required positional argument: 'labelCol'"):
        build_spec({"kind": "train", "input": "i"})
    with pytest.raises(SpecError, match="testFraction must be in"):
        build_spec({"kind": "train", "input": "i", "labelCol": "y", "testFraction": 1.5})
    with pytest.raises(JobError, match=r"unknown job kind 'deploy'; kinds: \['prep', 'register', 'score', 'train'\]"):
        build_spec({"kind": "deploy"})
    spec = build_spec({"kind": "train", "input": "i", "labelCol": "y", "learner": {"name": "Pickle"}})
    with pytest.raises(JobError, match="learner 'Pickle' is not a classification learner"):
        spec._trainer()


def test_train_command_reads_a_job_file_and_rejects_other_kinds(tmp_path, capsys):
    job = tmp_path / "job.yaml"
    job.write_text("kind: score\nmodel: m\ninput: i\noutput: o\n")
    assert main(["train", str(job)]) == 2
    assert "is a 'score' job; run it with `mmlspark-py run`" in capsys.readouterr().err
    job.write_text("input: i\nlabelCol: y\nlearner: {name: LinearRegression}\n")
    assert main(["train", str(job), "--no-track"]) == 2
    assert "learner 'LinearRegression' is not a classification learner" in capsys.readouterr().err


def test_prep_run_is_a_job_kind_of_the_runner(mlflow_home, tmp_path, spark, capsys):
    (tmp_path / "steps.yaml").write_text(
        "steps:\n  - fill: {inputCols: [team], value: none}\n  - select: {columns: [name, team]}\n"
    )
    (tmp_path / "in.csv").write_text("name,team\nAda,ops\nBo,\n")
    out = tmp_path / "out"
    assert (
        main(
            [
                "prep",
                "run",
                str(tmp_path / "steps.yaml"),
                "--input",
                str(tmp_path / "in.csv"),
                "--output",
                str(out),
                "--format",
                "json",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "prep: applying" in captured.err and f"output: {out}" in captured.out
    assert sorted(tuple(r) for r in spark.read.json(str(out)).select("name", "team").collect()) == [
        ("Ada", "ops"),
        ("Bo", "none"),
    ]
    job = tmp_path / "prep.yaml"
    job.write_text(
        f"kind: prep\nexperiment: prep\npackage: {tmp_path / 'steps.yaml'}\ninput: {tmp_path / 'in.csv'}\n"
        f"output: {tmp_path / 'out2'}\nformat: parquet\n"
    )
    assert main(["--no-progress", "run", str(job)]) == 0
    run_id = [line.split(": ")[1] for line in capsys.readouterr().out.splitlines() if line.startswith("run_id")][0]
    assert _client().get_run(run_id).data.tags["mmlspark.job.kind"] == "prep"
    assert spark.read.parquet(str(tmp_path / "out2")).count() == 2


@pytest.mark.slow
def test_a_score_job_killed_mid_write_leaves_no_output_and_reruns(trained, folder, spark, tmp_path):
    import mlflow

    big = str(tmp_path / "big.parquet")
    people(spark, 400).drop("label").crossJoin(spark.range(500).select()).repartition(8).write.parquet(big)
    out = tmp_path / "scored"
    command = [
        sys.executable,
        "-m",
        "mmlspark_py.jobs.score",
        "--model",
        "models:/people/1",
        "--input",
        big,
        "--output",
        str(out),
        "--no-track",
    ]
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "MLFLOW_TRACKING_URI": mlflow.get_tracking_uri()}
    job = subprocess.Popen(
        command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.time() + 400
    while time.time() < deadline and job.poll() is None:
        temps = [p for p in os.listdir(tmp_path) if p.startswith(".scored.tmp-")]
        if temps and any(files for _, _, files in os.walk(tmp_path / temps[0])):
            break
        time.sleep(0.2)
    assert job.poll() is None, (
        "the job ended before it could be killed mid-write: " + job.stderr.read()[-2000:].decode()
    )
    os.killpg(job.pid, signal.SIGKILL)  # the driver and its JVM, as an OOM killer or a lost node would
    job.wait(timeout=60)
    time.sleep(2)
    assert not out.exists()
    rerun = subprocess.run(command, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert spark.read.parquet(str(out)).count() == 200_000
    assert [p for p in os.listdir(tmp_path) if p.startswith(".scored.")] == []  # the rerun cleaned up
