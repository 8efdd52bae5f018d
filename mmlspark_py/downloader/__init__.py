"""Pretrained-model repositories (mirrors SynapseML's ``ModelDownloader`` and ``ModelSchema``).

- :mod:`.schema`: :class:`ModelSchema`, manifests, computing a schema from an ONNX file.
- :mod:`.storage`: local/Hadoop/HTTP files; verified, atomic, resumable downloads.
- :mod:`.model_downloader`: :class:`ModelDownloader`.
- :mod:`.default_model`: building the default EfficientNet-Lite0 offline from PyPI packages.
- :mod:`.cli`: the ``mmlspark-py models`` command (:func:`~.cli.add_models_cli`).
"""

from mmlspark_py.downloader.model_downloader import ModelDownloader, UnknownModelError
from mmlspark_py.downloader.schema import ModelSchema, SchemaError, find_feature_node
from mmlspark_py.downloader.storage import DownloadError, HashMismatchError, NotFoundError

__all__ = [
    "ModelDownloader",
    "ModelSchema",
    "UnknownModelError",
    "SchemaError",
    "DownloadError",
    "HashMismatchError",
    "NotFoundError",
    "find_feature_node",
]
