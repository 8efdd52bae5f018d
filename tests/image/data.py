"""Test data of the image tests: real images (skimage photos encoded by OpenCV) and the bad files to try."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
from pyspark.sql.types import LongType, StructField, StructType
from skimage import data as skdata

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row

SYSFS_UNREADABLE = "/sys/bus/pci/rescan"  # write-only even for root: open(..., "rb") fails


def encode(image: np.ndarray, ext: str) -> bytes:
    ok, buf = cv2.imencode(ext, image)
    assert ok, ext
    return buf.tobytes()


def decoded(path) -> np.ndarray:
    """What OpenCV itself decodes from a file, as (H, W, C): the reference for pixel-exact checks."""
    image = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_UNCHANGED)
    return image if image.ndim == 3 else image[:, :, None]


def huge_png(width: int, height: int) -> bytes:
    """A valid grey PNG of width x height black pixels, built without the whole image in memory.

    The rows are deflated once in a block that ends with a full flush, so the block can be repeated; the
    zlib header and Adler-32 checksum around the repeated blocks are written by hand.
    """

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    rows_per_block = 1000
    assert height % rows_per_block == 0
    rows = b"\x00" * ((width + 1) * rows_per_block)
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    block = packer.compress(rows) + packer.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(height // rows_per_block):
        checksum = zlib.adler32(rows, checksum)
    ending = zlib.compressobj(1, zlib.DEFLATED, -15).flush()
    idat = b"\x78\x01" + block * (height // rows_per_block) + ending + struct.pack(">I", checksum)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def sample_images() -> dict:
    """name -> encoded bytes of small real images in every format, depth and channel layout we read."""
    astronaut = cv2.resize(cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2BGR), (48, 40))
    coffee = cv2.resize(cv2.cvtColor(skdata.coffee(), cv2.COLOR_RGB2BGR), (30, 20))
    camera = cv2.resize(skdata.camera(), (32, 24))
    alpha = cv2.cvtColor(astronaut, cv2.COLOR_BGR2BGRA)
    alpha[:, :, 3] = np.arange(48, dtype=np.uint8)[None, :] * 5
    deep = cv2.resize(skdata.camera(), (20, 16)).astype(np.uint16) * 257
    deep_colour = coffee.astype(np.uint16) * 250
    return {
        "astronaut.jpg": encode(astronaut, ".jpg"),
        "coffee.png": encode(coffee, ".png"),
        "camera.png": encode(camera, ".png"),
        "alpha.png": encode(alpha, ".png"),
        "deep16.png": encode(deep, ".png"),
        "deep16_colour.tiff": encode(deep_colour, ".tiff"),
        "coffee.bmp": encode(coffee, ".bmp"),
        "astronaut.webp": encode(astronaut, ".webp"),
        "camera.tiff": encode(camera, ".tiff"),
        "one_pixel.png": encode(np.full((1, 1, 3), 7, np.uint8), ".png"),
        "zero_value.png": encode(np.zeros((2, 3, 3), np.uint8), ".png"),
    }


BAD_FILES = {  # name -> words the error must contain
    "truncated.jpg": "not a decodable image",
    "text.png": "not a decodable image",
    "empty.png": "0 bytes",
    "huge.png": "over the limit",
    "corrupt.zip": "corrupt",
}


def small_images_df(spark):
    """A few real images as an in-memory DataFrame with a column ``image`` (for stage tests)."""
    images = [
        cv2.resize(cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2BGR), (6, 5)),
        cv2.resize(skdata.camera(), (4, 3))[:, :, None],
        np.zeros((2, 2, 4), np.uint8),
    ]
    rows = [(i, to_image_row(im, f"mem://{i}.png")) for i, im in enumerate(images)] + [(len(images), None)]
    schema = StructType([StructField("id", LongType()), StructField("image", IMAGE_SCHEMA, True)])
    return spark.createDataFrame(rows, schema), images
