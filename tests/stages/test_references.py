"""References resolve only to functions the user allowed: a saved folder never gets a module of its own imported
(issue 12, item 1), and the documented module-level UDF example works as written (item 6)."""

from __future__ import annotations

import json
import pathlib
import re
import sys
import textwrap

import pytest

from mmlspark_py.core.persistence import PersistenceError
from mmlspark_py.stages import Lambda, UDFTransformer, allow_function_modules, references, register_function
from tests.stages import referenced
from tests.stages.stage_cases import small


def _edit_metadata(folder: pathlib.Path, **params) -> None:
    part = folder / "metadata" / "part-00000"
    metadata = json.loads(part.read_text())
    metadata["paramMap"].update(params)
    part.write_text(json.dumps(metadata))
    for crc in (folder / "metadata").glob(".*.crc"):  # Hadoop's checksum of the old content
        crc.unlink()


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """A folder on sys.path (as the working directory is in Jupyter and the REPL) carrying its own payload.py,
    which leaves a marker file when it is imported."""
    marker = tmp_path / "payload_ran"
    package = tmp_path / "shared_models"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "payload.py").write_text(
        textwrap.dedent(f"""
        import pathlib
        pathlib.Path({str(marker)!r}).write_text("imported")
        def f(df):
            return df
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package, marker
    for name in ("shared_models", "shared_models.payload"):
        sys.modules.pop(name, None)


def test_loading_never_imports_a_module_the_folder_names(spark, planted):
    package, marker = planted
    folder = package / "model"
    Lambda(transformFunc=referenced.add_ratio).write().save(str(folder))
    _edit_metadata(folder, transformFunc="shared_models.payload:f")
    with pytest.raises(
        PersistenceError,
        match=r"refusing to resolve 'shared_models.payload:f'.*register_function.*"
        r"allow_function_modules",
    ):
        Lambda.load(str(folder))
    assert not marker.exists(), "loading executed the folder's payload.py"
    assert "shared_models.payload" not in sys.modules


def test_a_udf_reference_is_refused_the_same_way(spark, planted):
    package, marker = planted
    folder = package / "udf"
    UDFTransformer(inputCol="id", udf=referenced.plus_one).write().save(str(folder))
    _edit_metadata(folder, udf="shared_models.payload:f")
    with pytest.raises(PersistenceError, match="refusing to resolve"):
        UDFTransformer.load(str(folder))
    assert not marker.exists()


def test_registered_functions_resolve_without_importing(spark, tmp_path):
    def local(df):
        return df.select("id")

    stage = Lambda(transformFunc=local)
    with pytest.raises(PersistenceError, match="lambda or a nested function"):
        stage.write()
    register_function(local, name="my_team.functions:local")
    assert references.resolve("my_team.functions:local") is local  # no module my_team exists
    assert "my_team" not in sys.modules


def test_saving_a_function_of_a_module_that_is_not_allowed_fails_until_allowed(spark, tmp_path, monkeypatch):
    (tmp_path / "team_udfs_x.py").write_text("def keep(df):\n    return df\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import team_udfs_x

    try:
        stage = Lambda(transformFunc=team_udfs_x.keep)
        with pytest.raises(PersistenceError, match="module 'team_udfs_x', which is not allowed"):
            stage.write().save(str(tmp_path / "l"))
        allow_function_modules("team_udfs_x")
        stage.write().save(str(tmp_path / "l"))
        assert Lambda.load(str(tmp_path / "l")).getTransformFunc() is team_udfs_x.keep
    finally:
        sys.modules.pop("team_udfs_x", None)


def test_the_documented_module_level_udf_example_runs(spark, tmp_path, monkeypatch):
    doc = UDFTransformer.__module__ and sys.modules[UDFTransformer.__module__].__doc__
    module_line = re.search(r"``(my_package/udfs\.py)``: ``(plus_one = .*?)``", doc)
    call_line = re.search(r"^\s*(UDFTransformer\(inputCol=.*\.transform\(df\))\s*$", doc, re.M)
    assert module_line and call_line, "the UDFTransformer docstring lost its example"
    package = tmp_path / "my_package"
    package.mkdir()
    (package / "__init__.py").write_text("from . import udfs\n")
    (package / "udfs.py").write_text(
        "from pyspark.sql.functions import pandas_udf\n"
        "from pyspark.sql.types import LongType\n" + module_line.group(2) + "\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import my_package

        allow_function_modules("my_package")
        df = small(spark).selectExpr("id AS x")
        out = eval(call_line.group(1), {"UDFTransformer": UDFTransformer, "my_package": my_package, "df": df})
        assert [r["y"] for r in out.orderBy("x").collect()] == [2, 3, 4, 5, 6]
        stage = UDFTransformer(inputCol="x", outputCol="y", udf=my_package.udfs.plus_one)
        stage.write().save(str(tmp_path / "u"))
        assert UDFTransformer.load(str(tmp_path / "u")).getUdf() is my_package.udfs.plus_one
    finally:
        for name in ("my_package", "my_package.udfs"):
            sys.modules.pop(name, None)
