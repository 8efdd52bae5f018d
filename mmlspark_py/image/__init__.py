"""Images in Spark (mirrors ``synapse.ml.image``): reading, writing, unrolling and augmenting images.

- :func:`read_images` / :func:`write_images`: image files (and zip entries) <-> a DataFrame column of Spark's
  image struct, decoded/encoded with OpenCV in Python workers.
- :class:`UnrollImage`, :class:`UnrollBinaryImage`: images -> DenseVectors (SynapseML's channel-major order).
- :class:`ImageSetAugmenter`: originals plus mirrored copies.
- :class:`ResizeImageTransformer`: SynapseML's fixed-size (nearest-neighbour) resize.
- :class:`SuperpixelTransformer`: SynapseML's superpixel decomposition.
- :func:`input_kind` / :func:`read_sources`: how stages read image columns (structs, binaryFile structs, bytes).
- :class:`ImageFileReader`, :func:`lazy_source`, :func:`with_file_images`: images read from their files by the
  Python workers (``read_images``' lazy image column; see :mod:`mmlspark_py.image.file_images`).
- numpy helpers: :func:`to_ndarray` / :func:`image_to_array` (struct -> (H, W, C) array),
  :func:`to_image_row` (array -> struct), :func:`decode_image` (encoded bytes -> array).
"""

from typing import Any, Mapping

import numpy as np

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, ImageFormatError, ocv_mode, to_image_row, to_ndarray
from mmlspark_py.image.augmenter import ImageSetAugmenter
from mmlspark_py.image.decoding import DEFAULT_MAX_PIXELS, ImageDecodeError, decode_image
from mmlspark_py.image.file_images import (
    FileReadError,
    ImageFileReader,
    LazySource,
    lazy_source,
    with_file_images,
)
from mmlspark_py.image.inputs import InputKind, input_kind, read_sources
from mmlspark_py.image.reader import image_frame_schema, read_images
from mmlspark_py.image.resize import ResizeImageTransformer
from mmlspark_py.image.superpixel import SUPERPIXEL_SCHEMA, SuperpixelTransformer
from mmlspark_py.image.unroll import UnrollBinaryImage, UnrollImage
from mmlspark_py.image.writer import write_images


def image_to_array(image: Mapping[str, Any]) -> np.ndarray:
    """The (H, W, C) numpy array (BGR[A] order) of an image struct (a Row or dict, e.g. ``row["image"]``)."""
    return to_ndarray(image["height"], image["width"], image["mode"], bytes(image["data"]), image["nChannels"])


__all__ = [
    "read_images",
    "write_images",
    "image_frame_schema",
    "UnrollImage",
    "UnrollBinaryImage",
    "ImageSetAugmenter",
    "image_to_array",
    "to_ndarray",
    "to_image_row",
    "ocv_mode",
    "decode_image",
    "IMAGE_SCHEMA",
    "ImageDecodeError",
    "ImageFormatError",
    "DEFAULT_MAX_PIXELS",
    "ResizeImageTransformer",
    "SuperpixelTransformer",
    "SUPERPIXEL_SCHEMA",
    "InputKind",
    "input_kind",
    "read_sources",
    "ImageFileReader",
    "FileReadError",
    "LazySource",
    "lazy_source",
    "with_file_images",
]
