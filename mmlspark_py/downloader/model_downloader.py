"""``ModelDownloader``: pretrained models from a repository into a local one (SynapseML's ``ModelDownloader``).

``serverURL`` is the remote repository: an http(s) URL or a folder (any Hadoop path) holding ``manifest.json``
and the model files (see :mod:`mmlspark_py.downloader.schema`); None means the built-in manifest
(``default_manifest.json``: public URLs, e.g. EfficientNet-Lite0). ``localPath`` (any Hadoop path; default
``$MMLSPARK_PY_MODELS`` or ``~/.cache/mmlspark_py/models``) is a repository of the same layout that downloads go
into. Every download is checked against the manifest's sha256 (a mismatch is an error and leaves nothing
behind), written atomically, resumed after a dropped connection, and reports progress.

A remote repository is input from a stranger, so:

* local files are named by their content digest (``<sha256>.onnx``), never by the remote file's name: two
  models called ``model.onnx`` cannot overwrite each other, and no remote name can overwrite the local
  ``manifest.json``;
* every local copy is re-verified against its sha256 whenever it is used (once per file version per process);
  a copy that no longer matches is downloaded again, or refused when the remote no longer offers it;
* a remote manifest entry must carry a sha256, and its ``uri`` must be relative to the repository (no ``..``,
  no absolute path) or, for an http(s) repository or the built-in manifest, an http(s) URL: a manifest cannot
  point at ``file:///etc/passwd`` or another local file.

Example::

    d = ModelDownloader(spark, "/data/models", "http://models.example.org/repo")
    [m.name for m in d.remoteModels()]          # ['EfficientNetLite0', ...]
    schema = d.downloadByName("EfficientNetLite0")
    schema.uri                                   # '/data/models/<sha256>.onnx'
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from importlib import resources
from typing import Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlparse

from mmlspark_py.downloader.schema import MANIFEST, ModelSchema, SchemaError, file_sha256, manifest_text, parse_manifest
from mmlspark_py.downloader.storage import (
    HashMismatchError,
    NotFoundError,
    Progress,
    fetch_verified,
    is_local,
    is_url,
    join,
    local_path,
    publish,
    read_text,
    write_text_atomic,
)

DEFAULT_MANIFEST = "default_manifest.json"


class UnknownModelError(KeyError):
    """No repository lists a model of that name."""

    def __str__(self) -> str:
        return str(self.args[0])


def default_local_path() -> str:
    return os.environ.get("MMLSPARK_PY_MODELS", os.path.expanduser("~/.cache/mmlspark_py/models"))


def builtin_models() -> List[ModelSchema]:
    """The models of the built-in manifest shipped with mmlspark-py (absolute public URLs)."""
    text = resources.files("mmlspark_py.downloader").joinpath(DEFAULT_MANIFEST).read_text(encoding="utf-8")
    return parse_manifest(text, f"mmlspark_py/downloader/{DEFAULT_MANIFEST}")


_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


def check_remote_entry(schema: ModelSchema, repository: Optional[str], source: str) -> None:
    """Refuse a manifest entry a remote repository may not serve (see the module docstring).

    :param repository: the repository's URL or folder; None for the built-in manifest.
    :raises SchemaError: naming the manifest and the entry.
    """
    where = f"{source}: model {schema.name!r}"
    if not schema.hash:
        raise SchemaError(f"{where} has no sha256; refusing a download that cannot be verified")
    parsed = urlparse(schema.uri)
    if parsed.scheme:
        if parsed.scheme not in ("http", "https") or (repository is not None and not is_url(repository)):
            raise SchemaError(
                f"{where}: uri {schema.uri!r} uses a scheme this repository may not point at "
                "(only relative paths, or http(s) URLs from an http(s) repository)"
            )
        return
    if repository is None:
        raise SchemaError(f"{where}: the built-in manifest must give absolute http(s) URLs, got {schema.uri!r}")
    parts = schema.uri.replace("\\", "/").split("/")
    if not schema.uri or schema.uri.startswith(("/", "~")) or ".." in parts or "" in parts[:-1]:
        raise SchemaError(f"{where}: uri {schema.uri!r} must be a path inside the repository")


def read_repository(path: str, spark=None, missing_ok: bool = True, remote: bool = False) -> List[ModelSchema]:
    """The schemas of the repository at ``path``, ``uri`` resolved against it.

    :param missing_ok: a repository without a manifest is empty (else :class:`NotFoundError`).
    :param remote: check every entry as a stranger's (:func:`check_remote_entry`).
    """
    manifest = join(path, MANIFEST)
    try:
        schemas = parse_manifest(read_text(manifest, spark), manifest)
    except NotFoundError:
        if not missing_ok:
            raise
        return []
    for schema in schemas:
        if remote:
            check_remote_entry(schema, path, manifest)
        elif "/" in schema.uri or "\\" in schema.uri or schema.uri in ("", ".", "..", MANIFEST):
            raise SchemaError(
                f"{manifest}: local entry {schema.name!r} names {schema.uri!r}, not a file of the repository"
            )
    return [s.replace(uri=join(path, s.uri)) for s in schemas]


def local_file_name(schema: ModelSchema) -> str:
    """The name a downloaded file gets locally: its sha256 plus the remote name's extension (when simple)."""
    suffix = os.path.splitext(urlparse(schema.uri).path.rstrip("/"))[1]
    return schema.hash + (suffix if _SAFE_SUFFIX.match(suffix) else "")


