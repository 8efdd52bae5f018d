"""The exact curve of a binary score, computed distributedly: cumulative true/false positives per threshold.

Every ROC/PR figure (AUC, Spark's areaUnderPR, the curve points) reads the cumulative counts at each distinct
score, in descending order. A window ordered over all scores without a partition would send the whole data
set through one task (Spark warns "No Partition Defined for Window operation"); instead, as Spark's own
``BinaryClassificationMetrics`` does with its sorted partitions, the scores are cut into ordered ranges:

1. range boundaries: quantiles of a sample of the scores (a fixed seed: the same data give the same ranges),
   so that each range holds about as many rows; a ``Bucketizer`` (JVM binary search) gives each score its
   range, NaN (which Spark sorts above every number) the last. Small data (up to 200,000 rows) are one range:
   one task is then the fastest, and no pass is spent on boundaries or offsets;
2. one aggregation: the positives and negatives of each range (a few numbers per range, to the driver);
3. the offset of each range = the counts of all ranges of higher scores; then the rows are shuffled once, by
   range, and within each range (a task) counted per distinct score, and a window *partitioned by range* and
   ordered by descending score gives each score its cumulative counts within its range, plus the offset.

The counts are exact (integers), ties are one point (each distinct score once), so the figures equal
scikit-learn's ``roc_auc_score`` and Spark's unbinned ``BinaryClassificationMetrics`` to rounding.

Input: a DataFrame with columns ``s`` (double, not null), ``pos`` (1 for the positive class, else 0) and ``n``
(row count, long: 1 for plain rows, more for rows already grouped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np
from pyspark.ml.feature import Bucketizer
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from mmlspark_py.core.spark_compat import is_connect

SCORE, POSITIVE, COUNT = "s", "pos", "n"
TP, FP = "tp", "fp"
_RANGE = "__range"
_SMALL = 200_000  # rows handled as one range (one task is then the fastest)
_MAX_RANGES = 1024
_SAMPLE = 50_000  # scores sampled for the range boundaries
_SEED = 7


@dataclass(frozen=True)
class CumulativeCounts:
    """Per distinct score ``s`` (descending): ``P``/``N`` rows with that score and ``tp``/``fp`` the positives
    and negatives scoring at least ``s``; the totals of positives and negatives when already known."""

    points: DataFrame
    known_totals: Optional[Tuple[int, int]] = None

    def totals(self) -> Tuple[int, int]:
        """(positives, negatives) of all rows (one aggregation unless already known)."""
        if self.known_totals is not None:
            return self.known_totals
        row = self.points.agg(F.sum("P").alias("P"), F.sum("N").alias("N")).collect()[0]
        return int(row["P"] or 0), int(row["N"] or 0)


def _range_count(spark: object) -> int:
    parallelism = 8 if is_connect(spark) else spark.sparkContext.defaultParallelism  # type: ignore[attr-defined]
    return max(2, min(_MAX_RANGES, 4 * parallelism))


def _boundaries(weighted: DataFrame, rows: int, ranges: int) -> List[float]:
    """Score quantiles of a seeded sample of ``weighted`` (``rows`` rows): the inner range boundaries."""
    sample = weighted.sample(fraction=min(1.0, _SAMPLE / max(rows, 1)), seed=_SEED).select(SCORE).collect()
    scores = np.array([r[0] for r in sample], dtype=float)
    scores = scores[~np.isnan(scores)]
    if scores.size == 0:
        return []
    return sorted(set(np.quantile(scores, [i / ranges for i in range(1, ranges)]).tolist()))


def _lookup(values: List[int], index: Column) -> Column:
    """``values[index]`` as a SQL expression (``values`` is a short list: one entry per range)."""
    return F.element_at(F.array(*[F.lit(int(v)) for v in values]), index + F.lit(1))


def cumulative_counts(weighted: DataFrame, rows: Optional[int] = None) -> CumulativeCounts:
    """The cumulative counts of ``weighted`` (columns ``s``, ``pos``, ``n``; see the module docstring).

    :param rows: the number of rows of ``weighted`` when the caller knows it (else one count).
    """
    rows = weighted.count() if rows is None else rows
    boundaries = _boundaries(weighted, rows, _range_count(weighted.sparkSession)) if rows > _SMALL else []
    positives = F.col(COUNT) * F.col(POSITIVE)
    negatives = F.col(COUNT) * (F.lit(1) - F.col(POSITIVE))
    if boundaries:
        splits = [float("-inf")] + boundaries + [float("inf")]
        bucketed = (
            Bucketizer(splits=splits, inputCol=SCORE, outputCol=_RANGE, handleInvalid="keep")
            .transform(weighted)
            .withColumn(_RANGE, F.col(_RANGE).cast("int"))
        )
        count = len(splits)  # ranges 0..len(splits)-2, plus the NaN range len(splits)-1
        per_range = {
            r[_RANGE]: (int(r["P"] or 0), int(r["N"] or 0))
            for r in bucketed.groupBy(_RANGE).agg(F.sum(positives).alias("P"), F.sum(negatives).alias("N")).collect()
        }
    else:
        count, per_range = 1, {}
    tp_offset, fp_offset, tp, fp = [0] * count, [0] * count, 0, 0
    for r in range(count - 1, -1, -1):  # higher ranges hold higher scores
        tp_offset[r], fp_offset[r] = tp, fp
        p, n = per_range.get(r, (0, 0))
        tp, fp = tp + p, fp + n
    if per_range:
        # one shuffle: the rows of a range meet in one partition, where they are counted per score and accumulated
        by_score = (
            bucketed.repartition(count, _RANGE)
            .groupBy(_RANGE, SCORE)
            .agg(F.sum(positives).alias("P"), F.sum(negatives).alias("N"))
        )
    else:
        # one range: its key is 0 for every row, but must not be a constant Spark can fold (it drops a literal
        # partition key, then moves the window to a single partition with a warning): P + N >= 1 always
        by_score = weighted.groupBy(SCORE).agg(F.sum(positives).alias("P"), F.sum(negatives).alias("N"))
        by_score = by_score.withColumn(_RANGE, F.when(F.col("P") + F.col("N") > 0, 0).otherwise(1))
    window = Window.partitionBy(_RANGE).orderBy(F.desc(SCORE)).rowsBetween(Window.unboundedPreceding, Window.currentRow)
    points = by_score.select(
        SCORE,
        "P",
        "N",
        (F.sum("P").over(window) + _lookup(tp_offset, F.col(_RANGE))).alias(TP),
        (F.sum("N").over(window) + _lookup(fp_offset, F.col(_RANGE))).alias(FP),
    )
    return CumulativeCounts(points, (tp, fp) if per_range else None)


def areas(counts: CumulativeCounts) -> tuple[float, float]:
    """(AUC, areaUnderPR) of the curve; NaN for both when one class is missing.

    AUC: the area under the ROC curve with ties counted one half (scikit-learn's ``roc_auc_score``, Spark's
    ``areaUnderROC``). areaUnderPR: Spark's definition (``BinaryClassificationMetrics.areaUnderPR``): the
    trapezoids between consecutive (recall, precision) points, descending threshold, after a first point
    (0, precision of the first threshold).
    """
    p, n, tp, fp = (F.col(c).cast("double") for c in ("P", "N", TP, FP))
    precision = tp / (tp + fp)
    before = (tp - p) + (fp - n)  # rows scoring above this threshold: the previous point's denominator
    previous_precision = F.when(before > 0, (tp - p) / before).otherwise(precision)
    # AUC = sum P * (negatives below + N / 2) / (pos * neg), with negatives below = neg - fp
    row = counts.points.agg(
        F.sum(p).alias("pos"),
        F.sum(n).alias("neg"),
        F.sum(p * (fp - n * 0.5)).alias("auc_minus"),
        F.sum(p * (precision + previous_precision) * 0.5).alias("pr"),
    ).collect()[0]
    pos, neg = row["pos"] or 0.0, row["neg"] or 0.0
    if pos == 0 or neg == 0:
        return float("nan"), float("nan")
    return (pos * neg - row["auc_minus"]) / (pos * neg), row["pr"] / pos
