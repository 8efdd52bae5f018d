"""TFModel on a Keras CNN trained here on digits: outputs equal calling the model directly."""

from __future__ import annotations

import numpy as np
import pytest

from mmlspark_py.tensorflow import TFModel
from tests.tensorflow.models import digits, train_digits_cnn

pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tf")
    model = train_digits_cnn(str(folder))
    return folder, model


@pytest.fixture(scope="module")
def digits_df(spark):
    x, y = digits()
    rows = [(i, x[i, :, :, 0].tolist(), int(y[i])) for i in range(1500, 1797)]
    return spark.createDataFrame(rows, "id int, image array<array<float>>, label int"), x[1500:]


def test_keras_file_outputs_equal_model_and_learn(trained, digits_df):
    folder, model = trained
    df, x = digits_df
    # The digits column is [8][8]; the model wants [8, 8, 1]: feed a flat array (fixed dims are reshaped).
    flat = df.selectExpr("id", "flatten(image) AS pixels", "label")
    stage = TFModel(
        feedDict={"pixels": "pixels"}, fetchDict={"logits": "logits"}, deviceType="CPU", miniBatchSize=50
    ).setModelLocation(str(folder / "digits.keras"))
    assert stage.getModelInputs()["pixels"].shape == (None, 8, 8, 1)
    rows = stage.transform(flat).orderBy("id").collect()
    got = np.array([r.logits for r in rows], np.float32)
    direct = model(x, training=False).numpy()
    np.testing.assert_allclose(got, direct, rtol=1e-5, atol=1e-5)
    accuracy = np.mean(got.argmax(axis=1) == np.array([r.label for r in rows]))
    assert accuracy > 0.8  # trained 3 epochs on real digits: clearly learned


def test_saved_model_signature(trained, digits_df):
    folder, model = trained
    df, x = digits_df
    flat = df.selectExpr("id", "flatten(image) AS pixels")
    stage = TFModel(feedDict={"pixels": "pixels"}, fetchDict={"out": "output_0"}, deviceType="auto").setModelLocation(
        str(folder / "saved")
    )
    assert stage.getModelFormat() == "savedmodel"
    rows = stage.transform(flat).orderBy("id").collect()
    np.testing.assert_allclose(np.array([r.out for r in rows]), model(x, training=False).numpy(), rtol=1e-5, atol=1e-5)


def test_bad_input_and_errors(trained, spark):
    folder, _ = trained
    stage = TFModel(
        feedDict={"pixels": "pixels"}, fetchDict={"logits": "logits"}, deviceType="CPU", errorCol="err"
    ).setModelLocation(str(folder / "digits.keras"))
    df = spark.createDataFrame([(0, [0.0] * 64), (1, [0.0] * 10), (2, None)], "id int, pixels array<float>")
    rows = stage.transform(df).orderBy("id").collect()
    assert rows[0].logits is not None and rows[0].err is None
    assert rows[1].logits is None and "flat array of the wrong length (expected 64 = 8x8x1)" in rows[1].err
    assert rows[2].logits is None and rows[2].err is None
    assert stage.transform(df.limit(0)).count() == 0
    with pytest.raises(Exception, match=r"feedDict has no column for model input pixels: tensor\(float\)"):
        stage.copy().setFeedDict({}).transform(df)
    with pytest.raises(Exception, match="not in the model"):
        stage.copy().setFetchDict({"a": "nope"}).transform(df)
    with pytest.raises(Exception, match="deviceType GPU was requested but TensorFlow sees no GPU"):
        stage.copy().setDeviceType("GPU").transform(df).collect()
    truncated = folder / "truncated.keras"
    truncated.write_bytes((folder / "digits.keras").read_bytes()[:500])
    with pytest.raises(ValueError, match=f"modelLocation '{truncated}'.*truncated"):
        TFModel(feedDict={"pixels": "pixels"}, fetchDict={"logits": "logits"}).setModelLocation(str(truncated))
    with pytest.raises(ValueError, match="cannot load the keras model"):  # bytes set directly: found at load
        TFModel(modelPayload=truncated.read_bytes(), modelFormat="keras").getModelInputs()
