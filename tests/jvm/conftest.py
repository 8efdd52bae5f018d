"""Fixtures of the JVM-companion tests."""

from __future__ import annotations

import pytest

from mmlspark_py.core import jvm_companion


@pytest.fixture(scope="session")
def companion(spark):
    found = jvm_companion.companion(spark)
    assert found is not None, "the test session (built by get_spark) must have the companion jar"
    return found
