"""ImageFeaturizer on the real pretrained EfficientNet-Lite0 and a tiny image model: classes, features equal to
onnxruntime called directly, transfer learning, repository models, bad images."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from skimage import data
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
from mmlspark_py.downloader import ModelDownloader, UnknownModelError
from mmlspark_py.downloader.cli import add_model
from mmlspark_py.onnx import ImageFeaturizer
from tests.onnx.models import EFFNET_PATH, effnet_tensor, tiny_image_model

FEATURE_NODE = "/Reshape_output_0"


def effnet_featurizer(**kwargs):
    # dropNa=False: no image here is bad, and the filter would make Spark run the pass twice (see core.batching)
    return (
        ImageFeaturizer(
            inputCol="image",
            outputCol="features",
            channelNormalizationMeans=[0.5] * 3,
            channelNormalizationStds=[0.5] * 3,
            miniBatchSize=32,
            dropNa=False,
            **kwargs,
        )
        .setModelLocation(str(EFFNET_PATH))
        .setDeviceType("CPU")
    )


@pytest.fixture(scope="module")
def lfw():
    faces = data.lfw_subset()
    grey = [(f * 255).round().astype(np.uint8) for f in faces]
    return grey, np.array([1] * 100 + [0] * 100)


@pytest.fixture(scope="module")
def photos():
    return {"chelsea": data.chelsea(), "coffee": data.coffee()}


@pytest.fixture(scope="module")
def images_df(spark, lfw, photos):
    grey, labels = lfw
    rows = [(i, to_image_row(g, f"lfw/{i}"), int(labels[i])) for i, g in enumerate(grey)]
    rows += [(200 + k, to_image_row(rgb[:, :, ::-1], name), -1) for k, (name, rgb) in enumerate(photos.items())]
    return spark.createDataFrame(rows, f"id int, image {IMAGE_SCHEMA.simpleString()}, label int")


@pytest.fixture(scope="module")
def headless_rows(images_df):
    return effnet_featurizer().transform(images_df).orderBy("id").collect()


def direct_features(rgb_images):
    model = onnx.load(str(EFFNET_PATH))
    model.graph.output.append(onnx.helper.make_tensor_value_info(FEATURE_NODE, onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run([FEATURE_NODE, "logits"], {"image": np.stack([effnet_tensor(im) for im in rgb_images])})


def test_full_model_classifies_cat_and_espresso(images_df):
    rows = effnet_featurizer(headless=False).transform(images_df.where("id >= 200")).orderBy("id").collect()
    assert [int(np.argmax(r.features.toArray())) for r in rows] == [285, 967]
    assert len(rows[0].features) == 1000


def test_headless_features_equal_onnxruntime_directly(headless_rows, photos):
    features, logits = direct_features([photos["chelsea"], photos["coffee"]])
    ours = np.array([r.features.toArray() for r in headless_rows[200:]])
    assert ours.shape == (2, 1280) and np.argmax(logits[0]) == 285
    np.testing.assert_allclose(ours, features, rtol=1e-4, atol=1e-4)


def test_transfer_learning_beats_raw_pixels(headless_rows, lfw):
    grey, labels = lfw
    features = np.array([r.features.toArray() for r in headless_rows[:200]])
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(LogisticRegression(max_iter=3000), features, labels, cv=cv).mean()
    raw = cross_val_score(
        LogisticRegression(max_iter=3000), np.array(grey).reshape(200, -1) / 255.0, labels, cv=cv
    ).mean()
    assert ours >= 0.985 and (1 - ours) * 3 <= (1 - raw), (ours, raw)  # at least 3x fewer errors


def test_set_model_from_repository(repo_with_effnet, tmp_path):
    downloader = ModelDownloader(None, str(tmp_path / "local"), str(repo_with_effnet), progress=lambda *a: None)
    featurizer = ImageFeaturizer().setModel("EfficientNetLite0", downloader=downloader)
    assert featurizer.getFeatureTensorName() == FEATURE_NODE and featurizer.getImageTensorName() == "image"
    assert (featurizer.getImageHeight(), featurizer.getImageWidth()) == (224, 224)
    assert featurizer.getChannelNormalizationMeans() == [0.5] * 3
    assert featurizer.getOnnxModel().getModelPayload() == EFFNET_PATH.read_bytes()
    with pytest.raises(UnknownModelError, match="unknown model 'ResNet50'"):
        ImageFeaturizer().setModel("ResNet50", downloader=downloader)


@pytest.fixture(scope="module")
def repo_with_effnet(tmp_path_factory):
    repo = tmp_path_factory.mktemp("repo")
    add_model(
        str(EFFNET_PATH), "EfficientNetLite0", repo=str(repo), dataset="ImageNet", means=[0.5] * 3, stds=[0.5] * 3
    )
    return repo


# --------------------------------------------------------------------------- a tiny model: fast bad-input checks
def tiny_featurizer(**kwargs):
    return (
        ImageFeaturizer(inputCol="image", outputCol="features", **kwargs)
        .setModelPayload(tiny_image_model().SerializeToString())
        .setDeviceType("CPU")
    )


@pytest.fixture(scope="module")
def mixed_df(spark, photos):
    good = cv2_jpeg(photos["chelsea"])
    rows = [(0, good), (1, None), (2, b"not an image"), (3, good[: len(good) // 3])]
    return spark.createDataFrame(rows, "id int, image binary")


def cv2_jpeg(rgb):
    import cv2

    return cv2.imencode(".jpg", rgb[:, :, ::-1])[1].tobytes()


def test_tiny_model_feature_node_found_and_values(spark, photos, mixed_df):
    import cv2

    rows = tiny_featurizer().transform(mixed_df.where("id = 0")).collect()
    bgr = cv2.imdecode(np.frombuffer(cv2_jpeg(photos["chelsea"]), np.uint8), cv2.IMREAD_COLOR)
    h, w = bgr.shape[:2]
    resized = cv2.resize(bgr, (int(np.floor(16 / h * w + 0.5)), 16))
    x0 = resized.shape[1] // 2 - 8
    rgb = resized[:, x0 : x0 + 16, ::-1].astype(np.float32) / 255
    tensor = ((rgb - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]).transpose(2, 0, 1)[None].astype(np.float32)
    model = tiny_image_model()
    model.graph.output.append(onnx.helper.make_tensor_value_info("features", onnx.TensorProto.FLOAT, None))
    (expected,) = ort.InferenceSession(model.SerializeToString()).run(["features"], {"image": tensor})
    np.testing.assert_allclose(rows[0].features.toArray(), expected[0], rtol=1e-4, atol=1e-5)


def test_bad_images_drop_null_or_fail(mixed_df):
    assert [r.id for r in tiny_featurizer(ignoreDecodingErrors=True).transform(mixed_df).collect()] == [0]
    rows = (
        tiny_featurizer(ignoreDecodingErrors=True, dropNa=False, errorCol="err")
        .transform(mixed_df)
        .orderBy("id")
        .collect()
    )
    assert [r.features is None for r in rows] == [False, True, True, True]
    assert rows[0].err is None and rows[1].err is None and rows[2].err and rows[3].err
    with pytest.raises(Exception, match="cannot transform row .*not a decodable image"):
        tiny_featurizer().transform(mixed_df).collect()
    empty = tiny_featurizer().transform(mixed_df.limit(0))
    assert empty.count() == 0 and empty.schema == tiny_featurizer().transformSchema(mixed_df.schema)
