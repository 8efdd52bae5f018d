"""Images read from their files by the Python workers themselves, and the lazy image column of ``read_images``.

Spark carries paths; a Python worker reads each file's bytes once (``pyarrow.fs``: local files directly,
``hdfs://``, ``s3://``/``s3a://``, ``gs://``, ``abfs(s)://`` where pyarrow was built with them), decodes them
with OpenCV and goes on with the work in the same pass, so only the result crosses back to the JVM.

* :class:`ImageFileReader` reads and decodes one file, giving the image or the reason it has none (empty or
  special file, over ``maxFileBytes``, unreadable, undecodable, over ``maxPixels``), every reason prefixed by the
  path. It is the only code that turns a path into an image, so every pass that reads files gives identical
  images and errors.
* :func:`mark_lazy` tags the columns :func:`mmlspark_py.image.read_images` returns (``origin``, the image
  column, the error column) with one token in their Spark metadata; :func:`lazy_source` finds that tag on a
  DataFrame's image column. A stage given such a column (``ImageTransformer``, ``ImageFeaturizer``) reads the
  files named by ``origin`` itself (:func:`with_file_images`) instead of receiving decoded pixels from the JVM;
  the image column is then never computed unless something else selects it (Spark prunes the unused decode).
  The tag survives ``select``, ``where``, ``withColumn`` of other columns and joins; it is ignored when the
  DataFrame is cached (the cached pixels are cheaper than the files).

Example (in a batch function)::

    image, error = ImageFileReader(max_pixels=10**8, max_file_bytes=2**31 - 1).read("file:/data/a.png")
"""

from __future__ import annotations

import os
import re
import stat
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core import batching
from mmlspark_py.core.batching import with_batched_columns, with_prunable_columns
from mmlspark_py.core.image_schema import structs_from_arrays
from mmlspark_py.core.stage import column
from mmlspark_py.image.decoding import ImageDecodeError, decode_image

__all__ = [
    "DecodeFiles",
    "FileReadError",
    "ImageFileReader",
    "LazySource",
    "mark_lazy",
    "lazy_source",
    "with_file_images",
    "read_file_bytes",
    "LAZY_KEY",
]

LAZY_KEY = "mmlspark_py.lazyImage"
"""The Spark column-metadata key of :func:`mark_lazy`'s tag."""


class FileReadError(ValueError):
    """A file whose bytes cannot be read (empty, special, too large, unreadable)."""


def local_path(path: str) -> Optional[str]:
    """The local file-system path of ``path`` (a Hadoop path string ``file:/a b.png``, ``file:///a``, or a plain
    path), or None for other schemes. Never URL-decodes: Hadoop path strings are not escaped."""
    if path.startswith("file:"):
        rest = path[len("file:") :]
        if rest.startswith("//"):  # file://<authority>/path: the authority is empty or localhost
            rest = rest[2:]
            rest = rest[rest.index("/") :] if "/" in rest else "/"
        return rest
    return None if _SCHEME.match(path) else path


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: C:\\ is a Windows drive
_FILE_SYSTEMS: Dict[str, Any] = {}


def _remote(path: str) -> Tuple[Any, str]:
    from pyarrow import fs as pafs

    scheme_end = path.index("://") + 3
    root = path[: path.index("/", scheme_end)] if "/" in path[scheme_end:] else path
    if root not in _FILE_SYSTEMS:
        uri = "s3" + root[3:] if root.startswith("s3a://") else root
        _FILE_SYSTEMS[root] = pafs.FileSystem.from_uri(uri)[0]
    filesystem = _FILE_SYSTEMS[root]
    inner = path[scheme_end:] if root.startswith(("s3", "gs")) else path[len(root) :]
    return filesystem, inner


def read_file_bytes(path: str, max_bytes: int) -> bytes:
    """The bytes of the file at ``path`` (a Hadoop path string).

    :raises FileReadError: an empty or special (not regular) file, a file over ``max_bytes``, or one that cannot
        be opened or read (the message says which).
    """
    local = local_path(path)
    try:
        if local is not None:
            info = os.stat(local)
            size, regular = info.st_size, stat.S_ISREG(info.st_mode)
        else:
            from pyarrow import fs as pafs

            filesystem, inner = _remote(path)
            entry = filesystem.get_file_info(inner)
            size, regular = entry.size or 0, entry.type == pafs.FileType.File
    except OSError as e:
        raise FileReadError(
            f"file could not be read (permission denied, I/O error or removed while reading): {e.strerror or e}"
        ) from e
    if size == 0 or not regular:
        raise FileReadError("empty file (0 bytes) or not a regular file")
    if size > max_bytes:
        raise FileReadError(f"file is {size} bytes, over the limit of {max_bytes} (maxFileBytes)")
    try:
        if local is not None:
            with open(local, "rb") as f:
                return f.read()
        with filesystem.open_input_stream(inner) as stream:
            return stream.read()
    except OSError as e:
        raise FileReadError(
            f"file could not be read (permission denied, I/O error or removed while reading): {e.strerror or e}"
        ) from e


