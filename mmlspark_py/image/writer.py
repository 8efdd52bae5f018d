"""Writing an image column to files: :func:`write_images`, atomic, encoded by OpenCV on the executors.

The folder is published with :func:`mmlspark_py.core.atomic_output.publish_atomically`: files are written into
a hidden sibling of the target (``.<name>.tmp-<id>``, same file system) that is renamed into place only once
complete, so readers never see half a result, a failure leaves nothing behind, an ``overwrite`` keeps the old
folder until the new one is complete, and temporaries a killed run left are removed by the next run writing
the same target. The target must not equal or contain a file the DataFrame reads (``df.inputFiles()``), so
an overwrite can never delete the images being written. File names come from each image's origin basename, made safe (only letters,
digits, ``.``, ``-`` and ``_``; never a path: an origin such as ``a.zip/../evil.png`` gives ``evil_<n>.png``
inside the target) and unique (a per-row number is appended).

On a local (``file:``) path the Python workers encode and write the files themselves; on other file systems
(HDFS, cloud stores) they encode and the driver streams the encoded files one partition at a time into
Hadoop's FileSystem.
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import Optional
from urllib.parse import unquote

import cv2
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, StringType, StructField, StructType

from mmlspark_py.core import filesystem
from mmlspark_py.core.atomic_output import OutputPathError, publish_atomically
from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.image_schema import IMAGE_SCHEMA, arrays_from_structs
from mmlspark_py.core.stage import column, require_column
from mmlspark_py.image.reader import hadoop_path_string, image_sources

FORMATS = {
    "png": ".png",
    "jpg": ".jpg",
    "jpeg": ".jpg",
    "bmp": ".bmp",
    "tif": ".tiff",
    "tiff": ".tiff",
    "webp": ".webp",
}
"""Formats :func:`write_images` accepts, with the extension each gets."""
_DEPTHS = {".png": ("uint8", "uint16"), ".tiff": ("uint8", "uint16", "float32")}
# OpenCV 5 silently converts other depths to 8 bit for the remaining encoders: refuse instead.
_ID = "__write_images_id"
_UNSAFE = re.compile(r"[^\w.-]+")


def safe_file_name(origin: Optional[str], row_id: int, extension: str) -> str:
    """``<safe stem of origin's basename>_<row_id><extension>``: never a path, never hidden."""
    base = (origin or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    stem = _UNSAFE.sub("_", os.path.splitext(base)[0]).strip("._")[:100] or "image"
    return f"{stem}_{row_id}{extension}"


def _encoder(extension: str, local_dir: Optional[str]):
    """Batch function (image, id) -> (name, bytes, error); writes the file itself when ``local_dir`` is set."""

    def fn(batch: pa.RecordBatch) -> pa.RecordBatch:
        images = arrays_from_structs(batch.column(0))
        origins = batch.column(0).field("origin").to_pylist()
        names, blobs, errors = [], [], []
        for image, origin, row_id in zip(images, origins, batch.column(1).to_pylist()):
            name = data = error = None
            if image is not None:
                name = safe_file_name(origin, row_id, extension)
                try:
                    allowed = _DEPTHS.get(extension, ("uint8",))
                    if image.dtype.name not in allowed:
                        raise ValueError(f"{image.dtype.name} pixels; it holds {' or '.join(allowed)} only")
                    ok, encoded = cv2.imencode(extension, image)
                    if not ok:
                        raise ValueError("OpenCV could not encode it")
                    data = encoded.tobytes()
                except (cv2.error, ValueError) as e:
                    name, error = None, f"image {origin!r} cannot be written as {extension}: {e}"
            if data is not None and local_dir is not None:
                with open(os.path.join(local_dir, name), "wb") as out:
                    out.write(data)
                data = None  # written here: nothing to send back
            names.append(name)
            blobs.append(data)
            errors.append(error)
        return pa.record_batch(
            [pa.array(names, pa.string()), pa.array(blobs, pa.binary()), pa.array(errors, pa.string())],
            names=["name", "bytes", "error"],
        )

    return fn


def _write_through_driver(encoded: DataFrame, spark, tmp: str) -> int:
    written = 0
    for row in encoded.where(F.col("name").isNotNull()).select("name", "bytes").toLocalIterator():
        filesystem.write_bytes(spark, posixpath.join(tmp, row["name"]), bytes(row["bytes"]))
        written += 1
    return written


def write_images(
    df: DataFrame, path: str, format: str = "png", imageCol: str = "image", overwrite: bool = False, batchRows: int = 64
) -> int:
    """Write every non-null image of ``imageCol`` as a file in the new folder ``path``; returns the count.

    :param df: DataFrame with an image column (Spark's image struct), e.g. from ``read_images``.
    :param path: target folder (any Hadoop path); it must not exist unless ``overwrite``.
    :param format: one of png, jpg/jpeg, bmp, tiff/tif, webp.
    :param imageCol: the image column; null images are skipped.
    :param overwrite: replace an existing ``path``.
    :param batchRows: images per Arrow batch in a Python worker.
    :raises FileExistsError: ``path`` exists and ``overwrite`` is False.
    :raises OutputPathError: ``path`` is, or contains, a file ``df`` reads.
    :raises ValueError: an unknown format, or an image the format cannot hold (named; nothing is written).

    Example::

        write_images(read_images("in", dropInvalid=True), "out", format="jpg")
    """
    extension = FORMATS.get(str(format).lower())
    if extension is None:
        raise ValueError(f"write_images: unknown format {format!r}; valid: {sorted(FORMATS)}")
    require_column(df.schema, imageCol, IMAGE_SCHEMA, param="imageCol")
    spark = df.sparkSession
    _check_not_an_input(spark, path, df)

    def write(tmp: str) -> int:
        filesystem.make_dirs(spark, tmp)
        qualified = filesystem.qualified(spark, tmp)
        local_dir = unquote(qualified[len("file:") :]) if qualified.startswith("file:") else None
        return _encode_and_write(df, imageCol, extension, local_dir, batchRows, spark, tmp)

    try:
        return publish_atomically(spark, path, write, overwrite=overwrite)
    except FileExistsError as e:
        raise FileExistsError(f"write_images: {e}") from None


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _check_not_an_input(spark, path: str, df: DataFrame) -> None:
    """Refuse a target that is, or contains, what the images are read from: a file ``df`` reads, or a path a
    ``read_images`` call behind ``df`` read (an overwrite would delete it); inside a folder read recursively, or
    on an existing file inside a folder read, the target would be an input too."""
    target = filesystem.qualified(spark, path).rstrip("/")
    sources = [(hadoop_path_string(f), False) for f in df.inputFiles()] + image_sources(df.schema)
    for source, recursive in sorted(set(sources)):
        source = source.rstrip("/")
        inside = _within(target, source) and target != source
        if _within(source, target) or (
            inside and filesystem.exists(spark, path) and (recursive or not filesystem.is_dir(spark, path))
        ):
            raise OutputPathError(
                f"write_images: the target {path!r} {'is' if source == target else 'contains' if not inside else 'is inside'}"
                f" the input {source!r} the images are read from; choose a target outside the inputs"
            )


def _encode_and_write(
    df: DataFrame, image_col: str, extension: str, local_dir: Optional[str], batch_rows: int, spark, tmp: str
) -> int:
    out_schema = StructType(
        [StructField("name", StringType()), StructField("bytes", BinaryType()), StructField("error", StringType())]
    )
    staged = df.select(column(image_col), F.monotonically_increasing_id().alias(_ID))
    encoded = with_batched_columns(
        staged, [image_col, _ID], _encoder(extension, local_dir), out_schema, batch_rows
    ).select("name", "bytes", "error")
    if local_dir is None:
        encoded = encoded.cache()  # checked for errors first, then streamed: encode once
    try:
        summary = encoded.agg(F.count("name").alias("n"), F.first("error", ignorenulls=True).alias("e")).head()
        if summary["e"] is not None:
            raise ValueError(f"write_images: {summary['e']}")
        return summary["n"] if local_dir is not None else _write_through_driver(encoded, spark, tmp)
    finally:
        encoded.unpersist()
