"""The image pipeline run on a real standalone cluster by test_standalone_cluster.py (as its own process).

Usage: ``python cluster_job.py spark://127.0.0.1:<port> <image folder> <output folder>``. Reads the images,
resizes them with ImageTransformer (when mmlspark_py.opencv is installed) and unrolls them on the cluster's
executors, and writes ``origin`` and the vector's values as JSON lines.
"""

from __future__ import annotations

import sys

from pyspark.ml.functions import vector_to_array
from pyspark.sql import SparkSession

from mmlspark_py.image import UnrollImage, read_images

FAST_JVM = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"


def main(master: str, images: str, output: str) -> None:
    spark = (
        SparkSession.builder.master(master)
        .appName("mmlspark-py-image-cluster-test")
        .config("spark.executor.memory", "1g")
        .config("spark.cores.max", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.extraJavaOptions", FAST_JVM)
        .config("spark.executor.extraJavaOptions", FAST_JVM)
        .getOrCreate()
    )
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
        vectors.select("origin", vector_to_array("v").alias("values")).write.mode("overwrite").json(output)
        print(f"resized={column == 'small'}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
