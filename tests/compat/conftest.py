"""SynapseML quick examples run through the shim: ``import mmlspark_py.compat`` once, then SynapseML's imports.

``display`` is the notebook's (Synapse, Databricks); here it records what it was shown so tests can assert on it.
"""

from __future__ import annotations

import pytest

import mmlspark_py.compat  # noqa: F401  (the one line a SynapseML notebook needs)


class Display:
    """Stands in for the notebook's ``display``: keeps the last DataFrame shown (computed, as a notebook does)."""

    def __init__(self) -> None:
        self.shown = None

    def __call__(self, df):
        self.shown = df
        df.collect()


@pytest.fixture
def display():
    return Display()
