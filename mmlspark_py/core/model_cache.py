"""Per-process cache of loaded models (ONNX sessions, TensorFlow models, tokenizers, ...).

Python workers are reused across tasks (``spark.python.worker.reuse``), so a model loaded once per worker
process serves every task and batch that process runs. Keys are content hashes, so two stages holding the
same model share one loaded copy and a changed model is never served stale.

Payloads reach executors once through :class:`SharedPayload` (a Spark broadcast, fetched once per executor),
not once per task inside each task's closure.

Example (inside a batch function)::

    session = get_or_create(("onnx", payload.key, "CPU"), lambda: ort.InferenceSession(payload.value))
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional, TypeVar

from mmlspark_py.core.spark_compat import has_jvm

T = TypeVar("T")

MAX_MODELS = 8
_cache: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()
_key_locks: dict[Hashable, threading.Lock] = {}


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``: the identity of a model payload."""
    return hashlib.sha256(data).hexdigest()


def get_or_create(key: Hashable, factory: Callable[[], T]) -> T:
    """The cached object for ``key``, built by ``factory()`` the first time in this process.

    Least-recently-used entries beyond :data:`MAX_MODELS` are dropped. Concurrent callers with the same key
    wait for one build instead of building twice.
    """
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        key_lock = _key_locks.setdefault(key, threading.Lock())
    with key_lock:
        with _lock:
            if key in _cache:
                return _cache[key]
        value = factory()
        with _lock:
            _cache[key] = value
            while len(_cache) > MAX_MODELS:
                evicted, _ = _cache.popitem(last=False)
                _key_locks.pop(evicted, None)
        return value


def clear() -> None:
    """Drop every cached object in this process."""
    with _lock:
        _cache.clear()
        _key_locks.clear()


class SharedPayload:
    """Bytes shipped to executors once (a broadcast) and identified by their sha256.

    Build it on the driver with :func:`broadcast_once` and capture it in a batch function; ``value`` reads the
    bytes wherever it runs. On a Spark Connect client (no SparkContext to broadcast with) the bytes travel
    inside the function's closure instead.
    """

    def __init__(self, spark: Any, data: bytes):
        self.key = sha256_hex(data)
        self._inline: Optional[bytes] = None
        self._broadcast: Any = None
        if has_jvm(spark):
            self._broadcast = spark.sparkContext.broadcast(data)
        else:
            self._inline = bytes(data)

    @property
    def value(self) -> bytes:
        return self._inline if self._inline is not None else self._broadcast.value


def broadcast_once(spark: Any, data: bytes) -> SharedPayload:
    """The :class:`SharedPayload` of ``data``: one broadcast per application and payload digest.

    Every stage that ships a model to executors calls this, so transforming twice (or two stages holding the
    same model) never broadcasts the bytes again.
    """
    digest = sha256_hex(data)
    app = spark.sparkContext.applicationId if has_jvm(spark) else f"connect-{id(spark)}"
    return get_or_create(("broadcast", app, digest), lambda: SharedPayload(spark, data))
