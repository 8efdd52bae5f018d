"""Byte-level file access on any Hadoop path (local, HDFS, cloud stores), without a Spark job.

Used for small files the driver reads or writes itself (stage metadata, model payloads, manifests), where a
Spark job would cost far more than the I/O. Data sets never go through here: Spark jobs read and write them.

Two backends, chosen by the session:

* a classic session (a JVM in this process): the JVM's Hadoop FileSystem API with the session's Hadoop
  configuration, so every scheme the cluster is configured for works (hdfs://, abfss://, s3a://, gs://, file:);
  bytes cross py4j in chunks, so payloads over 2 GB work too;
* a Spark Connect client, or no session at all: ``pyarrow.fs`` (local files, HDFS through libhdfs, S3, GCS and
  ABFS where pyarrow was built with them); ``s3a://`` is read as ``s3://``.

Every function takes the session first (None: no session) and raises FileNotFoundError naming the path.
:func:`observe` registers a callback that sees every path touched (for audits and tests: which files did loading
a saved stage read?).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import uuid
from typing import Any, Callable, List, Optional, Tuple
from urllib.parse import urlparse

from mmlspark_py.core.spark_compat import has_jvm

CHUNK_BYTES = 16 * 1024 * 1024
_observers: List[Callable[[str, str], None]] = []


def observe(callback: Callable[[str, str], None]) -> Callable[[], None]:
    """Call ``callback(operation, path)`` for every file operation from now on; returns a function that stops it.

    Operations: ``exists``, ``read``, ``write``, ``list``, ``delete``, ``rename``, ``mkdir``.
    """
    _observers.append(callback)
    return lambda: _observers.remove(callback)


def _notify(operation: str, path: str) -> None:
    for callback in list(_observers):
        callback(operation, path)


def _uses_jvm(spark: Any) -> bool:
    return spark is not None and has_jvm(spark)


# ----------------------------------------------------------------------------------------------- JVM backend
def hadoop_path(spark: Any, path: str) -> Any:
    """``(FileSystem, Path)`` of ``path`` with the session's Hadoop configuration; the Path is qualified."""
    jvm = spark.sparkContext._jvm
    raw = jvm.org.apache.hadoop.fs.Path(path)
    fs = raw.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs, fs.makeQualified(raw)


# ------------------------------------------------------------------------------------------- pyarrow backend
def arrow_path(path: str) -> Tuple[Any, str]:
    """``(pyarrow FileSystem, path within it)`` of ``path`` (a local path, file:, hdfs://, s3(a)://, gs://, ...)."""
    from pyarrow import fs as pafs

    parsed = urlparse(path)
    if parsed.scheme in ("", "file") or (len(parsed.scheme) == 1 and os.name == "nt"):
        local = parsed.path if parsed.scheme == "file" else path
        return pafs.LocalFileSystem(), os.path.abspath(local)
    if parsed.scheme == "s3a":
        path = "s3" + path[3:]
    filesystem, inner = pafs.FileSystem.from_uri(path)
    return filesystem, inner


def _arrow_info(path: str) -> Tuple[Any, str, Any]:
    filesystem, inner = arrow_path(path)
    return filesystem, inner, filesystem.get_file_info(inner)


# ---------------------------------------------------------------------------------------------- operations
def exists(spark: Any, path: str) -> bool:
    """Whether ``path`` exists (file or folder)."""
    _notify("exists", path)
    if _uses_jvm(spark):
        fs, p = hadoop_path(spark, path)
        return bool(fs.exists(p))
    from pyarrow import fs as pafs

    return _arrow_info(path)[2].type != pafs.FileType.NotFound


