"""ONNXModel throughput on EfficientNet-Lite0 against bare onnxruntime and a row-at-a-time Python UDF.

The same pre-processed 224x224 tensors (random, fixed seed: the model's cost does not depend on the values)
are scored three ways, all after a warm-up (sessions created, Python workers started):

1. ours: ``ONNXModel`` on ``local[2]`` over a cached DataFrame of flat ``array<float>`` tensors (one task per
   core, ``spark.task.cpus`` = 1 onnxruntime thread each), written to the ``noop`` sink;
2. baseline: bare onnxruntime in this process with 2 intra-op threads (the same total thread count), batches of
   the same size over numpy arrays already in memory;
3. a row-at-a-time pickled Python UDF that caches its session per worker (the naive Spark way).

Prints ``onnx_inference: ratio=ours/baseline (ours X/s, baseline Y/s)`` and the speed-up over the UDF.

    python benchmarks/onnx_inference.py [--rows 2000] [--batch 64] [--quick] [--model PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

DEFAULT_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "models",
                             "efficientnet_lite0.onnx")
SIZE = 3 * 224 * 224


def write_tensors(path: str, rows: int, seed: int = 0) -> None:
    """``rows`` flat float tensors as a Parquet file of ``id int, tensor array<float>`` (built from one buffer)."""
    rng = np.random.default_rng(seed)
    writer = None
    for start in range(0, rows, 250):
        n = min(250, rows - start)
        flat = rng.standard_normal(n * SIZE, dtype=np.float32)
        tensors = pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32) * SIZE), pa.array(flat))
        table = pa.table({"id": pa.array(np.arange(start, start + n, dtype=np.int32)), "tensor": tensors})
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def baseline_rate(model: str, path: str, batch: int) -> float:
    import onnxruntime as ort

    tensors = pq.read_table(path).column("tensor").combine_chunks().flatten().to_numpy().reshape(-1, 3, 224, 224)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    session.run(["logits"], {"image": tensors[:batch]})  # warm-up
    start = time.perf_counter()
    for i in range(0, len(tensors), batch):
        session.run(["logits"], {"image": tensors[i:i + batch]})
    return len(tensors) / (time.perf_counter() - start)


def spark_rate(df, transform) -> float:
    transform(df.limit(64)).write.format("noop").mode("overwrite").save()  # warm-up: workers and sessions
    start = time.perf_counter()
    transform(df).write.format("noop").mode("overwrite").save()
    return df.count() / (time.perf_counter() - start)


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
    parser.add_argument("--udf-rows", type=int, default=300, help="rows for the (slow) row-at-a-time UDF")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--quick", action="store_true", help="256 rows, 64 for the UDF (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.udf_rows = 256, 64

    from mmlspark_py.core.session import get_spark
    from mmlspark_py.onnx import ONNXModel

    model = os.path.abspath(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tensors.parquet")
        write_tensors(path, args.rows)
        spark = get_spark("local[2]", "onnx_inference", {"spark.driver.memory": "6g",
                                                         "spark.sql.execution.arrow.maxRecordsPerBatch": "256"})
        df = spark.read.parquet(path).repartition(8).cache()
        df.count()
        stage = ONNXModel(feedDict={"image": "tensor"}, fetchDict={"logits": "logits"}, deviceType="CPU",
                          miniBatchSize=args.batch).setModelLocation(model)
        ours = spark_rate(df, stage.transform)
        udf = row_udf(model)
        udf_rate = spark_rate(df.limit(args.udf_rows).repartition(2).cache(),
                              lambda d: d.withColumn("logits", udf("tensor")))
        base = baseline_rate(model, path, args.batch)
    print(f"onnx_inference: ratio={ours / base:.2f} (ours {ours:.1f}/s, baseline {base:.1f}/s) "
          f"rows={args.rows} batch={args.batch}")
    print(f"onnx_inference_vs_row_udf: speedup={ours / udf_rate:.2f} (ours {ours:.1f}/s, row UDF "
          f"{udf_rate:.1f}/s)")


if __name__ == "__main__":
    main()
