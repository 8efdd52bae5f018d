"""Starting, watching and stopping training processes (:mod:`mmlspark_py.dl.worker_entry`).

A :class:`WorkerProcess` writes a worker's ``WORKDIR`` (its :class:`~mmlspark_py.dl.worker.WorkerInfo` and the
pickled payload), starts ``python -m mmlspark_py.dl.worker_entry`` with the environment the info asks for, and pumps
its merged stdout/stderr line by line to a callback (the driver's log stream, the task's stderr) while keeping
the last lines for the error message if it fails. The process dies with its launcher: it asks Linux for
SIGKILL when its parent dies (``PR_SET_PDEATHSIG``), so a barrier task that Spark kills, or a driver that
exits, leaves no training process behind holding a port and a GPU.

Example::

    proc = WorkerProcess(info, workdir, payload, on_line=print)
    proc.start()
    proc.check()        # waits; raises WorkerFailedError with the output's tail on a non-zero exit
"""

from __future__ import annotations

import collections
import os
import socket
import subprocess
import sys
import threading
from typing import Callable, Deque, Dict, Optional

from mmlspark_py.dl.worker import PAYLOAD_FILE, RESULT_FILE, WORKER_FILE_ENV, WorkerInfo

TAIL_LINES = 40


class WorkerFailedError(RuntimeError):
    """A training process exited with an error; the message holds its rank, exit code and last output lines."""


def free_port(host: str) -> int:
    """A TCP port free on ``host`` right now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host if host not in ("localhost", "") else "127.0.0.1", 0))
        return int(s.getsockname()[1])


class WorkerProcess:
    """One training process: started, its output pumped to ``on_line``, waited for."""

    def __init__(
        self,
        info: WorkerInfo,
        workdir: str,
        payload: bytes,
        on_line: Callable[[str], None],
        extra_env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.info = info
        self.workdir = workdir
        self.payload = payload
        self.on_line = on_line
        self.extra_env = dict(extra_env or {})
        self.tail: Deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._proc: Optional[subprocess.Popen] = None
        self._pump: Optional[threading.Thread] = None

    def start(self) -> None:
        os.makedirs(self.workdir, exist_ok=True)
        info_path = self.info.save(self.workdir)
        with open(os.path.join(self.workdir, PAYLOAD_FILE), "wb") as f:
            f.write(self.payload)
        env = {**os.environ, **self.extra_env, **self.info.environment(), WORKER_FILE_ENV: info_path}
        if "TF_CONFIG" not in self.info.environment():
            env.pop("TF_CONFIG", None)  # a single worker joins no cluster, whatever the executor's env says
        cmd = [
            sys.executable,
            "-u",
            "-m",
            "mmlspark_py.dl.worker_entry",
            "--rank",
            str(self.info.rank),
            "--parent-pid",
            str(os.getpid()),
            self.workdir,
        ]
        self._proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.workdir
        )
        self._pump = threading.Thread(target=self._read, name=f"mmlspark-dl-worker-{self.info.rank}", daemon=True)
        self._pump.start()

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for raw in self._proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.tail.append(line)
            try:
                self.on_line(line)
            except Exception:  # noqa: BLE001 - a broken log sink must not stop the pump (the pipe would fill)
                pass

    @property
    def pid(self) -> Optional[int]:
        return None if self._proc is None else self._proc.pid

    def poll(self) -> Optional[int]:
        return None if self._proc is None else self._proc.poll()

    def wait(self) -> int:
        assert self._proc is not None, "start() first"
        code = self._proc.wait()
        if self._pump is not None:
            self._pump.join(timeout=10)
        return code

    def kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()

    def check(self) -> None:
        """Wait for the process; raise :class:`WorkerFailedError` unless it exited with 0."""
        code = self.wait()
        if code != 0:
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            tail = "\n".join(self.tail) or "(no output)"
            raise WorkerFailedError(
                f"training worker {self.info.rank} of {self.info.size} {how}; its last output lines:\n{tail}"
            )

    def result(self) -> bytes:
        """Rank 0's pickled return value (after :meth:`check`)."""
        with open(os.path.join(self.workdir, RESULT_FILE), "rb") as f:
            return f.read()
