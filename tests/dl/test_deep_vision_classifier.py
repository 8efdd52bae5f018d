"""DeepVisionClassifier on real labelled images (scikit-learn digits), 1 and 2 workers on local[2]: accuracy,
ONNX export equal to the fitted model and to Keras, checkpoints and resume, and errors found before training."""

from __future__ import annotations

import io

import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.functions import vector_to_array
from pyspark.sql import functions as F

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.dl import DeepVisionClassifier, DeepVisionModel, TensorFlowDistributor, WorkerFailedError
from tests.dl import train_fns
from tests.dl.data import digits, image_df, split_indices

DIGITS = dict(imageHeight=16, imageWidth=16, imageChannels=1, epochs=8, batchSize=32, learningRate=0.002, seed=1)


def _accuracy(model, df):
    scored = model.transform(df)
    return scored.where(F.col("prediction") == F.col("label")).count() / scored.count()


@pytest.fixture(scope="module")
def digit_frames(spark):
    images, labels = digits()
    train, test = split_indices(len(labels), 0.25)
    return (
        image_df(spark, images[train], labels[train]).cache(),
        image_df(spark, images[test], labels[test], first_id=10_000).cache(),
    )


# ----------------------------------------------------------------------------------- errors, no training
def test_bad_labels_and_params_fail_before_training(spark):
    images, _ = digits()
    base = image_df(spark, images[:6], np.array([0, 1, 2, 0, 1, 2]), partitions=1)
    clf = DeepVisionClassifier(imageHeight=8, imageWidth=8, imageChannels=1)
    with pytest.raises(SchemaError, match="labelCol: column 'label' has type string"):
        clf.fit(base.withColumn("label", F.col("label").cast("string")))
    bad = base.withColumn(
        "label",
        F.expr(
            "CASE id WHEN 0 THEN -1.0 WHEN 1 THEN 1.5 WHEN 2 THEN double('NaN') WHEN 3 THEN NULL ELSE double(label) END"
        ),
    )
    with pytest.raises(ValueError, match=r"labelCol 'label': 4 row\(s\) hold a label that is not a class index"):
        clf.fit(bad)
    with pytest.raises(ValueError, match=r"2 row\(s\) .*\(0\.\.1\), e\.g\. 2"):
        clf.copy({clf.numClasses: 2}).fit(base)
    with pytest.raises(ValueError, match="holds a single class"):
        clf.fit(base.withColumn("label", F.lit(0)))
    with pytest.raises(ValueError, match="backbone='featurizer' needs the featurizer param"):
        DeepVisionClassifier(backbone="featurizer").fit(base)
    with pytest.raises(ValueError, match="batchSize 1 must be at least numWorkers 2"):
        clf.copy({clf.batchSize: 1, clf.numWorkers: 2}).fit(base)
    with pytest.raises(SchemaError, match="imageCol: column .missing. does not exist"):
        clf.copy({clf.imageCol: "missing"}).fit(base)
    with pytest.raises(ValueError, match="imageChannels must be 1"):
        DeepVisionClassifier(imageChannels=2)
    with pytest.raises(ValueError, match=r"fraction in \[0, 1\)"):
        DeepVisionClassifier(validationFraction=1.0)
    with pytest.raises(ValueError, match="is not one of"):
        DeepVisionClassifier(backbone="resnet50")


# ------------------------------------------------------------------------------------------- training
@pytest.fixture(scope="module")
def digit_models(spark, digit_frames):
    train, _ = digit_frames
    return {n: DeepVisionClassifier(numWorkers=n, validationFraction=0.1, **DIGITS).fit(train) for n in (1, 2)}


@pytest.mark.slow
def test_digits_two_workers_reach_one_workers_accuracy(digit_frames, digit_models):
    _, test = digit_frames
    accuracy = {n: _accuracy(m, test) for n, m in digit_models.items()}
    print(f"\ndigits held-out accuracy: 1 worker {accuracy[1]:.4f}, 2 workers {accuracy[2]:.4f}")
    assert accuracy[1] >= 0.95 and accuracy[2] >= 0.95
    assert abs(accuracy[1] - accuracy[2]) <= 0.01
    for model in digit_models.values():
        history = model.getHistory()
        assert [h["epoch"] for h in history] == list(range(1, 9))
        assert history[-1]["loss"] < history[0]["loss"] / 3
        assert history[-1]["val_accuracy"] >= 0.9 and history[-1]["val_rows"] >= 130  # every worker's rows


