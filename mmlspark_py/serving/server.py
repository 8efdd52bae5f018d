"""A fitted model as an HTTP JSON web service.

Endpoints:

- ``POST /predict``: a JSON object (one record) gets an object of the model's outputs back; a JSON list of
  records gets a list, in order. Headers ``X-Model-Version`` and ``X-Scoring-Path`` (``fast``/``spark``).
- ``GET /health`` (never needs the token), ``GET /metrics`` (Prometheus text), ``GET /openapi.json``.

Two scoring paths: the fast path (:mod:`.fast_path`, in-process numpy, no Spark job) when every stage of the
model has an exact local implementation, else the Spark path (:mod:`.spark_path`); ``path="auto"`` picks.
Concurrent requests are micro-batched (:mod:`.batcher`).

Protection: binds 127.0.0.1 unless told otherwise; optional bearer token (constant-time comparison); a
request must declare its ``Content-Length`` (411) within ``max_request_bytes`` (413, the body is not read)
and hold at most ``max_records`` records (413); at most ``max_connections`` connections are served at once
(503 beyond); idle connections close after ``idle_timeout_s``. Malformed JSON and records that do not fit the
signature get 400 naming the field; inputs the model itself rejects (an unseen label with
``handleInvalid='error'``) 422; a scoring failure 500; the server stays up whatever a request holds.

Every request is logged (``mmlspark_py.serving.access``: client, method, path, status, records, ms).
Keep-alive connections set TCP_NODELAY (without it, Nagle's algorithm and delayed ACKs add ~40 ms per reply).
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

from mmlspark_py.serving.batcher import BatchTimeout, MicroBatcher
from mmlspark_py.serving.fast_path import ScoringError, Unsupported, compile_local
from mmlspark_py.serving.metrics import ServerMetrics
from mmlspark_py.serving.openapi import openapi
from mmlspark_py.serving.records import RecordReader, RequestError, output_records
from mmlspark_py.serving.spark_path import SparkModel
from mmlspark_py.tracking import ModelIO

PATHS = ("auto", "fast", "spark")
access_log = logging.getLogger("mmlspark_py.serving.access")
_log = logging.getLogger(__name__)


class ServingConfig:
    """Limits and options of a server (see the module docstring)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8080,
        token: Optional[str] = None,
        path: str = "auto",
        max_request_bytes: int = 1 << 20,
        max_records: int = 1000,
        max_batch_rows: int = 1000,
        batch_wait_ms: float = 0.0,
        max_connections: int = 256,
        idle_timeout_s: float = 30.0,
        request_timeout_s: float = 60.0,
    ):
        if path not in PATHS:
            raise ValueError(f"path must be one of {PATHS}, got {path!r}")
        for name, value in (
            ("max_request_bytes", max_request_bytes),
            ("max_records", max_records),
            ("max_batch_rows", max_batch_rows),
            ("max_connections", max_connections),
        ):
            if value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        self.host, self.port, self.token, self.path = host, port, token, path
        self.max_request_bytes, self.max_records = max_request_bytes, max_records
        self.max_batch_rows, self.batch_wait_s = max_batch_rows, batch_wait_ms / 1000.0
        self.max_connections, self.idle_timeout_s = max_connections, idle_timeout_s
        self.request_timeout_s = request_timeout_s


