"""SynapseML's notebook helpers (``synapse.ml.core.platform``): which platform a notebook runs on, secrets,
display, and ``init_spark``.

Outside Azure Synapse and Databricks (where mmlspark-py's users mostly are) every ``running_on_*`` is False
but ``running_on_databricks`` on a Databricks cluster, as in SynapseML. ``find_secret`` returns ``override``
when given, else reads Databricks secrets or Synapse's credentials where those exist, else raises a RuntimeError
saying to pass ``override=``.
"""

from __future__ import annotations

import os
from typing import Any, List, Optional

__all__ = [
    "PLATFORM_SYNAPSE_INTERNAL",
    "PLATFORM_SYNAPSE",
    "PLATFORM_BINDER",
    "PLATFORM_DATABRICKS",
    "PLATFORM_UNKNOWN",
    "SECRET_STORE",
    "current_platform",
    "running_on_synapse",
    "running_on_synapse_internal",
    "running_on_binder",
    "running_on_databricks",
    "find_secret",
    "materializing_display",
    "install_pip_packages",
    "init_spark",
]

PLATFORM_SYNAPSE_INTERNAL = "synapse_internal"
PLATFORM_SYNAPSE = "synapse"
PLATFORM_BINDER = "binder"
PLATFORM_DATABRICKS = "databricks"
PLATFORM_UNKNOWN = "unknown"
SECRET_STORE = "mmlspark-build-keys"
_SYNAPSE_PROJECT_NAME = "Microsoft.ProjectArcadia"


def current_platform() -> str:
    """One of the ``PLATFORM_*`` names."""
    if os.environ.get("AZURE_SERVICE") == _SYNAPSE_PROJECT_NAME:
        from pyspark.sql import SparkSession

        cluster_type = SparkSession.builder.getOrCreate().sparkContext.getConf().get("spark.cluster.type")
        return PLATFORM_SYNAPSE if cluster_type == "synapse" else PLATFORM_SYNAPSE_INTERNAL
    if os.path.isdir("/dbfs") or "DATABRICKS_RUNTIME_VERSION" in os.environ:
        return PLATFORM_DATABRICKS
    if os.environ.get("BINDER_LAUNCH_HOST") is not None:
        return PLATFORM_BINDER
    return PLATFORM_UNKNOWN


def running_on_synapse_internal() -> bool:
    return current_platform() == PLATFORM_SYNAPSE_INTERNAL


def running_on_synapse() -> bool:
    return current_platform() == PLATFORM_SYNAPSE


def running_on_binder() -> bool:
    return current_platform() == PLATFORM_BINDER


def running_on_databricks() -> bool:
    return current_platform() == PLATFORM_DATABRICKS


def find_secret(secret_name: str, keyvault: str = SECRET_STORE, override: Optional[str] = None) -> str:
    """``override`` if given; else the secret from Synapse credentials or Databricks secrets; else RuntimeError."""
    if override is not None:
        return override
    if running_on_synapse() or running_on_synapse_internal():
        from notebookutils.mssparkutils.credentials import getSecret  # type: ignore[import-not-found]

        return getSecret(keyvault, secret_name)
    if running_on_databricks():
        from pyspark.dbutils import DBUtils  # type: ignore[import-not-found]
        from pyspark.sql import SparkSession

        return DBUtils(SparkSession.builder.getOrCreate()).secrets.get(scope=keyvault, key=secret_name)
    raise RuntimeError(
        f"could not find secret {secret_name!r}: not on Synapse or Databricks; pass it with "
        f"find_secret({secret_name!r}, override='...')"
    )


def materializing_display(data: Any) -> None:
    """Shows ``data``: the notebook's ``display`` on Synapse (a DataFrame is computed first), else ``print``."""
    if running_on_synapse() or running_on_synapse_internal():
        from notebookutils.visualization import display  # type: ignore[import-not-found]

        if hasattr(data, "collect"):
            data.collect()
        display(data)
    else:
        print(data)


def install_pip_packages(packages: List[str]) -> None:
    """Not supported: installs on every worker are the cluster's job (pip, conda or the platform's libraries)."""
    if not isinstance(packages, list):
        raise ValueError(f"packages must be a list of strings, got {type(packages).__name__}")
    raise NotImplementedError(
        "install_pip_packages is not provided by mmlspark-py: install packages on the "
        f"driver and workers with your cluster's tooling ({packages})"
    )


def init_spark() -> Any:
    """The SparkSession (SynapseML's ``synapse.ml.core.init_spark.init_spark``; no jars to add here)."""
    from mmlspark_py.core.session import get_spark

    return get_spark()
