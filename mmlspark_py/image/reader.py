"""Reading images into a DataFrame: :func:`read_images` (batch or streaming), like SynapseML's ``readImages``.

Files come through Spark's ``binaryFile`` source, so any path Spark reads works (local, HDFS, cloud stores).
Only the compressed bytes cross to Python, once: a Python worker decodes them with OpenCV (JPEG, PNG, BMP,
TIFF, WebP, ...; grey, colour, alpha, 8 and 16 bit) and returns the image struct. Entries of ``.zip`` files
are expanded in the same pass (see :mod:`mmlspark_py.image.zip_entries`).

Output columns: ``origin`` (string, the file path; ``<zip path>/<entry>`` for zip entries), ``image``
(Spark's image struct, null when the file did not decode) and ``error`` (string, null when it did, else the
reason). A bad file never fails the job. Besides undecodable bytes the reasons cover files Spark's scan
itself skips: empty (0-byte) files and special files, files that cannot be opened (permission or I/O errors),
files over ``maxFileBytes``, and images over ``maxPixels``. To find the unopenable ones, a batch read scans
the file listing twice more in the JVM (paths only, then bytes, no Python); a streaming read skips them.
Dangling symbolic links are not listed by Hadoop's file system and so give no row.
"""

from __future__ import annotations

import zlib
from typing import Iterator, List, Optional, Sequence, Tuple, Union
from urllib.parse import unquote

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core import filesystem
from mmlspark_py.core.batching import slices
from mmlspark_py.core.image_schema import IMAGE_SCHEMA, binary_views, structs_from_arrays
from mmlspark_py.core.spark_compat import dataframe_from_arrow, default_parallelism
from mmlspark_py.image.decoding import DEFAULT_MAX_PIXELS, ImageDecodeError, decode_image
from mmlspark_py.image.zip_entries import (
    MAX_ENTRIES, MAX_ENTRY_BYTES, ZipArchiveError, zip_entries)

MAX_FILE_BYTES = 2 ** 31 - 1
"""Default and largest file size read (the binaryFile source cannot hold more in one row)."""
_BATCH_BYTES = 32 * 1024 * 1024  # decoded pixels a worker holds before handing a batch back
_HASH_RANGE = 1 << 30
_FILES_PER_PARTITION = 256  # Spark packs small files ~32 per task; a Python task costs far more than that


def image_frame_schema(image_col: str = "image", error_col: str = "error") -> StructType:
    """The schema :func:`read_images` returns: ``origin``, ``image_col`` (image struct), ``error_col``."""
    return StructType([StructField("origin", StringType(), True), StructField(image_col, IMAGE_SCHEMA, True),
                       StructField(error_col, StringType(), True)])


# ------------------------------------------------------------------------------------ executor side
def _decode_row(origin: str, data, max_pixels: int):
    try:
        return decode_image(data, max_pixels), None
    except ImageDecodeError as e:
        return None, f"{origin}: {e}"


def _expand(path: str, content, inspect_zip: bool, max_pixels: int, max_entry_bytes: int, max_entries: int,
            seed: int, ratio: float) -> Iterator[Tuple[str, object, Optional[str]]]:
    """``(origin, image or None, error or None)`` for one file (one per sampled entry for a zip file)."""
    if not (inspect_zip and path.lower().endswith(".zip")):
        yield (path, *_decode_row(path, content, max_pixels))
        return
    try:
        for name, data, error in zip_entries(bytes(content), max_entry_bytes, max_entries):
            origin = f"{path}/{name}"
            if ratio < 1.0 and not _sampled(origin, seed, ratio):
                continue
            yield (origin, None, f"{origin}: {error}") if error else (origin, *_decode_row(origin, data, max_pixels))
    except ZipArchiveError as e:
        yield path, None, f"{path}: {e}"


def _sampled(origin: str, seed: int, ratio: float) -> bool:
    return zlib.crc32(f"{seed}:{origin}".encode("utf-8")) / 2 ** 32 < ratio


def _decoder(inspect_zip: bool, max_pixels: int, max_entry_bytes: int, max_entries: int, seed: int,
             ratio: float, batch_rows: int, schema: pa.Schema):
    """The mapInArrow function: (path, content) batches -> (origin, image, error) batches."""

    def emit(rows: List[Tuple[str, object, Optional[str]]]) -> pa.RecordBatch:
        origins = [r[0] for r in rows]
        return pa.RecordBatch.from_arrays(
            [pa.array(origins, pa.string()), structs_from_arrays([r[1] for r in rows], origins),
             pa.array([r[2] for r in rows], pa.string())], schema=schema)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for part in slices(batch, batch_rows):
                rows, held = [], 0
                for path, content in zip(part.column("path").to_pylist(), binary_views(part.column("content"))):
                    for row in _expand(path, content, inspect_zip, max_pixels, max_entry_bytes, max_entries,
                                       seed, ratio):
                        rows.append(row)
                        held += 0 if row[1] is None else row[1].nbytes
                        if held >= _BATCH_BYTES or len(rows) >= batch_rows:
                            yield emit(rows)
                            rows, held = [], 0
                if rows:
                    yield emit(rows)

    return run