def choose_path(model: Any, io: ModelIO, path: str, spark: Any) -> Tuple[str, Any, Optional[str]]:
    """``(path name, scorer, why not fast)`` for ``path`` in auto/fast/spark."""
    reason = None
    if path in ("auto", "fast"):
        try:
            return "fast", compile_local(model, io), None
        except Unsupported as e:
            if path == "fast":
                raise
            reason = str(e)
    if spark is None:
        from mmlspark_py.core.session import get_spark

        spark = get_spark()
    return "spark", SparkModel(model, io, spark), reason


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: Tuple[str, int], app: ModelServer):
        self.app = app
        self.slots = threading.BoundedSemaphore(app.config.max_connections)
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            try:
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                    b"Connection: close\r\nContent-Length: 43\r\n\r\n"
                    b'{"error": "too many connections; retry"}\r\n'
                )
            finally:
                self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that hung up mid-answer is not a server error
        _log.debug("connection from %s ended abnormally", client_address, exc_info=True)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mmlspark-py"
    sys_version = ""
    server: _HTTPServer

    def setup(self) -> None:
        self.request.settimeout(self.server.app.config.idle_timeout_s)  # idle keep-alive connections end
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # our access log is written per request in _finish

    def _send(
        self,
        status: int,
        body: Any,
        headers: Optional[Dict[str, str]] = None,
        content_type: str = "application/json",
        close: bool = False,
    ) -> int:
        data = body if isinstance(body, bytes) else json.dumps(body, allow_nan=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)
        return status

    def _error(self, status: int, message: str, close: bool = False, headers: Optional[Dict[str, str]] = None) -> int:
        return self._send(status, {"error": message}, headers=headers, close=close)

    def _authorized(self) -> bool:
        token = self.server.app.config.token
        if token is None:
            return True
        given = self.headers.get("Authorization", "")
        return given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode())

    def _finish(self, endpoint: str, status: int, started: float, records: int = 0) -> None:
        seconds = time.perf_counter() - started
        self.server.app.metrics.request(endpoint, status, seconds, records)
        access_log.info(
            '%s "%s %s" %d %d %.2fms', self.client_address[0], self.command, self.path, status, records, seconds * 1000
        )

    def do_GET(self) -> None:
        started = time.perf_counter()
        app = self.server.app
        path = self.path.split("?", 1)[0]
        if path == "/health":
            status = self._send(200, app.health())
        elif path not in ("/metrics", "/openapi.json", "/"):
            status = self._error(
                404, f"no endpoint {path}; endpoints: POST /predict, GET /health, /metrics, /openapi.json"
            )
        elif not self._authorized():
            status = self._error(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})
        elif path == "/metrics":
            status = self._send(200, app.metrics.render().encode(), content_type="text/plain; version=0.0.4")
        elif path == "/openapi.json":
            status = self._send(200, app.openapi)
        else:
            status = self._send(
                200,
                {**app.health(), "endpoints": ["POST /predict", "GET /health", "GET /metrics", "GET /openapi.json"]},
            )
        self._finish(path if path in ("/health", "/metrics", "/openapi.json", "/") else "other", status, started)

    def do_POST(self) -> None:
        started = time.perf_counter()
        path = self.path.split("?", 1)[0]
        records = 0
        app = self.server.app
        with app.in_flight():
            try:
                status, records = self._predict(path)
            except Exception as e:  # noqa: BLE001 - the server must stay up whatever happens
                _log.exception("request failed")
                status = self._error(500, f"internal error: {type(e).__name__}: {e}"[:1000], close=True)
        self._finish("/predict" if path == "/predict" else "other", status, started, records)

    def _read_body(self) -> Tuple[Optional[bytes], int]:
        config = self.server.app.config
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None, self._error(411, "send the body with a Content-Length, not chunked", close=True)
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return None, self._error(411, "Content-Length is required", close=True)
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError
        except ValueError:
            return None, self._error(400, f"Content-Length {length_text!r} is not a byte count", close=True)
        if length > config.max_request_bytes:
            return None, self._error(
                413,
                f"the request body has {length} bytes; the limit is "
                f"{config.max_request_bytes} (send fewer records per request)",
                close=True,
            )
        return self.rfile.read(length), 0

    def _predict(self, path: str) -> Tuple[int, int]:
        if path != "/predict":
            return self._error(
                404 if path not in ("/health", "/metrics", "/openapi.json", "/") else 405,
                f"POST {path}: use POST /predict",
            ), 0
        if not self._authorized():  # before reading the body: a stranger's bytes are not read
            return self._error(
                401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}, close=True
            ), 0
        body, status = self._read_body()
        if body is None:
            return status, 0
        app = self.server.app
        try:
            payload = json.loads(body.decode("utf-8"))  # RFC 8259: JSON between systems is UTF-8
        except UnicodeDecodeError:
            return self._error(400, "the body is not UTF-8 text"), 0
        except json.JSONDecodeError as e:
            return self._error(400, f"malformed JSON: {e.msg} at line {e.lineno} column {e.colno}"), 0
        single = isinstance(payload, dict)
        records: List[Any] = [payload] if single else payload if isinstance(payload, list) else None  # type: ignore
        if records is None:
            return self._error(
                400, f"expected a JSON object (one record) or a list of records, got {type(payload).__name__}"
            ), 0
        if not records:
            return self._error(400, "the list of records is empty"), 0
        if len(records) > app.config.max_records:
            return self._error(413, f"{len(records)} records; the limit is {app.config.max_records} per request"), 0
        try:
            rows = app.reader.rows(records)
            outputs = app.batcher.submit(rows, timeout=app.config.request_timeout_s)
        except RequestError as e:
            return self._error(e.status, str(e)), len(records)
        except ScoringError as e:
            return self._error(422, str(e)), len(records)
        except BatchTimeout:
            return self._error(
                503, f"no result within {app.config.request_timeout_s} s; the server is overloaded"
            ), len(records)
        answer = output_records(outputs)
        return self._send(200, answer[0] if single else answer, headers=app.response_headers), len(records)


