"""Serving a fitted model as a web service: ``mmlspark-py serve --model models:/NAME@ALIAS``.

- :class:`ModelServer` / :class:`ServingConfig`: the HTTP JSON API (``/predict``, ``/health``, ``/metrics``,
  ``/openapi.json``) with micro-batching, limits and optional bearer-token auth (:mod:`.server`).
- :func:`compile_local`: the fast path, our stages and Spark ML models evaluated in-process with outputs equal
  to Spark's (:mod:`.fast_path`); :class:`SparkModel`: the Spark path for any pipeline.
"""

from mmlspark_py.serving.fast_path import LocalModel, ScoringError, Unsupported, compile_local
from mmlspark_py.serving.server import ModelServer, ServingConfig
from mmlspark_py.serving.spark_path import SparkModel

__all__ = ["ModelServer", "ServingConfig", "compile_local", "LocalModel", "SparkModel", "Unsupported", "ScoringError"]
