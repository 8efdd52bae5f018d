"""A fresh MLflow store (SQLite + artifact folder) in a temp folder, for the mlops test packages.

Import the fixture into a package's conftest: ``from tests.tracking.store import mlflow_home  # noqa: F401``.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def mlflow_home(tmp_path_factory):
    """A folder holding this module's tracking store (``mlflow.db``, ``mlruns/``); the store is reset after."""
    from mmlspark_py.tracking.backend import configure, reset

    home = tmp_path_factory.mktemp("mlflow")
    configure(home=str(home))
    yield home
    reset()
