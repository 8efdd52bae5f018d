"""Stage-harness cases for the onnx area."""

from __future__ import annotations

import numpy as np

from mmlspark_py.onnx import ImageFeaturizer, ONNXModel
from tests.harness.stage_harness import StageCase
from tests.onnx.models import mlp_model


def _mlp_df(spark):
    x = np.random.default_rng(3).normal(size=(12, 4)).round(3)
    rows = [(i, None if i == 5 else x[i].tolist()) for i in range(12)] + [(12, [1.0, 2.0])]
    return spark.createDataFrame(rows, "id int, x array<double>")


def _onnx_model(spark, tmp):
    stage = ONNXModel(
        modelPayload=mlp_model().SerializeToString(),
        feedDict={"x": "x"},
        fetchDict={"y": "y", "hidden": "hidden"},
        softMaxDict={"y": "probability"},
        argMaxDict={"y": "prediction"},
        errorCol="error",
        deviceType="CPU",
        miniBatchSize=4,
    )
    return stage, _mlp_df(spark)


CASES = [StageCase("ONNXModel.mlp", _onnx_model, covers=(ONNXModel,), sort_by=("id",))]


def _image_featurizer(spark, tmp):
    from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
    from tests.onnx.models import tiny_image_model

    rng = np.random.default_rng(0)
    rows = [
        (i, to_image_row(rng.integers(0, 255, size=(20 + i, 30, 3), dtype=np.uint8), f"img{i}")) for i in range(4)
    ] + [(4, None)]
    df = spark.createDataFrame(rows, f"id int, image {IMAGE_SCHEMA.simpleString()}")
    stage = (
        ImageFeaturizer(inputCol="image", outputCol="features", errorCol="err", dropNa=False)
        .setModelPayload(tiny_image_model().SerializeToString())
        .setDeviceType("CPU")
    )
    return stage, df


CASES.append(StageCase("ImageFeaturizer.tiny", _image_featurizer, covers=(ImageFeaturizer,), sort_by=("id",)))


def _zipmap_classifier(spark, tmp):
    from tests.onnx.models import sklearn_zipmap_classifier

    model, _, features = sklearn_zipmap_classifier()
    df = spark.createDataFrame([(i, features[i * 11].tolist()) for i in range(8)], "id int, X array<float>")
    stage = ONNXModel(
        modelPayload=model,
        feedDict={"X": "X"},
        fetchDict={"label": "output_label", "probability": "output_probability"},
        softMaxDict={"probability": "soft"},
        argMaxDict={"probability": "predicted"},
        deviceType="CPU",
    )
    return stage, df


CASES.append(StageCase("ONNXModel.zipmap_classifier", _zipmap_classifier, covers=(ONNXModel,), sort_by=("id",)))
