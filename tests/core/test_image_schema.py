import numpy as np
import pyarrow as pa
import pytest

from mmlspark_py.core.image_schema import (
    IMAGE_SCHEMA,
    ImageFormatError,
    arrays_from_structs,
    binary_views,
    mode_dtype,
    ocv_mode,
    structs_from_arrays,
    to_image_row,
    to_ndarray,
)


def test_modes_use_opencv4_numbering_not_cv2_constants():
    assert ocv_mode(np.uint8, 1) == 0 and ocv_mode(np.uint8, 3) == 16 and ocv_mode(np.uint8, 4) == 24
    assert ocv_mode(np.uint16, 1) == 2 and ocv_mode(np.float32, 3) == 21
    assert mode_dtype(18) == (np.dtype(np.uint16), 3)
    with pytest.raises(ImageFormatError):
        ocv_mode(np.complex64, 3)


def test_struct_round_trip_through_arrow_keeps_pixels():
    rng = np.random.default_rng(0)
    images = [
        rng.integers(0, 255, (5, 7, 3), dtype=np.uint8),
        None,
        rng.integers(0, 65535, (2, 3), dtype=np.uint16),
        rng.random((1, 1, 4), dtype=np.float32),
    ]
    structs = structs_from_arrays(images, ["a", None, "c", "d"])
    assert structs.null_count == 1
    back = arrays_from_structs(structs.slice(1))  # exercise a non-zero offset
    assert back[0] is None
    assert np.array_equal(back[1], images[2][:, :, None]) and np.array_equal(back[2], images[3])


def test_row_helpers_match_spark_image_schema(spark):
    image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    df = spark.createDataFrame([(to_image_row(image, "mem://x"),)], f"image {IMAGE_SCHEMA.simpleString()}")
    row = df.head().image
    assert (row.origin, row.height, row.width, row.nChannels, row.mode) == ("mem://x", 2, 4, 3, 16)
    assert np.array_equal(to_ndarray(row.height, row.width, row.mode, row.data), image)
    with pytest.raises(ImageFormatError, match="expected 24"):
        to_ndarray(2, 4, 16, b"short")


def test_schema_is_sparks_image_schema(spark, tmp_path):
    import cv2
    from pyspark.ml.image import ImageSchema

    assert ImageSchema.columnSchema == IMAGE_SCHEMA
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((3, 2, 3), np.uint8))
    source = spark.read.format("image").load(str(tmp_path)).schema["image"].dataType  # all fields nullable
    assert [(f.name, f.dataType) for f in source] == [(f.name, f.dataType) for f in IMAGE_SCHEMA]


def test_binary_views_are_zero_copy_slices():
    arr = pa.array([b"ab", None, b"", b"xyz"]).slice(1)
    views = binary_views(arr)
    assert views[0] is None and views[1].tobytes() == b"" and views[2].tobytes() == b"xyz"
