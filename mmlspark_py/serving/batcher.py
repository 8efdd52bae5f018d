"""Micro-batching: concurrent requests are scored together, one model call per batch.

One worker thread takes every request waiting when it becomes free (up to ``max_rows`` rows; optionally
waiting ``max_wait_s`` for more after the first arrives) and scores them in one call. Under load, batches grow
by themselves while the previous one runs; a lone request waits for nobody (``max_wait_s=0``).

When a batch fails, each of its requests is scored alone, so one bad request fails only itself.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Any, Callable, Deque, List, Optional, Sequence


class _Pending:
    __slots__ = ("rows", "done", "result", "error")

    def __init__(self, rows: Sequence[Any]):
        self.rows = rows
        self.done = threading.Event()
        self.result: Optional[List[Any]] = None
        self.error: Optional[BaseException] = None


class BatchTimeout(TimeoutError):
    """The request waited longer than its timeout for its batch."""


class MicroBatcher:
    """Scores submitted row lists in batches through ``predict(rows) -> results`` (one result per row).

    :param max_rows: at most this many rows per batch (a single larger request is scored alone).
    :param max_wait_s: after the first request of a batch arrives, wait this long for more (0: never wait).
    :param on_batch: called with (rows, seconds) after each batch (metrics).
    """

    def __init__(
        self,
        predict: Callable[[Sequence[Any]], List[Any]],
        max_rows: int = 1000,
        max_wait_s: float = 0.0,
        on_batch: Optional[Callable[[int, float], None]] = None,
        name: str = "mmlspark-batcher",
    ):
        self.predict, self.max_rows, self.max_wait_s, self.on_batch = predict, max_rows, max_wait_s, on_batch
        self._queue: Deque[_Pending] = collections.deque()
        self._cond = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._loop, name=name, daemon=True)
        self._worker.start()

    def submit(self, rows: Sequence[Any], timeout: Optional[float] = None) -> List[Any]:
        """The results for ``rows``; raises what scoring raised, or :class:`BatchTimeout`."""
        pending = _Pending(rows)
        with self._cond:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            self._queue.append(pending)
            self._cond.notify()
        if not pending.done.wait(timeout):
            raise BatchTimeout(f"no result within {timeout} s")
        if pending.error is not None:
            raise pending.error
        return pending.result  # type: ignore[return-value]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._worker.join(timeout=10)

    def _take(self) -> List[_Pending]:
        with self._cond:
            while not self._queue and not self._closed:
                self._cond.wait()
            if not self._queue:
                return []
            if self.max_wait_s > 0:
                deadline = time.monotonic() + self.max_wait_s
                while sum(len(p.rows) for p in self._queue) < self.max_rows and not self._closed:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
            batch = [self._queue.popleft()]
            rows = len(batch[0].rows)
            while self._queue and rows + len(self._queue[0].rows) <= self.max_rows:
                rows += len(self._queue[0].rows)
                batch.append(self._queue.popleft())
            return batch

    def _run(self, batch: List[_Pending]) -> None:
        rows = [row for p in batch for row in p.rows]
        started = time.perf_counter()
        try:
            results = self.predict(rows)
        except BaseException as e:  # noqa: BLE001 - handed to the waiting requests
            if len(batch) > 1:
                for pending in batch:  # isolate the request that failed
                    self._run([pending])
                return
            batch[0].error = e
            batch[0].done.set()
            return
        if self.on_batch is not None:
            self.on_batch(len(rows), time.perf_counter() - started)
        start = 0
        for pending in batch:
            pending.result = results[start : start + len(pending.rows)]
            start += len(pending.rows)
            pending.done.set()

    def _loop(self) -> None:
        while True:
            batch = self._take()
            if not batch:
                return
            self._run(batch)
