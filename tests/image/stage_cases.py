"""The image stages registered with the stage harness (tests/harness/stage_harness.py)."""

from __future__ import annotations

from pyspark.sql.types import BinaryType, LongType, StructField, StructType

from mmlspark_py.image import (
    ImageSetAugmenter,
    ResizeImageTransformer,
    SuperpixelTransformer,
    UnrollBinaryImage,
    UnrollImage,
)
from tests.harness.stage_harness import StageCase
from tests.image.data import encode, small_images_df


def _unroll(spark, tmp):
    return UnrollImage(inputCol="image", outputCol="v"), small_images_df(spark)[0]


def _unroll_binary(spark, tmp):
    df, images = small_images_df(spark)
    blobs = [(i, encode(im, ".png")) for i, im in enumerate(images)] + [(len(images), b"junk")]
    df = spark.createDataFrame(blobs, StructType([StructField("id", LongType()), StructField("bytes", BinaryType())]))
    return UnrollBinaryImage(inputCol="bytes", outputCol="v", width=3, height=2, nChannels=3, errorCol="err"), df


def _augment(spark, tmp):
    stage = ImageSetAugmenter(inputCol="image", outputCol="aug", flipLeftRight=True, flipUpDown=True)
    return stage, small_images_df(spark)[0]


CASES = [
    StageCase("UnrollImage", _unroll, covers=(UnrollImage,)),
    StageCase("UnrollBinaryImage", _unroll_binary, covers=(UnrollBinaryImage,)),
    StageCase("ImageSetAugmenter", _augment, covers=(ImageSetAugmenter,), sort_by=("id", "aug.data")),
]


def _resize(spark, tmp):
    df, _ = small_images_df(spark)
    return ResizeImageTransformer(inputCol="image", outputCol="small", width=3, height=2, nChannels=3), df


def _superpixel(spark, tmp):
    df, images = small_images_df(spark)
    blobs = [(i, encode(im, ".png")) for i, im in enumerate(images)] + [(len(images), b"junk")]
    df = spark.createDataFrame(blobs, StructType([StructField("id", LongType()), StructField("bytes", BinaryType())]))
    return SuperpixelTransformer(inputCol="bytes", outputCol="sp", cellSize=2.0, errorCol="err"), df


CASES += [
    StageCase("ResizeImageTransformer", _resize, covers=(ResizeImageTransformer,)),
    StageCase("SuperpixelTransformer", _superpixel, covers=(SuperpixelTransformer,), sort_by=("id",)),
]
