"""write_images: files that OpenCV reads back pixel-exact, safe names, atomic, never overwriting by accident."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest
from pyspark.sql.types import StructField, StructType

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
from mmlspark_py.image import write_images
from mmlspark_py.image.writer import safe_file_name
from tests.image.data import decoded, small_images_df


def test_png_round_trip_is_pixel_exact(spark, tmp_path):
    df, images = small_images_df(spark)
    target = tmp_path / "out"
    assert write_images(df, str(target)) == len(images)  # the null image is skipped
    files = sorted(os.listdir(target))
    assert [f.rsplit("_", 1)[0] for f in files] == ["0", "1", "2"] and all(f.endswith(".png") for f in files)
    for name in files:
        index = int(name.split("_")[0])
        expected = images[index] if images[index].ndim == 3 else images[index][:, :, None]
        np.testing.assert_array_equal(decoded(target / name), expected)
    assert not [p for p in os.listdir(tmp_path) if p.startswith("_tmp")]


def test_refuses_to_overwrite_unless_asked(spark, tmp_path):
    df, _ = small_images_df(spark)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError, match="overwrite"):
        write_images(df, str(tmp_path / "out"))
    assert os.listdir(tmp_path / "out") == ["keep.txt"]
    assert write_images(df, str(tmp_path / "out"), format="jpg", overwrite=True) == 3
    assert sorted(os.listdir(tmp_path / "out"))[0].endswith(".jpg") and len(os.listdir(tmp_path / "out")) == 3


def test_zip_slip_origins_stay_inside_the_target(spark, tmp_path):
    evil = to_image_row(np.full((2, 2, 3), 9, np.uint8), "file:/data/a.zip/../../evil.png")
    hidden = to_image_row(np.full((2, 2, 3), 8, np.uint8), "/x/..")
    df = spark.createDataFrame([(evil,), (hidden,)], StructType([StructField("image", IMAGE_SCHEMA)]))
    write_images(df, str(tmp_path / "out"))
    assert sorted(f.rsplit("_", 1)[0] for f in os.listdir(tmp_path / "out")) == ["evil", "image"]
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert safe_file_name("../../etc/pass wd.png", 3, ".png") == "pass_wd_3.png"
    assert safe_file_name(None, 0, ".jpg") == "image_0.jpg"


def test_a_failing_image_leaves_nothing_behind(spark, tmp_path):
    deep = to_image_row(np.full((2, 2), 60000, np.uint16), "deep.png")
    fine = to_image_row(np.zeros((2, 2, 3), np.uint8), "fine.png")
    df = spark.createDataFrame([(fine,), (deep,)], StructType([StructField("image", IMAGE_SCHEMA)]))
    with pytest.raises(ValueError, match="deep.png.*uint16"):
        write_images(df, str(tmp_path / "out"), format="jpg")
    assert os.listdir(tmp_path) == []
    assert write_images(df, str(tmp_path / "out16"), format="png") == 2
    got = [decoded(tmp_path / "out16" / f) for f in os.listdir(tmp_path / "out16") if f.startswith("deep")]
    assert got[0].dtype == np.uint16 and int(got[0].max()) == 60000


def test_bad_format_and_column(spark, tmp_path):
    df, _ = small_images_df(spark)
    with pytest.raises(ValueError, match="gif"):
        write_images(df, str(tmp_path / "o"), format="gif")
    with pytest.raises(Exception, match="id"):
        write_images(df, str(tmp_path / "o"), imageCol="id")
    assert cv2.imencode(".png", np.zeros((1, 1), np.uint8))[0]


def test_killed_run_leftovers_are_cleaned_and_failed_overwrite_keeps_the_old_output(spark, tmp_path):
    df, images = small_images_df(spark)
    stale = tmp_path / ".out.tmp-0123456789ab"  # what a run killed mid-write leaves behind
    stale.mkdir()
    (stale / "0_0.png").write_bytes(b"half")
    assert write_images(df, str(tmp_path / "out")) == len(images)
    assert sorted(os.listdir(tmp_path)) == ["out"]
    before = sorted(os.listdir(tmp_path / "out"))
    deep = to_image_row(np.full((2, 2), 60000, np.uint16), "deep.png")
    bad = spark.createDataFrame([(deep,)], StructType([StructField("image", IMAGE_SCHEMA)]))
    with pytest.raises(ValueError, match="deep.png"):
        write_images(bad, str(tmp_path / "out"), format="jpg", overwrite=True)
    assert sorted(os.listdir(tmp_path / "out")) == before and sorted(os.listdir(tmp_path)) == ["out"]


def test_target_that_is_or_contains_an_input_is_refused(spark, tmp_path):
    from mmlspark_py.core.atomic_output import OutputPathError
    from mmlspark_py.image import read_images

    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.full((3, 4, 3), 7, np.uint8))
    images = read_images(str(folder))
    for target in (folder, tmp_path, folder / "a.png"):
        with pytest.raises(OutputPathError, match="the input"):
            write_images(images, str(target), overwrite=True)
    assert os.listdir(folder) == ["a.png"]
    assert write_images(images, str(folder / "thumbs")) == 1  # beside the input files is fine
