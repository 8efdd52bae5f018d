"""Stage-harness cases of ImageTransformer: each input kind, image and tensor output, with and without errors."""

from __future__ import annotations

import cv2
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, DoubleType, StringType, StructField, StructType

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
from mmlspark_py.opencv import ImageTransformer
from tests.harness.stage_harness import StageCase
from tests.opencv.conftest import decoded, photo_files

_NAMES = ("astronaut.jpg", "camera_grey.png", "coffee_bgra.png")


def _image_steps(spark, tmp):
    rows = [(to_image_row(decoded(photo_files()[n]), origin=n),) for n in _NAMES] + [(None,)]
    df = spark.createDataFrame(rows, StructType([StructField("image", IMAGE_SCHEMA)]))
    t = (
        ImageTransformer(outputCol="out", errorCol="err", ignoreDecodingErrors=True)
        .resize(12, True)
        .centerCrop(10, 8)
        .blur(3, 3)
        .flip(-1)
        .colorFormat(cv2.COLOR_BGR2GRAY)
    )
    return t, df


def _bytes_tensor(spark, tmp):
    rows = [(n, bytearray(photo_files()[n])) for n in _NAMES] + [("text", bytearray(b"not an image")), ("nil", None)]
    df = spark.createDataFrame(
        rows, StructType([StructField("name", StringType()), StructField("content", BinaryType())])
    )
    t = (
        ImageTransformer(
            inputCol="content",
            outputCol="x",
            errorCol="why",
            ignoreDecodingErrors=True,
            autoConvertToColor=True,
            tensorElementType=DoubleType(),
            miniBatchSize=2,
        )
        .resize(6, 5)
        .normalize([0.5, 0.4, 0.3], [0.2, 0.3, 0.25], 1 / 255)
    )
    return t, df


def _binary_file_tensor(spark, tmp):
    for n in _NAMES:
        (tmp / n).write_bytes(photo_files()[n])
    df = spark.read.format("binaryFile").load(str(tmp))
    df = df.select(F.struct(*df.columns).alias("file"))
    t = (
        ImageTransformer(inputCol="file", outputCol="t", toTensor=True, tensorChannelOrder="BGR")
        .resize(8, 8)
        .gaussianKernel(3, 0.8)
        .threshold(100, 255, cv2.THRESH_TRUNC)
    )
    return t, df


CASES = [
    StageCase("ImageTransformer.image_steps", _image_steps, covers=(ImageTransformer,), sort_by=("image.origin",)),
    StageCase("ImageTransformer.bytes_normalized_tensor", _bytes_tensor, covers=(ImageTransformer,), sort_by=("name",)),
    StageCase(
        "ImageTransformer.binary_file_tensor", _binary_file_tensor, covers=(ImageTransformer,), sort_by=("file.path",)
    ),
]
