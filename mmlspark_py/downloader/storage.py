"""Reading and writing repository files: local folders, any Hadoop path (through Spark's JVM) and http(s) URLs.

Downloads (:func:`fetch_verified`) go to ``<dest>.part`` beside the destination, are resumed with an HTTP
``Range`` request after a dropped connection (up to ``retries`` tries), are checked against the expected
sha256 and only then renamed into place, so a destination either holds the verified file or nothing. A hash
mismatch deletes the partial file and raises :class:`HashMismatchError`.
"""

from __future__ import annotations

import http.client
import logging
import os
import posixpath
import shutil
import sys
import tempfile
import time
import uuid
from typing import Callable, Optional
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin, urlparse
from urllib.request import Request, urlopen

from mmlspark_py.core import filesystem
from mmlspark_py.core.spark_compat import has_jvm
from mmlspark_py.downloader.schema import file_sha256

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""``progress(name, bytes_done, bytes_total)``; total is 0 when unknown."""


class DownloadError(RuntimeError):
    """A download failed (network, missing file, corrupt content); nothing is left at the destination."""


class HashMismatchError(DownloadError):
    """The downloaded bytes do not have the sha256 the manifest promises."""


class NotFoundError(DownloadError, FileNotFoundError):
    """The repository has no such file (an HTTP 404 or a missing path)."""


def is_url(path: str) -> bool:
    return urlparse(path).scheme in ("http", "https")


def is_local(path: str) -> bool:
    scheme = urlparse(path).scheme
    return scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt")


def local_path(path: str) -> str:
    """A local filesystem path for a plain path or a ``file:`` URI (``~`` expanded)."""
    return os.path.expanduser(urlparse(path).path if path.startswith("file:") else path)


def join(base: str, relative: str) -> str:
    """``relative`` resolved against repository ``base`` (absolute paths and URLs are kept)."""
    if urlparse(relative).scheme or relative.startswith("/"):
        return relative
    if is_url(base):
        return urljoin(base.rstrip("/") + "/", relative)
    return posixpath.join(base, relative) if not is_local(base) else os.path.join(local_path(base), relative)


def print_progress(name: str, done: int, total: int) -> None:
    """Default progress: one line on stderr per 10% (or per 10 MiB when the size is unknown)."""
    step = max(total // 10, 1) if total else 10 << 20
    if done == total or done // step != (done - (1 << 20)) // step:
        share = f"{100 * done / total:5.1f}%" if total else f"{done >> 20} MiB"
        print(f"downloading {name}: {share}", file=sys.stderr, flush=True)


def _hadoop(spark, path: str):
    jvm = spark._jvm
    jpath = jvm.org.apache.hadoop.fs.Path(path)
    return jvm, jpath, jpath.getFileSystem(spark._jsc.hadoopConfiguration())


def read_text(path: str, spark=None) -> str:
    """The text of ``path`` (local, Hadoop or URL); :class:`NotFoundError` when it does not exist."""
    if is_url(path):
        try:
            with urlopen(Request(path), timeout=30) as response:
                return response.read().decode("utf-8")
        except HTTPError as e:
            if e.code == 404:
                raise NotFoundError(f"{path}: HTTP 404 (no such file on the server)") from e
            raise DownloadError(f"{path}: HTTP {e.code} {e.reason}") from e
        except URLError as e:
            raise DownloadError(f"{path}: cannot connect ({e.reason})") from e
    if is_local(path):
        try:
            with open(local_path(path), encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError as e:
            raise NotFoundError(f"{path}: no such file") from e
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "file")
        _copy_from_hadoop(spark, path, target)
        with open(target, encoding="utf-8") as f:
            return f.read()


def _copy_from_hadoop(spark, path: str, target: str) -> None:
    if spark is None:
        raise ValueError(f"{path} is a Hadoop path: pass a SparkSession to read it")
    if not filesystem.exists(spark, path):
        raise NotFoundError(f"{path}: no such file")
    if not has_jvm(spark):  # Spark Connect: no JVM here; pyarrow reaches the store
        with open(target, "wb") as out:
            out.write(filesystem.read_bytes(spark, path))
        return
    jvm, jpath, fs = _hadoop(spark, path)
    fs.copyToLocalFile(False, jpath, jvm.org.apache.hadoop.fs.Path(target), True)


def write_text_atomic(path: str, text: str, spark=None) -> None:
    """Write ``text`` to ``path`` (local or Hadoop) so readers see the old or the new file, never a part."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", delete=False, suffix=".tmp") as f:
        f.write(text)
    publish(f.name, path, spark)


