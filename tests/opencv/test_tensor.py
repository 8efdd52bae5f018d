"""toTensor output: CxHxW layout, channel order, normalisation and element type, exact against numpy."""

from __future__ import annotations

import cv2
import numpy as np
import pyarrow as pa
import pytest
from pyspark.sql.types import ArrayType, DoubleType, FloatType

from mmlspark_py.opencv import ImageTransformer
from mmlspark_py.opencv.tensor import tensor_arrow_type, tensor_column
from tests.opencv.conftest import decoded

MEAN, STD, SCALE = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1 / 255


def _small(data: bytes) -> np.ndarray:
    img = cv2.resize(decoded(data), (10, 8))
    return img if img.ndim == 3 else img[:, :, None]


def _chw(img: np.ndarray, order: str) -> np.ndarray:
    """SynapseML's channel extraction written out in numpy: drop alpha, BGR -> RGB when asked."""
    if img.shape[2] == 4:
        img = img[:, :, :3]
    if img.shape[2] == 3 and order == "RGB":
        img = img[:, :, ::-1]
    return np.transpose(img, (2, 0, 1))


def _tensors(t, df):
    return {r["name"]: r["out"] for r in t.transform(df).collect()}


def test_default_tensor_is_rgb_float_chw(photos, bytes_df):
    t = ImageTransformer(inputCol="content", outputCol="out", toTensor=True).resize(8, 10)
    out = t.transform(bytes_df)
    assert out.schema["out"].dataType == ArrayType(ArrayType(ArrayType(FloatType())))
    assert t.transformSchema(bytes_df.schema) == out.schema
    rows = {r["name"]: r["out"] for r in out.collect()}
    for name, data in photos.items():
        want = _chw(_small(data), "RGB").astype(np.float32)
        got = np.array(rows[name], np.float32)
        assert got.shape == want.shape and np.array_equal(got, want), name
    assert np.array(rows["coffee_bgra.png"]).shape == (3, 8, 10)  # alpha dropped
    assert np.array(rows["camera_grey.png"]).shape == (1, 8, 10)


def test_normalized_double_bgr(photos, bytes_df):
    t = (
        ImageTransformer(
            inputCol="content",
            outputCol="out",
            autoConvertToColor=True,
            tensorChannelOrder="bgr",
            tensorElementType=DoubleType(),
        )
        .resize(8, 10)
        .normalize(MEAN, STD, SCALE)
    )
    assert t.getToTensor() and t.getTensorElementType() == "double" and t.getTensorChannelOrder() == "BGR"
    rows = _tensors(t, bytes_df)
    for name, data in photos.items():
        img = decoded(data)
        if img.shape[2] != 3:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR if img.shape[2] == 1 else cv2.COLOR_BGRA2BGR)
        chw = _chw(cv2.resize(img, (10, 8)), "BGR").astype(np.float64)
        want = (chw * SCALE - np.array(MEAN)[:, None, None]) / np.array(STD)[:, None, None]
        assert np.array_equal(np.array(rows[name], np.float64), want), name


def test_normalized_float_is_the_double_result_rounded(photos, bytes_df):
    t = ImageTransformer(inputCol="content", outputCol="out").resize(8, 10).normalize(MEAN, STD, SCALE)
    rows = _tensors(t, bytes_df.filter("name in ('coffee.jpg', 'chelsea.png')"))
    assert set(rows) == {"coffee.jpg", "chelsea.png"}
    for name, values in rows.items():
        chw = _chw(_small(photos[name]), "RGB").astype(np.float64)
        want = ((chw * SCALE - np.array(MEAN)[:, None, None]) / np.array(STD)[:, None, None]).astype(np.float32)
        assert np.array_equal(np.array(values, np.float32), want), name


def test_mean_of_wrong_length_is_a_row_error(bytes_df):
    t = (
        ImageTransformer(inputCol="content", outputCol="out", errorCol="err", ignoreDecodingErrors=True)
        .resize(4, 4)
        .normalize(MEAN, STD, 1.0)
    )
    rows = {r["name"]: r for r in t.transform(bytes_df).collect()}
    assert rows["camera_grey.png"]["out"] is None
    assert "normalizeMean has 3 values but the image has 1 channel" in rows["camera_grey.png"]["err"]
    assert rows["coffee.jpg"]["err"] is None and np.array(rows["coffee.jpg"]["out"]).shape == (3, 4, 4)


def test_tensor_column_layout_and_nulls():
    a = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    b = np.arange(1 * 2 * 5, dtype=np.float32).reshape(1, 2, 5) + 100
    col = tensor_column([a, None, b], tensor_arrow_type(pa.float32()))
    assert col.to_pylist() == [a.tolist(), None, b.tolist()]
    assert tensor_column([None], tensor_arrow_type(pa.float64())).to_pylist() == [None]


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: ImageTransformer().normalize([1, 2], [1, 2, 3], 1.0), "normalizeMean has 2 values and normalizeStd 3"),
        (lambda: ImageTransformer().normalize([1, 2, 3], [1, 0, 3], 1.0), "must not contain 0"),
        (
            lambda: ImageTransformer().normalize([1, 2, 3], [1, 2, 3], 0.0),
            "colorScaleFactor must be a finite number > 0",
        ),
        (lambda: ImageTransformer(normalizeMean=[]), "non-empty list"),
        (lambda: ImageTransformer(tensorChannelOrder="GBR"), "is not one of"),
        (lambda: ImageTransformer(tensorElementType="int"), "tensorElementType must be"),
        (lambda: ImageTransformer(tensorElementType=ArrayType(FloatType())), "tensorElementType must be"),
    ],
)
def test_bad_tensor_params_fail_when_set(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build()
