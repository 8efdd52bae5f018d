"""Spark's image schema, its mode codes, and conversion between image structs, Arrow and numpy.

Spark's image struct (``pyspark.ml.image.ImageSchema.columnSchema``) is
``struct<origin string, height int, width int, nChannels int, mode int, data binary>`` with ``data`` the
pixels row-major in BGR/BGRA order (OpenCV's), and ``mode`` an OpenCV *4* type code
(depth + 8 * (channels - 1): CV_8UC1 = 0, CV_8UC3 = 16, CV_8UC4 = 24, CV_16UC1 = 2, CV_32FC3 = 21).
opencv-python 5 numbers its types differently (``cv2.CV_8UC3 == 64`` there), so codes are computed here
from the numpy dtype and never taken from ``cv2``.

The Arrow helpers read and write whole columns without a per-row Python object for the pixels:
:func:`binary_views` gives zero-copy numpy views of a binary column, :func:`arrays_from_structs` decodes an
image-struct column into ``(H, W, C)`` arrays, :func:`structs_from_arrays` builds one.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa
from pyspark.sql.types import BinaryType, IntegerType, StringType, StructField, StructType

IMAGE_SCHEMA = StructType(
    [
        StructField("origin", StringType(), True),
        StructField("height", IntegerType(), False),
        StructField("width", IntegerType(), False),
        StructField("nChannels", IntegerType(), False),
        StructField("mode", IntegerType(), False),
        StructField("data", BinaryType(), False),
    ]
)
"""Spark's image struct type (the same fields and nullability as Spark's image data source)."""

BINARY_FILE_SCHEMA_FIELDS = ("path", "modificationTime", "length", "content")
"""The fields of Spark's binaryFile source; a struct of these (or its ``content``) is an encoded image."""

_DEPTH_CODES: Dict[np.dtype, int] = {
    np.dtype(np.uint8): 0,
    np.dtype(np.int8): 1,
    np.dtype(np.uint16): 2,
    np.dtype(np.int16): 3,
    np.dtype(np.int32): 4,
    np.dtype(np.float32): 5,
    np.dtype(np.float64): 6,
}
_DEPTH_DTYPES = {code: dtype for dtype, code in _DEPTH_CODES.items()}


class ImageFormatError(ValueError):
    """An image struct or array that cannot be represented or read (bad mode, size or data length)."""


def ocv_mode(dtype: np.dtype, channels: int) -> int:
    """The OpenCV 4 type code Spark stores in ``mode`` for pixels of ``dtype`` with ``channels`` channels."""
    depth = _DEPTH_CODES.get(np.dtype(dtype))
    if depth is None or not 1 <= channels <= 4:
        raise ImageFormatError(
            f"no image mode for dtype {np.dtype(dtype)} with {channels} channels; supported "
            f"dtypes {sorted(str(d) for d in _DEPTH_CODES)}, 1-4 channels"
        )
    return depth + 8 * (channels - 1)


def mode_dtype(mode: int) -> Tuple[np.dtype, int]:
    """``(dtype, channels)`` of an OpenCV 4 type code."""
    dtype = _DEPTH_DTYPES.get(mode & 7)
    if dtype is None or mode < 0:
        raise ImageFormatError(f"unsupported image mode {mode}")
    return dtype, (mode >> 3) + 1


def as_hwc(image: np.ndarray) -> np.ndarray:
    """``image`` as an (H, W, C) array (a 2-D grey image gets a channel axis)."""
    if image.ndim == 2:
        return image[:, :, None]
    if image.ndim != 3:
        raise ImageFormatError(f"expected an (H, W) or (H, W, C) array, got shape {image.shape}")
    return image


def to_ndarray(height: int, width: int, mode: int, data: bytes, n_channels: Optional[int] = None) -> np.ndarray:
    """The (H, W, C) array stored in an image struct's fields (a view of ``data`` when possible)."""
    dtype, channels = mode_dtype(mode)
    if n_channels is not None and n_channels != channels:
        raise ImageFormatError(f"nChannels={n_channels} disagrees with mode {mode} ({channels} channels)")
    expected = height * width * channels * dtype.itemsize
    if len(data) != expected:
        raise ImageFormatError(
            f"image data has {len(data)} bytes, expected {expected} for {height}x{width}x{channels} {dtype}"
        )
    return np.frombuffer(data, dtype=dtype).reshape(height, width, channels)


