"""Benchmark: the cost of TrainClassifier's convenience, and ComputeModelStatistics' one pass.

1. ``train_overhead``: TrainClassifier(LogisticRegression) on raw mixed-type columns against the equivalent
   hand-built Spark ML pipeline (StringIndexer for the label and categoricals, OneHotEncoder, VectorAssembler,
   LogisticRegression), fit + score, on the same cached data. ratio = baseline time / our time (goal >= 0.9).
2. ``compute_model_statistics``: ComputeModelStatistics (confusion matrix, accuracy, precision, recall, AUC:
   SynapseML's binary columns) against Spark's evaluators computing the same four metrics (one pass each), on
   the same scored DataFrame. ratio = baseline time / our time (goal >= 1.0).

Data: 500,000 rows (``--rows``) generated deterministically in Spark SQL: 5 doubles, 1 boolean, 2 string
categoricals (10 and 50 levels), a string label. Runs its own local[2] session.

    python benchmarks/train_overhead.py [--quick] [--rows N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.evaluation import BinaryClassificationEvaluator, MulticlassClassificationEvaluator
from pyspark.ml.feature import OneHotEncoder, StringIndexer, VectorAssembler

from mmlspark_py.core.session import get_spark
from mmlspark_py.train import ComputeModelStatistics, TrainClassifier

NUMERIC = ["x1", "x2", "x3", "x4", "x5"]


def make_data(spark, rows: int):
    df = spark.range(rows).selectExpr(
        *[f"rand({i}) * {i + 1} AS x{i + 1}" for i in range(5)],
        "rand(11) < 0.3 AS b",
        "concat('c', CAST(floor(rand(12) * 10) AS string)) AS c1",
        "concat('k', CAST(floor(rand(13) * 50) AS string)) AS c2",
        "randn(14) AS noise",
    )
    label = (
        "CASE WHEN x1 + x2 * 0.5 - x3 * 0.3 + IF(b, 0.8, 0) + IF(c1 IN ('c1', 'c3', 'c7'), 0.7, 0) "
        "+ noise * 0.5 > 1.6 THEN 'yes' ELSE 'no' END AS label"
    )
    return df.selectExpr(*NUMERIC, "b", "c1", "c2", label).repartition(2).cache()


def hand_built():
    return Pipeline(
        stages=[
            StringIndexer(inputCol="label", outputCol="y"),
            StringIndexer(inputCols=["c1", "c2"], outputCols=["c1_i", "c2_i"], handleInvalid="keep"),
            OneHotEncoder(inputCols=["c1_i", "c2_i"], outputCols=["c1_v", "c2_v"], handleInvalid="keep"),
            VectorAssembler(inputCols=NUMERIC + ["b", "c1_v", "c2_v"], outputCol="features"),
            LogisticRegression(labelCol="y", maxIter=20),
        ]
    )


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 rows (smoke run)")
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    rows = 50_000 if args.quick else args.rows
    spark = get_spark(
        master="local[2]",
        app_name="train_overhead",
        conf={"spark.sql.shuffle.partitions": "4", "spark.driver.memory": "4g", "spark.ui.enabled": "false"},
    )
    spark.sparkContext.setLogLevel("ERROR")
    data = make_data(spark, rows)
    data.count()

    def ours():
        model = TrainClassifier(model=LogisticRegression(maxIter=20), labelCol="label").fit(data)
        model.transform(data).write.format("noop").mode("overwrite").save()
        return model

    def baseline():
        model = hand_built().fit(data)
        model.transform(data).write.format("noop").mode("overwrite").save()
        return model

    ours()  # warm-up both paths once (JIT, Python workers), then time each
    baseline()
    (_, t_ours), (spark_model, t_base) = timed(ours), timed(baseline)
    print(
        f"train_overhead: ratio={t_base / t_ours:.2f} (ours {rows / t_ours:,.0f} rows/s, "
        f"baseline {rows / t_base:,.0f} rows/s)"
    )

    scored = spark_model.transform(data).select("y", "prediction", "probability", "rawPrediction").cache()
    scored.count()

    def ours_stats():
        return (
            ComputeModelStatistics(labelCol="y", scoredLabelsCol="prediction", scoresCol="probability")
            .transform(scored)
            .collect()
        )

    def spark_stats():
        multi = MulticlassClassificationEvaluator(labelCol="y", predictionCol="prediction")
        binary = BinaryClassificationEvaluator(labelCol="y", rawPredictionCol="probability")
        return [
            multi.setMetricName("accuracy").evaluate(scored),
            multi.setMetricName("precisionByLabel").setMetricLabel(1.0).evaluate(scored),
            multi.setMetricName("recallByLabel").setMetricLabel(1.0).evaluate(scored),
            binary.setMetricName("areaUnderROC").evaluate(scored),
        ]

    ours_stats()
    spark_stats()
    (_, t_ours), (_, t_base) = timed(ours_stats), timed(spark_stats)
    print(
        f"compute_model_statistics: ratio={t_base / t_ours:.2f} (ours {rows / t_ours:,.0f} rows/s, "
        f"baseline {rows / t_base:,.0f} rows/s)"
    )
    spark.stop()


if __name__ == "__main__":
    main()