_verified: Dict[Tuple[str, int, int], str] = {}


def verified_copy(path: str, sha256: str) -> bool:
    """Whether the local file ``path`` exists and has ``sha256`` (hashed once per file version and process)."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    key = (path, stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        _verified[key] = file_sha256(path)
    return _verified[key] == sha256


def add_to_repository(path: str, schema: ModelSchema, spark=None) -> None:
    """Record ``schema`` (``uri`` relative to the repository) in ``path``'s manifest, replacing its namesake."""
    manifest = join(path, MANIFEST)
    try:
        current = parse_manifest(read_text(manifest, spark), manifest)
    except NotFoundError:
        current = []
    kept = [s for s in current if s.name != schema.name]
    write_text_atomic(manifest, manifest_text(kept + [schema]), spark)


class ModelDownloader:
    """Lists and downloads models (see the module docstring).

    :param spark: the SparkSession (needed for Hadoop paths; may be None for local folders and URLs).
    :param localPath: the local repository downloads go into.
    :param serverURL: the remote repository (URL or folder); None: the built-in manifest.
    :param progress: ``progress(name, done, total)`` callback (default: a line on stderr per 10%).
    """

    def __init__(
        self,
        spark=None,
        localPath: Optional[str] = None,
        serverURL: Optional[str] = None,
        progress: Optional[Progress] = None,
    ):
        self.spark = spark
        self.localPath = localPath or default_local_path()
        self.serverURL = serverURL
        self.progress = progress

    def remoteModels(self) -> List[ModelSchema]:
        """The models the remote repository offers (each entry checked: sha256 present, uri allowed)."""
        if self.serverURL is None:
            models = builtin_models()
            for schema in models:
                check_remote_entry(schema, None, DEFAULT_MANIFEST)
            return models
        return read_repository(self.serverURL, self.spark, missing_ok=False, remote=True)

    def localModels(self) -> List[ModelSchema]:
        """The models already in the local repository (``uri`` is the local file)."""
        return read_repository(self.localPath, self.spark)

    def _local_file_ok(self, schema: ModelSchema) -> bool:
        if not is_local(schema.uri):
            return True  # a Hadoop repository: verified when it was downloaded there
        return verified_copy(local_path(schema.uri), schema.hash)

    def downloadModel(self, schema: ModelSchema) -> ModelSchema:
        """Download ``schema``'s file into the local repository (verified, atomic); returns the local schema."""
        if not schema.hash:
            raise SchemaError(f"model {schema.name!r} has no sha256; refusing a download that cannot be verified")
        file_name = local_file_name(schema)
        target = join(self.localPath, file_name)
        staging_dir = os.path.dirname(local_path(target)) if is_local(target) else tempfile.mkdtemp()
        staged = os.path.join(staging_dir, file_name)
        fetch_verified(schema.uri, staged, schema.hash, schema.name, self.spark, self.progress)
        if not is_local(target):
            publish(staged, target, self.spark)
        add_to_repository(self.localPath, schema.replace(uri=file_name), self.spark)
        return schema.replace(uri=target)

    def downloadByName(self, name: str) -> ModelSchema:
        """The local copy of model ``name``, downloading it first when it is not there yet.

        :raises UnknownModelError: neither repository lists ``name`` (the message lists what they offer).
        """
        local = {s.name: s for s in self.localModels()}
        if name in local and self._local_file_ok(local[name]):
            return local[name]
        remote = {s.name: s for s in self.remoteModels()}
        if name in local and name not in remote:
            raise HashMismatchError(
                f"the local copy of {name!r} ({local[name].uri}) no longer has its sha256 "
                f"{local[name].hash} and the remote repository does not offer it again"
            )
        if name not in remote:
            known = sorted(set(local) | set(remote))
            raise UnknownModelError(
                f"unknown model {name!r}; the repositories offer {known} (local "
                f"{self.localPath}, remote {self.serverURL or 'built-in manifest'})"
            )
        return self.downloadModel(remote[name])

    def downloadModels(self, models: Optional[Sequence[ModelSchema]] = None) -> List[ModelSchema]:
        """Download ``models`` (default: every remote model); returns their local schemas."""
        return [self.downloadModel(m) for m in (self.remoteModels() if models is None else models)]

    def __repr__(self) -> str:
        return json.dumps({"localPath": self.localPath, "serverURL": self.serverURL})
