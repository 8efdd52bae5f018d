"""Stage-harness cases for the onnx area."""

from __future__ import annotations

import numpy as np

from mmlspark_py.onnx import ONNXModel
from tests.harness.stage_harness import StageCase
from tests.onnx.models import mlp_model


def _mlp_df(spark):
    x = np.random.default_rng(3).normal(size=(12, 4)).round(3)
    rows = [(i, None if i == 5 else x[i].tolist()) for i in range(12)] + [(12, [1.0, 2.0])]
    return spark.createDataFrame(rows, "id int, x array<double>")


def _onnx_model(spark, tmp):
    stage = ONNXModel(modelPayload=mlp_model().SerializeToString(), feedDict={"x": "x"},
                      fetchDict={"y": "y", "hidden": "hidden"}, softMaxDict={"y": "probability"},
                      argMaxDict={"y": "prediction"}, errorCol="error", deviceType="CPU", miniBatchSize=4)
    return stage, _mlp_df(spark)


CASES = [StageCase("ONNXModel.mlp", _onnx_model, covers=(ONNXModel,), sort_by=("id",))]
