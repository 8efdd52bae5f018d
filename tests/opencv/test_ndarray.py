"""SynapseML's toNDArray/toImage/ImageSchema helpers, as its OpenCV notebook uses them (through a UDF)."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.sql.functions import udf

from mmlspark_py.core.image_schema import to_image_row
from mmlspark_py.image import UnrollImage, image_to_array
from mmlspark_py.opencv import ImageSchema, ImageSetAugmenter, ImageTransformer, toImage, toNDArray
from tests.opencv.conftest import decoded


def test_to_ndarray_is_rgb_and_to_image_round_trips():
    bgr = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    row = to_image_row(bgr, "x.png")
    rgb = toNDArray(row)
    np.testing.assert_array_equal(rgb, bgr[:, :, ::-1])
    back = toImage(rgb, "y.png")
    assert list(back.asDict()) == ["origin", "height", "width", "nChannels", "mode", "data"]
    assert (back.origin, back.height, back.width, back.nChannels, back.mode) == ("y.png", 2, 3, 3, 16)
    np.testing.assert_array_equal(image_to_array(back.asDict()), bgr)
    grey = to_image_row(np.full((2, 2), 9, np.uint8))
    assert toNDArray(grey).shape == (2, 2, 1) and toImage(toNDArray(grey)).mode == 0
    bgra = np.arange(16, dtype=np.uint8).reshape(2, 2, 4)
    np.testing.assert_array_equal(toNDArray(to_image_row(bgra)), bgra[:, :, [2, 1, 0, 3]])
    with pytest.raises(ValueError, match="mode 16 does not match"):
        toImage(np.zeros((2, 2), np.uint8), mode=16)


def test_synapseml_notebook_udf_flow(spark, photos):
    bgr = decoded(photos["astronaut.jpg"])
    images = spark.createDataFrame([(to_image_row(bgr, "astronaut.jpg"),)], "image " + ImageSchema.simpleString())
    small = (
        (ImageTransformer().setOutputCol("transformed").resize(size=(20, 16)).crop(0, 0, height=12, width=18))
        .transform(images)
        .select("transformed")
    )

    def u(row):
        array = toNDArray(row)
        array[:, :, 2] = 0
        return toImage(array)

    noblue = small.withColumn("noblue", udf(u, ImageSchema)(small["transformed"])).select("noblue")
    (row,) = noblue.collect()
    expected = bgr.copy()
    import cv2

    expected = cv2.resize(expected, (20, 16))[:12, :18].copy()
    expected[:, :, 0] = 0  # blue is channel 0 in BGR
    np.testing.assert_array_equal(image_to_array(row.noblue.asDict()), expected)
    (vector,) = (
        UnrollImage().setInputCol("noblue").setOutputCol("unrolled").transform(noblue).select("unrolled").first()
    )
    assert len(vector.toArray()) == 12 * 18 * 3
    augmented = ImageSetAugmenter(inputCol="noblue", outputCol="aug").transform(noblue)
    assert augmented.count() == 2
