"""UnrollImage and UnrollBinaryImage: SynapseML's channel-major order, values against OpenCV called directly."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pyspark.sql.types import BinaryType, LongType, StructField, StructType

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.image import UnrollBinaryImage, UnrollImage
from tests.image.data import encode, sample_images, small_images_df


def synapse_order(image: np.ndarray) -> np.ndarray:
    """SynapseML's loop, written out: for c, for y, for x (0 stays 0 here; SynapseML gives 256)."""
    h, w, c = image.shape
    return np.array([float(image[y, x, ch]) for ch in range(c) for y in range(h) for x in range(w)])


def test_unroll_image_matches_synapseml_order(spark):
    df, images = small_images_df(spark)
    rows = UnrollImage(inputCol="image", outputCol="v").transform(df).orderBy("id").collect()
    for image, row in zip(images, rows):
        np.testing.assert_array_equal(
            row["v"].toArray(), synapse_order(image if image.ndim == 3 else image[:, :, None])
        )
    assert rows[-1]["v"] is None  # null image -> null vector
    assert rows[2]["v"].toArray().max() == 0.0  # zero bytes stay 0


def test_unroll_image_keeps_16_bit_values(spark):
    from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row

    image = np.arange(12, dtype=np.uint16).reshape(2, 2, 3) * 5000
    df = spark.createDataFrame([(to_image_row(image, "x"),)], StructType([StructField("image", IMAGE_SCHEMA)]))
    (row,) = UnrollImage(outputCol="v").transform(df).collect()
    np.testing.assert_array_equal(row["v"].toArray(), synapse_order(image))


def _binary_df(spark, blobs):
    return spark.createDataFrame(
        [(i, b) for i, b in enumerate(blobs)],
        StructType([StructField("id", LongType()), StructField("bytes", BinaryType())]),
    )


def test_unroll_binary_image_decodes_resizes_and_converts(spark):
    blobs = sample_images()
    df = _binary_df(spark, [blobs["astronaut.jpg"], blobs["camera.png"], b"garbage", None])
    stage = UnrollBinaryImage(inputCol="bytes", outputCol="v", width=7, height=5, errorCol="err")
    rows = stage.transform(df).orderBy("id").collect()
    for blob, row in zip([blobs["astronaut.jpg"], blobs["camera.png"]], rows):
        image = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_UNCHANGED)
        expected = cv2.resize(image, (7, 5), interpolation=cv2.INTER_LINEAR)
        np.testing.assert_array_equal(row["v"].toArray(), synapse_order(expected.reshape(5, 7, -1)))
        assert row["err"] is None
    assert rows[2]["v"] is None and "not a decodable image" in rows[2]["err"]
    assert rows[3]["v"] is None and "null" in rows[3]["err"]

    grey = UnrollBinaryImage(inputCol="bytes", outputCol="g", nChannels=1).transform(df).orderBy("id").collect()
    colour = cv2.imdecode(np.frombuffer(blobs["astronaut.jpg"], np.uint8), cv2.IMREAD_COLOR)
    np.testing.assert_array_equal(grey[0]["g"].toArray(), cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY).ravel())
    assert "g" in grey[0] and "err" not in grey[0].asDict()  # no errorCol unless asked


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"width": -3}, ValueError),
        ({"height": 0}, ValueError),
        ({"nChannels": 2}, ValueError),
        ({"nChannels": "x"}, TypeError),
        ({"colour": 1}, TypeError),
    ],
)
def test_invalid_params_fail_when_set(kwargs, error):
    with pytest.raises(error):
        UnrollBinaryImage(**kwargs)


def test_width_without_height_and_wrong_types_fail_in_the_driver(spark):
    df = _binary_df(spark, [encode(np.zeros((2, 2, 3), np.uint8), ".png")])
    with pytest.raises(SchemaError, match="both width and height"):
        UnrollBinaryImage(inputCol="bytes", width=4).transform(df)
    with pytest.raises(SchemaError, match="bytes"):
        UnrollImage(inputCol="bytes").transform(df)
    with pytest.raises(SchemaError, match="nope"):
        UnrollBinaryImage(inputCol="nope").transform(df)
