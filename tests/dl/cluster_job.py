"""Distributed training on a real standalone cluster, run by test_standalone_cluster.py as its own driver.

Usage: ``python cluster_job.py spark://127.0.0.1:<port> OUTPUT_DIR``. Runs the gradient-exchange check (1 vs 2
processes) and a 2-worker DeepVisionClassifier on digits in the cluster's executors; writes ``result.json``.
"""

from __future__ import annotations

import io
import json
import os
import sys

import numpy as np
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from mmlspark_py.dl import DeepVisionClassifier, TensorFlowDistributor
from tests.dl import train_fns
from tests.dl.data import digits, image_df, split_indices

FAST_JVM = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"


def main(master: str, output: str) -> None:
    spark = (
        SparkSession.builder.master(master)
        .appName("mmlspark-py-dl-cluster-test")
        .config("spark.executor.memory", "1g")
        .config("spark.cores.max", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.extraJavaOptions", FAST_JVM)
        .config("spark.executor.extraJavaOptions", FAST_JVM)
        .getOrCreate()
    )
    try:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((240, 6)).astype(np.float32)
        y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64) + (x[:, 3] > 1)
        args = dict(steps=8, global_batch=30, out_dir=output)
        single = TensorFlowDistributor(1, logSink=io.StringIO()).run(train_fns.sgd_steps, x, y, **args)
        logs = io.StringIO()
        double = TensorFlowDistributor(2, logSink=logs).run(train_fns.sgd_steps, x, y, **args)
        images, labels = digits()
        train_rows, test_rows = split_indices(len(labels), 0.25)
        train = image_df(spark, images[train_rows], labels[train_rows])
        test = image_df(spark, images[test_rows], labels[test_rows], first_id=10_000)
        model = DeepVisionClassifier(
            imageHeight=16,
            imageWidth=16,
            imageChannels=1,
            epochs=6,
            batchSize=32,
            learningRate=0.002,
            numWorkers=2,
            seed=1,
        ).fit(train)
        scored = model.transform(test)
        accuracy = scored.where(F.col("prediction") == F.col("label")).count() / scored.count()
        result = {
            "max_weight_diff": float(np.abs(single["weights"] - double["weights"]).max()),
            "rank1_equal": bool(np.array_equal(np.load(os.path.join(output, "weights-2-1.npy")), double["weights"])),
            "loss_first": single["losses"][0],
            "loss_last": single["losses"][-1],
            "accuracy": accuracy,
            "driver_log_lines": logs.getvalue().count("\n"),
            "history": model.getHistory(),
        }
        with open(os.path.join(output, "result.json"), "w") as f:
            json.dump(result, f)
    finally:
        spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:3])
