"""ComputeModelStatistics: SynapseML's columns, exact areas computed distributedly, continuous 'classes'."""

from __future__ import annotations

import time

import numpy as np
import pytest
from pyspark.ml.linalg import SparseMatrix
from pyspark.mllib.evaluation import BinaryClassificationMetrics
from pyspark.sql import functions as F
from sklearn import metrics as skm

from mmlspark_py.core.spark_compat import SPARK_VERSION
from mmlspark_py.core.stage import SchemaError
from mmlspark_py.train import ComputeModelStatistics, roc_curve
from mmlspark_py.train.binary_curve import areas, cumulative_counts
from mmlspark_py.train.columns import resolve_columns
from mmlspark_py.train.metrics import scored_rows


def _executed_plan(df) -> str:
    df.collect()
    return df._jdf.queryExecution().executedPlan().toString()


@pytest.fixture(scope="module")
def tied(spark):
    """3,000 rows, scores with many ties and a few NaNs (Spark ranks NaN above every number)."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 3000)
    s = np.round(rng.random(3000) * 0.7 + y * 0.25, 3)
    s[:7] = np.nan
    rows = [(float(a), float(b), float(b > 0.5)) for a, b in zip(y, s)]
    return spark.createDataFrame(rows, "y double, s double, p double"), y, s


def _spark_binary_metrics(spark, y, s):
    """Spark's own unbinned BinaryClassificationMetrics (the definition of areaUnderPR we follow)."""
    return BinaryClassificationMetrics(spark.sparkContext.parallelize(list(zip(s.tolist(), y.astype(float).tolist()))))


def test_areas_exact_in_several_ranges_equal_sklearn_and_spark(spark, tied):
    df, y, s = tied
    stage = ComputeModelStatistics(labelCol="y", scoredLabelsCol="p", scoresCol="s")
    rows = scored_rows(df, resolve_columns(stage, df.schema, "test"), 1.0)
    weighted = rows.select(F.col("s"), F.col("y").cast("int").alias("pos"), "n")
    spark_metrics = _spark_binary_metrics(spark, y, s)
    finite = ~np.isnan(s)
    nan_high = np.where(finite, s, 2.0)  # NaN ranks above every score, as in Spark
    for claimed_rows in (10**6, None):  # several ranges (sampled boundaries), and one range (3,000 rows)
        counts = cumulative_counts(weighted, rows=claimed_rows)
        auc, area_pr = areas(counts)
        assert auc == pytest.approx(skm.roc_auc_score(y, nan_high), abs=1e-9)
        if SPARK_VERSION >= (4, 0):  # Spark 3.5's own areas differ from sklearn's on these ties (0.7892 vs 0.7902)
            assert auc == pytest.approx(spark_metrics.areaUnderROC, abs=1e-9)
            assert area_pr == pytest.approx(spark_metrics.areaUnderPR, abs=1e-9)
        plan = _executed_plan(counts.points)
        assert "SinglePartition" not in plan and "Window" in plan
    stats = stage.setEvaluationMetric("areaUnderPR").transform(df).head()
    assert stats["areaUnderPR"] == pytest.approx(area_pr, abs=1e-9)


def test_roc_curve_equals_sklearn_without_a_single_partition_window(tied):
    df, y, s = tied
    finite = ~np.isnan(s)
    curve = roc_curve(df.where(~F.isnan("s")), labelCol="y", scoresCol="s", scoredLabelsCol="p")
    plan = _executed_plan(curve)
    assert "SinglePartition" not in plan and "Window" in plan
    points = curve.collect()
    fpr, tpr, thresholds = skm.roc_curve(y[finite], s[finite], drop_intermediate=False)
    assert np.allclose([p["false_positive_rate"] for p in points], fpr, atol=1e-12)
    assert np.allclose([p["true_positive_rate"] for p in points], tpr, atol=1e-12)
    assert np.allclose([p["threshold"] for p in points][1:], thresholds[1:], atol=1e-12)