def glob_matches(spark: Any, pattern: str) -> bool:
    """Whether ``pattern`` (a path, or a Hadoop glob: ``*``, ``?``, ``[ab]``, ``{a,b}``) matches anything."""
    if _uses_jvm(spark):
        fs, p = hadoop_path(spark, pattern)
        found = fs.globStatus(p)
        return found is not None and len(found) > 0
    if not any(ch in pattern for ch in "*?[{"):
        return exists(spark, pattern)
    from pyarrow import fs as pafs

    if not urlparse(pattern).scheme:
        pattern = os.path.abspath(pattern)
    for alternative in _expand_braces(pattern):
        parts = alternative.split("/")
        fixed = next(i for i, part in enumerate(parts) if any(ch in part for ch in "*?["))
        base = "/".join(parts[:fixed]) or "/"
        filesystem, inner, info = _arrow_info(base)
        if info.type != pafs.FileType.Directory:
            continue
        depth = len(parts) - fixed
        inner_pattern = posixpath.join(inner, *parts[fixed:])
        for entry in filesystem.get_file_info(pafs.FileSelector(inner, recursive=depth > 1)):
            if entry.path.count("/") - inner.rstrip("/").count("/") == depth and fnmatch.fnmatchcase(
                entry.path, inner_pattern
            ):
                return True
    return False


def _expand_braces(pattern: str) -> List[str]:
    start = pattern.find("{")
    end = pattern.find("}", start)
    if start < 0 or end < 0:
        return [pattern]
    head, options, tail = pattern[:start], pattern[start + 1 : end].split(","), pattern[end + 1 :]
    return [expanded for option in options for expanded in _expand_braces(head + option + tail)]


def is_dir(spark: Any, path: str) -> bool:
    """Whether ``path`` is an existing folder."""
    _notify("exists", path)
    if _uses_jvm(spark):
        fs, p = hadoop_path(spark, path)
        return bool(fs.exists(p) and fs.getFileStatus(p).isDirectory())
    from pyarrow import fs as pafs

    return _arrow_info(path)[2].type == pafs.FileType.Directory


def write_bytes(spark: Any, path: str, data: bytes, overwrite: bool = False) -> None:
    """Write ``data`` to the file ``path`` (parent folders are created).

    :raises FileExistsError: when the file exists and ``overwrite`` is false.
    """
    _notify("write", path)
    if _uses_jvm(spark):
        fs, p = hadoop_path(spark, path)
        if not overwrite and fs.exists(p):
            raise FileExistsError(f"a file already exists at {path}")
        stream = fs.create(p, overwrite)
        try:
            view = memoryview(data)
            for start in range(0, len(view), CHUNK_BYTES):
                stream.write(bytearray(view[start : start + CHUNK_BYTES]))
        finally:
            stream.close()
        return
    from pyarrow import fs as pafs

    filesystem, inner, info = _arrow_info(path)
    if info.type != pafs.FileType.NotFound and not overwrite:
        raise FileExistsError(f"a file already exists at {path}")
    filesystem.create_dir(posixpath.dirname(inner) if "://" in path else os.path.dirname(inner), recursive=True)
    with filesystem.open_output_stream(inner) as stream:
        stream.write(data)


def read_bytes(spark: Any, path: str, max_bytes: Optional[int] = None) -> bytes:
    """The whole content of the file ``path``.

    :param max_bytes: refuse files larger than this (ValueError naming the path and both sizes).
    :raises FileNotFoundError: naming ``path`` (also when it is a folder).
    """
    _notify("read", path)
    if _uses_jvm(spark):
        fs, p = hadoop_path(spark, path)
        if not fs.exists(p) or fs.getFileStatus(p).isDirectory():
            raise FileNotFoundError(f"no file at {path}")
        remaining = fs.getFileStatus(p).getLen()
        _check_size(path, remaining, max_bytes)
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
    from pyarrow import fs as pafs

    filesystem, inner, info = _arrow_info(path)
    if info.type != pafs.FileType.File:
        raise FileNotFoundError(f"no file at {path}")
    _check_size(path, info.size, max_bytes)
    with filesystem.open_input_stream(inner) as stream:
        return stream.read()


