"""Model files from any Hadoop path: the one way a stage's ``setModelLocation`` reads a model.

:func:`read_model_bytes` reads through :mod:`mmlspark_py.core.filesystem` (the session's Hadoop FileSystem on a
classic session, ``pyarrow.fs`` on Spark Connect or without a session): ``hdfs://``, ``abfss://``, ``s3a://``,
``gs://``, ``file:`` and plain local paths, with no Spark job. A folder model (a TensorFlow SavedModel) is read
as a zip of its files by :func:`read_model_folder`.

Example::

    data = read_model_bytes("abfss://models@acct.dfs.core.windows.net/resnet50.onnx")
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any, Optional

from mmlspark_py.core import filesystem
from mmlspark_py.core.spark_compat import active_session

__all__ = ["read_model_bytes", "read_model_folder", "MAX_MODEL_BYTES"]

# Protobuf (ONNX) cannot parse more than 2 GiB in one message; TensorFlow folders are zipped below that too.
MAX_MODEL_BYTES = 2 * 1024**3


def read_model_bytes(
    path: str, spark: Any = None, param: str = "modelLocation", max_bytes: Optional[int] = MAX_MODEL_BYTES
) -> bytes:
    """The bytes of the model file at ``path`` (any Hadoop path).

    :param spark: the session (default: the active one, or none: local and pyarrow file systems only).
    :param param: the param being set, named in errors.
    :raises FileNotFoundError: naming the param and the path (a missing file, or a folder).
    :raises ValueError: a file larger than ``max_bytes``.
    """
    spark = spark if spark is not None else active_session()
    try:
        return filesystem.read_bytes(spark, path, max_bytes=max_bytes)
    except FileNotFoundError as e:
        raise FileNotFoundError(f"{param}: cannot read a model file at {path!r}: {e}") from e
    except ValueError as e:
        raise ValueError(f"{param}: {e}") from e


def read_model_folder(
    path: str, spark: Any = None, param: str = "modelLocation", max_bytes: int = MAX_MODEL_BYTES
) -> bytes:
    """The files under the folder ``path`` as one zip archive (paths relative to the folder).

    :raises FileNotFoundError: naming the param and the path.
    :raises ValueError: when the files add up to more than ``max_bytes``.
    """
    spark = spark if spark is not None else active_session()
    if not filesystem.is_dir(spark, path):
        raise FileNotFoundError(f"{param}: no model folder at {path!r}")
    buffer, total = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        pending = [("", path.rstrip("/"))]
        while pending:
            relative, folder = pending.pop()
            for entry, is_file in filesystem.list_dir(spark, folder):
                name = posixpath.join(relative, posixpath.basename(entry))
                if not is_file:
                    pending.append((name, entry))
                    continue
                data = filesystem.read_bytes(spark, entry)
                total += len(data)
                if total > max_bytes:
                    raise ValueError(f"{param}: the model folder {path!r} holds more than {max_bytes} bytes")
                archive.writestr(name, data)
    return buffer.getvalue()
