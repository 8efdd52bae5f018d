"""Benchmark: serving single-record requests to a fitted featurize + logistic-regression pipeline.

Three servers of the same registered model (StringIndexer, OneHotEncoder, VectorAssembler, StandardScaler,
LogisticRegression), each in its own process, driven by the same HTTP clients in this process:

1. ``mmlspark-py serve --path fast``: the in-process fast path (no Spark job per request);
2. ``mmlspark-py serve --path spark``: the Spark path (one small Spark job per micro-batch);
3. ``mlflow models serve --env-manager local``: MLflow's own scoring server for the Spark flavor.

For each: latency (p50/p99) of sequential requests on one keep-alive connection, and throughput with
``--clients`` concurrent clients (each client on its own keep-alive connection). Answers are checked against
each other (same labels). Goals: fast path p50 < 5 ms, >= 10x the Spark path's throughput, >= 2x MLflow's.

    python benchmarks/serving.py [--quick] [--clients 8] [--requests 3000] [--seconds 20]

Prints ``name: ratio=... (ours X/s, baseline Y/s)`` lines.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

CITIES = [f"city{i}" for i in range(20)]


def register(home: str, rows: int) -> None:
    """Train the pipeline on synthetic data and register it as ``bench`` version 1 in ``home``."""
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import OneHotEncoder, StandardScaler, StringIndexer, VectorAssembler

    from mmlspark_py.core.session import get_spark
    from mmlspark_py.registry import register_model
    from mmlspark_py.tracking import configure

    configure(home=home)
    spark = get_spark("local[2]", conf={"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"})
    data = spark.range(rows).selectExpr(
        "CAST(18 + floor(rand(1) * 50) AS double) AS age",
        "CAST(10 + floor(rand(2) * 50) AS int) AS hours",
        "concat('city', CAST(floor(rand(3) * 20) AS string)) AS city",
        "randn(4) AS noise",
    )
    data = data.selectExpr(
        "age",
        "hours",
        "city",
        "CAST(0.05 * (age - 40) + 0.08 * (hours - 35) + IF(city < 'city5', 1.0, -0.5) + noise > 0 AS double) AS label",
    )
    features = Pipeline(
        stages=[
            StringIndexer(inputCol="city", outputCol="city_index", handleInvalid="keep"),
            OneHotEncoder(inputCol="city_index", outputCol="city_vector", handleInvalid="keep"),
            VectorAssembler(inputCols=["age", "hours", "city_vector"], outputCol="raw_features"),
            StandardScaler(inputCol="raw_features", outputCol="features", withMean=True),
            LogisticRegression(featuresCol="features", labelCol="label", regParam=0.01),
        ]
    )
    model = features.fit(data)
    register_model(model, "bench", training_data=data.drop("label"), digest=False)
    spark.stop()


def records(n: int) -> List[Dict[str, Any]]:
    return [
        {"age": float(18 + (i * 7) % 50), "hours": 10 + (i * 11) % 50, "city": CITIES[(i * 3) % 20]} for i in range(n)
    ]


class Server:
    """A server process and how to call it."""

    def __init__(
        self,
        name: str,
        command: List[str],
        env: Dict[str, str],
        port: int,
        path: str,
        wrap: Callable[[Dict[str, Any]], Any],
        answer: Callable[[Any], Any],
        cwd: str,
    ):
        self.name, self.port, self.path, self.wrap, self.answer = name, port, path, wrap, answer
        self.log = open(os.path.join(cwd, f"{name}.log"), "w")
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log.name}")
            try:
                self.call(http.client.HTTPConnection("127.0.0.1", self.port, timeout=60), records(1)[0])
                return
            except (OSError, http.client.HTTPException, ValueError):
                time.sleep(1)
        raise TimeoutError(f"{self.name} did not answer within {timeout} s")

    def call(self, conn: http.client.HTTPConnection, record: Dict[str, Any]) -> Any:
        body = json.dumps(self.wrap(record)).encode()
        conn.request("POST", self.path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise ValueError(f"{self.name}: HTTP {response.status}: {payload[:300]!r}")
        return self.answer(json.loads(payload))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def latency(server: Server, n: int, seconds: float) -> Tuple[float, float, int]:
    """p50 and p99 (ms) of sequential single-record requests on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    times, deadline = [], time.perf_counter() + seconds
    for record in records(n):
        started = time.perf_counter()
        server.call(conn, record)
        times.append(time.perf_counter() - started)
        if started > deadline:
            break
    conn.close()
    times.sort()
    return statistics.median(times) * 1000, times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, len(times)


