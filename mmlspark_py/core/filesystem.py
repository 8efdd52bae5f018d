"""Byte-level file access on any Hadoop path (local, HDFS, cloud stores) through the JVM's FileSystem API.

Used for small files the driver reads or writes itself (stage metadata, model payloads, manifests), where a
Spark job would cost far more than the I/O. Bytes cross py4j in chunks, so payloads over 2 GB work too.
Data sets never go through here: they are read and written by Spark jobs on the executors.
"""

from __future__ import annotations

from typing import Any, List

from pyspark.sql import SparkSession

CHUNK_BYTES = 16 * 1024 * 1024


def hadoop_path(spark: SparkSession, path: str) -> Any:
    """``(FileSystem, Path)`` of ``path`` with the session's Hadoop configuration; the Path is qualified."""
    jvm = spark.sparkContext._jvm
    raw = jvm.org.apache.hadoop.fs.Path(path)
    fs = raw.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs, fs.makeQualified(raw)


def exists(spark: SparkSession, path: str) -> bool:
    """Whether ``path`` exists."""
    fs, p = hadoop_path(spark, path)
    return bool(fs.exists(p))


def write_bytes(spark: SparkSession, path: str, data: bytes, overwrite: bool = False) -> None:
    """Write ``data`` to the file ``path`` (parent folders are created)."""
    fs, p = hadoop_path(spark, path)
    stream = fs.create(p, overwrite)
    try:
        view = memoryview(data)
        for start in range(0, len(view), CHUNK_BYTES):
            stream.write(bytearray(view[start:start + CHUNK_BYTES]))
    finally:
        stream.close()


def read_bytes(spark: SparkSession, path: str) -> bytes:
    """The whole content of the file ``path``.

    :raises FileNotFoundError: naming ``path``.
    """
    fs, p = hadoop_path(spark, path)
    if not fs.exists(p) or fs.getFileStatus(p).isDirectory():
        raise FileNotFoundError(f"no file at {path}")
    remaining = fs.getFileStatus(p).getLen()
    io_utils = spark.sparkContext._jvm.org.apache.commons.io.IOUtils
    stream = fs.open(p)
    parts: List[bytes] = []
    try:
        while remaining > 0:
            size = min(CHUNK_BYTES, remaining)
            parts.append(bytes(io_utils.toByteArray(stream, size)))
            remaining -= size
    finally:
        stream.close()
    return b"".join(parts)


def data_files(spark: SparkSession, folder: str) -> List[str]:
    """The files directly in ``folder`` that hold data (not ``_SUCCESS``, ``.crc`` or other hidden files)."""
    fs, p = hadoop_path(spark, folder)
    if not fs.exists(p):
        raise FileNotFoundError(f"no folder at {folder}")
    names = [s.getPath() for s in fs.listStatus(p) if s.isFile()]
    return sorted(n.toString() for n in names if not n.getName().startswith(("_", ".")))
