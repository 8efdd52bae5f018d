"""DeepVisionClassifier's featurizer backbone: a head trained on frozen features of the real pretrained
EfficientNet-Lite0 (faces vs non-faces from scikit-image), and the merged featurizer + head ONNX export."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.functions import vector_to_array
from pyspark.sql import functions as F
from skimage import data

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
from mmlspark_py.dl import DeepVisionClassifier, DeepVisionModel
from mmlspark_py.onnx import ImageFeaturizer
from tests.onnx.models import EFFNET_PATH

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def faces(spark):
    grey = [(f * 255).round().astype(np.uint8) for f in data.lfw_subset()]
    labels = [1] * 100 + [0] * 100
    order = np.random.default_rng(0).permutation(200)
    rows = [(int(i), to_image_row(grey[i], f"lfw/{i}"), labels[i]) for i in order]
    df = spark.createDataFrame(rows, f"id int, image {IMAGE_SCHEMA.simpleString()}, label int").repartition(2)
    return df.where("id % 4 != 0").cache(), df.where("id % 4 = 0").cache()


def test_head_on_pretrained_features_learns_and_exports_as_one_graph(spark, faces, tmp_path):
    train, test = faces
    featurizer = (
        ImageFeaturizer(channelNormalizationMeans=[0.5] * 3, channelNormalizationStds=[0.5] * 3, miniBatchSize=32)
        .setModelLocation(str(EFFNET_PATH))
        .setDeviceType("CPU")
    )
    model = DeepVisionClassifier(
        backbone="featurizer", featurizer=featurizer, epochs=30, batchSize=32, learningRate=0.01, numWorkers=2, seed=3
    ).fit(train)
    scored = model.transform(test).orderBy("id").cache()
    accuracy = scored.where(F.col("prediction") == F.col("label")).count() / scored.count()
    print(f"\nfaces vs non-faces on EfficientNet-Lite0 features (150 train / 50 test): accuracy {accuracy:.3f}")
    assert accuracy >= 0.9
    # one ONNX graph, image tensor -> logits, gives the fitted model's outputs
    tensors = model.getPreprocessor("tensor").transform(test)
    exported = model.getOnnxModel("tensor").transform(tensors).orderBy("id")
    a = np.array([r[0] for r in scored.select(vector_to_array("probability")).collect()])
    b = np.array([r[0] for r in exported.select(vector_to_array("probability")).collect()])
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert len(model.getOnnxModel().getModelInputs()) == 1
    # the featurizer (and its 18 MB network) persists with the model
    model.write().overwrite().save(str(tmp_path / "m"))
    loaded = DeepVisionModel.load(str(tmp_path / "m"))
    assert loaded.getFeaturizer().getOnnxModel().getModelPayload() == featurizer.getOnnxModel().getModelPayload()
    c = np.array([r[0] for r in loaded.transform(test).orderBy("id").select(vector_to_array("probability")).collect()])
    np.testing.assert_allclose(a, c, atol=0)
