"""ONNXModel throughput on EfficientNet-Lite0 against bare onnxruntime and a row-at-a-time Python UDF.

The same pre-processed 224x224 tensors (random, fixed seed: the model's cost does not depend on the values)
are scored, all after a warm-up (sessions created, Python workers started):

1. ours: ``ONNXModel`` on ``local[2]`` over a cached DataFrame of raw tensors (``binary``, one buffer per row:
   the fast form) and, for comparison, of flat ``array<float>`` tensors (the JVM converts those element by
   element), one task per core (``spark.task.cpus`` = 1 onnxruntime thread each), written to the ``noop`` sink;
2. baseline: bare onnxruntime in this process with 2 intra-op threads (the same total thread count), batches of
   the same size over numpy arrays already in memory;
3. a row-at-a-time pickled Python UDF that caches its session per worker (the naive Spark way).

Each timed run is repeated ``--repeats`` times (default 3), alternating ours and the baseline; medians count.
Prints ``onnx_inference: ratio=ours/baseline (ours X/s, baseline Y/s)`` (binary tensors), the same for nested
arrays, and the speed-up over the UDF, with the load average. ``--arrow-bytes 64m,8m`` also races the binary
form under each ``spark.sql.execution.arrow.maxBytesPerBatch`` (the size of the Arrow batches the JVM builds),
alternating with the baseline in the same session, and prints a ratio for each.

    python benchmarks/onnx_inference.py [--rows 2000] [--batch 64] [--repeats 3] [--quick] [--model PATH]
                                        [--arrow-bytes 64m,8m]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

DEFAULT_MODEL = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "models", "efficientnet_lite0.onnx"
)
SIZE = 3 * 224 * 224


def write_tensors(path: str, rows: int, seed: int = 0) -> None:
    """``rows`` tensors as a Parquet file of ``id int, tensor array<float>, raw binary`` (the same values twice)."""
    from mmlspark_py.core.tensors import raw_tensor_column

    rng = np.random.default_rng(seed)
    writer = None
    for start in range(0, rows, 250):
        n = min(250, rows - start)
        flat = rng.standard_normal(n * SIZE, dtype=np.float32)
        tensors = pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32) * SIZE), pa.array(flat))
        raw = raw_tensor_column(list(flat.reshape(n, SIZE)))
        table = pa.table({"id": pa.array(np.arange(start, start + n, dtype=np.int32)), "tensor": tensors, "raw": raw})
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def baseline_session(model: str):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def baseline_rate(session, tensors: np.ndarray, batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(tensors), batch):
        session.run(["logits"], {"image": tensors[i : i + batch]})
    return len(tensors) / (time.perf_counter() - start)


def spark_rate(df, transform) -> float:
    start = time.perf_counter()
    transform(df).write.format("noop").mode("overwrite").save()
    return df.count() / (time.perf_counter() - start)


def alternating(runs, repeats: int):
    """``{name: median rate}`` of ``runs`` (name -> a function returning rows/s), run ``repeats`` times in turn."""
    rates = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            rates[name].append(run())
    return {name: statistics.median(r) for name, r in rates.items()}


def with_conf(spark, key: str, value: str, run):
    """``run`` with the session setting ``key`` set to ``value``, then restored."""

    def wrapped():
        before = spark.conf.get(key)
        spark.conf.set(key, value)
        try:
            return run()
        finally:
            spark.conf.set(key, before)

    return wrapped


def row_udf(model_bytes_path: str):
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, FloatType

    sessions = {}

    def score(tensor):
        import onnxruntime as ort

        if "s" not in sessions:
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            sessions["s"] = ort.InferenceSession(model_bytes_path, options, providers=["CPUExecutionProvider"])
        x = np.asarray(tensor, np.float32).reshape(1, 3, 224, 224)
        return sessions["s"].run(["logits"], {"image": x})[0][0].tolist()

    return F.udf(score, ArrayType(FloatType()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--udf-rows", type=int, default=300, help="rows for the (slow) row-at-a-time UDF")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--quick", action="store_true", help="256 rows, 64 for the UDF, one repeat (a smoke run)")
    parser.add_argument("--arrow-bytes", default="", help="comma-separated maxBytesPerBatch values to race")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.udf_rows, args.repeats = 256, 64, 1

    from mmlspark_py.core.session import get_spark
    from mmlspark_py.onnx import ONNXModel

    model = os.path.abspath(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tensors.parquet")
        write_tensors(path, args.rows)
        spark = get_spark(
            "local[2]",
            "onnx_inference",
            {"spark.driver.memory": "6g", "spark.sql.execution.arrow.maxRecordsPerBatch": "256"},
        )
        tensors = pq.read_table(path, columns=["raw"]).column("raw").combine_chunks()
        tensors = np.frombuffer(tensors.buffers()[2], np.float32).reshape(-1, 3, 224, 224)
        session = baseline_session(model)
        session.run(["logits"], {"image": tensors[: args.batch]})  # warm-up
        results = {}
        for form in ("raw", "tensor"):
            df = spark.read.parquet(path).select("id", form).repartition(8).cache()
            df.count()
            stage = ONNXModel(
                feedDict={"image": form}, fetchDict={"logits": "logits"}, deviceType="CPU", miniBatchSize=args.batch
            ).setModelLocation(model)
            spark_rate(df.limit(64), stage.transform)  # warm-up: workers and sessions
            ours = functools.partial(spark_rate, df, stage.transform)
            base = functools.partial(baseline_rate, session, tensors, args.batch)
            rates = alternating({"ours": ours, "base": base}, args.repeats)
            results[form] = (rates["ours"], rates["base"])
            if form == "raw" and args.arrow_bytes:
                key = "spark.sql.execution.arrow.maxBytesPerBatch"
                runs = {b: with_conf(spark, key, b, ours) for b in args.arrow_bytes.split(",")}
                results["bounds"] = alternating({**runs, "base": base}, args.repeats)
            if form == "tensor":
                small = df.limit(args.udf_rows).repartition(2).cache()
                by_row = row_udf(model)
                spark_rate(small.limit(8), lambda d, f=by_row: d.withColumn("logits", f("tensor")))
                udf_rate = spark_rate(small, lambda d, f=by_row: d.withColumn("logits", f("tensor")))
                small.unpersist()
            df.unpersist()
    load = os.getloadavg()[0]
    (ours, base), (nested, nested_base) = results["raw"], results["tensor"]
    print(
        f"onnx_inference: ratio={ours / base:.2f} (ours {ours:.1f}/s, baseline {base:.1f}/s) rows={args.rows} "
        f"batch={args.batch} tensors=binary median of {args.repeats}; load average {load:.1f}"
    )
    print(
        f"onnx_inference_nested_arrays: ratio={nested / nested_base:.2f} (ours {nested:.1f}/s, baseline "
        f"{nested_base:.1f}/s) tensors=array<float>"
    )
    print(f"onnx_inference_vs_row_udf: speedup={nested / udf_rate:.2f} (ours {nested:.1f}/s, row UDF {udf_rate:.1f}/s)")
    bounds = dict(results.get("bounds", {}))
    b = bounds.pop("base", None)
    for bound, rate in bounds.items():
        print(f"onnx_inference_arrow_bytes_{bound}: ratio={rate / b:.2f} (ours {rate:.1f}/s, baseline {b:.1f}/s)")


if __name__ == "__main__":
    main()