# ------------------------------------------------------------------------------------- driver side
def _check_paths(spark: SparkSession, paths: Sequence[str]) -> None:
    """Raise FileNotFoundError for a path (or glob) that matches nothing, asking Hadoop's FileSystem."""
    for path in paths:
        if not filesystem.glob_matches(spark, path):
            raise FileNotFoundError(f"read_images: path {path!r} does not exist "
                                    f"({filesystem.qualified(spark, path)})")


def _normalised_paths(files: DataFrame) -> List[str]:
    # inputFiles() gives URIs (file:///a%20b.png); the path column gives Hadoop Path strings (file:/a b.png).
    return ["file:/" + unquote(p[len("file:///"):]) if p.startswith("file:///") else unquote(p)
            for p in files.inputFiles()]


def _in_sample(path_col, seed: int, ratio: float, inspect_zip: bool):
    if ratio >= 1.0:
        return F.lit(True)
    keep = F.pmod(F.xxhash64(path_col, F.lit(seed)), F.lit(_HASH_RANGE)) < F.lit(int(ratio * _HASH_RANGE))
    # A zip file is kept whole here; its entries are sampled one by one when it is expanded.
    return keep | F.lower(path_col).endswith(".zip") if inspect_zip else keep


def _error_rows(df: DataFrame, reason, image_col: str, error_col: str) -> DataFrame:
    return df.select(F.col("path").alias("origin"), F.lit(None).cast(IMAGE_SCHEMA).alias(image_col),
                     F.concat(F.col("path"), F.lit(": "), reason).alias(error_col))


def _unscanned_rows(spark: SparkSession, files: DataFrame, sample, max_file_bytes: int, image_col: str,
                    error_col: str) -> DataFrame:
    """Error rows for listed files that the content scan skips: empty, special, unopenable or too large."""
    # An Arrow table becomes a LocalTableScan in the JVM: the listing never passes through a Python worker.
    listed = dataframe_from_arrow(spark, pa.table({"path": pa.array(_normalised_paths(files), pa.string())}),
                                  StructType([StructField("path", StringType())]))
    listed = listed.where(sample)
    stated = files.select("path", "length").where(sample)
    opened = files.where((F.col("length") <= max_file_bytes) & (F.length("content") >= 0)).select("path")
    empty = listed.join(stated, "path", "left_anti")
    unreadable = stated.where(F.col("length") <= max_file_bytes).join(opened, "path", "left_anti")
    too_large = stated.where(F.col("length") > max_file_bytes)
    return _error_rows(empty, F.lit("empty file (0 bytes) or not a regular file"), image_col, error_col) \
        .unionByName(_error_rows(unreadable, F.lit("file could not be read (permission denied, I/O error "
                                                   "or removed while reading)"), image_col, error_col)) \
        .unionByName(_error_rows(too_large, F.format_string(
            "file is %d bytes, over the limit of %d (maxFileBytes)", F.col("length"), F.lit(max_file_bytes)),
            image_col, error_col))


