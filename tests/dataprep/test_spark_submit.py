"""``mmlspark-py prep run`` as users run it on a cluster: through ``spark-submit`` (the pyspark package's).

The job is a two-line script calling the ``mmlspark-py`` command's ``main`` (spark-submit needs a file; the
package's own ``__main__.py`` cannot be it, since Python would put ``mmlspark_py/`` first on the path and its
``onnx`` package would shadow the real one), submitted with ``--master local[2]``. The test checks the rows
written, that the master spark-submit set was used (the library sets none of its own), and that nothing
temporary is left beside the output.
"""

import os
import pathlib
import subprocess
import sys

import pyspark
import pytest

import mmlspark_py

from .test_package import CSV, STEPS


@pytest.mark.slow
def test_prep_run_through_spark_submit(tmp_path, spark):
    (tmp_path / "prep.yaml").write_text(STEPS)
    (tmp_path / "people.csv").write_text(CSV)
    out = tmp_path / "out"
    submit = pathlib.Path(pyspark.__file__).parent / "bin" / "spark-submit"
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    entry = jobs / "mmlspark_job.py"
    entry.write_text("from mmlspark_py.jobs.cli import main\nraise SystemExit(main())\n")
    root = str(pathlib.Path(mmlspark_py.__file__).parent.parent)
    env = dict(
        os.environ,
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
        SPARK_LOCAL_IP="127.0.0.1",
        PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
    )
    cmd = [
        str(submit),
        "--master",
        "local[2]",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.driver.extraJavaOptions=-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
        str(entry),
        "prep",
        "run",
        str(tmp_path / "prep.yaml"),
        "--input",
        str(tmp_path / "people.csv"),
        "--output",
        str(out),
        "--format",
        "json",
    ]
    done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"prep run: wrote {out} (json)" in done.stdout
    assert "(local[2])" in done.stdout  # the runner reports the master the job ran on
    rows = sorted(
        tuple(r) for r in spark.read.json(str(out)).select("surname", "maker", "item", "team", "age").collect()
    )
    assert rows == [("Lovelace", "ACM", "00421", "ops", 36), ("Ng", "TR", "88", "none", 41)]
    assert sorted(os.listdir(tmp_path)) == ["jobs", "out", "people.csv", "prep.yaml"]
