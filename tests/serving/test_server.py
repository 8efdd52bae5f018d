"""The model web service over real HTTP on 127.0.0.1: answers equal to ``model.transform``, auth, limits,
4xx naming the field, the server staying up, OpenAPI, metrics, keep-alive latency, the Spark path, and
``mmlspark-py serve`` under 10,000 requests from 32 concurrent clients (zero errors, flat memory)."""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from mmlspark_py.serving import ModelServer, ServingConfig
from mmlspark_py.tracking.signature import model_io
from tests.registry.fitted import our_pipeline, people

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def train(spark):
    return people(spark, 150)


@pytest.fixture(scope="module")
def model(train):
    return our_pipeline(train)


@pytest.fixture(scope="module")
def server(model, train):
    config = ServingConfig(port=0, token=TOKEN, max_request_bytes=4096, max_records=20)
    server = ModelServer(model, model_io(model, train.schema), config, name="people", version="3").start()
    yield server
    server.close()


def call(server, method, path, body=None, token=TOKEN, headers=None, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    conn.request(method, path, body=data, headers=all_headers)
    response = conn.getresponse()
    payload = response.read()
    if connection is None:
        conn.close()
    text = payload.decode()
    return (
        response.status,
        (json.loads(text) if response.getheader("Content-Type") == "application/json" else text),
        response,
    )


def expected_outputs(model, spark, records):
    rows = [(None if r["age"] is None else float(r["age"]), r["hours"], r["city"]) for r in records]
    frame = spark.createDataFrame(rows, "age double, hours int, city string")
    return [
        {
            "scores": list(r.scores),
            "scored_probabilities": list(r.scored_probabilities),
            "scored_labels": r.scored_labels,
        }
        for r in model.transform(frame).collect()
    ]


def test_predictions_equal_the_model_for_one_record_and_a_list(server, model, spark):
    records = [
        {"age": 41, "hours": 45, "city": "Boston", "label": "ignored"},
        {"age": 23.5, "hours": 12, "city": "Atlantis"},
        {"age": None, "hours": None, "city": None},
    ]
    status, one, response = call(server, "POST", "/predict", records[0])
    assert status == 200 and response.getheader("X-Scoring-Path") == "fast"
    assert response.getheader("X-Model-Version") == "3"
    status, many, _ = call(server, "POST", "/predict", records)
    assert status == 200 and isinstance(many, list) and many[0] == one
    for got, want in zip(many, expected_outputs(model, spark, records)):
        assert got["scored_labels"] == want["scored_labels"]
        np.testing.assert_allclose(got["scored_probabilities"], want["scored_probabilities"], rtol=1e-12)
        np.testing.assert_allclose(got["scores"], want["scores"], rtol=1e-12)


@pytest.mark.parametrize(
    "body, status, message",
    [
        (b'{"age": 41, "hours": ', 400, "malformed JSON: Expecting value at line 1 column 22"),
        (b"\xff\xfe", 400, "not UTF-8"),
        (b'"just a string"', 400, "expected a JSON object (one record) or a list of records, got str"),
        (b"[]", 400, "the list of records is empty"),
        (b'{"age": "old", "hours": 3, "city": "Boston"}', 400, "record 0, field 'age': expected double, got str"),
        (b'{"age": 3, "hours": 2.5, "city": "Boston"}', 400, "record 0, field 'hours': expected int, got float"),
        (b'{"age": 3, "hours": true, "city": "Boston"}', 400, "record 0, field 'hours': expected int, got bool"),
        (b'{"age": 3, "hours": 99999999999, "city": "Boston"}', 400, "field 'hours': 99999999999 is out of range"),
        (
            b'[{"age": 3, "hours": 1, "city": "Boston"}, {"age": 3, "city": "Boston"}]',
            400,
            "record 1, field 'hours': missing",
        ),
        (b'[{"age": 3, "hours": 1, "city": "Boston"}, 7]', 400, "record 1: expected a JSON object"),
        (json.dumps([{"age": 1, "hours": 1, "city": "x"}] * 21).encode(), 413, "21 records; the limit is 20"),
        (b"[" + b" " * 5000 + b"]", 413, "5002 bytes; the limit is 4096"),
    ],
)
def test_bad_requests_get_4xx_naming_the_field_and_the_server_stays_up(server, body, status, message):
    got, payload, _ = call(server, "POST", "/predict", body)
    assert got == status and message in payload["error"]
    assert call(server, "GET", "/health", token=None)[0] == 200


def test_auth_protocol_and_routing(server):
    assert call(server, "POST", "/predict", {"age": 1, "hours": 1, "city": "x"}, token=None)[0] == 401
    status, payload, response = call(server, "POST", "/predict", {"age": 1, "hours": 1, "city": "x"}, token="wrong")
    assert status == 401 and response.getheader("WWW-Authenticate") == "Bearer"
    assert call(server, "GET", "/metrics", token=None)[0] == 401
    assert call(server, "GET", "/nowhere")[0] == 404
    assert call(server, "POST", "/health", b"{}")[0] == 405
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.putrequest("POST", "/predict")
    conn.putheader("Authorization", f"Bearer {TOKEN}")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    conn.send(b"2\r\n{}\r\n0\r\n\r\n")
    response = conn.getresponse()
    assert response.status == 411 and "Content-Length" in json.loads(response.read())["error"]
    conn.close()


def test_health_openapi_and_metrics(server):
    status, health, _ = call(server, "GET", "/health", token=None)
    assert health == {
        "status": "ok",
        "model": "people",
        "version": "3",
        "path": "fast",
        "inputs": ["age", "hours", "city"],
        "outputs": ["scores", "scored_probabilities", "scored_labels"],
    }
    status, doc, _ = call(server, "GET", "/openapi.json")
    record = doc["components"]["schemas"]["Record"]
    assert record["required"] == ["age", "hours", "city"]
    assert record["properties"]["hours"] == {"type": "integer", "format": "int32", "nullable": True}
    assert doc["components"]["schemas"]["Prediction"]["properties"]["scores"]["type"] == "array"
    assert (
        doc["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]["schema"]["oneOf"][1]["maxItems"]
        == 20
    )
    call(server, "POST", "/predict", {"age": 1, "hours": 1, "city": "x"})
    status, text, _ = call(server, "GET", "/metrics")
    ok = int(re.search(r'mmlspark_requests_total\{endpoint="/predict",status="200"\} (\d+)', text).group(1))
    assert ok >= 1 and 'mmlspark_model_info{model="people",version="3",path="fast"} 1' in text
    assert re.search(r"mmlspark_batch_rows_count \d+", text)


def test_keep_alive_answers_without_nagle_delay(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    record = {"age": 41, "hours": 45, "city": "Boston"}
    times = []
    for _ in range(60):
        started = time.perf_counter()
        assert call(server, "POST", "/predict", record, connection=conn)[0] == 200
        times.append(time.perf_counter() - started)
    conn.close()
    # with Nagle's algorithm and delayed ACKs every keep-alive answer would take ~40 ms
    assert statistics.median(times[10:]) < 0.03


def test_the_spark_path_answers_the_same(model, train, server):
    config = ServingConfig(port=0, path="spark")
    slow = ModelServer(model, model_io(model, train.schema), config, name="people").start()
    try:
        records = [{"age": 41, "hours": 45, "city": "Boston"}, {"age": 23.5, "hours": 12, "city": "Atlantis"}]
        status, spark_answer, response = call(slow, "POST", "/predict", records, token=None)
        assert status == 200 and response.getheader("X-Scoring-Path") == "spark"
        fast_answer = call(server, "POST", "/predict", records)[1]
        for a, b in zip(spark_answer, fast_answer):
            assert a["scored_labels"] == b["scored_labels"]
            np.testing.assert_allclose(a["scored_probabilities"], b["scored_probabilities"], rtol=1e-12)
    finally:
        slow.close()


def _rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


@pytest.mark.slow
def test_serve_command_under_10000_requests_from_32_clients(mlflow_home, model, train, tmp_path):
    import mlflow

    from mmlspark_py.registry import register_model

    register_model(model, "served", training_data=train, digest=False, alias="live")
    env = {
        **os.environ,
        "PYTHONPATH": os.getcwd(),
        "MLFLOW_TRACKING_URI": mlflow.get_tracking_uri(),
        "SERVE_TOKEN": TOKEN,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mmlspark_py",
            "serve",
            "--model",
            "models:/served@live",
            "--port",
            "0",
            "--token-env",
            "SERVE_TOKEN",
            "--access-log",
            str(tmp_path / "access.log"),
        ],
        env=env,
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"serving served version 1 on http://127.0.0.1:(\d+) \(fast path\)", line)
        assert match, line + process.stderr.read()[-3000:]
        port = int(match.group(1))

        class Target:
            pass

        target = Target()
        target.port = port
        errors, done, memory = [], [0], {}
        lock = threading.Lock()
        bodies = [
            json.dumps(
                {"age": 18 + i % 50, "hours": 10 + i % 40, "city": ["Austin", "Boston", "Nowhere"][i % 3]}
            ).encode()
            for i in range(97)
        ]

        def client(k):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for i in range(10_000 // 32 + (1 if k < 10_000 % 32 else 0)):
                status, payload, _ = call(target, "POST", "/predict", bodies[(k + i) % 97], connection=conn)
                if status != 200 or payload["scored_labels"] not in ("yes", "no"):
                    errors.append((status, payload))
                with lock:
                    done[0] += 1
                    if done[0] == 2000:
                        memory["early"] = _rss_kb(process.pid)
            conn.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        memory["end"] = _rss_kb(process.pid)
        assert done[0] == 10_000 and errors == []
        assert memory["end"] - memory["early"] < 20_000, memory  # KiB: flat, no per-request growth
        status, text, _ = call(target, "GET", "/metrics")
        assert 'mmlspark_requests_total{endpoint="/predict",status="200"} 10000' in text
        assert len((tmp_path / "access.log").read_text().splitlines()) >= 10_000
        print(f"10,000 requests from 32 clients in {seconds:.1f} s ({10_000 / seconds:.0f}/s); RSS {memory}")
    finally:
        process.terminate()
        assert process.wait(timeout=60) == 0
