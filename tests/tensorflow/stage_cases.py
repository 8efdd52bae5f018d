"""Stage-harness cases for the tensorflow area."""

from __future__ import annotations

from mmlspark_py.tensorflow import TFModel
from tests.harness.stage_harness import StageCase
from tests.tensorflow.models import tiny_dense_keras


def _tf_model(spark, tmp):
    path = str(tmp / "tiny.keras")
    tiny_dense_keras(path)
    stage = TFModel(
        feedDict={"x": "features"}, fetchDict={"out": "y"}, deviceType="CPU", errorCol="err"
    ).setModelLocation(path)
    df = spark.createDataFrame(
        [(i, [float(i), 1.0, -1.0, 0.5]) for i in range(6)] + [(6, None), (7, [1.0])], "id int, features array<double>"
    )
    return stage, df


CASES = [StageCase("TFModel.keras_dense", _tf_model, covers=(TFModel,), sort_by=("id",))]
