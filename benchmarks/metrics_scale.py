"""Benchmark: ComputeModelStatistics' AUC at scale against Spark's BinaryClassificationEvaluator.

Data: ``--rows`` (default 5,000,000) rows generated in Spark SQL and cached: a 0/1 label, a continuous score
(about as many distinct values as rows, plus ties) and the predicted label. Both sides read the same cached
DataFrame; each timing is the median of ``--repeats`` runs, in one process.

1. ``metrics_scale_auc``: ComputeModelStatistics(evaluationMetric="AUC", exact, computed in score ranges with a
   window partitioned by range) against BinaryClassificationEvaluator(areaUnderROC) (Spark's default: the
   scores binned into 1,000 buckets, so approximate). ratio = baseline time / our time (goal >= 1.0).
2. ``metrics_scale_all``: every binary metric (confusion matrix, accuracy, precision, recall, AUC) against
   Spark's evaluators computing the same (areaUnderROC, accuracy, precisionByLabel, recallByLabel).

It also prints whether the executed plan of our curve holds a single-partition exchange (it must not), and how
far our AUC is from scikit-learn's ``roc_auc_score`` on the same rows.

    python benchmarks/metrics_scale.py [--rows N] [--repeats R] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyspark.ml.evaluation import BinaryClassificationEvaluator, MulticlassClassificationEvaluator
from pyspark.sql import functions as F

from mmlspark_py.core.session import get_spark
from mmlspark_py.train import ComputeModelStatistics, roc_curve


def make_data(spark, rows: int):
    """Deterministic (hashes of the row id, not rand: a recomputed cache block gives the same values)."""
    return (
        spark.range(rows)
        .selectExpr("CAST(pmod(hash(id, 1), 1000) < 400 AS double) AS y", "pmod(hash(id, 2), 1000003) / 1000003.0 AS u")
        .selectExpr("y", "round(y * 0.3 + u, 6) AS s")
        .selectExpr("y", "s", "CAST(s > 0.6 AS double) AS p")
        .cache()
    )


def timed(fn, repeats: int):
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    spark = get_spark(
        master=args.master, app_name="metrics_scale", conf={"spark.ui.enabled": "false", "spark.driver.memory": "4g"}
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
    df = make_data(spark, args.rows)
    df.count()

    ours_auc = ComputeModelStatistics(labelCol="y", scoredLabelsCol="p", scoresCol="s", evaluationMetric="AUC")
    spark_auc = BinaryClassificationEvaluator(labelCol="y", rawPredictionCol="s", metricName="areaUnderROC")
    t_ours, auc = timed(lambda: ours_auc.transform(df).head()["AUC"], args.repeats)
    t_spark, spark_binned = timed(lambda: spark_auc.evaluate(df), args.repeats)
    print(
        f"metrics_scale_auc: ratio={t_spark / t_ours:.2f} (ours {args.rows / t_ours:,.0f} rows/s, "
        f"baseline {args.rows / t_spark:,.0f} rows/s; AUC ours {auc:.12f}, Spark binned {spark_binned:.12f})",
        flush=True,
    )

    ours_all = ComputeModelStatistics(labelCol="y", scoredLabelsCol="p", scoresCol="s")
    evaluators = [spark_auc] + [
        MulticlassClassificationEvaluator(labelCol="y", predictionCol="p", metricName=m, metricLabel=1.0)
        for m in ("accuracy", "precisionByLabel", "recallByLabel")
    ]
    t_ours_all, _ = timed(lambda: ours_all.transform(df).head(), args.repeats)
    t_spark_all, _ = timed(lambda: [e.evaluate(df) for e in evaluators], args.repeats)
    print(
        f"metrics_scale_all: ratio={t_spark_all / t_ours_all:.2f} (ours {args.rows / t_ours_all:,.0f} rows/s, "
        f"baseline {args.rows / t_spark_all:,.0f} rows/s)",
        flush=True,
    )

    curve = roc_curve(df, labelCol="y", scoresCol="s", scoredLabelsCol="p")
    curve.agg(F.count(F.lit(1))).head()
    plan = curve._jdf.queryExecution().executedPlan().toString()
    print(f"metrics_scale_plan: single-partition exchange in our curve: {'SinglePartition' in plan}")

    # exactness: scikit-learn on the same rows (brought to the driver once, after the timings)
    from sklearn.metrics import roc_auc_score

    pdf = df.select("y", "s").toPandas()
    print(
        f"metrics_scale_exact: |ours - scikit-learn roc_auc_score| = {abs(auc - roc_auc_score(pdf['y'], pdf['s'])):.2e}"
    )
    spark.stop()


if __name__ == "__main__":
    main()