class ModelServer:
    """An HTTP server for a fitted model with its signature (see the module docstring).

    Build it with :meth:`for_uri` (a registered model) or directly with a loaded model; run it with
    :meth:`serve_forever` (blocks) or :meth:`start` (a background thread, e.g. in tests); :meth:`close` stops it.
    """

    def __init__(
        self,
        model: Any,
        io: ModelIO,
        config: Optional[ServingConfig] = None,
        name: str = "model",
        version: str = "",
        spark: Any = None,
    ):
        self.config = config or ServingConfig()
        self.io, self.name, self.version = io, name, str(version)
        self.path, self.scorer, self.fast_path_reason = choose_path(model, io, self.config.path, spark)
        self.reader = RecordReader(io.input_schema)
        self.metrics = ServerMetrics(name, self.version, self.path)
        self.batcher = MicroBatcher(
            self.scorer.predict, self.config.max_batch_rows, self.config.batch_wait_s, on_batch=self.metrics.batch
        )
        self.openapi = openapi(
            io,
            f"mmlspark-py model {name}",
            self.version or "unversioned",
            self.config.max_records,
            self.config.token is not None,
        )
        self.response_headers = {"X-Model-Version": self.version or "none", "X-Scoring-Path": self.path}
        self._lock = threading.Lock()
        self.httpd = _HTTPServer((self.config.host, self.config.port), self)
        self._thread: Optional[threading.Thread] = None
        self._serving = False

    @classmethod
    def for_uri(cls, uri: str, config: Optional[ServingConfig] = None, spark: Any = None) -> ModelServer:
        """A server for the registered model ``uri`` (``models:/name@alias``, ``models:/name/3``, ...)."""
        from mmlspark_py.registry import load_model, resolve

        resolved = resolve(uri)
        if resolved.io is None:
            raise ValueError(
                f"{uri} has no mmlspark-py signature (it was not registered with "
                "mmlspark_py.registry.register_model); re-register it with its training data"
            )
        model = load_model(uri, spark)
        return cls(model, resolved.io, config, resolved.name or uri, str(resolved.version or ""), spark)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def health(self) -> Dict[str, Any]:
        return {
            "status": "ok",
            "model": self.name,
            "version": self.version,
            "path": self.path,
            "inputs": self.io.inputs,
            "outputs": self.io.outputs,
        }

    def in_flight(self) -> _InFlight:
        return _InFlight(self.metrics, self._lock)

    def serve_forever(self) -> None:
        """Serve until :meth:`close` is called (from another thread or a signal handler)."""
        self._serving = True
        try:
            self.httpd.serve_forever(poll_interval=0.5)
        finally:
            self.httpd.server_close()
            self.batcher.close()

    def start(self) -> ModelServer:
        """Serve from a background thread; returns this server."""
        self._serving = True
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="mmlspark-serve", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving (waits for the serving loop to end) and release the port."""
        if self._serving:
            self.httpd.shutdown()
        self.httpd.server_close()
        self.batcher.close()
        if self._thread is not None:
            self._thread.join(timeout=10)


class _InFlight:
    def __init__(self, metrics: ServerMetrics, lock: threading.Lock):
        self.metrics, self.lock = metrics, lock

    def __enter__(self) -> None:
        with self.lock:
            self.metrics.in_flight += 1

    def __exit__(self, *exc: Any) -> None:
        with self.lock:
            self.metrics.in_flight -= 1
