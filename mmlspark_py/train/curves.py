"""ROC and precision-recall curves of a binary classifier's scores, as DataFrames (scikit-learn's points).

SynapseML hangs the ROC curve on the ComputeModelStatistics transformer as a mutable attribute; here the curves
are returned. Columns are found as :class:`ComputeModelStatistics` finds them (metadata, or the params).
"""

from __future__ import annotations

from typing import Optional, Tuple

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from mmlspark_py.core.stage import column
from mmlspark_py.featurize.categorical import sort_levels
from mmlspark_py.train.compute_model_statistics import ComputeModelStatistics
from mmlspark_py.train.metrics import positive_score

FPR, TPR, THRESHOLD, PRECISION, RECALL = "false_positive_rate", "true_positive_rate", "threshold", "precision", \
    "recall"


def _cumulative(df: DataFrame, labelCol: Optional[str], scoresCol: Optional[str],
                scoredLabelsCol: Optional[str]) -> Tuple[DataFrame, int, int]:
    """Per distinct score, descending: the cumulative true and false positives; and the totals P, N."""
    stage = ComputeModelStatistics(labelCol=labelCol, scoresCol=scoresCol, scoredLabelsCol=scoredLabelsCol,
                                   evaluationMetric="classification")
    cols = stage.eval_columns(df.schema)
    if cols.scores is None:
        raise ValueError("curves need a scores column (probabilities, raw predictions or a score); set scoresCol")
    y = column(cols.label)
    levels = cols.levels or sort_levels([r[0] for r in df.select(y).where(y.isNotNull()).distinct().collect()])
    if len(levels) != 2:
        raise ValueError(f"ROC/PR curves need exactly two classes; labels are {levels[:10]}")
    data = df.select(y.alias("y"), positive_score(cols, 1).alias("s")).where(F.col("y").isNotNull()
                                                                              & F.col("s").isNotNull())
    by_score = data.groupBy("s").agg(F.sum(F.when(F.col("y") == F.lit(levels[1]), 1).otherwise(0)).alias("P"),
                                     F.sum(F.when(F.col("y") != F.lit(levels[1]), 1).otherwise(0)).alias("N"))
    window = Window.orderBy(F.desc("s")).rowsBetween(Window.unboundedPreceding, Window.currentRow)
    cum = by_score.select("s", F.sum("P").over(window).alias("tp"), F.sum("N").over(window).alias("fp"))
    totals = cum.agg(F.max("tp"), F.max("fp")).head()
    return cum, int(totals[0] or 0), int(totals[1] or 0)


def roc_curve(df: DataFrame, labelCol: Optional[str] = None, scoresCol: Optional[str] = None,
              scoredLabelsCol: Optional[str] = None) -> DataFrame:
    """Columns ``threshold``, ``false_positive_rate``, ``true_positive_rate``, by descending threshold.

    The points of scikit-learn's ``roc_curve(..., drop_intermediate=False)``: one per distinct score, after the
    first point (0, 0) at threshold +infinity.
    """
    cum, pos, neg = _cumulative(df, labelCol, scoresCol, scoredLabelsCol)
    start = cum.sparkSession.createDataFrame([(float("inf"), 0.0, 0.0)], f"{THRESHOLD} double, {FPR} double, "
                                                                          f"{TPR} double")
    points = cum.select(F.col("s").alias(THRESHOLD), (F.col("fp") / F.lit(neg or 1)).alias(FPR),
                        (F.col("tp") / F.lit(pos or 1)).alias(TPR))
    return start.unionByName(points).orderBy(F.desc(THRESHOLD))


def pr_curve(df: DataFrame, labelCol: Optional[str] = None, scoresCol: Optional[str] = None,
             scoredLabelsCol: Optional[str] = None) -> DataFrame:
    """Columns ``threshold``, ``precision``, ``recall``: scikit-learn's ``precision_recall_curve`` points.

    One point per distinct score (descending threshold), then the end point precision 1, recall 0 (threshold
    null).
    """
    cum, pos, _ = _cumulative(df, labelCol, scoresCol, scoredLabelsCol)
    points = cum.select(F.col("s").alias(THRESHOLD), (F.col("tp") / (F.col("tp") + F.col("fp"))).alias(PRECISION),
                        (F.col("tp") / F.lit(pos or 1)).alias(RECALL))
    end = cum.sparkSession.createDataFrame([(None, 1.0, 0.0)], f"{THRESHOLD} double, {PRECISION} double, "
                                                              f"{RECALL} double")
    return points.unionByName(end).orderBy(F.desc_nulls_last(THRESHOLD))
