"""The quickstart as a cluster user runs it: ``spark-submit --master spark://...`` on a real standalone cluster,
with the library shipped to the executors as a packed virtualenv (``--archives env.tar.gz#env``).

* the cluster: a master and two workers from the installed pyspark (``spark-daemon.sh``), each worker its own
  process with one core, their environment stripped of PYTHONPATH so no executor can see this checkout;
* the environment: a fresh virtualenv (``--copies``) with the package installed as a wheel (no editable install,
  no checkout on its path) and the libraries executors need, packed with venv-pack as a .tar.gz;
* the job (``submit_job.py``) runs the quickstart and then records, from inside the executors' Python
  workers, where ``mmlspark_py`` was imported from.

The test then asserts that the application registered with the master (its ``/json`` status), that its
executors ran on both workers (their application folders and logs), that the quickstart's outputs are right,
and that every executor imported the library from the unpacked archive, never from the driver's
site-packages or this checkout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import cv2
import pytest

from tests.deploy.processes import FAST_JVM, SPARK_HOME, spark_env, standalone_cluster

# builds a venv, starts a cluster and runs the whole quickstart: more than the suite's default 900 s on a busy machine
pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.timeout(2400)]
REPO = Path(__file__).resolve().parents[2]
# What the executors import: the package's runtime dependencies without pyspark (Spark ships its own Python
# code to executors), pinned to the driver's versions so both sides agree on Arrow and pickles.
EXECUTOR_PACKAGES = ["numpy", "pandas", "pyarrow", "opencv-python-headless", "onnx"]


def build_packed_env(folder: Path) -> Path:
    """A virtualenv with mmlspark-py (built from this checkout as a wheel) packed by venv-pack; the archive."""
    import venv_pack

    venv = folder / "venv"
    # --copies: interpreter files instead of symlinks to the base interpreter's absolute path, which Spark 4
    # refuses to unpack ("would create entry outside of" the target folder).
    subprocess.run([sys.executable, "-m", "venv", "--copies", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    pins = [f"{name}=={metadata.version(name)}" for name in EXECUTOR_PACKAGES]
    subprocess.run(pip + pins, check=True, timeout=900)
    subprocess.run(pip + ["--no-deps", str(REPO)], check=True, timeout=600, cwd=str(folder))
    archive = folder / "env.tar.gz"
    # .tar.gz, never a plain .tar: Spark unpacks a .tar in Java, which drops the executable bits and refuses
    # symlinks that leave the folder; a .tar.gz goes through Hadoop's untar, which keeps both.
    venv_pack.pack(prefix=str(venv), output=str(archive), format="tar.gz", compress_level=1)
    return archive


@pytest.fixture(scope="module")
def packed_env(tmp_path_factory):
    # MMLSPARK_TEST_PACKED_ENV=<env.tar.gz> reuses an archive built by build_packed_env (while iterating locally).
    reuse = os.environ.get("MMLSPARK_TEST_PACKED_ENV")
    return Path(reuse) if reuse else build_packed_env(tmp_path_factory.mktemp("packed"))


def test_quickstart_through_spark_submit_with_a_packed_env(tmp_path, packed_env):
    # No process of the cluster sees this checkout or the driver's interpreter through the environment.
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYSPARK_PYTHON", "SPARK_REMOTE")}
    daemon_env = {k: v for k, v in spark_env(tmp_path, python="python3").items() if k != "PYTHONPATH"}
    output, probe = tmp_path / "quickstart", tmp_path / "probe.json"
    with standalone_cluster(tmp_path, workers=2, cores=1, memory="1g", env=daemon_env) as cluster:
        submit_env = {
            **clean,
            "SPARK_HOME": str(SPARK_HOME),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "PYTHONPATH": str(REPO),
        }  # the driver runs this checkout; executors never see it
        command = [
            str(SPARK_HOME / "bin" / "spark-submit"),
            "--master",
            cluster.url,
            "--name",
            "mmlspark-py-submit-test",
            "--archives",
            f"{packed_env}#env",
            "--conf",
            "spark.pyspark.python=./env/bin/python",
            "--conf",
            f"spark.pyspark.driver.python={sys.executable}",
            "--conf",
            "spark.executor.memory=768m",
            "--conf",
            "spark.executor.cores=1",
            "--conf",
            f"spark.driver.extraJavaOptions={FAST_JVM}",
            "--conf",
            f"spark.executor.extraJavaOptions={FAST_JVM}",
            "--conf",
            "spark.sql.shuffle.partitions=4",
            "--conf",
            "spark.ui.enabled=false",
            str(Path(__file__).with_name("submit_job.py")),
            str(output),
            str(probe),
        ]
        done = subprocess.run(command, env=submit_env, cwd=str(tmp_path), capture_output=True, text=True, timeout=1500)
        assert done.returncode == 0, _failure(done.stderr)
        status = cluster.status()
    result = json.loads(probe.read_text())

    # the application ran on the cluster's master, which knows it (and it finished)
    assert result["status"] == 0 and result["master"] == cluster.url
    apps = {app["id"]: app for app in status["completedapps"] + status["activeapps"]}
    assert result["app_id"] in apps, f"{result['app_id']} not among the master's applications {list(apps)}"
    assert apps[result["app_id"]]["name"] in ("mmlspark-py-submit-test", "mmlspark-py")

    # its executors ran on both workers: one application folder per executor, each with finished tasks
    executor_dirs = sorted((cluster.work / result["app_id"]).iterdir())
    assert len(executor_dirs) >= 2, executor_dirs
    logs = [(d / "stderr").read_text(errors="replace") for d in executor_dirs]
    assert sum("Finished task" in log for log in logs) >= 2, "tasks did not run on two executors"
    assert len({r["cwd"] for r in result["rows"]}) >= 2, "the probe's tasks all ran in one executor"

    # every executor imported mmlspark_py from the unpacked archive, with the driver's paths out of sight
    site_packages = os.path.realpath(os.path.dirname(os.path.dirname(pytest.__file__)))
    spark_home = os.path.realpath(SPARK_HOME)
    for row in result["rows"]:
        assert row["module"].startswith(row["env"] + os.sep), row
        assert row["python"].endswith("env/bin/python"), row
        for entry in json.loads(row["sys_path"]):  # resolved by the executor's Python worker itself
            # Spark's own Python code (pyspark.zip, py4j) comes from SPARK_HOME: the Spark installation (which
            # may itself lie in a virtualenv inside the checkout, as on a developer's machine)
            if _within(entry, spark_home):
                continue
            assert not _within(entry, str(REPO)), (entry, row)
            assert not _within(entry, site_packages), (entry, row)

    # and the quickstart did its work: images transformed and written, a classifier trained and evaluated
    written = list((output / "transformed").glob("*.png"))
    assert len(written) >= 20
    assert all(cv2.imread(str(p), cv2.IMREAD_UNCHANGED).shape[:2] == (224, 224) for p in written[:5])
    assert (output / "contact_sheet.png").stat().st_size > 0
    assert (output / "evaluation" / "confusion_matrix.png").exists()
    assert "accuracy" in done.stdout


def _within(path: str, folder: str) -> bool:
    folder = os.path.realpath(folder)
    return path == folder or path.startswith(folder + os.sep)


def _failure(stderr: str) -> str:
    """The first exception lines of a failed job's log, then its end."""
    causes = [line for line in stderr.splitlines() if re.search(r"(Exception|Error)\b", line) and "\tat " not in line]
    return "\n".join(causes[:15]) + "\n...\n" + stderr[-2500:]
