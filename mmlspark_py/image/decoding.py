"""Decoding encoded image bytes (JPEG, PNG, BMP, TIFF, WebP, ...) into OpenCV arrays, with a pixel limit.

The limit is checked from the file header before decoding where the format allows it (PNG, JPEG, BMP, GIF,
WebP), so a 20000x20000 PNG is refused without allocating its pixels; other formats are checked right after
decoding. Decoded arrays keep what the file holds: grey (H, W, 1), BGR, BGRA, 8- or 16-bit.
"""

from __future__ import annotations

import struct
from typing import Optional, Tuple, Union

import cv2
import numpy as np

DEFAULT_MAX_PIXELS = 100_000_000
"""Default largest width * height accepted (10,000 x 10,000)."""


class ImageDecodeError(ValueError):
    """Bytes that are not a decodable image, or an image over the pixel limit."""


def _png_size(head: bytes) -> Optional[Tuple[int, int]]:
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    return None


def _gif_size(head: bytes) -> Optional[Tuple[int, int]]:
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    return None


def _bmp_size(head: bytes) -> Optional[Tuple[int, int]]:
    if head[:2] == b"BM" and len(head) >= 26:
        width, height = struct.unpack("<ii", head[18:26])
        return abs(width), abs(height)
    return None


def _webp_size(head: bytes) -> Optional[Tuple[int, int]]:
    if head[:4] != b"RIFF" or head[8:12] != b"WEBP" or len(head) < 30:
        return None
    chunk = head[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if chunk == b"VP8L":
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", head[26:30])
        return w & 0x3FFF, h & 0x3FFF
    return None


def _jpeg_size(data: memoryview) -> Optional[Tuple[int, int]]:
    if bytes(data[:2]) != b"\xff\xd8":
        return None
    i, n = 2, len(data)
    while i + 9 < n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = (data[i + 2] << 8) | data[i + 3]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", bytes(data[i + 5 : i + 9]))
            return width, height
        i += 2 + length
    return None


def header_size(data: Union[bytes, np.ndarray]) -> Optional[Tuple[int, int]]:
    """``(width, height)`` read from the header of a PNG, JPEG, BMP, GIF or WebP file; None if unknown."""
    view = memoryview(data if isinstance(data, bytes) else np.ascontiguousarray(data)).cast("B")
    head = bytes(view[:32])
    return _png_size(head) or _gif_size(head) or _bmp_size(head) or _webp_size(head) or _jpeg_size(view)


def decode_image(data: Union[bytes, np.ndarray], max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode encoded image bytes to an (H, W, C) array as stored (grey, BGR or BGRA; 8 or 16 bit).

    :raises ImageDecodeError: empty data, not an image, a truncated/corrupt file, or more than ``max_pixels``.
    """
    buf = np.frombuffer(data, np.uint8) if isinstance(data, (bytes, bytearray, memoryview)) else data
    if buf is None or buf.size == 0:
        raise ImageDecodeError("empty file (0 bytes)")
    size = header_size(buf)
    if size is not None and size[0] * size[1] > max_pixels:
        raise ImageDecodeError(
            f"image is {size[0]}x{size[1]} = {size[0] * size[1]} pixels, over the limit of "
            f"{max_pixels} (raise maxPixels to accept it)"
        )
    image = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ImageDecodeError("not a decodable image (unknown format, truncated or corrupt)")
    if image.shape[0] * image.shape[1] > max_pixels:
        raise ImageDecodeError(f"image has {image.shape[0] * image.shape[1]} pixels, over the limit of {max_pixels}")
    return image if image.ndim == 3 else image[:, :, None]