@pytest.mark.slow
def test_export_equals_transform_and_keras(spark, digit_frames, digit_models, tmp_path):
    _, test = digit_frames
    model = digit_models[2]
    scored = model.transform(test).orderBy("id")
    tensors = model.getPreprocessor("tensor").transform(test)
    exported = model.getOnnxModel("tensor").transform(tensors).orderBy("id")
    ours = scored.select(vector_to_array("probability").alias("p"), "prediction").collect()
    theirs = exported.select(vector_to_array("probability").alias("p"), "prediction", "logits", "tensor").collect()
    np.testing.assert_allclose([r["p"] for r in ours], [r["p"] for r in theirs], atol=1e-6)
    assert [r["prediction"] for r in ours] == [r["prediction"] for r in theirs]
    # the Keras network (run in its own TensorFlow process) gives the logits ONNX gives
    x = np.array([r["tensor"] for r in theirs[:64]], np.float32)
    keras_logits = TensorFlowDistributor(1, localMode=True, logSink=io.StringIO()).run(
        train_fns.keras_logits, model.getKerasModel(), x
    )
    np.testing.assert_allclose(keras_logits, np.array([r["logits"] for r in theirs[:64]]), atol=1e-4)
    # and the model saves and loads in a fitted Pipeline
    pipeline = Pipeline(stages=[DeepVisionClassifier(numWorkers=1, **{**DIGITS, "epochs": 1})])
    fitted = pipeline.fit(digit_frames[0])
    fitted.write().overwrite().save(str(tmp_path / "pm"))
    loaded = PipelineModel.load(str(tmp_path / "pm"))
    assert isinstance(loaded.stages[0], DeepVisionModel)
    a = fitted.transform(test).orderBy("id").select("prediction").collect()
    assert a == loaded.transform(test).orderBy("id").select("prediction").collect()


@pytest.mark.slow
def test_checkpoints_every_epoch_and_resumes_exactly(spark, digit_frames, tmp_path, capfd):
    train, test = digit_frames
    small = train.limit(600)
    ckpt = tmp_path / "ckpt"
    clf = DeepVisionClassifier(numWorkers=2, validationFraction=0.1, checkpointDir=str(ckpt), **{**DIGITS, "epochs": 3})
    straight = clf.fit(small)
    assert sorted(p.name for p in ckpt.iterdir()) == ["epoch-000002.npz", "epoch-000003.npz"]  # newest two
    # as if the job had died during epoch 3: the re-run resumes after epoch 2 and trains epoch 3 only
    (ckpt / "epoch-000003.npz").unlink()
    capfd.readouterr()
    resumed = clf.fit(small)
    logs = capfd.readouterr().err
    assert "resumed from the checkpoint after epoch 2" in logs and '"epoch": 1,' not in logs
    assert resumed.getHistory()[:2] == straight.getHistory()[:2] and len(resumed.getHistory()) == 3
    # weights, optimizer state, learning-rate schedule and data order were restored: the same model
    probabilities = [
        [r[0] for r in m.transform(test).orderBy("id").select(vector_to_array("probability")).collect()]
        for m in (straight, resumed)
    ]
    np.testing.assert_allclose(probabilities[0], probabilities[1], atol=1e-6)
    assert resumed.getHistory()[2]["loss"] == pytest.approx(straight.getHistory()[2]["loss"], rel=1e-6)
    # a finished run's checkpoint makes a re-run return at once with the same model
    again = clf.fit(small)
    assert len(again.getHistory()) == 3
    once_more = [r[0] for r in again.transform(test).orderBy("id").select(vector_to_array("probability")).collect()]
    np.testing.assert_allclose(once_more, probabilities[1], atol=1e-6)
    # another configuration in the same folder is refused, not loaded
    with pytest.raises(WorkerFailedError, match="holds a checkpoint \\(epoch 3\\) of another model configuration"):
        clf.copy({clf.epochs: 4}).fit(small)


@pytest.mark.slow
def test_fashion_mnist_two_workers_reach_one_workers_accuracy(spark):
    """Debian's Fashion-MNIST (12,000 training images, 2,000 held-out test images): >= 0.85 held-out accuracy
    with 1 and 2 workers, within 1 point of each other."""
    import os

    from tests.dl.data import FASHION_DIR, fashion

    if not os.path.isdir(FASHION_DIR):
        pytest.skip("apt-get install -y dataset-fashion-mnist")
    x, y = fashion("train", 12_000)
    xt, yt = fashion("t10k", 2_000)
    train, test = image_df(spark, x, y).cache(), image_df(spark, xt, yt, first_id=100_000).cache()
    params = dict(imageHeight=28, imageWidth=28, imageChannels=1, epochs=5, batchSize=64, learningRate=0.002, seed=4)
    accuracy = {n: _accuracy(DeepVisionClassifier(numWorkers=n, **params).fit(train), test) for n in (1, 2)}
    print(f"\nFashion-MNIST held-out accuracy: 1 worker {accuracy[1]:.4f}, 2 workers {accuracy[2]:.4f}")
    assert accuracy[1] >= 0.85 and accuracy[2] >= 0.85
    assert abs(accuracy[1] - accuracy[2]) <= 0.01