def throughput(server: Server, clients: int, n: int, seconds: float) -> Tuple[float, int]:
    """Requests per second with ``clients`` concurrent clients (stops at ``n`` requests or ``seconds``)."""
    counter, lock, errors = [0], threading.Lock(), []
    pool = records(97)
    deadline = time.perf_counter() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        i = k
        while time.perf_counter() < deadline:
            with lock:
                if counter[0] >= n:
                    break
                counter[0] += 1
            try:
                server.call(conn, pool[i % 97])
            except Exception as e:
                errors.append(str(e))
            i += clients
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{server.name}: {len(errors)} errors, first: {errors[0]}")
    return counter[0] / elapsed, counter[0]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3000, help="requests per fast-path measurement")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per slow-server measurement")
    parser.add_argument("--skip-mlflow", action="store_true")
    args = parser.parse_args()
    n, seconds = (500, 8.0) if args.quick else (args.requests, args.seconds)
    work = tempfile.mkdtemp(prefix="serving-bench-")
    register(work, 5000)
    python = sys.executable
    env = {
        **os.environ,
        "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "MLFLOW_TRACKING_URI": f"sqlite:///{work}/mlflow.db",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "PYSPARK_PYTHON": python,
        "PYSPARK_DRIVER_PYTHON": python,
        "SPARK_LOCAL_IP": "127.0.0.1",
        # mlflow starts `uvicorn` by name: the virtualenv's bin folder must be on PATH
        "PATH": os.path.dirname(python) + os.pathsep + os.environ.get("PATH", ""),
    }
    ours_answer = lambda payload: payload["prediction"]  # noqa: E731
    specs = {
        "fast": (
            [
                python,
                "-m",
                "mmlspark_py",
                "serve",
                "--model",
                "models:/bench/1",
                "--path",
                "fast",
                "--access-log",
                "none",
            ],
            "/predict",
            lambda r: r,
            ours_answer,
        ),
        "spark": (
            [
                python,
                "-m",
                "mmlspark_py",
                "serve",
                "--model",
                "models:/bench/1",
                "--path",
                "spark",
                "--access-log",
                "none",
            ],
            "/predict",
            lambda r: r,
            ours_answer,
        ),
        "mlflow": (
            [python, "-m", "mlflow", "models", "serve", "-m", "models:/bench/1", "--env-manager", "local"],
            "/invocations",
            lambda r: {"dataframe_records": [r]},
            lambda p: p["predictions"][0],
        ),
    }
    if args.skip_mlflow:
        del specs["mlflow"]
    results: Dict[str, Dict[str, float]] = {}
    answers: Dict[str, List[Any]] = {}
    for name, (command, path, wrap, answer) in specs.items():
        port = free_port()
        command = command + (["--port", str(port)] if name != "mlflow" else ["-p", str(port)])
        server = Server(name, command, env, port, path, wrap, answer, work)
        try:
            server.wait_ready()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            answers[name] = [server.call(conn, r) for r in records(20)]
            conn.close()
            p50, p99, count = latency(server, n, seconds)
            rate, done = throughput(server, args.clients, n, seconds)
            results[name] = {"p50": p50, "p99": p99, "rate": rate}
            print(
                f"serving_{name}: p50={p50:.2f} ms p99={p99:.2f} ms over {count} sequential requests; "
                f"{rate:,.0f} requests/s with {args.clients} clients ({done} requests)",
                flush=True,
            )
        except Exception as e:
            print(f"serving_{name}: FAILED: {e} (log: {server.log.name})", flush=True)
        finally:
            server.stop()
    for name in answers:
        if name != "fast" and answers[name] != answers["fast"]:
            print(f"WARNING: {name} answers differ from the fast path's: {answers[name]} vs {answers['fast']}")
    fast = results.get("fast")
    if fast:
        print(f"serving_latency_fast: p50={fast['p50']:.2f} ms (goal < 5 ms), p99={fast['p99']:.2f} ms")
        for baseline, goal in (("spark", 10), ("mlflow", 2)):
            if baseline in results:
                other = results[baseline]["rate"]
                print(
                    f"serving_fast_vs_{baseline}: ratio={fast['rate'] / other:.1f} (ours {fast['rate']:,.0f}/s, "
                    f"baseline {other:,.1f}/s; goal >= {goal})"
                )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
