"""ImageSetAugmenter: originals plus flipped copies, pixel-exact against cv2.flip, one Python pass."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.image import ImageSetAugmenter, image_to_array
from tests.harness.plans import python_passes
from tests.image.data import small_images_df


def _as_hwc(image):
    return image if image.ndim == 3 else image[:, :, None]


def test_both_flips_give_three_rows_per_image(spark):
    df, images = small_images_df(spark)
    out = ImageSetAugmenter(inputCol="image", outputCol="aug", flipUpDown=True).transform(df)
    rows = out.collect()
    assert len(rows) == 3 * df.count()
    for i, image in enumerate(images):
        got = sorted(image_to_array(r["aug"]).tobytes() for r in rows if r["id"] == i)
        image = _as_hwc(image)
        expected = sorted(_as_hwc(x).tobytes() for x in (image, cv2.flip(image, 1), cv2.flip(image, 0)))
        assert got == expected, i
        assert {r["aug"]["origin"] for r in rows if r["id"] == i} == {f"mem://{i}.png"}
        assert all(r["image"] == r["image"] for r in rows if r["id"] == i)  # input column kept
    assert [r["aug"] for r in rows if r["id"] == len(images)] == [None, None, None]
    # the flips are computed in one Arrow pass: the plan evaluates one Python UDF
    assert python_passes(out) == 1


def test_default_is_left_right_only(spark):
    df, images = small_images_df(spark)
    rows = ImageSetAugmenter(outputCol="aug").transform(df).where("id = 0").collect()
    got = sorted(image_to_array(r["aug"]).tobytes() for r in rows)
    assert got == sorted([images[0].tobytes(), cv2.flip(images[0], 1).tobytes()])


def test_no_flip_copies_the_column(spark):
    df, _ = small_images_df(spark)
    out = ImageSetAugmenter(outputCol="aug", flipLeftRight=False).transform(df)
    assert out.count() == df.count()
    assert out.where("aug IS NOT NULL AND aug.data != image.data").count() == 0


def test_bad_input_column_and_params(spark):
    df, _ = small_images_df(spark)
    with pytest.raises(SchemaError, match="id"):
        ImageSetAugmenter(inputCol="id").transform(df)
    with pytest.raises(TypeError):
        ImageSetAugmenter(flipUpDown="sometimes")
    assert np.array_equal(cv2.flip(np.eye(2), 1), np.eye(2)[:, ::-1])
