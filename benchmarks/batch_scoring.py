"""Benchmark: the ``score`` job against scoring by hand.

Both score the same parquet data set with the same registered model (TrainClassifier(LogisticRegression) on
mixed columns, i.e. our Featurize stages and Spark's) in the same local[2] session, alternating, ``--repeats``
times each:

- ours: :func:`mmlspark_py.jobs.runner.run_job` of a ``score`` job, exactly what ``mmlspark-py score --model
  models:/bench@champion --input data --output out`` runs (signature check, model load, atomic write, and an
  MLflow run with the code snapshot);
- baseline: ``load_model(uri).transform(spark.read.parquet(data)).write.parquet(out)`` by hand.

ratio = baseline time / our time (median of the repeats; goal >= 0.95).

    python benchmarks/batch_scoring.py [--rows 2000000] [--repeats 3] [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmlspark_py.core.session import get_spark


def make_data(spark, rows: int, path: str) -> None:
    spark.range(rows).selectExpr(
        "CAST(18 + floor(rand(1) * 50) AS double) AS age",
        "CAST(10 + floor(rand(2) * 50) AS int) AS hours",
        "concat('city', CAST(floor(rand(3) * 20) AS string)) AS city",
        "randn(4) AS noise",
    ).selectExpr(
        "age",
        "hours",
        "city",
        "IF(0.05 * (age - 40) + 0.08 * (hours - 35) + IF(city < 'city5', 1.0, -0.5) + noise > 0, 'yes', 'no') AS label",
    ).repartition(4).write.parquet(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="200,000 rows, 2 repeats")
    args = parser.parse_args()
    rows, repeats = (200_000, 2) if args.quick else (args.rows, args.repeats)
    work = tempfile.mkdtemp(prefix="batch-scoring-bench-")
    os.chdir(work)  # the score job's code snapshot and the MLflow store live here
    spark = get_spark(
        "local[2]",
        conf={"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false", "spark.driver.memory": "2g"},
    )
    from pyspark.ml.classification import LogisticRegression

    from mmlspark_py.jobs.runner import run_job
    from mmlspark_py.registry import load_model, register_model
    from mmlspark_py.tracking import configure
    from mmlspark_py.train import TrainClassifier

    configure(home=work)
    data = os.path.join(work, "data.parquet")
    make_data(spark, rows, data)
    train = spark.read.parquet(data).limit(20_000)
    model = TrainClassifier(model=LogisticRegression(), labelCol="label").fit(train)
    register_model(model, "bench", training_data=train, alias="champion", digest=False)
    uri = "models:/bench@champion"

    def ours(out: str) -> None:
        run_job({"kind": "score", "model": uri, "input": data, "output": out}, quiet=True)

    def by_hand(out: str) -> None:
        load_model(uri).transform(spark.read.parquet(data)).write.parquet(out)

    times = {"ours": [], "baseline": []}
    for i in range(repeats + 1):  # the first round warms up the JVM and the Python workers; not counted
        for name, fn in (
            (("ours", ours), ("baseline", by_hand)) if i % 2 == 0 else (("baseline", by_hand), ("ours", ours))
        ):
            out = os.path.join(work, f"{name}-{i}")
            started = time.perf_counter()
            fn(out)
            elapsed = time.perf_counter() - started
            if i > 0:
                times[name].append(elapsed)
            shutil.rmtree(out)
    assert spark.read.parquet(data).count() == rows
    mine, theirs = statistics.median(times["ours"]), statistics.median(times["baseline"])
    print(
        f"batch_scoring: ratio={theirs / mine:.2f} (ours {rows / mine:,.0f} rows/s, baseline {rows / theirs:,.0f} "
        f"rows/s; {rows:,} rows, median of {repeats}; goal >= 0.95)"
    )
    print(f"times: {times}; load average: {os.getloadavg()}")
    spark.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
