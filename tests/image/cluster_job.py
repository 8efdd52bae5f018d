"""The image pipeline run on a real standalone cluster by test_standalone_cluster.py (as its own process).

Usage: ``python cluster_job.py spark://127.0.0.1:<port> <image folder> <output folder>``. Reads the images,
resizes them with ImageTransformer (when mmlspark_py.opencv is installed) and unrolls them on the cluster's
executors, and writes ``origin``, the vector's values and the executor's Python process id as JSON lines.
"""

from __future__ import annotations

import os
import sys

import pyarrow as pa
from pyspark.ml.functions import vector_to_array
from pyspark.sql import SparkSession
from pyspark.sql.types import LongType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.image import UnrollImage, read_images


def _worker_pid(batch: pa.RecordBatch) -> pa.RecordBatch:
    return pa.record_batch([pa.array([os.getpid()] * batch.num_rows, pa.int64())], names=["pid"])


def main(master: str, images: str, output: str) -> None:
    spark = (SparkSession.builder.master(master).appName("mmlspark-py-image-cluster-test")
             .config("spark.executor.memory", "1g").config("spark.cores.max", "2")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .getOrCreate())
    try:
        df = read_images(images, dropInvalid=True)
        column = "image"
        try:
            from mmlspark_py.opencv import ImageTransformer

            df = ImageTransformer(inputCol="image", outputCol="small").resize(height=4, width=5).transform(df)
            column = "small"
        except ImportError:
            pass
        vectors = UnrollImage(inputCol=column, outputCol="v").transform(df)
        vectors = with_batched_columns(vectors, ["origin"], _worker_pid,
                                       StructType([StructField("pid", LongType())]), 16)
        vectors.select("origin", vector_to_array("v").alias("values"), "pid").coalesce(1) \
            .write.mode("overwrite").json(output)
        print(f"driver pid {os.getpid()} resized={column == 'small'}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