def _check_size(path: str, size: int, max_bytes: Optional[int]) -> None:
    if max_bytes is not None and size > max_bytes:
        raise ValueError(f"{path} is {size} bytes, more than the {max_bytes} allowed here")


def list_dir(spark: Any, folder: str) -> List[Tuple[str, bool]]:
    """``(full path, is_file)`` of the entries directly in ``folder``, sorted by path.

    :raises FileNotFoundError: naming ``folder``.
    """
    _notify("list", folder)
    if _uses_jvm(spark):
        fs, p = hadoop_path(spark, folder)
        if not fs.exists(p):
            raise FileNotFoundError(f"no folder at {folder}")
        return sorted((s.getPath().toString(), bool(s.isFile())) for s in fs.listStatus(p))
    from pyarrow import fs as pafs

    filesystem, inner, info = _arrow_info(folder)
    if info.type != pafs.FileType.Directory:
        raise FileNotFoundError(f"no folder at {folder}")
    entries = filesystem.get_file_info(pafs.FileSelector(inner))
    prefix = folder.rstrip("/")
    return sorted((prefix + "/" + e.base_name, e.type == pafs.FileType.File) for e in entries)


def data_files(spark: Any, folder: str) -> List[str]:
    """The files directly in ``folder`` that hold data (not ``_SUCCESS``, ``.crc`` or other hidden files)."""
    return [
        path
        for path, is_file in list_dir(spark, folder)
        if is_file and not posixpath.basename(path).startswith(("_", "."))
    ]


def delete(spark: Any, path: str) -> None:
    """Delete the file or folder ``path`` (recursively); nothing happens when it does not exist."""
    _notify("delete", path)
    if _uses_jvm(spark):
        fs, p = hadoop_path(spark, path)
        if fs.exists(p):
            fs.delete(p, True)
        return
    from pyarrow import fs as pafs

    filesystem, inner, info = _arrow_info(path)
    if info.type == pafs.FileType.Directory:
        filesystem.delete_dir(inner)
    elif info.type == pafs.FileType.File:
        filesystem.delete_file(inner)


def rename(spark: Any, source: str, target: str) -> None:
    """Rename ``source`` to ``target`` (same file system; ``target`` must not exist).

    :raises FileExistsError: when ``target`` exists. :raises OSError: when the rename fails.
    """
    _notify("rename", source)
    _notify("rename", target)
    if exists(spark, target):
        raise FileExistsError(f"cannot rename {source} to {target}: the target exists")
    if _uses_jvm(spark):
        fs, src = hadoop_path(spark, source)
        _, dst = hadoop_path(spark, target)
        if not fs.rename(src, dst):
            raise OSError(f"could not rename {source} to {target}")
        return
    filesystem, src_inner = arrow_path(source)
    _, dst_inner = arrow_path(target)
    filesystem.move(src_inner, dst_inner)


def make_dirs(spark: Any, folder: str) -> None:
    """Create ``folder`` and its parents."""
    _notify("mkdir", folder)
    if _uses_jvm(spark):
        fs, p = hadoop_path(spark, folder)
        if not fs.mkdirs(p):
            raise OSError(f"could not create the folder {folder}")
        return
    filesystem, inner = arrow_path(folder)
    filesystem.create_dir(inner, recursive=True)


def qualified(spark: Any, path: str) -> str:
    """``path`` fully qualified (scheme and authority), for comparing paths."""
    if _uses_jvm(spark):
        return str(hadoop_path(spark, path)[1].toString())
    parsed = urlparse(path)
    if parsed.scheme in ("", "file"):
        return "file:" + os.path.abspath(parsed.path if parsed.scheme else path)
    return path.rstrip("/")


def sibling(path: str, label: str) -> str:
    """A hidden, unique sibling of ``path`` (``.<name>.<label>-<id>``) on the same file system."""
    head, tail = posixpath.split(path.rstrip("/"))
    name = f".{tail}.{label}-{uuid.uuid4().hex[:12]}"
    return posixpath.join(head, name) if head else name
