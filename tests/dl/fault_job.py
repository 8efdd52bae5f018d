"""A training job run by test_fault.py as its own driver process, on ``local[2,4]`` (local mode retries a failed
task only when the master says so): DeepVisionClassifier on digits, 2 workers, checkpoints every epoch.

Usage: ``python fault_job.py CHECKPOINT_DIR OUTPUT_JSON``. Writes the held-out accuracy and the history.
"""

from __future__ import annotations

import json
import sys

from pyspark.sql import functions as F

from mmlspark_py.core.session import get_spark
from mmlspark_py.dl import DeepVisionClassifier
from tests.dl.data import digits, image_df, split_indices

CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
    "spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures": "1",
    "spark.scheduler.barrier.maxConcurrentTasksCheck.interval": "1s",
}


def main(checkpoint_dir: str, output: str) -> None:
    spark = get_spark("local[2,4]", "mmlspark-py-dl-fault-test", CONF)
    try:
        images, labels = digits()
        train_rows, test_rows = split_indices(len(labels), 0.25)
        train = image_df(spark, images[train_rows], labels[train_rows]).cache()
        test = image_df(spark, images[test_rows], labels[test_rows], first_id=10_000)
        # 32x32 inputs make an epoch last a few seconds: long enough to be interrupted in the middle
        model = DeepVisionClassifier(
            imageHeight=32,
            imageWidth=32,
            imageChannels=1,
            epochs=4,
            batchSize=32,
            learningRate=0.002,
            numWorkers=2,
            seed=2,
            checkpointDir=checkpoint_dir,
            validationFraction=0.1,
        ).fit(train)
        scored = model.transform(test)
        accuracy = scored.where(F.col("prediction") == F.col("label")).count() / scored.count()
        with open(output, "w") as f:
            json.dump({"accuracy": accuracy, "history": model.getHistory()}, f)
    finally:
        spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:3])
