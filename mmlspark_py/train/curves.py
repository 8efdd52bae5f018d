"""ROC and precision-recall curves of a binary classifier's scores, as DataFrames (scikit-learn's points).

SynapseML hangs the ROC curve on the ComputeModelStatistics transformer as a mutable attribute; here the curves
are returned. Columns are found as :class:`ComputeModelStatistics` finds them (metadata, or the params). The
cumulative counts are computed distributedly (:mod:`mmlspark_py.train.binary_curve`); the returned DataFrame is
lazy (it reads ``df`` again when used: cache ``df`` if it is expensive to compute).
"""

from __future__ import annotations

from typing import Optional

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from mmlspark_py.featurize import sort_levels
from mmlspark_py.train.binary_curve import COUNT, FP, POSITIVE, SCORE, TP, CumulativeCounts, cumulative_counts
from mmlspark_py.train.compute_model_statistics import ComputeModelStatistics
from mmlspark_py.train.metrics import label_columns, positive_score

FPR, TPR, THRESHOLD, PRECISION, RECALL = "false_positive_rate", "true_positive_rate", "threshold", "precision", "recall"


def _cumulative(
    df: DataFrame, labelCol: Optional[str], scoresCol: Optional[str], scoredLabelsCol: Optional[str]
) -> CumulativeCounts:
    stage = ComputeModelStatistics(
        labelCol=labelCol, scoresCol=scoresCol, scoredLabelsCol=scoredLabelsCol, evaluationMetric="classification"
    )
    cols = stage.eval_columns(df.schema)
    score = positive_score(cols, 1)
    if score is None:
        raise ValueError("curves need a scores column (probabilities, raw predictions or a score); set scoresCol")
    y, _ = label_columns(cols)
    if cols.label_is_index:
        levels = [0.0, 1.0]
    else:
        levels = cols.levels or sort_levels(
            [r[0] for r in df.select(y).where(y.isNotNull()).distinct().limit(3).collect()]
        )
    if len(levels) != 2:
        raise ValueError(f"ROC/PR curves need exactly two classes; labels are {levels[:10]}")
    weighted = df.select(
        (y == F.lit(levels[1])).cast("int").alias(POSITIVE), score.alias(SCORE), F.lit(1).alias(COUNT)
    ).where(F.col(POSITIVE).isNotNull() & F.col(SCORE).isNotNull())
    return cumulative_counts(weighted)


def roc_curve(
    df: DataFrame,
    labelCol: Optional[str] = None,
    scoresCol: Optional[str] = None,
    scoredLabelsCol: Optional[str] = None,
) -> DataFrame:
    """Columns ``threshold``, ``false_positive_rate``, ``true_positive_rate``, by descending threshold.

    The points of scikit-learn's ``roc_curve(..., drop_intermediate=False)``: one per distinct score, after the
    first point (0, 0) at threshold +infinity.
    """
    counts = _cumulative(df, labelCol, scoresCol, scoredLabelsCol)
    positives, negatives = counts.totals()
    start = counts.points.sparkSession.range(1).select(
        F.lit(float("inf")).alias(THRESHOLD), F.lit(0.0).alias(FPR), F.lit(0.0).alias(TPR)
    )
    points = counts.points.select(
        F.col(SCORE).alias(THRESHOLD),
        (F.col(FP) / F.lit(negatives or 1)).alias(FPR),
        (F.col(TP) / F.lit(positives or 1)).alias(TPR),
    )
    return start.unionByName(points).orderBy(F.desc(THRESHOLD))


def pr_curve(
    df: DataFrame,
    labelCol: Optional[str] = None,
    scoresCol: Optional[str] = None,
    scoredLabelsCol: Optional[str] = None,
) -> DataFrame:
    """Columns ``threshold``, ``precision``, ``recall``: scikit-learn's ``precision_recall_curve`` points.

    One point per distinct score (descending threshold), then the end point precision 1, recall 0 (threshold
    null).
    """
    counts = _cumulative(df, labelCol, scoresCol, scoredLabelsCol)
    positives, _ = counts.totals()
    points = counts.points.select(
        F.col(SCORE).alias(THRESHOLD),
        (F.col(TP) / (F.col(TP) + F.col(FP))).alias(PRECISION),
        (F.col(TP) / F.lit(positives or 1)).alias(RECALL),
    )
    end = counts.points.sparkSession.range(1).select(
        F.lit(None).cast("double").alias(THRESHOLD), F.lit(1.0).alias(PRECISION), F.lit(0.0).alias(RECALL)
    )
    return points.unionByName(end).orderBy(F.desc_nulls_last(THRESHOLD))
