"""Worker log lines streamed to the driver while a distributed training job runs.

The driver starts a :class:`LogServer` (a TCP server on the driver's host, port chosen by the OS); each barrier
task connects a :class:`LogForwarder` and sends its training process's output line by line. The server writes
every line to its sink (the driver's stderr by default, where notebooks and ``spark-submit`` show it) and keeps
the last lines for error messages. A client must first send the run's random token, so stray connections are
dropped; lines longer than :data:`MAX_LINE_BYTES` are cut.

A worker whose training function raised an error a retry would repeat sends one :data:`FATAL_MARKER` line; the
server hands its report to ``on_fatal`` (the distributor then stops the job instead of letting Spark retry it).

Log streaming never fails a training job: a forwarder that cannot connect or loses its connection stops
forwarding (the task's own stderr, in the executor log, still has every line).

Example::

    with LogServer("127.0.0.1") as server:
        forwarder = LogForwarder(server.address)      # in a task
        forwarder.send("[worker 1] epoch 1 loss=0.53")
"""

from __future__ import annotations

import collections
import json
import secrets
import socket
import socketserver
import sys
import threading
from typing import Any, Callable, Deque, Dict, List, Optional, TextIO, Tuple

MAX_LINE_BYTES = 16 * 1024
FATAL_MARKER = "MMLSPARK_DL_FATAL "
KEEP_LINES = 2000

Address = Tuple[str, int, str]  # host, port, token


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        token = self.rfile.readline(MAX_LINE_BYTES + 1).rstrip(b"\r\n").decode("utf-8", "replace")
        if not secrets.compare_digest(token, self.server.token):
            return
        while True:
            raw = self.rfile.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not raw.endswith(b"\n"):  # over-long line: keep its start, drop the rest of it
                rest = raw
                while rest and not rest.endswith(b"\n"):
                    rest = self.rfile.readline(MAX_LINE_BYTES + 1)
                line += " [line cut]"
            self.server.emit(line)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, sink: TextIO, on_fatal: Optional[Callable[[Dict[str, Any]], None]]) -> None:
        super().__init__((host, 0), _Handler)
        self.token = secrets.token_hex(16)
        self.sink = sink
        self.on_fatal = on_fatal
        self.lines: Deque[str] = collections.deque(maxlen=KEEP_LINES)
        self.lock = threading.Lock()

    def emit(self, line: str) -> None:
        with self.lock:
            self.lines.append(line)
            try:
                self.sink.write(line + "\n")
                self.sink.flush()
            except (OSError, ValueError):  # a closed sink (e.g. a notebook's replaced stream) must not kill us
                pass
        if self.on_fatal is not None and FATAL_MARKER in line:
            try:
                report = json.loads(line.split(FATAL_MARKER, 1)[1])
            except ValueError:
                return
            if isinstance(report, dict):
                self.on_fatal(report)


class LogServer:
    """Receives worker log lines on ``host`` and writes them to ``sink`` (default: the driver's stderr).

    Use as a context manager; :attr:`address` is what forwarders connect to, :attr:`lines` the recent lines.
    ``on_fatal(report)`` is called for a line holding :data:`FATAL_MARKER` and a JSON report (a worker's error
    that a retry would only repeat; see :mod:`mmlspark_py.dl.worker_entry`).
    """

    def __init__(
        self, host: str, sink: Optional[TextIO] = None, on_fatal: Optional[Callable[[Dict[str, Any]], None]] = None
    ) -> None:
        self._server = _Server(host, sink or sys.stderr, on_fatal)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="mmlspark-dl-log-server", daemon=True
        )

    @property
    def address(self) -> Address:
        host, port = self._server.server_address[:2]
        return str(host), int(port), self._server.token

    @property
    def lines(self) -> List[str]:
        with self._server.lock:
            return list(self._server.lines)

    def __enter__(self) -> LogServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class LogForwarder:
    """Sends lines to a :class:`LogServer`; silently stops when the server cannot be reached."""

    def __init__(self, address: Optional[Address], timeout: float = 5.0) -> None:
        self._sock: Optional[socket.socket] = None
        if address is None:
            return
        host, port, token = address
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout)
            self._sock.sendall(token.encode("ascii") + b"\n")
        except OSError as e:
            print(
                f"mmlspark_py.dl: cannot stream logs to the driver at {host}:{port} ({e}); they stay in this "
                "executor's log",
                file=sys.stderr,
            )
            self._sock = None

    def send(self, line: str) -> None:
        if self._sock is None:
            return
        data = line.rstrip("\r\n").encode("utf-8", "replace")[: MAX_LINE_BYTES - 1] + b"\n"
        try:
            self._sock.sendall(data)
        except OSError:
            self.close()

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None
