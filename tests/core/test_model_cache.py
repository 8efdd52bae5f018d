import threading

from mmlspark_py.core import model_cache


def test_builds_once_per_key_even_under_concurrency():
    model_cache.clear()
    calls = []

    def factory():
        calls.append(1)
        return object()

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(model_cache.get_or_create("k", factory))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1


def test_least_recently_used_is_evicted(monkeypatch):
    model_cache.clear()
    monkeypatch.setattr(model_cache, "MAX_MODELS", 2)
    a = model_cache.get_or_create("a", object)
    model_cache.get_or_create("b", object)
    assert model_cache.get_or_create("a", object) is a  # a is now most recent
    model_cache.get_or_create("c", object)  # evicts b
    assert model_cache.get_or_create("a", object) is a
    assert model_cache.get_or_create("b", lambda: "rebuilt") == "rebuilt"


def test_shared_payload_reaches_executors_by_hash(spark):
    payload = model_cache.SharedPayload(spark, b"weights" * 1000)
    assert payload.key == model_cache.sha256_hex(b"weights" * 1000)
    sizes = spark.sparkContext.parallelize(range(4), 2).map(lambda _: len(payload.value)).collect()
    assert sizes == [7000] * 4