def publish(source: str, path: str, spark=None) -> None:
    """Move local file ``source`` to ``path`` (local or Hadoop) atomically (a rename within the target dir)."""
    if is_local(path):
        target = local_path(path)
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        staging = f"{target}.{uuid.uuid4().hex}.tmp"
        shutil.move(source, staging)
        os.replace(staging, target)
        return
    if spark is None:
        raise ValueError(f"{path} is a Hadoop path: pass a SparkSession to write it")
    if not has_jvm(spark):  # Spark Connect: no JVM here; pyarrow reaches the store
        staging_path = f"{path}.{uuid.uuid4().hex}.tmp"
        with open(source, "rb") as f:
            filesystem.write_bytes(spark, staging_path, f.read())
        os.remove(source)
        filesystem.delete(spark, path)
        filesystem.rename(spark, staging_path, path)
        return
    jvm, jpath, fs = _hadoop(spark, path)
    staging = jvm.org.apache.hadoop.fs.Path(f"{path}.{uuid.uuid4().hex}.tmp")
    fs.mkdirs(jpath.getParent())
    fs.copyFromLocalFile(True, True, jvm.org.apache.hadoop.fs.Path(source), staging)
    fs.delete(jpath, False)
    if not fs.rename(staging, jpath):
        fs.delete(staging, False)
        raise DownloadError(f"could not move the file into place at {path}")


def _http_to_part(url: str, part: str, name: str, progress: Progress, retries: int, backoff: float) -> None:
    last: Optional[BaseException] = None
    for attempt in range(retries):
        have = os.path.getsize(part) if os.path.exists(part) else 0
        request = Request(url, headers={"Range": f"bytes={have}-"} if have else {})
        try:
            with urlopen(request, timeout=60) as response:
                resumed = have and response.status == 206
                done = have if resumed else 0
                total = done + int(response.headers.get("Content-Length") or 0)
                with open(part, "ab" if resumed else "wb") as f:
                    for chunk in iter(lambda: response.read(1 << 20), b""):
                        f.write(chunk)
                        done += len(chunk)
                        progress(name, done, total)
                if total and done != total:
                    raise http.client.IncompleteRead(b"", total - done)
            return
        except HTTPError as e:
            if e.code == 404:
                raise NotFoundError(f"{url}: HTTP 404 (the repository lists this model but has no file)") from e
            if e.code == 416:  # the part already holds everything: let the hash check decide
                return
            last = e
        except (URLError, ConnectionError, TimeoutError, http.client.HTTPException, OSError) as e:
            last = e
        logger.warning("download of %s interrupted (%s); retrying (%d/%d)", url, last, attempt + 1, retries)
        time.sleep(backoff * (attempt + 1))
    raise DownloadError(f"{url}: download failed after {retries} tries: {last}")


def fetch_verified(
    source: str,
    dest: str,
    sha256: str,
    name: str = "",
    spark=None,
    progress: Optional[Progress] = None,
    retries: int = 4,
    backoff: float = 0.5,
) -> None:
    """Copy ``source`` (URL, local or Hadoop path) to local file ``dest``, resumably, verifying ``sha256``.

    :raises NotFoundError: the source does not exist (404 or missing path).
    :raises HashMismatchError: the bytes differ from ``sha256``; the partial file is deleted.
    :raises DownloadError: the network failed ``retries`` times.
    """
    progress = progress or print_progress
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    part = dest + ".part"
    if is_url(source):
        _http_to_part(source, part, name or source, progress, retries, backoff)
    elif is_local(source):
        if not os.path.exists(local_path(source)):
            raise NotFoundError(f"{source}: no such file")
        shutil.copyfile(local_path(source), part)
    else:
        _copy_from_hadoop(spark, source, part)
    actual = file_sha256(part)
    if sha256 and actual != sha256:
        os.remove(part)
        raise HashMismatchError(
            f"{source}: sha256 is {actual}, the manifest says {sha256}; the download was "
            "deleted (corrupt file on the server or a wrong manifest entry)"
        )
    os.replace(part, dest)
