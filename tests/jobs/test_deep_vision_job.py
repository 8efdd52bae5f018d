"""The dl area's DeepVisionClassifier training job as a kind of the runner: ``mmlspark-py train JOB.yaml``
rejects bad specs before any work, and trains on image folders with the learning curve in the runner's run."""

from __future__ import annotations

import cv2
import pytest

from mmlspark_py.core.spec import SpecError
from mmlspark_py.jobs.cli import main
from mmlspark_py.jobs.runner import build_spec


def test_bad_deep_vision_specs_are_rejected_before_any_work(tmp_path, capsys):
    base = {"kind": "deep_vision", "input": "in", "modelOutput": "out"}
    with pytest.raises(SpecError, match=r"DeepVisionJob has no field\(s\) \['epochs'\]"):
        build_spec({**base, "epochs": 3})
    with pytest.raises(SpecError, match="deep_vision job: 'params' must be Dict"):
        build_spec({**base, "params": [1]})
    with pytest.raises(SpecError, match='deep_vision job: params: .*invalid value for param "epochs"'):
        build_spec({**base, "params": {"epochs": 0}})
    spec = build_spec({**base, "kind": "DeepVisionClassifier", "params": {"epochs": 2}})
    assert spec.kind == "DeepVisionClassifier" and spec.params == {"epochs": 2} and spec.inputs() == ["in"]
    job = tmp_path / "job.yaml"
    job.write_text("kind: deep_vision\ninput: in\nmodelOutput: out\nparams: {epoch: 3}\n")
    assert main(["train", str(job), "--no-track"]) == 2
    assert "deep_vision job: params: DeepVisionClassifier has no param(s) ['epoch']" in capsys.readouterr().err


@pytest.mark.slow
def test_train_command_runs_a_deep_vision_job_with_its_learning_curve(mlflow_home, spark, tmp_path, capsys):
    import mlflow
    from sklearn.datasets import load_digits

    from mmlspark_py.dl import DeepVisionModel

    digits = load_digits()
    images = (digits.images * 16).clip(0, 255).astype("uint8")
    for split, rows in (("train", range(1500)), ("test", range(1500, len(images)))):
        for i in rows:
            folder = tmp_path / split / f"digit{digits.target[i]}"
            folder.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(folder / f"{i}.png"), images[i])
    job = tmp_path / "job.yaml"
    job.write_text(
        f"kind: deep_vision\nexperiment: digits\ninput: {tmp_path / 'train'}\ntestInput: {tmp_path / 'test'}\n"
        "params: {imageHeight: 16, imageWidth: 16, imageChannels: 1, epochs: 4, batchSize: 32,"
        " learningRate: 0.002, numWorkers: 2, seed: 1}\n"
        f"modelOutput: {tmp_path / 'model'}\n"
    )
    assert main(["--no-progress", "train", str(job)]) == 0
    results = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert results["classes"] == ",".join(f"digit{d}" for d in range(10)) and results["epochs"] == "4"
    assert float(results["test_accuracy"]) >= 0.8, results
    assert isinstance(DeepVisionModel.load(str(tmp_path / "model")), DeepVisionModel)
    client = mlflow.MlflowClient()
    run = client.get_run(results["run_id"])
    assert run.data.tags["mmlspark.job.kind"] == "deep_vision"
    assert run.data.metrics["job.test_accuracy"] == pytest.approx(float(results["test_accuracy"]))
    assert [m.step for m in client.get_metric_history(results["run_id"], "loss")] == [1, 2, 3, 4]
    assert main(["--no-progress", "train", str(job), "--no-track"]) == 2  # the model folder is kept
    assert "already exists" in capsys.readouterr().err
