"""SynapseML's documentation quick examples for ``synapse.ml.image``, ``synapse.ml.opencv``, ``synapse.ml.lime``
and ``synapse.ml.onnx``, in its import style, through the shim. The examples read images from Azure blobs;
here small real images (scikit-image's) are the data."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pyspark.sql.types import LongType, StructField, StructType
from skimage import data as skdata

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
from mmlspark_py.image import image_to_array


def _photo() -> np.ndarray:
    return cv2.resize(cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2BGR), (48, 40))


@pytest.fixture(scope="module")
def images(spark):
    """Two small BGR images in Spark's image struct, column ``image`` (what spark.read.format("image") gives)."""
    arrays = [_photo(), cv2.resize(cv2.cvtColor(skdata.coffee(), cv2.COLOR_RGB2BGR), (30, 20))]
    rows = [(i, to_image_row(a, f"file:/images/{i}.png")) for i, a in enumerate(arrays)]
    schema = StructType([StructField("id", LongType()), StructField("image", IMAGE_SCHEMA, True)])
    return spark.createDataFrame(rows, schema), arrays


def test_image_transformer(images, display):
    from pyspark.sql.types import FloatType
    from synapse.ml.opencv import ImageTransformer

    df, _ = images
    it = (
        ImageTransformer(inputCol="image", outputCol="features")
        .resize(224, True)
        .centerCrop(height=224, width=224)
        .normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225], color_scale_factor=1 / 255)
        .setTensorElementType(FloatType())
    )

    display(it.transform(df))
    reference = (
        ImageTransformer(inputCol="image", outputCol="features")
        .resize(224, True)
        .centerCrop(224, 224)
        .normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1 / 255)
    )
    expected = [np.asarray(r["features"]) for r in reference.transform(df).collect()]
    got = [np.asarray(r["features"]) for r in display.shown.collect()]
    assert [g.shape for g in got] == [(3, 224, 224)] * 2
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6)


def test_image_set_augmenter(images, display):
    from synapse.ml.opencv import ImageSetAugmenter

    df, arrays = images
    isa = ImageSetAugmenter().setInputCol("image").setOutputCol("augmented").setFlipLeftRight(True).setFlipUpDown(True)

    display(isa.transform(df))
    out = display.shown.orderBy("id").collect()
    assert len(out) == 3 * len(arrays)
    got = [image_to_array(r["augmented"]) for r in out[:3]]
    expected = [arrays[0], cv2.flip(arrays[0], 1), cv2.flip(arrays[0], 0)]
    assert sorted(g.tobytes() for g in got) == sorted(e.tobytes() for e in expected)


def test_resize_image_transformer_and_unroll_image(images, display):
    from synapse.ml.image import ResizeImageTransformer, UnrollImage

    df, arrays = images
    rit = ResizeImageTransformer().setOutputCol("out").setHeight(15).setWidth(10)

    preprocessed = rit.transform(df)

    unroll = (
        UnrollImage()
        .setInputCol(rit.getOutputCol())  # the example passes the method itself; SynapseML's Python calls it
        .setOutputCol("final")
    )

    display(unroll.transform(preprocessed))
    first = display.shown.orderBy("id").head()["final"].toArray()
    # SynapseML scales with Java's Image.getScaledInstance(SCALE_DEFAULT), whose ReplicateScaleFilter takes
    # source row (2 y + 1) * H / (2 h) in integer arithmetic (the same for columns).
    (height, width), image = (15, 10), arrays[0]
    rows = [(2 * y + 1) * image.shape[0] // (2 * height) for y in range(height)]
    cols = [(2 * x + 1) * image.shape[1] // (2 * width) for x in range(width)]
    resized = image[np.ix_(rows, cols)]
    np.testing.assert_array_equal(first, resized.transpose(2, 0, 1).ravel().astype(float))


def test_unroll_binary_image(spark, display):
    from synapse.ml.image import UnrollBinaryImage

    unroll = UnrollBinaryImage().setInputCol("input_col").setOutputCol("final")
    # the example stops here; unrolling encoded bytes shows what it does
    photo = _photo()
    png = cv2.imencode(".png", photo)[1].tobytes()
    display(unroll.transform(spark.createDataFrame([(bytearray(png),)], ["input_col"])))
    vector = display.shown.head()["final"].toArray()
    np.testing.assert_array_equal(vector, photo.transpose(2, 0, 1).ravel().astype(float))


def test_superpixel_transformer(images, display):
    from synapse.ml.lime import SuperpixelTransformer

    df, _ = images
    spt = SuperpixelTransformer().setInputCol("images")
    display(spt.setInputCol("image").transform(df))
    assert display.shown.count() == 2


def test_onnx_model(spark, tmp_path, display):
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    x, y = load_iris(return_X_y=True)
    x = x.astype(np.float32)
    classifier = SkLogisticRegression(max_iter=500).fit(x, y)
    model_path = str(tmp_path / "iris.onnx")
    with open(model_path, "wb") as f:
        f.write(
            convert_sklearn(classifier, initial_types=[("float_input", FloatTensorType([None, 4]))]).SerializeToString()
        )  # skl2onnx's defaults: output_label, output_probability (ZipMap)
    df = spark.createDataFrame([(row.tolist(),) for row in x[::10]], ["features"])

    import synapse.ml  # noqa: F401  (as the example does)
    from synapse.ml.onnx import ONNXModel

    onnx_ml = (
        ONNXModel()
        .setModelLocation(model_path)
        .setFeedDict({"float_input": "features"})
        .setFetchDict({"prediction": "output_label", "rawProbability": "output_probability"})
    )

    display(onnx_ml.transform(df))
    rows = display.shown.collect()
    assert [r["prediction"] for r in rows] == classifier.predict(x[::10]).tolist()
    for r, expected in zip(rows, classifier.predict_proba(x[::10])):
        assert [r["rawProbability"][k] for k in range(3)] == pytest.approx(expected.tolist(), abs=1e-5)
