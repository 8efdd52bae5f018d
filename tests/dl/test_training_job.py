"""The DeepVisionClassifier training job: spec errors before any work, and a real job on image folders (digits
written as PNG files) with an MLflow run holding the learning curve."""

from __future__ import annotations

import cv2
import pytest

from mmlspark_py.dl import DeepVisionModel, JobSpecError, run_training_job
from mmlspark_py.dl.training_job import read_image_folders
from tests.dl.data import digits, split_indices


def test_bad_specs_fail_before_any_work(tmp_path):
    base = {"input": str(tmp_path), "modelOutput": str(tmp_path / "m")}
    with pytest.raises(JobSpecError, match=r"unknown key\(s\) \['epochs'\]"):
        run_training_job({**base, "epochs": 3})
    with pytest.raises(JobSpecError, match="'input' must be a non-empty string"):
        run_training_job({"modelOutput": "x"})
    with pytest.raises(JobSpecError, match='params: DeepVisionClassifier: invalid value for param "epochs"'):
        run_training_job({**base, "params": {"epochs": 0}})
    with pytest.raises(JobSpecError, match="has no param"):
        run_training_job({**base, "params": {"epoch": 3}})
    with pytest.raises(JobSpecError, match="kind must be one of"):
        run_training_job({**base, "kind": "train"})
    with pytest.raises(JobSpecError, match="'overwrite' must be true or false"):
        run_training_job({**base, "overwrite": "yes"})


def test_image_folders_are_labelled_by_the_listed_classes_and_others_dropped(spark, tmp_path):
    for name, files in (("cat", 2), ("dog", 1), ("owl", 3)):
        (tmp_path / name).mkdir()
        for i in range(files):
            (tmp_path / name / f"{i}.bin").write_bytes(b"x")
    df, classes = read_image_folders(spark, str(tmp_path), ["dog", "cat", "dog"])
    got = sorted((r.image.path.rsplit("/", 2)[-2], r.label) for r in df.collect())
    assert classes == ["dog", "cat", "dog"] and got == [("cat", 1), ("cat", 1), ("dog", 0)]  # owl dropped
    df, classes = read_image_folders(spark, str(tmp_path))
    assert classes == ["cat", "dog", "owl"] and sorted(r.label for r in df.collect()) == [0, 0, 1, 2, 2, 2]


def _folders(root, images, labels):
    for i, (image, label) in enumerate(zip(images, labels)):
        folder = root / f"digit{label}"
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / f"{i}.png"), image)


@pytest.mark.slow
def test_job_trains_on_image_folders_and_logs_the_learning_curve(spark, tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    images, labels = digits()
    train_rows, test_rows = split_indices(len(labels), 0.25)
    _folders(tmp_path / "train", images[train_rows], labels[train_rows])
    _folders(tmp_path / "test", images[test_rows], labels[test_rows])
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    spec = {
        "kind": "deep_vision",
        "input": str(tmp_path / "train"),
        "testInput": str(tmp_path / "test"),
        "params": {
            "imageHeight": 16,
            "imageWidth": 16,
            "imageChannels": 1,
            "epochs": 6,
            "batchSize": 32,
            "learningRate": 0.002,
            "numWorkers": 2,
            "seed": 1,
            "validationFraction": 0.1,
        },
        "modelOutput": str(tmp_path / "model"),
        "experiment": "digits",
        "runName": "cnn-2w",
    }
    summary = run_training_job(spec, spark)
    assert summary["classes"] == [f"digit{d}" for d in range(10)]
    assert summary["metrics"]["test_accuracy"] >= 0.9, summary["metrics"]
    assert [h["epoch"] for h in summary["history"]] == [1, 2, 3, 4, 5, 6]
    assert isinstance(DeepVisionModel.load(str(tmp_path / "model")), DeepVisionModel)
    curve = mlflow.tracking.MlflowClient().get_metric_history(summary["mlflowRunId"], "loss")
    assert [m.step for m in curve] == [1, 2, 3, 4, 5, 6]
    assert [m.value for m in curve] == pytest.approx([h["loss"] for h in summary["history"]])
    with pytest.raises(FileExistsError):  # an existing model folder is kept unless overwrite is true
        run_training_job(spec, spark)
