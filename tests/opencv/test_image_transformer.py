"""ImageTransformer on Spark: every step type, pixel-exact against OpenCV on the decoded photos, for image
structs, binaryFile structs and raw bytes; autoConvertToColor; schema and persistence."""

from __future__ import annotations

import math
import os
from typing import Callable, Optional

import cv2
import numpy as np
import pytest

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, as_hwc, to_ndarray
from mmlspark_py.opencv import ImageTransformer
from tests.opencv.conftest import decoded


def _resize_keep(img, size):
    h, w = img.shape[:2]
    r = size / min(h, w)
    return cv2.resize(img, (math.floor(w * r + 0.5), math.floor(h * r + 0.5)))


def _crop(img, x, y, h, w):
    if x + w > img.shape[1] or y + h > img.shape[0]:
        raise ValueError("outside")
    return img[y : y + h, x : x + w]


def _center(img, h, w):
    ch, cw = min(h, img.shape[0]), min(w, img.shape[1])
    y, x = img.shape[0] // 2 - ch // 2, img.shape[1] // 2 - cw // 2
    return img[y : y + ch, x : x + cw]


# (id, add steps to a transformer, the same OpenCV calls on a decoded array)
CASES = [
    ("resize_hw", lambda t: t.resize(40, 50), lambda i: cv2.resize(i, (50, 40))),
    ("resize_keep", lambda t: t.resize(32, True), lambda i: _resize_keep(i, 32)),
    ("resize_square", lambda t: t.resize(24, False), lambda i: cv2.resize(i, (24, 24))),
    ("crop", lambda t: t.crop(5, 10, 30, 40), lambda i: _crop(i, 5, 10, 30, 40)),
    ("centercrop", lambda t: t.centerCrop(40, 60), lambda i: _center(i, 40, 60)),
    ("colorformat_grey", lambda t: t.colorFormat(cv2.COLOR_BGR2GRAY), lambda i: cv2.cvtColor(i, cv2.COLOR_BGR2GRAY)),
    ("colorformat_hsv", lambda t: t.colorFormat(cv2.COLOR_BGR2HSV), lambda i: cv2.cvtColor(i, cv2.COLOR_BGR2HSV)),
    ("blur", lambda t: t.blur(3, 7), lambda i: cv2.blur(i, (7, 3))),
    (
        "threshold",
        lambda t: t.threshold(100, 200, cv2.THRESH_BINARY_INV),
        lambda i: cv2.threshold(i, 100, 200, cv2.THRESH_BINARY_INV)[1],
    ),
    (
        "threshold_otsu",
        lambda t: t.colorFormat(cv2.COLOR_BGR2GRAY).threshold(0, 255, "binary|otsu"),
        lambda i: cv2.threshold(cv2.cvtColor(i, cv2.COLOR_BGR2GRAY), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1],
    ),
    ("gaussiankernel", lambda t: t.gaussianKernel(5, 1.5), lambda i: cv2.GaussianBlur(i, (5, 5), 1.5, sigmaY=1.5)),
    ("flip_both", lambda t: t.flip(-1), lambda i: cv2.flip(i, -1)),
    ("flip_updown", lambda t: t.flip(0), lambda i: cv2.flip(i, 0)),
    (
        "chain",
        lambda t: t.resize(48, True).centerCrop(32, 32).blur(3, 3).flip(1),
        lambda i: cv2.flip(cv2.blur(_center(_resize_keep(i, 48), 32, 32), (3, 3)), 1),
    ),
]

KINDS = ["image", "binaryfile", "binary"]


def _expected(fn: Callable, data: bytes) -> Optional[np.ndarray]:
    try:
        return as_hwc(np.ascontiguousarray(fn(decoded(data))))
    except (cv2.error, ValueError):
        return None


def _frame(kind, image_df, binary_file_df, bytes_df):
    """(DataFrame, input column, row -> photo name)."""
    if kind == "image":
        return image_df, "image", lambda row: row["image"]["origin"]
    if kind == "binaryfile":
        return binary_file_df, "file", lambda row: os.path.basename(row["file"]["path"])
    return bytes_df, "content", lambda row: row["name"]


def _image(struct) -> np.ndarray:
    return to_ndarray(struct["height"], struct["width"], struct["mode"], bytes(struct["data"]), struct["nChannels"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case_id, add, fn", CASES, ids=[c[0] for c in CASES])
def test_pixels_equal_opencv(case_id, add, fn, kind, photos, image_df, binary_file_df, bytes_df):
    # One job per case: chaining the cases in one job would start a Python worker per case and task at once.
    df, col, name_of = _frame(kind, image_df, binary_file_df, bytes_df)
    t = add(ImageTransformer(inputCol=col, outputCol="out", errorCol="err", ignoreDecodingErrors=True))
    rows = {name_of(r): r for r in t.transform(df).collect()}
    assert set(rows) == set(photos)
    checked = 0
    for name, data in photos.items():
        want, out, err = _expected(fn, data), rows[name]["out"], rows[name]["err"]
        if want is None:  # OpenCV (or the crop bounds) refuses this image: a null and a reason
            assert out is None and err, (case_id, name)
            continue
        assert err is None, (case_id, name, err)
        got = _image(out)
        assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want), (case_id, name)
        if kind == "binaryfile":
            assert out["origin"].endswith("/" + name)
        else:
            assert out["origin"] == (name if kind == "image" else None)
        checked += 1
    assert checked >= 3, case_id  # the three colour photos at least


def test_auto_convert_to_color(photos, bytes_df):
    t = ImageTransformer(inputCol="content", outputCol="out", autoConvertToColor=True).blur(3, 3)
    rows = {r["name"]: r["out"] for r in t.transform(bytes_df).collect()}
    for name, data in photos.items():
        img = decoded(data)
        if img.shape[2] != 3:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR if img.shape[2] == 1 else cv2.COLOR_BGRA2BGR)
        got = _image(rows[name])
        assert got.shape[2] == 3 and np.array_equal(got, cv2.blur(img, (3, 3))), name
        assert rows[name]["mode"] == 16 and rows[name]["nChannels"] == 3  # CV_8UC3 in Spark's (OpenCV 4) codes


