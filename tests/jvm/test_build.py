"""The committed companion jar is the one the sources in scala/ build, and the build reproduces it."""

from __future__ import annotations

import importlib.util
import pathlib
import shutil
import zipfile

import pytest

from mmlspark_py.core import jvm_companion

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _build_script():
    spec = importlib.util.spec_from_file_location("build_jar", ROOT / "scala" / "build_jar.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_jar_records_the_current_sources():
    build = _build_script()
    assert build.check() == [], "edit scala/ then run: python scala/build_jar.py (and commit the jar)"
    jar = jvm_companion.jar_path()
    manifest = build.read_manifest(jar)
    digest = build.source_hash()
    assert manifest["Mmlspark-Py-Source-Sha256"] == digest
    assert manifest["Implementation-Version"] == f"{digest[:16]}_{manifest['Mmlspark-Py-Scala-Binary-Version']}"
    assert jar.name == f"mmlspark-py-companion_{manifest['Mmlspark-Py-Scala-Binary-Version']}.jar"


def test_source_hash_follows_every_source_byte(tmp_path, monkeypatch):
    build = _build_script()
    copy = tmp_path / "src"
    shutil.copytree(build.SOURCES, copy)
    monkeypatch.setattr(build, "SOURCES", copy)
    before = build.source_hash()
    victim = sorted(copy.rglob("*.scala"))[0]
    victim.write_bytes(victim.read_bytes() + b"\n")
    assert build.source_hash() != before


def test_jar_for_installed_pyspark_and_session_conf():
    jar = jvm_companion.jar_path()
    assert jar is not None and jar.is_file()
    conf = jvm_companion.with_companion_jar({"spark.jars": "/x/a.jar"})
    assert conf["spark.jars"] == f"/x/a.jar,{jar}"
    assert jvm_companion.with_companion_jar(conf) == conf  # added once
    off = {jvm_companion.ENABLED_CONF: "false"}
    assert jvm_companion.with_companion_jar(off) == off


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="needs a JDK to compile")
def test_build_reproduces_the_committed_jar(tmp_path):
    import pyspark

    if int(pyspark.__version__.split(".")[0]) < 4:
        # The pip wheel of pyspark 3.5 holds no scala-compiler or ICU4J: the 2.12 jar is built against a Spark
        # 3.5 distribution's jars plus ICU4J (scala/README.md); the build is reproduced on pyspark 4 (2.13).
        pytest.skip("the pyspark 3.5 wheel cannot compile the companion")
    build = _build_script()
    built = build.build(build.pyspark_home(None), tmp_path)
    committed = jvm_companion.jar_path()
    with zipfile.ZipFile(built) as a, zipfile.ZipFile(committed) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
    assert built.read_bytes() == committed.read_bytes()
