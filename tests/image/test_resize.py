"""ResizeImageTransformer: SynapseML's nearest-neighbour sampling (Java's ReplicateScaleFilter), on Spark."""

from __future__ import annotations

import cv2
import numpy as np
from pyspark.sql.types import BinaryType, IntegerType, StructField, StructType
from skimage import data as skdata

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
from mmlspark_py.image import ResizeImageTransformer, image_to_array


def java_replicate_scale(image, width, height):
    """Java's ReplicateScaleFilter maps: source row (2 y h_src + h_src) / (2 h_dst), integer division."""
    out = np.empty((height, width) + image.shape[2:], image.dtype)
    for y in range(height):
        for x in range(width):
            sy = (2 * y * image.shape[0] + image.shape[0]) // (2 * height)
            sx = (2 * x * image.shape[1] + image.shape[1]) // (2 * width)
            out[y, x] = image[sy, sx]
    return out


def test_resize_images_and_bytes_like_synapseml(spark):
    bgr = cv2.cvtColor(skdata.astronaut()[::16, ::16], cv2.COLOR_RGB2BGR)  # 32x32
    odd = np.ascontiguousarray(bgr[:7, :11])
    rows = [(0, to_image_row(bgr, "a")), (1, to_image_row(odd, "b")), (2, None)]
    df = spark.createDataFrame(rows, StructType([StructField("id", IntegerType()), StructField("image", IMAGE_SCHEMA)]))
    out = {
        r.id: r.small
        for r in ResizeImageTransformer(inputCol="image", outputCol="small", width=9, height=5).transform(df).collect()
    }
    np.testing.assert_array_equal(image_to_array(out[0]), java_replicate_scale(bgr, 9, 5))
    np.testing.assert_array_equal(image_to_array(out[1]), java_replicate_scale(odd, 9, 5))  # upscaled rows
    assert out[0]["origin"] == "a" and out[2] is None
    grey = ResizeImageTransformer(inputCol="image", outputCol="g", width=4, height=4, nChannels=1).transform(df)
    np.testing.assert_array_equal(
        image_to_array(grey.where("id = 0").first().g),
        java_replicate_scale(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)[:, :, None], 4, 4),
    )
    blobs = spark.createDataFrame(
        [(cv2.imencode(".png", bgr)[1].tobytes(),), (b"junk",)], StructType([StructField("content", BinaryType())])
    )
    got = (
        ResizeImageTransformer(inputCol="content", outputCol="r", width=3, height=2, errorCol="err")
        .transform(blobs)
        .collect()
    )
    np.testing.assert_array_equal(image_to_array(got[0].r), java_replicate_scale(bgr, 3, 2))
    assert got[0].err is None and got[1].r is None and "not a decodable image" in got[1].err
