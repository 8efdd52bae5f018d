"""read_images: every format and layout pixel-exact against OpenCV, and every kind of bad input."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest

from mmlspark_py.core.image_schema import IMAGE_SCHEMA
from mmlspark_py.image import image_frame_schema, image_to_array, read_images, to_image_row
from tests.image.data import BAD_FILES, SYSFS_UNREADABLE, decoded, sample_images

EXPECTED_MODES = {  # Spark's (OpenCV 4) codes, never cv2.CV_* of OpenCV 5
    "astronaut.jpg": 16,
    "coffee.png": 16,
    "camera.png": 0,
    "alpha.png": 24,
    "deep16.png": 2,
    "deep16_colour.tiff": 18,
    "coffee.bmp": 16,
    "astronaut.webp": 16,
    "camera.tiff": 0,
    "one_pixel.png": 16,
}


def _without_metadata(schema):
    return [(f.name, f.dataType, f.nullable) for f in schema]


def _by_origin(df):
    return {r["origin"]: r for r in df.collect()}


def _basename(origin):
    return origin.rsplit("/", 1)[-1]


def test_every_format_is_pixel_exact(images_df, image_dir):
    rows = {_basename(o): r for o, r in _by_origin(images_df).items() if r["error"] is None}
    for name in list(sample_images()) + ["ünïcödé 漢字 #1.png"]:
        row = rows[name]
        reference = decoded(image_dir / name)
        image = row["image"]
        assert image["origin"] == row["origin"] and row["origin"].startswith("file:")
        assert (image["height"], image["width"], image["nChannels"]) == reference.shape, name
        assert image["mode"] == EXPECTED_MODES.get(name, image["mode"]), name
        np.testing.assert_array_equal(image_to_array(image), reference, err_msg=name)
    assert rows["zero_value.png"]["image"]["data"] == bytes(18)


def test_schema_is_spark_image_schema(images_df):
    assert _without_metadata(images_df.schema) == _without_metadata(image_frame_schema())
    assert images_df.schema["image"].dataType == IMAGE_SCHEMA


def test_bad_files_give_a_null_image_and_the_reason(images_df, image_dir):
    rows = {_basename(o): r for o, r in _by_origin(images_df).items()}
    for name, words in BAD_FILES.items():
        row = rows[name]
        assert row["image"] is None, name
        assert words in row["error"] and name in row["error"], (name, row["error"])
    assert "sub" not in {_basename(o) for o in rows} and "nested.png" not in rows  # not recursive


def test_zip_entries_become_rows_and_names_stay_inside(images_df, image_dir):
    rows = _by_origin(images_df)
    zip_path = next(o for o in rows if o.endswith("bundle.zip/inner/camera.png")).rsplit("/inner/", 1)[0]
    np.testing.assert_array_equal(
        image_to_array(rows[f"{zip_path}/inner/camera.png"]["image"]), decoded(image_dir / "camera.png")
    )
    # ../evil.png is kept as an origin inside the zip, never as a path outside it; nothing was written
    np.testing.assert_array_equal(
        image_to_array(rows[f"{zip_path}/evil.png"]["image"]), decoded(image_dir / "coffee.png")
    )
    assert not any(".." in o for o in rows)
    assert not (image_dir.parent / "evil.png").exists() and not (image_dir / "evil.png").exists()
    assert "not a decodable image" in rows[f"{zip_path}/notes.txt"]["error"]


def test_inspect_zip_off_reads_a_zip_as_one_undecodable_file(spark, image_dir):
    df = read_images(str(image_dir / "bundle.zip"), inspectZip=False)
    (row,) = df.collect()
    assert row["origin"].endswith("bundle.zip") and row["image"] is None and "not a decodable" in row["error"]


def test_zip_bomb_guard(spark, tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.png", b"\x00" * 5_000_000)
        for i in range(5):
            zf.writestr(f"e{i}.png", sample_images()["one_pixel.png"])
    rows = read_images(str(tmp_path), maxZipEntryBytes=1_000_000, maxZipEntries=3).collect()
    errors = sorted(r["error"].split(": ", 1)[1] for r in rows if r["error"])
    assert len(rows) == 4 and sum(r["image"] is not None for r in rows) == 2
    assert any("over the limit of 1000000" in e for e in errors) and any("maxZipEntries" in e for e in errors)


def test_drop_invalid_keeps_only_decoded_rows(spark, image_dir):
    df = read_images(str(image_dir), dropInvalid=True, maxPixels=10_000_000)
    rows = df.collect()
    assert rows and all(r["image"] is not None and r["error"] is None for r in rows)
    assert len(rows) == len(sample_images()) + 1 + 2  # + non-ASCII file + two zip images


def test_recursive_reads_sub_folders(spark, image_dir):
    origins = {
        r["origin"]
        for r in read_images(str(image_dir), recursive=True, pathGlobFilter="*.png").select("origin").collect()
    }
    assert any(o.endswith("sub/nested.png") for o in origins)
    assert not any(o.endswith((".zip", ".jpg")) or "bundle.zip" in o for o in origins)


def test_sampling_is_a_deterministic_fraction(spark, tmp_path):
    blob = sample_images()["one_pixel.png"]
    for i in range(120):
        (tmp_path / f"img{i:03d}.png").write_bytes(blob)
    first = {r[0] for r in read_images(str(tmp_path), sampleRatio=0.3, seed=1).select("origin").collect()}
    again = {r[0] for r in read_images(str(tmp_path), sampleRatio=0.3, seed=1).select("origin").collect()}
    other = {r[0] for r in read_images(str(tmp_path), sampleRatio=0.3, seed=2).select("origin").collect()}
    assert first == again and first != other
    assert 15 <= len(first) <= 60


def test_empty_folder_gives_an_empty_frame_with_the_schema(spark, tmp_path):
    df = read_images(str(tmp_path))
    # the columns carry a tag in their metadata (the lazy image column, see mmlspark_py.image.file_images)
    assert _without_metadata(df.schema) == _without_metadata(image_frame_schema()) and df.count() == 0


def test_missing_path_is_a_clear_error(spark, tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_folder"):
        read_images(str(tmp_path / "no_such_folder"))


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"sampleRatio": 0.0}, "sampleRatio"),
        ({"sampleRatio": 1.5}, "sampleRatio"),
        ({"maxPixels": -1}, "maxPixels"),
        ({"maxFileBytes": 0}, "maxFileBytes"),
        ({"imageCol": "error"}, "errorCol"),
        ({"batchRows": 0}, "batchRows"),
        ({"maxZipEntries": 0}, "maxZipEntries"),
    ],
)
def test_invalid_arguments(spark, image_dir, kwargs, words):
    with pytest.raises(ValueError, match=words):
        read_images(str(image_dir), **kwargs)


def test_files_spark_cannot_open_give_error_rows(spark, tmp_path):
    (tmp_path / "ok.png").write_bytes(sample_images()["one_pixel.png"])
    os.symlink("/proc/self/mem", tmp_path / "special.png")  # a special file: stat size 0, reads fail
    expected = {"ok.png": None, "special.png": "not a regular file"}
    if os.path.exists(SYSFS_UNREADABLE) and not os.access(SYSFS_UNREADABLE, os.R_OK):
        os.symlink(SYSFS_UNREADABLE, tmp_path / "unreadable.png")  # 4096 bytes, open() fails even for root
        expected["unreadable.png"] = "could not be read"
    rows = {_basename(r["origin"]): r for r in read_images(str(tmp_path)).collect()}
    assert set(rows) == set(expected)
    for name, words in expected.items():
        assert (rows[name]["error"] is None) if words is None else (words in rows[name]["error"]), name


def test_too_large_files_are_not_read(spark, image_dir):
    rows = read_images(str(image_dir / "coffee.png"), maxFileBytes=100).collect()
    assert len(rows) == 1 and rows[0]["image"] is None and "maxFileBytes" in rows[0]["error"]


def test_numpy_helpers_round_trip():
    image = np.arange(2 * 3 * 4, dtype=np.uint16).reshape(2, 3, 4)
    row = to_image_row(image, "x")
    assert row["mode"] == 26 and row["nChannels"] == 4
    np.testing.assert_array_equal(image_to_array(row), image)