def test_without_auto_convert_channels_are_kept(photos, bytes_df):
    rows = {
        r["name"]: r["out"]
        for r in ImageTransformer(inputCol="content", outputCol="out").flip(1).transform(bytes_df).collect()
    }
    assert (rows["camera_grey.png"]["nChannels"], rows["camera_grey.png"]["mode"]) == (1, 0)
    assert (rows["coffee_bgra.png"]["nChannels"], rows["coffee_bgra.png"]["mode"]) == (4, 24)


def test_schema_matches_transform_for_each_input(image_df, binary_file_df, bytes_df):
    for df, col in ((image_df, "image"), (binary_file_df, "file"), (bytes_df, "content")):
        t = ImageTransformer(inputCol=col, outputCol="out", errorCol="why").flip(1)
        out = t.transform(df)
        assert t.transformSchema(df.schema) == out.schema
        assert out.schema["out"].dataType == IMAGE_SCHEMA and out.schema["why"].nullable


def test_no_steps_returns_the_decoded_image(photos, bytes_df):
    rows = {
        r["name"]: r["out"] for r in ImageTransformer(inputCol="content", outputCol="out").transform(bytes_df).collect()
    }
    for name, data in photos.items():
        assert np.array_equal(_image(rows[name]), decoded(data)), name


def test_save_load_keeps_steps_and_output(tmp_path, bytes_df):
    t = (
        ImageTransformer(inputCol="content", outputCol="out")
        .resize(20, True)
        .colorFormat("BGR2HSV")
        .threshold(50, 255, cv2.THRESH_TRUNC)
        .gaussianKernel(3, 0)
    )
    t.write().overwrite().save(str(tmp_path / "t"))
    loaded = ImageTransformer.load(str(tmp_path / "t"))
    assert loaded.getStages() == t.getStages() and loaded.uid == t.uid
    one = bytes_df.filter("name = 'coffee.jpg'")
    assert t.transform(one).collect() == loaded.transform(one).collect()


def test_bad_input_column_type_fails_in_driver(bytes_df):
    with pytest.raises(ValueError, match="column 'name' has type string; expected Spark's image struct"):
        ImageTransformer(inputCol="name").flip(1).transform(bytes_df)
    with pytest.raises(ValueError, match="does not exist"):
        ImageTransformer(inputCol="nope").transform(bytes_df)
    with pytest.raises(ValueError, match="already exists"):
        ImageTransformer(inputCol="content", outputCol="name").transform(bytes_df)


def test_synapseml_python_keyword_names_and_camel_case_build_the_same_steps():
    from mmlspark_py.opencv import Flip, GaussianKernel, Resize, Threshold

    snake = (
        ImageTransformer()
        .resize(size=(30, 20))
        .resize(224, keep_aspect_ratio=False)
        .threshold(100, max_val=255, threshold_type=cv2.THRESH_BINARY)
        .gaussianKernel(aperture_size=3, sigma=0.5)
        .flip(flip_code=0)
        .normalize(mean=[0.5] * 3, std=[0.25] * 3, color_scale_factor=1 / 255)
    )
    camel = (
        ImageTransformer()
        .resize(height=20, width=30)
        .resize(size=224, keepAspectRatio=False)
        .threshold(100, maxVal=255, thresholdType=cv2.THRESH_BINARY)
        .gaussianKernel(apertureSize=3, sigma=0.5)
        .flip(flipCode=0)
        .normalize([0.5] * 3, [0.25] * 3, colorScaleFactor=1 / 255)
    )
    assert snake.getStages() == camel.getStages()
    # SynapseML's Python resize takes a (width, height) tuple, as OpenCV's Size does
    assert snake.getStages()[:5] == (
        Resize(height=20, width=30),
        Resize(size=224, keepAspectRatio=False),
        Threshold(100, 255, cv2.THRESH_BINARY),
        GaussianKernel(3, 0.5),
        Flip(0),
    )
    assert snake.getColorScaleFactor() == camel.getColorScaleFactor() == 1 / 255 and snake.getToTensor()
    assert ImageTransformer().flip().getStages() == (Flip(1),)
    with pytest.raises(TypeError, match="flip_code and flipCode"):
        ImageTransformer().flip(flip_code=1, flipCode=0)
    with pytest.raises(ValueError, match="width, height"):
        ImageTransformer().resize(size=(1, 2, 3))
