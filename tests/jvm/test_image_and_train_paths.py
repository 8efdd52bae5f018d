"""UnrollImage and ComputePerInstanceStatistics' log_loss: the companion's outputs equal the Python paths'."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from pyspark.ml.linalg import SparseVector, Vectors, VectorUDT
from pyspark.sql.types import DoubleType, IntegerType, StructField, StructType

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
from mmlspark_py.image import UnrollImage
from mmlspark_py.train import ComputePerInstanceStatistics
from tests.image.data import small_images_df
from tests.jvm.paths import both_ways, python_path, uses

SCHEMA = StructType([StructField("id", IntegerType()), StructField("image", IMAGE_SCHEMA)])


def _typed_images():
    """One image of every pixel type Spark's image struct holds, with extreme values, plus edge shapes."""
    rng = np.random.default_rng(4)
    out = []
    for dtype in (np.uint8, np.int8, np.uint16, np.int16, np.int32, np.float32, np.float64):
        info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else np.finfo(dtype)
        for channels in (1, 3, 4):
            image = rng.uniform(-1, 1, size=(3, 5, channels)) * 100
            image = (
                image.astype(dtype)
                if np.issubdtype(dtype, np.floating)
                else rng.integers(info.min, info.max, size=(3, 5, channels), endpoint=True).astype(dtype)
            )
            image.flat[0], image.flat[-1] = info.min, info.max
            out.append(image)
    out.append(np.zeros((4, 4, 3), np.uint8))  # zero bytes stay 0 (SynapseML: 256)
    out.append(np.zeros((0, 7, 3), np.uint8))  # no rows
    out.append(np.full((2, 3, 2), 7, np.uint8))  # two channels
    return out


def test_unroll_image_equals_python_path(spark, companion):
    rows = [(i, to_image_row(im, f"img{i}")) for i, im in enumerate(_typed_images())] + [(999, None)]
    df = spark.createDataFrame(rows, SCHEMA).unionByName(
        small_images_df(spark)[0].selectExpr("cast(id + 1000 as int) as id", "image")
    )
    stage = UnrollImage(inputCol="image", outputCol="v")
    jvm, python = both_ways(spark, lambda: stage.transform(df), "unroll_image")
    assert [(r.id, None if r.v is None else r.v.toArray().tolist()) for r in jvm] == [
        (r.id, None if r.v is None else r.v.toArray().tolist()) for r in python
    ]
    by_id = {r.id: r.v for r in jvm}
    assert by_id[999] is None and by_id[21].toArray().max() == 0.0 and by_id[22].size == 0
    image = _typed_images()[5]  # int16, 3 channels
    np.testing.assert_array_equal(by_id[5].toArray(), image.transpose(2, 0, 1).astype(np.float64).ravel())


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("data", bytearray(5), "image data has 5 bytes, expected 12 for 2x2x3 uint8"),
        ("mode", 7, "unsupported image mode 7"),
        ("nChannels", 1, "nChannels=1 disagrees with mode 16 (3 channels)"),
    ],
)
def test_unroll_image_inconsistent_struct_fails_alike(spark, companion, field, value, message):
    row = to_image_row(np.zeros((2, 2, 3), np.uint8), "bad.png")
    row[field] = value
    df = spark.createDataFrame([(1, row)], SCHEMA)
    stage = UnrollImage(inputCol="image", outputCol="v")
    for on_python in (False, True):
        with python_path(spark) if on_python else _nothing():
            out = stage.transform(df)
            assert uses(out, "unroll_image") != on_python
            with pytest.raises(Exception, match=re.escape(f"image 'bad.png': {message}")):
                out.collect()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_LOSS_SCHEMA = StructType(
    [
        StructField("id", IntegerType()),
        StructField("label", DoubleType()),
        StructField("prediction", DoubleType()),
        StructField("probability", VectorUDT()),
    ]
)


def test_log_loss_equals_python_path(spark, companion):
    eps = float(np.finfo(np.float64).eps)
    two = Vectors.dense([0.1, 0.9])
    cases = [  # (label, probabilities, expected log_loss)
        (0.0, Vectors.dense([0.7, 0.2, 0.1]), -math.log(0.7)),
        (2.0, SparseVector(3, {1: 1.0}), -math.log(eps)),  # a sparse zero: clipped to eps, as scikit-learn
        (1.0, Vectors.dense([0.0, 1.0, 0.0]), -math.log(1 - eps)),
        (5.0, Vectors.dense([0.5, 0.5, 0.0]), None),  # no such class
        (None, Vectors.dense([0.25, 0.75, 0.0]), None),  # no label (not -log(eps))
        (-1.0, two, None),  # not a class: no failed job (index 0), no class counted from the end
        (-2.0, two, None),
        (0.5, two, None),  # fractional
        (float("nan"), two, None),
        (1e20, two, None),  # past the int range: no cast error under ANSI mode
        (2.0, two, None),  # at the vector's size
        (1.0, None, None),  # no probabilities: null, the job goes on
        (1.0, Vectors.dense([0.5, float("nan")]), None),  # a NaN probability: not ~0
        (1.0, two, -math.log(0.9)),
    ]
    df = spark.createDataFrame([(i, y, 0.0, v) for i, (y, v, _) in enumerate(cases)], _LOSS_SCHEMA)
    stage = ComputePerInstanceStatistics(
        labelCol="label",
        scoresCol="probability",
        scoredLabelsCol="prediction",
        scoredProbabilitiesCol="probability",
        evaluationMetric="classification",
    )
    jvm, python = both_ways(spark, lambda: stage.transform(df), "vector_at")
    assert [(r.id, r.log_loss) for r in jvm] == [(r.id, r.log_loss) for r in python]  # a NaN label != itself
    for row, (label, _, expected) in zip(jvm, cases):
        if expected is None:
            assert row.log_loss is None, f"label {label}"
        else:
            assert row.log_loss == pytest.approx(expected, rel=1e-12), f"label {label}"
