"""Reading images into a DataFrame: :func:`read_images` (batch or streaming), like SynapseML's ``readImages``.

Files are listed by Spark's ``binaryFile`` source (any path Spark lists: local, HDFS, cloud stores; ``recursive``
and ``pathGlobFilter`` as Spark applies them). Each file's bytes are read once, by whoever decodes them:

* ``fileReader="python"`` (the default for local files): Spark carries only the paths; a Python worker reads
  each file itself (:mod:`mmlspark_py.image.file_images`, ``pyarrow.fs`` for remote file systems), decodes it
  with OpenCV and hands back the image struct. The image column is *lazy*: an ``ImageTransformer`` or
  ``ImageFeaturizer`` given it reads the files in its own pass instead, so decoded pixels never cross into the
  JVM unless something else selects them (same images and errors either way).
* ``fileReader="jvm"``: Spark's scan reads the bytes and sends them, compressed, to the Python worker that
  decodes them (for file systems only the JVM can reach).

OpenCV decodes JPEG, PNG, BMP, TIFF, WebP, ...; grey, colour, alpha, 8 and 16 bit. Entries of ``.zip`` files
are expanded in a separate pass (see :mod:`mmlspark_py.image.zip_entries`); a read that finds a zip file returns
decoded pixels for every row (no lazy column).

Output columns: ``origin`` (string, the file path; ``<zip path>/<entry>`` for zip entries), ``image``
(Spark's image struct, null when the file did not decode) and ``error`` (string, null when it did, else the
reason). A bad file never fails the job: the reasons cover empty (0-byte) and special files, files that cannot
be opened (permission or I/O errors), files over ``maxFileBytes``, undecodable bytes and images over
``maxPixels``. With ``fileReader="jvm"`` a file the JVM cannot open fails the job naming it, and a streaming
read skips empty files (Spark's scan never lists them). Dangling symbolic links are not listed by Hadoop's file
system and so give no row.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple, Union, cast
from urllib.parse import unquote

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame, DataFrameReader, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import DataStreamReader
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core import filesystem
from mmlspark_py.core.batching import map_batches, with_batched_columns, with_prunable_columns
from mmlspark_py.core.image_schema import IMAGE_SCHEMA, binary_views, structs_from_arrays
from mmlspark_py.core.spark_compat import dataframe_from_arrow, default_parallelism, has_jvm, jvm
from mmlspark_py.image.decoding import DEFAULT_MAX_PIXELS, ImageDecodeError, decode_image
from mmlspark_py.image.file_images import DecodeFiles, FileReadError, ImageFileReader, mark_lazy, read_file_bytes
from mmlspark_py.image.zip_entries import MAX_ENTRIES, MAX_ENTRY_BYTES, ZipArchiveError, zip_entries

MAX_FILE_BYTES = 2**31 - 1
"""Default and largest file size read (the binaryFile source cannot hold more in one row)."""
FILE_READERS = ("auto", "python", "jvm")
SOURCE_KEY = "mmlspark_py.readImages"
"""Metadata key on ``read_images``' origin column: the paths read (qualified) and whether recursively."""
_BATCH_BYTES = 32 * 1024 * 1024  # decoded pixels a worker holds before handing a batch of zip entries back
_HASH_RANGE = 1 << 30
_FILES_PER_PARTITION = 1024  # files per task at most: a Python task costs far more than Spark's ~32 small files


def image_frame_schema(image_col: str = "image", error_col: str = "error") -> StructType:
    """The schema :func:`read_images` returns: ``origin``, ``image_col`` (image struct), ``error_col``."""
    return StructType(
        [
            StructField("origin", StringType(), True),
            StructField(image_col, IMAGE_SCHEMA, True),
            StructField(error_col, StringType(), True),
        ]
    )


# ------------------------------------------------------------------------------------ executor side
def _decode_row(origin: str, data, max_pixels: int) -> Tuple[Optional[np.ndarray], Optional[str]]:
    try:
        return decode_image(data, max_pixels), None
    except ImageDecodeError as e:
        return None, f"{origin}: {e}"


def _sampled(origin: str, seed: int, ratio: float) -> bool:
    return zlib.crc32(f"{seed}:{origin}".encode()) / 2**32 < ratio


