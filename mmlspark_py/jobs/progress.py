"""Console progress for long jobs: the job's steps, and its Spark stages' task counts while they run.

``ConsoleProgress(spark)`` prints each ``step("...")`` with the elapsed time, and (from a daemon thread that
polls Spark's status tracker every ``interval`` seconds) one line per running stage whose completed-task count
changed::

    [mmlspark-py] [   0.0s] score: reading the model models:/income@champion
    [mmlspark-py] [   4.1s] stage 3 (parquet at score_job.py:81): 12/40 tasks
    [mmlspark-py] [  12.9s] score: wrote /data/scored (parquet)

Lines go to stderr, so stdout stays free for results. Off like all of the library's progress
(:mod:`mmlspark_py.core.progress`: ``mmlspark-py --no-progress``, ``MMLSPARK_PY_PROGRESS=0``). Spark Connect
sessions (no status tracker) show steps only.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Dict, Optional, TextIO, Tuple

from mmlspark_py.core import progress


class ConsoleProgress:
    """Steps and Spark stage progress on a stream; use as a context manager (stops the poller on exit)."""

    def __init__(
        self, spark: Any = None, stream: Optional[TextIO] = None, interval: float = 2.0, enabled: Optional[bool] = None
    ):
        self.spark = spark
        self.stream = stream or sys.stderr
        self.interval = interval
        # off with --no-progress / MMLSPARK_PY_PROGRESS=0, as all of the library's progress
        self.enabled = progress.enabled() if enabled is None else enabled
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._shown: Dict[int, Tuple[int, int]] = {}
        self._lock = threading.Lock()

    def _print(self, text: str) -> None:
        if self.enabled:
            with self._lock:
                print(
                    f"{progress.PREFIX} [{time.monotonic() - self._start:7.1f}s] {text}", file=self.stream, flush=True
                )

    def step(self, text: str) -> None:
        """Print one step of the job."""
        self._print(text)

    def _tracker(self) -> Any:
        try:
            return self.spark.sparkContext.statusTracker()
        except Exception:  # noqa: BLE001 - Spark Connect has no SparkContext: steps only
            return None

    def poll(self) -> None:
        """Print the stages whose progress changed since the last poll (also called by the poller thread)."""
        tracker = self._tracker()
        if tracker is None:
            return
        for stage_id in sorted(tracker.getActiveStageIds()):
            info = tracker.getStageInfo(stage_id)
            if info is None or info.numTasks == 0:
                continue
            state = (info.numCompletedTasks, info.numTasks)
            if self._shown.get(stage_id) != state:
                self._shown[stage_id] = state
                self._print(
                    f"stage {stage_id} ({info.name}): {state[0]}/{state[1]} tasks"
                    + (f", {info.numActiveTasks} running" if info.numActiveTasks else "")
                )

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - progress output must never break the job
                return

    def __enter__(self) -> ConsoleProgress:
        if self.enabled and self.spark is not None and self._tracker() is not None:
            self._thread = threading.Thread(target=self._run, name="mmlspark-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 1)
