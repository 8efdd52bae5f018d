"""The companion on a session: registration and checks, the off switch, and the fallback without the jar."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from mmlspark_py.core import jvm_companion
from mmlspark_py.featurize.text import PageSplitter
from tests.jvm.paths import python_path, uses

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_session_companion_matches_the_bundled_jar(spark, companion):
    assert companion.version == jvm_companion._bundled_version(companion.scala.rsplit(".", 1)[0])
    assert companion.scala == spark._jvm.scala.util.Properties.versionNumberString()
    if int(spark.version.split(".")[0]) >= 4:
        assert companion.icu_unicode is not None and companion.icu_unicode >= (14, 0)  # Spark 4 ships ICU4J
    else:
        assert companion.icu_unicode is None  # Spark 3.5 does not
    assert jvm_companion.companion(spark) is companion  # probed once per session


def test_off_switch(spark, companion):
    df = spark.createDataFrame([("ab cd ef gh",)], "text string")
    stage = PageSplitter(inputCol="text", outputCol="p", maximumPageLength=5, minimumPageLength=3)
    with python_path(spark):
        assert jvm_companion.companion(spark) is None
        assert not uses(stage.transform(df), "page_split")
    assert uses(stage.transform(df), "page_split")


def test_check_info_rejects_other_scala_and_other_versions(companion):
    digest, binary = companion.version.rsplit("_", 1)
    other = "2.13" if binary == "2.12" else "2.12"
    ok = f"companion={companion.version};scala={companion.scala};icuUnicode=17.0.0.0;java=17"
    assert jvm_companion.check_info(ok)[0] == jvm_companion.Companion(companion.version, companion.scala, (17, 0))
    found, why = jvm_companion.check_info(f"companion={digest}_{other};scala={companion.scala};icuUnicode=none")
    assert found is None and f"built for Scala {other}, the session runs {companion.scala}" in why
    found, why = jvm_companion.check_info(f"companion=0123456789abcdef_{binary};scala={companion.scala}")
    assert found is None and "an older or newer jar is on the classpath" in why
    found, why = jvm_companion.check_info("companion=x_2.11;scala=2.11.12")
    assert found is None and "built for Scala" not in why and "no companion jar for Scala 2.11" in why
    assert jvm_companion.check_info(ok.replace("icuUnicode=17.0.0.0", "icuUnicode=none"))[0].icu_unicode is None


def test_unknown_function_name():
    with pytest.raises(KeyError, match="no companion function 'nope'"):
        jvm_companion.Companion.call("nope")


@pytest.mark.slow
def test_session_without_jar_falls_back_and_one_line_enables_it(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "jvm" / "no_jar_job.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-3000:]
    result = json.loads(lines[0][len("RESULT ") :])
    assert result["before"] == ["ab ", "cd ", "ef gh"] and not result["before_plan_uses"]
    (warning,) = [w for w in result["warnings"] if "JVM companion not used on this session" in w]
    assert "the companion jar is not on this session" in warning
    assert "from mmlspark_py.core.jvm_companion import add_to_session; add_to_session(spark)" in warning
    assert result["added"] and result["after_plan_uses"] and result["after"] == result["before"]
