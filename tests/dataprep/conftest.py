"""Fixtures of the dataprep tests."""

import pytest


@pytest.fixture
def interpreted(spark):
    """The session with code generation off: compiling hundreds of large generated expressions costs more
    than evaluating a few thousand rows."""
    keys = ("spark.sql.codegen.wholeStage", "spark.sql.codegen.factoryMode")
    old = {k: spark.conf.get(k, None) for k in keys}
    spark.conf.set("spark.sql.codegen.wholeStage", "false")
    spark.conf.set("spark.sql.codegen.factoryMode", "NO_CODEGEN")
    yield spark
    for k, v in old.items():
        if v is None:
            spark.conf.unset(k)
        else:
            spark.conf.set(k, v)
