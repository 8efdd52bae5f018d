"""An image pipeline on a real standalone Spark cluster: a master and a worker, their own processes.

The daemons come from the installed pyspark (``sbin/spark-daemon.sh``, logs and pids in a temp folder, free
ports on 127.0.0.1). The job runs as a separate driver process (one SparkSession per process: the test
session's local[2] one cannot be replaced), so reading, decoding, resizing and unrolling happen in the
cluster's executors, which import mmlspark_py from the virtualenv their PYSPARK_PYTHON points at.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pyspark
import pytest

from mmlspark_py.core.spark_compat import SPARK_VERSION
from tests.image.data import sample_images

pytestmark = pytest.mark.cluster
SPARK_HOME = Path(pyspark.__file__).parent
MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``spark://127.0.0.1:<port>`` of a started master + worker (2 cores, 2g); both stopped afterwards."""
    tmp = tmp_path_factory.mktemp("cluster")
    env = {
        **os.environ,
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_LOG_DIR": str(tmp / "logs"),
        "SPARK_PID_DIR": str(tmp / "pids"),
        "SPARK_WORKER_DIR": str(tmp / "work"),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_DAEMON_JAVA_OPTS": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
    }  # its fixed port 6066 may be taken
    daemon = str(SPARK_HOME / "sbin" / "spark-daemon.sh")
    port, ui, worker_ui = _free_port(), _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    try:
        subprocess.run(
            [daemon, "start", MASTER, "1", "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui)],
            env=env,
            check=True,
            timeout=60,
        )
        _wait_for_port(port, 60)
        subprocess.run(
            [
                daemon,
                "start",
                WORKER,
                "1",
                "--host",
                "127.0.0.1",
                "--webui-port",
                str(worker_ui),
                "--cores",
                "2",
                "--memory",
                "2g",
                url,
            ],
            env=env,
            check=True,
            timeout=60,
        )
        yield url, env, tmp / "work"
    finally:
        for cls in (WORKER, MASTER):
            subprocess.run([daemon, "stop", cls, "1"], env=env, timeout=60)


def test_image_pipeline_runs_on_executors(cluster, tmp_path):
    url, env, work = cluster
    images = tmp_path / "images"
    images.mkdir()
    good = sample_images()
    names = ["astronaut.jpg", "camera.png", "alpha.png", "coffee.bmp"]
    for name in names:
        (images / name).write_bytes(good[name])
    (images / "broken.png").write_bytes(b"not an image")
    out = tmp_path / "out"
    job = Path(__file__).with_name("cluster_job.py")
    done = subprocess.run(
        [sys.executable, str(job), url, str(images), str(out)],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    resized = "resized=True" in done.stdout
    rows = [json.loads(line) for f in sorted(out.glob("part-*.json")) for line in f.read_text().splitlines()]
    assert sorted(r["origin"].rsplit("/", 1)[-1] for r in rows) == sorted(names)  # broken.png dropped
    for row in rows:
        image = cv2.imdecode(np.frombuffer(good[row["origin"].rsplit("/", 1)[-1]], np.uint8), cv2.IMREAD_UNCHANGED)
        image = image if image.ndim == 3 else image[:, :, None]
        if resized:
            image = cv2.resize(image, (5, 4), interpolation=cv2.INTER_LINEAR)
            image = image if image.ndim == 3 else image[:, :, None]
        np.testing.assert_allclose(row["values"], image.transpose(2, 0, 1).ravel().astype(float), atol=0)
    # The Python batches (reading each file with pyarrow.fs and decoding it: the JVM never opens the files, so
    # the values above can only come from them) ran in the worker's executor process, not in the driver.
    executor_logs = "".join(p.read_text(errors="replace") for p in work.glob("app-*/*/stderr"))
    # Spark 4 logs the start of each Python task; Spark 3.5 logs its times (PythonRunner) when it ends
    assert "Starting Python task execution" in executor_logs or "PythonRunner: Times: total" in executor_logs
    batches = r".*Batches: [1-9]" if SPARK_VERSION >= (4, 0) else ""  # 3.5 logs no batch count
    assert re.search(r"Times: total = \d+" + batches, executor_logs), executor_logs[-2000:]