@dataclass(frozen=True)
class ImageFileReader:
    """Reads and decodes image files in a Python worker (plain values only: it is shipped to tasks)."""

    max_pixels: int
    max_file_bytes: int

    def read(self, path: str) -> Tuple[Optional[np.ndarray], Optional[str]]:
        """``(image, None)`` or ``(None, "<path>: <reason>")``."""
        try:
            return decode_image(read_file_bytes(path, self.max_file_bytes), self.max_pixels), None
        except (FileReadError, ImageDecodeError) as e:
            return None, f"{path}: {e}"

    def each(self, paths: Sequence[Optional[str]], errors: List[Optional[str]]) -> Iterator[Optional[np.ndarray]]:
        """The image of each path in turn (None for a null path or a failed read), appending each path's error
        (or None) to ``errors``: one image in memory at a time, decoded just before it is used."""
        for path in paths:
            image, error = self.read(path) if path is not None else (None, None)
            errors.append(error)
            yield image

    def read_all(self, paths: Sequence[Optional[str]]) -> Tuple[List[Optional[np.ndarray]], List[Optional[str]]]:
        """:meth:`read` for each path (None -> no image, no error)."""
        images: List[Optional[np.ndarray]] = []
        errors: List[Optional[str]] = []
        for path in paths:
            image, error = self.read(path) if path is not None else (None, None)
            images.append(image)
            errors.append(error)
        return images, errors


# ----------------------------------------------------------------------------------------- the lazy column
@dataclass(frozen=True)
class DecodeFiles:
    """Batch function of the lazy image column: paths -> (image struct, error), read by the Python worker."""

    reader: ImageFileReader
    image_col: str
    error_col: str

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        paths = batch.column(0).to_pylist()
        images, errors = self.reader.read_all(paths)
        return pa.RecordBatch.from_arrays(
            [structs_from_arrays(images, paths), pa.array(errors, pa.string())], names=[self.image_col, self.error_col]
        )


@dataclass(frozen=True)
class LazySource:
    """What :func:`lazy_source` found: the columns holding the paths and the read errors, and how to read."""

    origin_col: str
    error_col: str
    reader: ImageFileReader
    image_col: str


def mark_lazy(
    origin: Any, image: Any, error: Any, origin_col: str, image_col: str, error_col: str, reader: ImageFileReader
) -> List[Any]:
    """The three columns aliased with one fresh tag (see the module docstring)."""
    token = uuid.uuid4().hex
    described = {
        "token": token,
        "originCol": origin_col,
        "errorCol": error_col,
        "maxPixels": reader.max_pixels,
        "maxFileBytes": reader.max_file_bytes,
    }
    return [
        origin.alias(origin_col, metadata={LAZY_KEY: {"token": token, "role": "origin"}}),
        image.alias(image_col, metadata={LAZY_KEY: dict(described, role="image")}),
        error.alias(error_col, metadata={LAZY_KEY: {"token": token, "role": "error"}}),
    ]


def _tag(schema: StructType, name: str) -> Dict[str, Any]:
    if name not in schema.names:
        return {}
    tag = schema[name].metadata.get(LAZY_KEY)
    return tag if isinstance(tag, dict) else {}


def _cached(df: DataFrame) -> bool:
    try:
        level = df.storageLevel
        return bool(level.useMemory or level.useDisk or level.useOffHeap)
    except Exception:  # noqa: BLE001 - a session kind without storage levels: treat as not cached
        return False


def lazy_source(df: DataFrame, image_col: str) -> Optional[LazySource]:
    """The files behind ``df[image_col]`` when it is ``read_images``' image column, untouched and not cached."""
    schema = df.schema
    tag = _tag(schema, image_col)
    if tag.get("role") != "image":
        return None
    origin_col, error_col, token = tag.get("originCol"), tag.get("errorCol"), tag.get("token")
    if not (isinstance(origin_col, str) and isinstance(error_col, str)):
        return None
    if _tag(schema, origin_col) != {"token": token, "role": "origin"} or _tag(schema, error_col) != {
        "token": token,
        "role": "error",
    }:
        return None
    if not isinstance(schema[origin_col].dataType, StringType) or _cached(df):
        return None
    reader = ImageFileReader(int(tag["maxPixels"]), int(tag["maxFileBytes"]))
    return LazySource(origin_col, error_col, reader, image_col)


def with_file_images(
    df: DataFrame, source: LazySource, fn: Callable, out_fields: Sequence[StructField], batch_rows: int
) -> DataFrame:
    """``df`` plus ``out_fields`` computed by ``fn`` from images its workers read from ``source``'s files.

    ``fn`` is a batch function over the origin column that returns the read errors first (named like
    ``source.error_col``) and then ``out_fields``; the error column is replaced in place by those errors (the
    same values: the same reader made them), so the JVM never needs the decoded pixels.
    """
    error_field = StructField(source.error_col, StringType(), True)
    out_schema = StructType([error_field] + list(out_fields))
    lazy = not batching.USE_ARROW_UDF and source.image_col in df.columns
    if lazy:
        # pyspark < 4.1: the batched pass is a mapInArrow, which takes whole rows and so would read every file
        # into the image column first. Leave the image and error columns out of it and put the image column
        # back as read_images made it: a projection that reads the files only if something selects it.
        inner = df.drop(source.image_col, source.error_col)
        computed = with_batched_columns(inner, [source.origin_col], fn, out_schema, batch_rows)
        image_field = df.schema[source.image_col]
        decoded = StructType([image_field, StructField("__mmlspark_unused_error", StringType(), True)])
        computed = with_prunable_columns(
            computed,
            [source.origin_col],
            DecodeFiles(source.reader, source.image_col, "__mmlspark_unused_error"),
            decoded,
            batch_rows,
        )
    else:
        computed = with_batched_columns(df, [source.origin_col], fn, out_schema, batch_rows)

    def kept(name: str) -> Any:
        if name in (source.error_col, source.image_col) and (lazy or name == source.error_col):
            return column(name).alias(name, metadata=df.schema[name].metadata)
        return column(name)

    return computed.select(*[kept(name) for name in df.columns], *[column(f.name) for f in out_fields])


def read_errors_column(errors: Sequence[Optional[str]]) -> pa.Array:
    """The read errors of a batch as the Arrow column ``with_file_images`` expects first."""
    return pa.array(list(errors), pa.string())
