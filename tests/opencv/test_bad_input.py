"""Bad rows: truncated JPEG, empty and text bytes, a 1x1 image, a huge PNG header, nulls, broken structs, steps
that do not fit an image; null + reason with ignoreDecodingErrors, else a job error naming the image."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, StringType, StructField, StructType

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row, to_ndarray
from mmlspark_py.opencv import ImageTransformer
from tests.opencv.conftest import decoded, huge_png_header


@pytest.fixture(scope="module")
def bad_files(photos):
    jpeg = photos["coffee.jpg"]
    return {
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "empty.jpg": b"",
        "text.jpg": b"this is a text file, not an image\n" * 3,
        "one_pixel.jpg": photos["one_pixel.jpg"],
        "huge.png": huge_png_header(),
        "good.jpg": jpeg,
    }


@pytest.fixture(scope="module")
def bad_bytes_df(spark, bad_files):
    schema = StructType([StructField("name", StringType()), StructField("content", BinaryType())])
    rows = [(n, bytearray(b)) for n, b in bad_files.items()] + [("null", None)]
    return spark.createDataFrame(rows, schema)


@pytest.fixture(scope="module")
def bad_file_df(spark, bad_files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_images")
    for name, data in bad_files.items():
        (folder / name).write_bytes(data)
    df = spark.read.format("binaryFile").load(str(folder))
    return df.select(F.element_at(F.split("path", "/"), -1).alias("name"), F.struct(*df.columns).alias("file"))


EXPECTED_ERRORS = {
    "truncated.jpg": "not a decodable image",
    "empty.jpg": "empty file",
    "text.jpg": "not a decodable image",
    "huge.png": "100000x100000 = 10000000000 pixels, over the limit",
}


@pytest.mark.parametrize("col", ["content", "file"])
def test_bad_rows_give_null_and_reason(col, bad_bytes_df, bad_file_df, bad_files):
    df = bad_bytes_df if col == "content" else bad_file_df
    t = ImageTransformer(inputCol=col, outputCol="out", errorCol="err", ignoreDecodingErrors=True).resize(4, True)
    rows = {r["name"]: r for r in t.transform(df).collect()}
    # Spark's binaryFile source lists no zero-byte files, so the empty one only exists as raw bytes.
    assert set(rows) == set(bad_files) - ({"empty.jpg"} if col == "file" else set()) | (
        {"null"} if col == "content" else set()
    )
    for name, reason in EXPECTED_ERRORS.items():
        if name not in rows:
            continue
        assert rows[name]["out"] is None and reason in rows[name]["err"], (name, rows[name]["err"])
    one = rows["one_pixel.jpg"]
    assert one["err"] is None
    assert np.array_equal(
        to_ndarray(4, 4, one["out"]["mode"], bytes(one["out"]["data"])),
        cv2.resize(decoded(bad_files["one_pixel.jpg"]), (4, 4)),
    )
    assert rows["good.jpg"]["err"] is None and rows["good.jpg"]["out"]["height"] == 4
    if col == "content":
        assert rows["null"]["out"] is None and rows["null"]["err"] is None  # null in, null out: not an error


def test_without_ignore_the_job_fails_naming_the_file(bad_file_df):
    t = ImageTransformer(inputCol="file", outputCol="out").flip(1)
    with pytest.raises(Exception, match=r"cannot transform image '[^']*truncated\.jpg': not a decodable image"):
        t.transform(bad_file_df.filter("name = 'truncated.jpg'")).collect()


def test_without_ignore_raw_bytes_fail_with_the_reason(bad_bytes_df):
    t = ImageTransformer(inputCol="content", outputCol="out").flip(1)
    with pytest.raises(Exception, match="raw bytes have no origin.*over the limit.*ignoreDecodingErrors=True"):
        t.transform(bad_bytes_df.filter("name = 'huge.png'")).collect()


def test_step_that_does_not_fit_fails_naming_the_image(image_df):
    t = ImageTransformer(outputCol="out").crop(0, 0, 100, 1000)
    with pytest.raises(Exception, match=r"image 'astronaut.jpg': step 0 \(crop\): .*does not fit in a 102x102"):
        t.transform(image_df.filter("image.origin = 'astronaut.jpg'")).collect()


def test_max_pixels(bytes_df):
    t = ImageTransformer(
        inputCol="content", outputCol="out", errorCol="err", ignoreDecodingErrors=True, maxPixels=5000
    ).flip(1)
    rows = {r["name"]: r for r in t.transform(bytes_df).collect()}
    assert "over the limit of 5000" in rows["coffee.jpg"]["err"]  # 120x80 = 9600 pixels
    assert rows["camera_grey.png"]["err"] is None  # 64x48 = 3072 pixels


def test_broken_and_null_image_structs(spark, photos):
    good = to_image_row(decoded(photos["chelsea.png"]), origin="good")
    broken = dict(to_image_row(decoded(photos["coffee.jpg"]), origin="broken"), height=7)  # data too long
    df = spark.createDataFrame([(good,), (broken,), (None,)], StructType([StructField("image", IMAGE_SCHEMA)]))
    t = ImageTransformer(outputCol="out", errorCol="err", ignoreDecodingErrors=True).flip(0)
    rows = t.transform(df).collect()
    assert rows[0]["err"] is None and rows[0]["out"]["origin"] == "good"
    assert rows[1]["out"] is None and "image 'broken'" in rows[1]["err"] and "expected" in rows[1]["err"]
    assert rows[2]["out"] is None and rows[2]["err"] is None
