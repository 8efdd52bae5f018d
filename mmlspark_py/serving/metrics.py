"""The server's metrics, as Prometheus text (``GET /metrics``).

Counters of requests by endpoint and status, records and batches scored, and histograms of request latency
and batch size. The label sets are fixed (known endpoints, status codes), so memory stays flat however many
requests are served.
"""

from __future__ import annotations

import bisect
import threading
from typing import Dict, List, Sequence, Tuple

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class Histogram:
    """Cumulative buckets, sum and count (Prometheus histogram)."""

    def __init__(self, buckets: Sequence[float]):
        self.buckets = tuple(buckets)
        self.counts = [0] * (len(self.buckets) + 1)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value
        self.count += 1

    def lines(self, name: str, labels: str = "") -> List[str]:
        out, cumulative = [], 0
        sep = "," if labels else ""
        for bound, count in zip(self.buckets, self.counts):
            cumulative += count
            out.append(f'{name}_bucket{{{labels}{sep}le="{bound}"}} {cumulative}')
        out.append(f'{name}_bucket{{{labels}{sep}le="+Inf"}} {self.count}')
        suffix = f"{{{labels}}}" if labels else ""
        out += [f"{name}_sum{suffix} {self.total}", f"{name}_count{suffix} {self.count}"]
        return out


class ServerMetrics:
    """Thread-safe counters and histograms of one server."""

    def __init__(self, model: str, version: str, path: str):
        self._lock = threading.Lock()
        self.info = {"model": model, "version": version, "path": path}
        self.requests: Dict[Tuple[str, int], int] = {}
        self.latency = Histogram(LATENCY_BUCKETS)
        self.batch_rows = Histogram(BATCH_BUCKETS)
        self.batch_seconds = Histogram(LATENCY_BUCKETS)
        self.records = 0
        self.in_flight = 0

    def request(self, endpoint: str, status: int, seconds: float, records: int = 0) -> None:
        with self._lock:
            key = (endpoint, status)
            self.requests[key] = self.requests.get(key, 0) + 1
            self.latency.observe(seconds)
            self.records += records

    def batch(self, rows: int, seconds: float) -> None:
        with self._lock:
            self.batch_rows.observe(rows)
            self.batch_seconds.observe(seconds)

    def render(self) -> str:
        with self._lock:
            info = ",".join(f'{k}="{v}"' for k, v in self.info.items())
            lines = [
                "# TYPE mmlspark_model_info gauge",
                f"mmlspark_model_info{{{info}}} 1",
                "# TYPE mmlspark_requests_total counter",
            ]
            lines += [
                f'mmlspark_requests_total{{endpoint="{e}",status="{s}"}} {n}'
                for (e, s), n in sorted(self.requests.items())
            ]
            lines += [
                "# TYPE mmlspark_records_total counter",
                f"mmlspark_records_total {self.records}",
                "# TYPE mmlspark_in_flight_requests gauge",
                f"mmlspark_in_flight_requests {self.in_flight}",
                "# TYPE mmlspark_request_seconds histogram",
                *self.latency.lines("mmlspark_request_seconds"),
                "# TYPE mmlspark_batch_rows histogram",
                *self.batch_rows.lines("mmlspark_batch_rows"),
                "# TYPE mmlspark_batch_seconds histogram",
                *self.batch_seconds.lines("mmlspark_batch_seconds"),
            ]
        return "\n".join(lines) + "\n"