def test_synapseml_quick_example_continuous_values_finish_fast(spark):
    # SynapseML's quick example: 2,048 distinct continuous labels and predictions, evaluated as a classification
    rng = np.random.default_rng(1337)
    pairs = [(float(a), float(b)) for a, b in zip(rng.random(2048), rng.random(2048))]
    df = spark.createDataFrame(pairs, ["label", "prediction"])
    cms = (
        ComputeModelStatistics()
        .setLabelCol("label")
        .setScoredLabelsCol("prediction")
        .setEvaluationMetric("classification")
    )
    start = time.monotonic()
    out = cms.transform(df)
    row = out.head()
    assert time.monotonic() - start < 120  # was > 300 s (a 16M-element list unpickled by the JVM)
    # the number of classes is not in the schema: every classification column, AUC NaN for many classes
    assert out.columns == [
        "evaluation_type",
        "confusion_matrix",
        "accuracy",
        "precision",
        "recall",
        "AUC",
        "average_accuracy",
        "macro_averaged_precision",
        "macro_averaged_recall",
    ]
    # scikit-learn calls such values continuous: give it their level indices (levels: sorted union, as ours)
    index = {v: i for i, v in enumerate(sorted({a for a, _ in pairs} | {b for _, b in pairs}))}
    y, p, levels = [index[a] for a, _ in pairs], [index[b] for _, b in pairs], list(range(len(index)))
    matrix = row["confusion_matrix"]
    assert isinstance(matrix, SparseMatrix) and (matrix.numRows, matrix.numCols) == (4096, 4096)
    assert matrix.values.sum() == 2048 and len(matrix.values) == 2048
    assert all(matrix[i, j] == 1 for i, j in zip(y[:50], p[:50]))
    assert row["accuracy"] == skm.accuracy_score(y, p) == 0.0
    assert row["macro_averaged_precision"] == pytest.approx(
        skm.precision_score(y, p, labels=levels, average="macro", zero_division=0), abs=1e-12
    )
    per_class = skm.multilabel_confusion_matrix(y, p, labels=levels)
    assert row["average_accuracy"] == pytest.approx(
        np.mean([(m[0, 0] + m[1, 1]) / m.sum() for m in per_class]), abs=1e-12
    )
    assert np.isnan(row["AUC"])


def test_too_many_distinct_pairs_fail_at_once_with_the_reason(spark):
    df = spark.range(100_001).selectExpr("CAST(id AS double) AS label", "CAST(id + 0.5 AS double) AS prediction")
    cms = ComputeModelStatistics(labelCol="label", scoredLabelsCol="prediction", evaluationMetric="classification")
    with pytest.raises(SchemaError, match="more than 100,000 distinct.*continuous values.*regression"):
        cms.transform(df)
    metrics = (
        ComputeModelStatistics(labelCol="label", scoresCol="prediction", evaluationMetric="regression")
        .transform(df)
        .head()
    )
    assert metrics["mean_absolute_error"] == pytest.approx(0.5, abs=1e-12)


def test_regression_columns_are_synapsemls(spark):
    df = spark.createDataFrame([(1.0, 1.5), (2.0, 1.0), (3.0, 3.5), (4.0, 4.0)], "label double, prediction double")
    out = ComputeModelStatistics(labelCol="label", scoresCol="prediction").transform(df)
    assert out.columns == ["mean_squared_error", "root_mean_squared_error", "R^2", "mean_absolute_error"]
    y, p = [1, 2, 3, 4], [1.5, 1.0, 3.5, 4.0]
    row = out.head()
    assert row["R^2"] == pytest.approx(skm.r2_score(y, p), abs=1e-12)
    assert row["mean_absolute_error"] == pytest.approx(skm.mean_absolute_error(y, p), abs=1e-12)


def test_binary_without_scores_ranks_by_prediction_as_synapseml(spark):
    y = [0.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    p = [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    df = spark.createDataFrame(list(zip(y, p)), "label double, prediction double")
    row = ComputeModelStatistics(labelCol="label", scoredLabelsCol="prediction").transform(df).head()
    assert row["AUC"] == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
    assert row["recall"] == pytest.approx(skm.recall_score(y, p), abs=1e-12)
