"""Real Spark processes for the deployment tests: a standalone cluster and a Spark Connect server.

Both come from the installed pyspark (``SPARK_HOME`` = its package folder), listen on free ports of 127.0.0.1,
write their logs and pids into a folder the caller gives, and are stopped (by pid / process group) when the
``with`` block ends, whatever happened inside it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Mapping, Optional

import pyspark

SPARK_HOME = Path(pyspark.__file__).parent
MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"
CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
FAST_JVM = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float, process: Optional[subprocess.Popen] = None) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``.

    :raises RuntimeError: ``process`` exited first. :raises TimeoutError: after ``timeout`` seconds.
    """
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process meant to listen on port {port} exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def spark_env(folder: Path, python: str = sys.executable, **extra: str) -> Dict[str, str]:
    """The environment for Spark daemons and spark-submit: logs, pids and work dirs under ``folder``."""
    env = {
        **os.environ,
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_PID_DIR": str(folder / "pids"),
        "SPARK_WORKER_DIR": str(folder / "work"),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": python,
        "PYSPARK_DRIVER_PYTHON": python,
        "SPARK_DAEMON_JAVA_OPTS": FAST_JVM,
    }
    env.pop("SPARK_REMOTE", None)
    env.update(extra)
    return env


@dataclass(frozen=True)
class Cluster:
    """A running standalone cluster: its master URL, the master's web UI port, env and worker folder."""

    url: str
    ui_port: int
    env: Dict[str, str]
    work: Path

    def status(self) -> dict:
        """The master's JSON status (``/json``: workers, active and completed applications)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json", timeout=10) as response:
            return json.loads(response.read().decode("utf-8"))


@contextlib.contextmanager
def standalone_cluster(
    folder: Path, workers: int = 2, cores: int = 1, memory: str = "1g", env: Optional[Mapping[str, str]] = None
) -> Iterator[Cluster]:
    """A master and ``workers`` workers (``cores`` and ``memory`` each) started with ``spark-daemon.sh``."""
    env = dict(env or spark_env(folder))
    # The REST submission server's fixed port 6066 may be taken by another test run.
    env["SPARK_MASTER_OPTS"] = "-Dspark.master.rest.enabled=false"
    daemon = str(SPARK_HOME / "sbin" / "spark-daemon.sh")
    port, ui = free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    started = []
    try:
        subprocess.run(
            [daemon, "start", MASTER, "1", "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui)],
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
        )
        started.append((MASTER, 1))
        wait_for_port(port, 90)
        wait_for_port(ui, 90)
        for instance in range(1, workers + 1):
            subprocess.run(
                [
                    daemon,
                    "start",
                    WORKER,
                    str(instance),
                    "--host",
                    "127.0.0.1",
                    "--webui-port",
                    str(free_port()),
                    "--cores",
                    str(cores),
                    "--memory",
                    memory,
                    url,
                ],
                env=env,
                check=True,
                timeout=60,
                capture_output=True,
            )
            started.append((WORKER, instance))
        cluster = Cluster(url, ui, env, Path(env["SPARK_WORKER_DIR"]))
        deadline = time.time() + 90
        while len([w for w in cluster.status()["workers"] if w["state"] == "ALIVE"]) < workers:
            if time.time() > deadline:
                raise TimeoutError(f"{workers} workers did not register with {url}: {cluster.status()['workers']}")
            time.sleep(0.5)
        yield cluster
    finally:
        for cls, instance in reversed(started):
            subprocess.run([daemon, "stop", cls, str(instance)], env=env, timeout=60, capture_output=True)


@contextlib.contextmanager
def connect_server(
    folder: Path,
    master: str = "local[2]",
    conf: Optional[Mapping[str, str]] = None,
    env: Optional[Mapping[str, str]] = None,
) -> Iterator[str]:
    """A Spark Connect server (its own JVM, started with spark-submit); yields its ``sc://`` URL.

    The server's Python workers run ``PYSPARK_PYTHON`` with this process's ``PYTHONPATH``, so UDFs that a
    client sends can import the library as they would on a cluster where it is installed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(env or spark_env(folder))
    port = free_port()
    args = [
        str(SPARK_HOME / "bin" / "spark-submit"),
        "--class",
        CONNECT_SERVER,
        "--name",
        "mmlspark-py-connect",
        "--master",
        master,
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf",
        f"spark.driver.extraJavaOptions={FAST_JVM}",
    ]
    for key, value in (conf or {}).items():
        if key != "spark.driver.extraJavaOptions":
            args += ["--conf", f"{key}={value}"]
    log = open(folder / "connect-server.log", "wb")
    server = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        try:
            wait_for_port(port, 180, server)
        except (RuntimeError, TimeoutError) as e:
            raise RuntimeError(f"{e}; server log:\n{(folder / 'connect-server.log').read_text()[-3000:]}") from e
        yield f"sc://127.0.0.1:{port}"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(30)
        log.close()
