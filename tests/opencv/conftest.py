"""Real photos (skimage.data), encoded as JPEG/PNG, and DataFrames of them in the three input forms."""

from __future__ import annotations

import struct
import zlib
from typing import Dict

import cv2
import numpy as np
import pytest
import skimage.data
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, StringType, StructField, StructType

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row


def _bgr(rgb: np.ndarray, scale: float) -> np.ndarray:
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2BGR)


def _encode(ext: str, image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(ext, image)
    assert ok
    return buf.tobytes()


def photo_files() -> Dict[str, bytes]:
    """name -> encoded bytes: colour JPEGs and PNGs, a grey PNG, a BGRA PNG and a 1x1 JPEG."""
    astronaut = _bgr(skimage.data.astronaut(), 0.2)  # 102x102
    chelsea = _bgr(skimage.data.chelsea(), 0.25)  # 75x113
    coffee = _bgr(skimage.data.coffee(), 0.2)  # 80x120
    alpha = np.linspace(0, 255, coffee.shape[0] * coffee.shape[1]).astype(np.uint8).reshape(coffee.shape[:2])
    return {
        "astronaut.jpg": _encode(".jpg", astronaut),
        "chelsea.png": _encode(".png", chelsea),
        "coffee.jpg": _encode(".jpg", coffee),
        "camera_grey.png": _encode(".png", cv2.resize(skimage.data.camera(), (64, 48))),
        "coffee_bgra.png": _encode(".png", np.dstack([coffee, alpha])),
        "one_pixel.jpg": _encode(".jpg", astronaut[:1, :1]),
    }


def huge_png_header(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG signature and IHDR chunk claiming ``width`` x ``height`` pixels (the pixels never follow)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def decoded(data: bytes) -> np.ndarray:
    """What OpenCV itself decodes (unchanged depth and channels), as (H, W, C)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return image if image.ndim == 3 else image[:, :, None]


@pytest.fixture(scope="session")
def photos() -> Dict[str, bytes]:
    return photo_files()


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory, photos):
    folder = tmp_path_factory.mktemp("opencv_photos")
    for name, data in photos.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="session")
def binary_file_df(spark, photo_dir):
    """One row per photo: ``file`` is the binaryFile struct (path, modificationTime, length, content)."""
    df = spark.read.format("binaryFile").load(str(photo_dir))
    return df.select(F.struct(*df.columns).alias("file")).cache()


@pytest.fixture(scope="session")
def bytes_df(spark, photos):
    """One row per photo: ``name`` and raw encoded ``content``."""
    schema = StructType([StructField("name", StringType()), StructField("content", BinaryType())])
    return spark.createDataFrame([(n, bytearray(b)) for n, b in photos.items()], schema).cache()


@pytest.fixture(scope="session")
def image_df(spark, photos):
    """One row per photo: ``image`` is Spark's image struct of OpenCV's decoding, origin = the name."""
    schema = StructType([StructField("image", IMAGE_SCHEMA)])
    rows = [(to_image_row(decoded(b), origin=n),) for n, b in photos.items()]
    return spark.createDataFrame(rows, schema).cache()
