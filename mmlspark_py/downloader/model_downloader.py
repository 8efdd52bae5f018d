"""``ModelDownloader``: pretrained models from a repository into a local one (SynapseML's ``ModelDownloader``).

``serverURL`` is the remote repository: an http(s) URL or a folder (any Hadoop path) holding ``manifest.json``
and the model files (see :mod:`mmlspark_py.downloader.schema`); None means the built-in manifest
(``default_manifest.json``: public URLs, e.g. EfficientNet-Lite0). ``localPath`` (any Hadoop path; default
``$MMLSPARK_PY_MODELS`` or ``~/.cache/mmlspark_py/models``) is a repository of the same layout that downloads go
into. Every download is checked against the manifest's sha256 (a mismatch is an error and leaves nothing
behind), written atomically, resumed after a dropped connection, and reports progress.

Example::

    d = ModelDownloader(spark, "/data/models", "http://models.example.org/repo")
    [m.name for m in d.remoteModels()]          # ['EfficientNetLite0', ...]
    schema = d.downloadByName("EfficientNetLite0")
    schema.uri                                   # '/data/models/efficientnet_lite0.onnx'
"""

from __future__ import annotations

import json
import os
import tempfile
from importlib import resources
from typing import List, Optional, Sequence

from mmlspark_py.downloader.schema import MANIFEST, ModelSchema, manifest_text, parse_manifest
from mmlspark_py.downloader.storage import (NotFoundError, Progress, fetch_verified, is_local, join, local_path,
                                            publish, read_text, write_text_atomic)

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


def read_repository(path: str, spark=None, missing_ok: bool = True) -> List[ModelSchema]:
    """The schemas of the repository at ``path``, ``uri`` resolved against it.

    :param missing_ok: a repository without a manifest is empty (else :class:`NotFoundError`).
    """
    manifest = join(path, MANIFEST)
    try:
        schemas = parse_manifest(read_text(manifest, spark), manifest)
    except NotFoundError:
        if not missing_ok:
            raise
        return []
    return [s.replace(uri=join(path, s.uri)) for s in schemas]


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

    def __init__(self, spark=None, localPath: Optional[str] = None, serverURL: Optional[str] = None,
                 progress: Optional[Progress] = None):
        self.spark = spark
        self.localPath = localPath or default_local_path()
        self.serverURL = serverURL
        self.progress = progress

    def remoteModels(self) -> List[ModelSchema]:
        """The models the remote repository offers."""
        return builtin_models() if self.serverURL is None else read_repository(self.serverURL, self.spark, missing_ok=False)

    def localModels(self) -> List[ModelSchema]:
        """The models already in the local repository (``uri`` is the local file)."""
        return read_repository(self.localPath, self.spark)

    def _local_file_ok(self, schema: ModelSchema) -> bool:
        return not is_local(schema.uri) or os.path.exists(local_path(schema.uri))

    def downloadModel(self, schema: ModelSchema) -> ModelSchema:
        """Download ``schema``'s file into the local repository (verified, atomic); returns the local schema."""
        file_name = os.path.basename(schema.uri.rstrip("/")) or f"{schema.name}.onnx"
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
        if name not in remote:
            known = sorted(set(local) | set(remote))
            raise UnknownModelError(f"unknown model {name!r}; the repositories offer {known} (local "
                                    f"{self.localPath}, remote {self.serverURL or 'built-in manifest'})")
        return self.downloadModel(remote[name])

    def downloadModels(self, models: Optional[Sequence[ModelSchema]] = None) -> List[ModelSchema]:
        """Download ``models`` (default: every remote model); returns their local schemas."""
        return [self.downloadModel(m) for m in (self.remoteModels() if models is None else models)]

    def __repr__(self) -> str:
        return json.dumps({"localPath": self.localPath, "serverURL": self.serverURL})