def _source(spark: SparkSession, paths: List[str], recursive: bool, path_glob_filter: Optional[str],
            streaming: bool) -> DataFrame:
    reader = spark.readStream if streaming else spark.read
    reader = reader.format("binaryFile").option("recursiveFileLookup", str(recursive).lower()) \
        .option("ignoreCorruptFiles", "true").option("ignoreMissingFiles", "true")
    if path_glob_filter:
        reader = reader.option("pathGlobFilter", path_glob_filter)
    if streaming:
        if len(paths) != 1:
            raise ValueError(f"read_images(streaming=True) reads one folder; got {len(paths)} paths")
        return reader.schema("path string, modificationTime timestamp, length long, content binary") \
            .load(paths[0])
    files = reader.load(paths)
    target = max(default_parallelism(spark), -(-len(files.inputFiles()) // _FILES_PER_PARTITION))
    return files.coalesce(target)  # never more partitions than the scan has: a no-op for few large files


def _validate(paths: List[str], sample_ratio: float, max_file_bytes: int, image_col: str, error_col: str,
              **positive: int) -> None:
    if not paths or not all(isinstance(p, str) and p for p in paths):
        raise ValueError(f"read_images: path must be a non-empty string or list of strings, got {paths!r}")
    if not 0.0 < sample_ratio <= 1.0:
        raise ValueError(f"read_images: sampleRatio must be in (0, 1], got {sample_ratio!r}")
    for name, value in positive.items():
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"read_images: {name} must be a positive integer, got {value!r}")
    if not isinstance(max_file_bytes, int) or not 0 < max_file_bytes <= MAX_FILE_BYTES:
        raise ValueError(f"read_images: maxFileBytes must be in 1..{MAX_FILE_BYTES}, got {max_file_bytes!r}")
    if len({"origin", image_col, error_col}) != 3:
        raise ValueError(f"read_images: imageCol {image_col!r} and errorCol {error_col!r} must differ from "
                         f"each other and from 'origin'")


def read_images(path: Union[str, Sequence[str]], recursive: bool = False, sampleRatio: float = 1.0,
                inspectZip: bool = True, dropInvalid: bool = False, seed: int = 0,
                pathGlobFilter: Optional[str] = None, maxPixels: int = DEFAULT_MAX_PIXELS,
                maxFileBytes: int = MAX_FILE_BYTES, maxZipEntryBytes: int = MAX_ENTRY_BYTES,
                maxZipEntries: int = MAX_ENTRIES, imageCol: str = "image", errorCol: str = "error",
                batchRows: int = 64, streaming: bool = False,
                spark: Optional[SparkSession] = None) -> DataFrame:
    """Images under ``path`` as a DataFrame of ``origin``, ``imageCol`` (Spark's image struct), ``errorCol``.

    :param path: a file, folder or glob, or a list of them; any Hadoop path (``hdfs://``, ``abfss://``, ...).
    :param recursive: also read files in sub-folders.
    :param sampleRatio: fraction of files (and of zip entries) kept, in (0, 1]; chosen by a hash of the
        path with ``seed``, so the same call always keeps the same files.
    :param inspectZip: expand ``.zip`` files into one row per entry (origin ``<zip path>/<entry>``); a
        corrupt zip gives one error row naming it.
    :param dropInvalid: drop the rows that did not decode instead of returning them with an error.
    :param seed: seed of the sample.
    :param pathGlobFilter: only files whose names match this glob (e.g. ``"*.png"``).
    :param maxPixels: images with more pixels (width * height) give an error row instead of being decoded;
        checked from the file header before decoding where the format allows, so memory stays bounded.
    :param maxFileBytes: larger files give an error row and are not read.
    :param maxZipEntryBytes: larger zip entries (uncompressed) give an error row (zip-bomb guard).
    :param maxZipEntries: entries read from one zip at most (zip-bomb guard).
    :param imageCol: name of the image column. :param errorCol: name of the error column.
    :param batchRows: images a Python worker decodes before handing them back (bounds worker memory).
    :param streaming: return a streaming DataFrame over the files arriving in the folder ``path``.
    :param spark: the session (default: the active one).
    :raises FileNotFoundError: ``path`` does not exist. :raises ValueError: an invalid argument.

    Example::

        df = read_images("hdfs:///data/photos", recursive=True, dropInvalid=True)
        df.select("image.height", "image.width").show()
    """
    spark = spark or SparkSession.getActiveSession()
    if spark is None:
        raise RuntimeError("read_images needs an active SparkSession (or pass spark=)")
    paths = [path] if isinstance(path, str) else list(path)
    _validate(paths, sampleRatio, maxFileBytes, imageCol, errorCol, maxPixels=maxPixels, batchRows=batchRows,
              maxZipEntryBytes=maxZipEntryBytes, maxZipEntries=maxZipEntries)
    _check_paths(spark, paths)
    files = _source(spark, paths, recursive, pathGlobFilter, streaming)
    schema = image_frame_schema(imageCol, errorCol)
    sample = _in_sample(F.col("path"), seed, sampleRatio, inspectZip)
    decode = _decoder(inspectZip, maxPixels, maxZipEntryBytes, maxZipEntries, seed, sampleRatio, batchRows,
                      pa.schema([pa.field("origin", pa.string()), pa.field(imageCol, structs_from_arrays(
                          [], []).type), pa.field(errorCol, pa.string())]))
    images = files.where(sample & (F.col("length") <= maxFileBytes)).select("path", "content") \
        .mapInArrow(decode, schema)
    if not streaming:
        images = images.unionByName(_unscanned_rows(spark, files, sample, maxFileBytes, imageCol, errorCol))
    return images.where(F.col(errorCol).isNull()) if dropInvalid else images
