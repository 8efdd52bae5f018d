"""Loading a fitted stage saved in a folder (the registry's model artifacts and paths given to ``register_model``)."""

from __future__ import annotations

from typing import Any, Optional

from pyspark.sql import SparkSession

from mmlspark_py.core.persistence import load_stage
from mmlspark_py.core.session import get_spark
from mmlspark_py.registry.errors import ModelLoadError

__all__ = ["load_saved_model"]


def load_saved_model(path: str, spark: Optional[SparkSession] = None, uri: Optional[str] = None) -> Any:
    """The fitted stage saved at ``path`` (a folder on any Hadoop file system), through core persistence.

    :raises ModelLoadError: nothing loadable there; the message names the path and the cause.
    """
    spark = spark or get_spark()
    try:
        return load_stage(path, spark)
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelLoadError(
            f"{uri or path}: cannot load the saved model at {path}: {type(e).__name__}: {first[:500]}"
        ) from e