@dataclass(frozen=True)
class DecodeContents:
    """Batch function of ``fileReader="jvm"``: (path, bytes the JVM read) -> (image struct, error)."""

    max_pixels: int
    image_col: str
    error_col: str

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        paths = batch.column(0).to_pylist()
        rows = [_decode_row(path, data, self.max_pixels) for path, data in zip(paths, binary_views(batch.column(1)))]
        return pa.RecordBatch.from_arrays(
            [structs_from_arrays([r[0] for r in rows], paths), pa.array([r[1] for r in rows], pa.string())],
            names=[self.image_col, self.error_col],
        )


_EntryRow = Tuple[str, Optional[np.ndarray], Optional[str]]  # origin, pixels, error


@dataclass(frozen=True)
class ExpandZips:
    """``map_batches`` function: zip files (path, and the bytes when the JVM read them) -> one row per sampled
    entry (origin, image, error); a batch is handed back once it holds ``batch_rows`` rows or 32 MB of pixels."""

    max_pixels: int
    max_file_bytes: int
    max_entry_bytes: int
    max_entries: int
    seed: int
    ratio: float
    batch_rows: int
    schema: pa.Schema

    def _entries(self, path: str, content) -> Iterator[_EntryRow]:
        try:
            data = bytes(content) if content is not None else read_file_bytes(path, self.max_file_bytes)
            for name, entry, error in zip_entries(data, self.max_entry_bytes, self.max_entries):
                origin = f"{path}/{name}"
                if self.ratio < 1.0 and not _sampled(origin, self.seed, self.ratio):
                    continue
                yield (
                    (origin, None, f"{origin}: {error}")
                    if error
                    else (origin, *_decode_row(origin, entry, self.max_pixels))
                )
        except (ZipArchiveError, FileReadError) as e:
            yield path, None, f"{path}: {e}"

    def _emit(self, rows: List[_EntryRow]) -> pa.RecordBatch:
        origins = [r[0] for r in rows]
        return pa.RecordBatch.from_arrays(
            [
                pa.array(origins, pa.string()),
                structs_from_arrays([r[1] for r in rows], origins),
                pa.array([r[2] for r in rows], pa.string()),
            ],
            schema=self.schema,
        )

    def __call__(self, batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        paths = batch.column(0).to_pylist()
        contents = binary_views(batch.column(1)) if batch.num_columns > 1 else [None] * len(paths)
        rows: List[_EntryRow] = []
        held = 0
        for path, content in zip(paths, contents):
            for row in self._entries(path, content):
                rows.append(row)
                held += 0 if row[1] is None else row[1].nbytes
                if held >= _BATCH_BYTES or len(rows) >= self.batch_rows:
                    yield self._emit(rows)
                    rows, held = [], 0
        if rows:
            yield self._emit(rows)


# ------------------------------------------------------------------------------------- driver side
def _check_paths(spark: SparkSession, paths: Sequence[str]) -> None:
    """Raise FileNotFoundError for a path (or glob) that matches nothing (Hadoop's FileSystem on a classic
    session, ``pyarrow.fs`` on Spark Connect)."""
    for path in paths:
        if not filesystem.glob_matches(spark, path):
            raise FileNotFoundError(f"read_images: path {path!r} does not exist ({filesystem.qualified(spark, path)})")


def hadoop_path_string(uri: str) -> str:
    """A URI of ``DataFrame.inputFiles()`` (``file:///a%20b.png``) as the Hadoop Path string Spark's file
    sources put in their ``path`` column (``file:/a b.png``)."""
    return "file:/" + unquote(uri[len("file:///") :]) if uri.startswith("file:///") else unquote(uri)


def _normalised_paths(files: DataFrame) -> List[str]:
    """The files Spark lists for ``files`` (empty ones included), as Hadoop path strings, sorted."""
    uris = None
    if has_jvm(files):
        try:  # one py4j call for the whole listing (DataFrame.inputFiles() makes one per file)
            mapper = jvm(files.sparkSession, "listing").com.fasterxml.jackson.databind.ObjectMapper()
            uris = json.loads(mapper.writeValueAsString(files._jdf.inputFiles()))
        except Exception:  # noqa: BLE001 - no Jackson on this JVM's class path: the plain way
            uris = None
    if uris is None:  # Spark Connect sends the whole listing in one reply
        uris = files.inputFiles()
    return sorted(hadoop_path_string(p) for p in uris)


def _in_sample(path_col, seed: int, ratio: float, inspect_zip: bool):
    if ratio >= 1.0:
        return F.lit(True)
    keep = F.pmod(F.xxhash64(path_col, F.lit(seed)), F.lit(_HASH_RANGE)) < F.lit(int(ratio * _HASH_RANGE))
    # A zip file is kept whole here; its entries are sampled one by one when it is expanded.
    return keep | F.lower(path_col).endswith(".zip") if inspect_zip else keep


def _error_rows(df: DataFrame, reason, image_col: str, error_col: str) -> DataFrame:
    return df.select(
        F.col("path").alias("origin"),
        F.lit(None).cast(IMAGE_SCHEMA).alias(image_col),
        F.concat(F.col("path"), F.lit(": "), reason).alias(error_col),
    )


def _unscanned_rows(
    spark: SparkSession,
    files: DataFrame,
    listed: List[str],
    sample,
    max_file_bytes: int,
    image_col: str,
    error_col: str,
) -> DataFrame:
    """``fileReader="jvm"``: error rows for listed files the content scan skips (empty, special, too large),
    found from the listing and the scan's metadata (paths and lengths), never from a second read of content."""
    listing = dataframe_from_arrow(
        spark, pa.table({"path": pa.array(listed, pa.string())}), StructType([StructField("path", StringType(), True)])
    ).where(sample)
    stated = files.select("path", "length").where(sample)
    empty = listing.join(stated, "path", "left_anti")
    too_large = stated.where(F.col("length") > max_file_bytes)
    return _error_rows(empty, F.lit("empty file (0 bytes) or not a regular file"), image_col, error_col).unionByName(
        _error_rows(
            too_large,
            F.format_string(
                "file is %d bytes, over the limit of %d (maxFileBytes)", F.col("length"), F.lit(max_file_bytes)
            ),
            image_col,
            error_col,
        )
    )


def _binary_files(
    spark: SparkSession,
    paths: List[str],
    recursive: bool,
    path_glob_filter: Optional[str],
    streaming: bool,
    ignore_corrupt: bool,
) -> DataFrame:
    reader: Union[DataFrameReader, DataStreamReader] = spark.readStream if streaming else spark.read
    reader = (
        reader.format("binaryFile")
        .option("recursiveFileLookup", str(recursive).lower())
        .option("ignoreCorruptFiles", str(ignore_corrupt).lower())
        .option("ignoreMissingFiles", "true")
    )
    if path_glob_filter:
        reader = reader.option("pathGlobFilter", path_glob_filter)
    if streaming:
        if len(paths) != 1:
            raise ValueError(f"read_images(streaming=True) reads one folder; got {len(paths)} paths")
        return reader.schema("path string, modificationTime timestamp, length long, content binary").load(paths[0])
    return cast(DataFrameReader, reader).load(paths)


def _validate(
    paths: List[str],
    sample_ratio: float,
    max_file_bytes: int,
    image_col: str,
    error_col: str,
    file_reader: str,
    **positive: int,
) -> None:
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
        raise ValueError(
            f"read_images: imageCol {image_col!r} and errorCol {error_col!r} must differ from "
            f"each other and from 'origin'"
        )
    if file_reader not in FILE_READERS:
        raise ValueError(f"read_images: fileReader must be one of {list(FILE_READERS)}, got {file_reader!r}")


def _python_reads(spark: SparkSession, paths: List[str], file_reader: str) -> bool:
    """Whether Python workers read the files: asked for, or ``auto`` and every path is on the local file system."""
    if file_reader != "auto":
        return file_reader == "python"
    return all(filesystem.qualified(spark, p).startswith("file:") for p in paths)


def read_images(
    path: Union[str, Sequence[str]],
    recursive: bool = False,
    sampleRatio: float = 1.0,
    inspectZip: bool = True,
    dropInvalid: bool = False,
    seed: int = 0,
    pathGlobFilter: Optional[str] = None,
    maxPixels: int = DEFAULT_MAX_PIXELS,
    maxFileBytes: int = MAX_FILE_BYTES,
    maxZipEntryBytes: int = MAX_ENTRY_BYTES,
    maxZipEntries: int = MAX_ENTRIES,
    imageCol: str = "image",
    errorCol: str = "error",
    batchRows: int = 64,
    streaming: bool = False,
    fileReader: str = "auto",
    spark: Optional[SparkSession] = None,
) -> DataFrame:
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
    :param fileReader: who reads the files: ``python`` (the Python workers, through ``pyarrow.fs``), ``jvm``
        (Spark's scan) or ``auto`` (python for paths on the local file system, else jvm); see the module docstring.
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
    _validate(
        paths,
        sampleRatio,
        maxFileBytes,
        imageCol,
        errorCol,
        fileReader,
        maxPixels=maxPixels,
        batchRows=batchRows,
        maxZipEntryBytes=maxZipEntryBytes,
        maxZipEntries=maxZipEntries,
    )
    _check_paths(spark, paths)
    python = _python_reads(spark, paths, fileReader)
    files = _binary_files(spark, paths, recursive, pathGlobFilter, streaming, ignore_corrupt=python)
    schema = image_frame_schema(imageCol, errorCol)
    sample = _in_sample(F.col("path"), seed, sampleRatio, inspectZip)
    is_zip = F.lower(F.col("path")).endswith(".zip") if inspectZip else F.lit(False)
    expand = ExpandZips(
        maxPixels,
        maxFileBytes,
        maxZipEntryBytes,
        maxZipEntries,
        seed,
        sampleRatio,
        batchRows,
        pa.schema(
            [
                pa.field("origin", pa.string()),
                pa.field(imageCol, structs_from_arrays([], []).type),
                pa.field(errorCol, pa.string()),
            ]
        ),
    )
    decoded_schema = StructType([StructField(imageCol, IMAGE_SCHEMA, True), StructField(errorCol, StringType(), True)])
    listed = [] if streaming else _normalised_paths(files)
    path_schema = StructType([StructField("path", StringType(), True)])
    if python:
        reader = ImageFileReader(maxPixels, maxFileBytes)
        # A batch read hands the driver's listing (empty and special files included, which Spark's scan would
        # skip) to the JVM as a local table: no file is opened or stat-ed in the JVM, the workers read each once. A
        # streaming read takes each micro-batch's paths from the scan (no content is read: it is not selected).
        if streaming:
            source = files.select("path")
        else:
            source = dataframe_from_arrow(spark, pa.table({"path": pa.array(listed, pa.string())}), path_schema)
            wanted = -(-len(listed) // _FILES_PER_PARTITION)
            if wanted > default_parallelism(spark):  # few, ordered slices unless the listing is large
                source = source.repartition(wanted)
        source = source.where(sample)
        has_zip = streaming and inspectZip or any(p.lower().endswith(".zip") for p in listed) and inspectZip
        plain = source.where(~is_zip) if has_zip else source
        # a projection Spark prunes: a query that selects neither the image nor the error reads no file
        decoded = with_prunable_columns(
            plain, ["path"], DecodeFiles(reader, imageCol, errorCol), decoded_schema, batchRows
        )
        if has_zip:
            images = decoded.select(F.col("path").alias("origin"), imageCol, errorCol).unionByName(
                map_batches(source.where(is_zip), ["path"], expand, schema, batchRows)
            )
        else:
            images = decoded.select(
                *mark_lazy(F.col("path"), F.col(imageCol), F.col(errorCol), "origin", imageCol, errorCol, reader)
            )
    else:
        content = files
        if not streaming:
            target = max(default_parallelism(spark), -(-len(listed) // _FILES_PER_PARTITION))
            content = files.coalesce(target)  # never more partitions than the scan has
        content = content.where(sample & (F.col("length") <= maxFileBytes)).select("path", "content")
        decoded = with_batched_columns(
            content.where(~is_zip),
            ["path", "content"],
            DecodeContents(maxPixels, imageCol, errorCol),
            decoded_schema,
            batchRows,
        )
        images = decoded.select(F.col("path").alias("origin"), imageCol, errorCol)
        if inspectZip:
            images = images.unionByName(
                map_batches(content.where(is_zip), ["path", "content"], expand, schema, batchRows)
            )
        if not streaming:
            images = images.unionByName(_unscanned_rows(spark, files, listed, sample, maxFileBytes, imageCol, errorCol))
    # Where the images come from, for writers that must never overwrite their own input (write_images).
    origin_meta = dict(images.schema["origin"].metadata)
    origin_meta[SOURCE_KEY] = {"paths": [filesystem.qualified(spark, p) for p in paths], "recursive": recursive}
    images = images.select(F.col("origin").alias("origin", metadata=origin_meta), imageCol, errorCol)
    return images.where(F.col(errorCol).isNull()) if dropInvalid else images


def image_sources(schema: StructType) -> List[Tuple[str, bool]]:
    """``(qualified path, recursive)`` of every ``read_images`` call whose origin column ``schema`` holds."""
    found = []
    for field in schema.fields:
        source = field.metadata.get(SOURCE_KEY)
        if isinstance(source, dict) and isinstance(source.get("paths"), list):
            found += [(str(p), bool(source.get("recursive"))) for p in source["paths"]]
    return found
