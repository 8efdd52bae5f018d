"""SynapseML's numpy helpers for image rows: :func:`toNDArray`, :func:`toImage` and :data:`ImageSchema`.

They are what ``synapse.ml.opencv`` offers for hand-written UDFs (its OpenCV notebook: read an image row into
numpy, change it, turn it back into a row), with SynapseML's conventions: arrays are RGB (channels reversed from
the BGR the image struct stores), grey images are ``(H, W, 1)``; a row is built with the fields in the image
struct's order. Beyond SynapseML (which handles 8-bit grey and 3-channel images only) 4-channel images are
RGBA <-> BGRA and the element type follows the image's mode (16-bit, float).

Example (SynapseML's notebook, unchanged)::

    from pyspark.sql.functions import udf
    from mmlspark_py.opencv import ImageSchema, toImage, toNDArray

    def no_blue(row):
        array = toNDArray(row)   # (H, W, 3) RGB
        array[:, :, 2] = 0
        return toImage(array)    # back to an image row
    noblue = df.withColumn("noblue", udf(no_blue, ImageSchema)(df["image"]))
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from pyspark.sql.types import BinaryType, IntegerType, Row, StringType, StructField, StructType

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, as_hwc, mode_dtype, ocv_mode

__all__ = ["ImageFields", "ImageSchema", "toNDArray", "toImage"]

ImageFields = [f.name for f in IMAGE_SCHEMA.fields]
"""The image struct's field names, in order: origin, height, width, nChannels, mode, data."""

ImageSchema = StructType(
    [
        StructField("origin", StringType(), True),
        StructField("height", IntegerType(), True),
        StructField("width", IntegerType(), True),
        StructField("nChannels", IntegerType(), True),
        StructField("mode", IntegerType(), True),
        StructField("data", BinaryType(), True),
    ]
)
"""SynapseML's Python ``ImageSchema``: Spark's image struct with every field nullable (a UDF return type).
Every stage that takes images accepts it as well as Spark's own (they differ only in nullability)."""

_TO_RGB = {3: [2, 1, 0], 4: [2, 1, 0, 3]}


def toNDArray(image: Any) -> np.ndarray:
    """The pixels of an image row (a Row or dict with the image struct's fields) as an ``(H, W, C)`` array:
    RGB for 3 channels, RGBA for 4, ``(H, W, 1)`` for grey; dtype from the image's mode (uint8 mostly).

    :raises ValueError: when the row's fields are inconsistent (data length, mode, channels).
    """
    dtype, channels = mode_dtype(image["mode"])
    if image["nChannels"] is not None and image["nChannels"] != channels:
        raise ValueError(
            f"image {image['origin']!r}: nChannels={image['nChannels']} but mode {image['mode']} has "
            f"{channels} channel(s)"
        )
    data = bytes(image["data"])
    expected = image["height"] * image["width"] * channels * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"image {image['origin']!r}: {len(data)} bytes of data, expected {expected}")
    array = np.frombuffer(data, dtype).reshape(image["height"], image["width"], channels)
    return array[:, :, _TO_RGB[channels]] if channels in _TO_RGB else array.copy()


def toImage(array: np.ndarray, path: str = "", mode: Optional[int] = None) -> Row:
    """An image row (fields in the image struct's order) holding ``array``: ``(H, W, 3)`` RGB, ``(H, W, 4)``
    RGBA, or ``(H, W)``/``(H, W, 1)`` grey; stored as BGR[A] as Spark does.

    :param path: the row's ``origin``.
    :param mode: the OpenCV type code (SynapseML's ``mode=16`` for 8-bit colour); by default computed from the
        array's dtype and channels. :raises ValueError: when it disagrees with them.
    """
    pixels = as_hwc(np.asarray(array))
    if pixels.dtype == np.int64 or pixels.dtype == np.int32:  # plain Python ints: SynapseML stores bytes
        pixels = pixels.astype(np.uint8)
    channels = pixels.shape[2]
    computed = ocv_mode(pixels.dtype, channels)
    if mode is not None and mode != computed:
        raise ValueError(
            f"toImage: mode {mode} does not match a {pixels.dtype} array with {channels} channel(s) (mode {computed})"
        )
    stored = pixels[:, :, _TO_RGB[channels]] if channels in _TO_RGB else pixels
    data = bytearray(np.ascontiguousarray(stored).tobytes())
    return Row(**dict(zip(ImageFields, [path, pixels.shape[0], pixels.shape[1], channels, computed, data])))
