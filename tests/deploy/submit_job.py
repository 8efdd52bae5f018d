"""The job test_spark_submit.py submits: the quickstart, then a probe of where the executors found the library.

Usage (through spark-submit): ``submit_job.py <output folder> <probe.json>``. The quickstart runs exactly as
``mmlspark-py quickstart --output <output folder>`` does (its session comes from spark-submit's --master); the
probe runs one task per executor slot and records, from inside the Python workers, the file mmlspark_py was
imported from, the worker's working directory (the executor's folder) and its ``env`` (the unpacked
--archives ``env.tar.gz#env``), the
Python executable and sys.path (resolved where the worker runs).
"""

from __future__ import annotations

import json
import os
import sys

import pandas as pd
import pyspark

from mmlspark_py.core.session import get_spark
from mmlspark_py.jobs.cli import main as cli


def _where(batches):
    import mmlspark_py

    for batch in batches:
        yield pd.DataFrame(
            {
                "partition": batch["id"].astype("int64"),
                "module": [os.path.realpath(mmlspark_py.__file__)] * len(batch),
                "cwd": [os.path.realpath(os.getcwd())] * len(batch),
                "env": [os.path.realpath("env")] * len(batch),
                "python": [sys.executable] * len(batch),
                "sys_path": [json.dumps([os.path.realpath(p or ".") for p in sys.path])] * len(batch),
            }
        )


def main(output: str, probe: str) -> None:
    status = cli(["quickstart", "--output", output])
    spark = get_spark()
    slots = max(2, spark.sparkContext.defaultParallelism)
    rows = (
        spark.range(0, slots, numPartitions=slots)
        .mapInPandas(_where, "partition long, module string, cwd string, env string, python string, sys_path string")
        .collect()
    )
    with open(probe, "w", encoding="utf-8") as f:
        json.dump(
            {
                "status": status,
                "master": spark.sparkContext.master,
                "app_id": spark.sparkContext.applicationId,
                "spark": pyspark.__version__,
                "rows": [r.asDict() for r in rows],
            },
            f,
        )
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:3])
