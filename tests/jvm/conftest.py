"""Fixtures of the JVM-companion tests."""

from __future__ import annotations

import pytest

from mmlspark_py.core import jvm_companion


@pytest.fixture(scope="session")
def companion(spark):
    found = jvm_companion.companion(spark)
    assert found is not None, "the test session (built by get_spark) must have the companion jar"
    return found


@pytest.fixture(scope="session")
def icu_companion(companion):
    """The companion, on a session with ICU4J (Spark 4 ships it; Spark 3.5 does not, and there UnicodeNormalize
    keeps its Python path: tests/jvm/test_text_paths.py checks that fallback)."""
    if companion.icu_unicode is None:
        pytest.skip("the session has no ICU4J (Spark < 4): UnicodeNormalize runs its Python path")
    return companion