def to_image_row(image: np.ndarray, origin: Optional[str] = None) -> Dict[str, object]:
    """An image struct (as a dict, usable in ``createDataFrame``) holding ``image`` (H, W[, C], BGR order)."""
    image = as_hwc(np.ascontiguousarray(image))
    h, w, c = image.shape
    return {
        "origin": origin,
        "height": h,
        "width": w,
        "nChannels": c,
        "mode": ocv_mode(image.dtype, c),
        "data": bytearray(image.tobytes()),
    }


def binary_views(array: pa.Array) -> List[Optional[np.ndarray]]:
    """Zero-copy uint8 views of each value of a binary Arrow array (None for nulls)."""
    if isinstance(array, pa.ChunkedArray):
        return [v for chunk in array.chunks for v in binary_views(chunk)]
    offset_type = np.int64 if pa.types.is_large_binary(array.type) else np.int32
    _, offsets_buf, data_buf = array.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=offset_type)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, np.uint8)
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    return [data[offsets[i] : offsets[i + 1]] if valid[i] else None for i in range(len(array))]


def arrays_from_structs(structs: pa.Array) -> List[Optional[np.ndarray]]:
    """Decode an image-struct Arrow column into (H, W, C) arrays (None for null structs).

    :raises ImageFormatError: naming the row's origin when a struct's fields are inconsistent.
    """
    if isinstance(structs, pa.ChunkedArray):
        return [v for chunk in structs.chunks for v in arrays_from_structs(chunk)]
    fields = {name: structs.field(name) for name in ("origin", "height", "width", "nChannels", "mode")}
    cols = {k: v.to_pylist() for k, v in fields.items()}
    datas = binary_views(structs.field("data"))
    valid = structs.is_valid().to_numpy(zero_copy_only=False)
    out: List[Optional[np.ndarray]] = []
    for i, data in enumerate(datas):
        if not valid[i] or data is None:
            out.append(None)
            continue
        try:
            out.append(
                to_ndarray(
                    cols["height"][i],
                    cols["width"][i],
                    cols["mode"][i],
                    data,  # type: ignore[arg-type]
                    cols["nChannels"][i],
                )
            )
        except ImageFormatError as e:
            raise ImageFormatError(f"image {cols['origin'][i]!r}: {e}") from e
    return out


def structs_from_arrays(images: Sequence[Optional[np.ndarray]], origins: Sequence[Optional[str]]) -> pa.StructArray:
    """An image-struct Arrow column from (H, W[, C]) arrays; None entries become null structs.

    The pixels are copied once, into one contiguous buffer that becomes the ``data`` column.
    """
    hwc = [None if im is None else as_hwc(im) for im in images]
    mask = pa.array([im is None for im in hwc], pa.bool_())

    def ints(get: Callable[[np.ndarray], int]) -> pa.Array:
        return pa.array([0 if im is None else get(im) for im in hwc], pa.int32())

    sizes = np.array([0 if im is None else im.nbytes for im in hwc], np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    if offsets[-1] >= 2**31:
        raise ImageFormatError(
            f"a batch of {len(hwc)} images holds {offsets[-1]} bytes of pixels, over Arrow's "
            f"2 GiB per column chunk: use a smaller batch (miniBatchSize)"
        )
    pixels = np.empty(int(offsets[-1]), np.uint8)
    for im, start, size in zip(hwc, offsets[:-1], sizes):
        if size:
            pixels[start : start + size] = np.ascontiguousarray(im).reshape(-1).view(np.uint8)
    data = pa.Array.from_buffers(
        pa.binary(), len(hwc), [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(pixels)]
    )
    arrays = [
        pa.array(list(origins), pa.string()),
        ints(lambda im: im.shape[0]),
        ints(lambda im: im.shape[1]),
        ints(lambda im: im.shape[2]),
        ints(lambda im: ocv_mode(im.dtype, im.shape[2])),
        data,
    ]
    fields = [pa.field(f.name, a.type, f.nullable) for f, a in zip(IMAGE_SCHEMA.fields, arrays)]
    return pa.StructArray.from_arrays(arrays, fields=fields, mask=mask)
