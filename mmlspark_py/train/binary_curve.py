"""The exact curve of a binary score, computed distributedly: cumulative true/false positives per threshold.

Every ROC/PR figure (AUC, Spark's areaUnderPR, the curve points) reads the cumulative counts at each distinct
score, in descending order. A window ordered over all scores without a partition would send the whole data
set through one task (Spark warns "No Partition Defined for Window operation"); instead, as Spark's own
``BinaryClassificationMetrics`` does with its sorted partitions, the scores are cut into ordered ranges:

1. range boundaries: quantiles of the scores (``approxQuantile``), so that each range holds about as many
   distinct scores (small data, up to 200,000 distinct scores, are one range: one task is then fastest); a deterministic ``Bucketizer`` (JVM binary search) gives
   each score its range (NaN, which Spark sorts above every number, gets the last);
2. one aggregation: the positives and negatives of each range (a few numbers per range, to the driver);
3. the offset of each range = the counts of all ranges of higher scores; then a window *partitioned by range*
   and ordered by descending score gives each distinct score its cumulative counts within its range, plus its
   range's offset. Ranges run in parallel tasks.

The counts are exact (integers), ties are one point (each distinct score once), so the figures equal
scikit-learn's ``roc_auc_score`` and Spark's unbinned ``BinaryClassificationMetrics`` to rounding.

Input: a DataFrame with columns ``s`` (double, not null), ``pos`` (1 for the positive class, else 0) and ``n``
(row count, long): one row per group of identical rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from pyspark.ml.feature import Bucketizer
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from mmlspark_py.core.spark_compat import is_connect

SCORE, POSITIVE, COUNT = "s", "pos", "n"
TP, FP = "tp", "fp"
_RANGE = "__range"
_SMALL = 200_000  # distinct scores handled as one range (one task is then the fastest)
_MAX_RANGES = 1024


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


def _boundaries(weighted: DataFrame, ranges: int) -> List[float]:
    probabilities = [i / ranges for i in range(1, ranges)]
    finite = weighted.where(~F.isnan(F.col(SCORE)))
    quantiles = finite.approxQuantile(SCORE, probabilities, 1.0 / (4 * ranges))
    return sorted(set(q for q in quantiles if q is not None))


def _range_count(weighted: DataFrame, distinct_hint: Optional[int]) -> int:
    if distinct_hint is not None and distinct_hint <= _SMALL:
        return 1
    spark = weighted.sparkSession
    parallelism = 8 if is_connect(spark) else spark.sparkContext.defaultParallelism
    return max(2, min(_MAX_RANGES, 4 * parallelism))


def _lookup(values: List[int], index: Column) -> Column:
    """``values[index]`` as a SQL expression (``values`` is a short list: one entry per range)."""
    return F.element_at(F.array(*[F.lit(int(v)) for v in values]), index + F.lit(1))


def cumulative_counts(weighted: DataFrame, distinct_hint: Optional[int] = None) -> CumulativeCounts:
    """The cumulative counts of ``weighted`` (columns ``s``, ``pos``, ``n``; see the module docstring).

    :param distinct_hint: an upper bound of the number of distinct scores when the caller knows it (small data
        then skip the quantile pass and use a single range).
    """
    ranges = _range_count(weighted, distinct_hint)
    boundaries = _boundaries(weighted, ranges) if ranges > 1 else []
    positives = F.col(COUNT) * F.col(POSITIVE)
    negatives = F.col(COUNT) * (F.lit(1) - F.col(POSITIVE))
    window = Window.partitionBy(_RANGE).orderBy(F.desc(SCORE)).rowsBetween(Window.unboundedPreceding, Window.currentRow)
    if not boundaries:
        # one range: no offsets, so no pass for the per-range totals. Its key is 0 for every row but must not be
        # a literal: Spark drops a literal partition key and then warns that the window has no partition
        by_score = weighted.groupBy(SCORE).agg(F.sum(positives).alias("P"), F.sum(negatives).alias("N"))
        by_score = by_score.withColumn(_RANGE, F.when(F.col("P") + F.col("N") > 0, 0).otherwise(1))
        return CumulativeCounts(
            by_score.select(SCORE, "P", "N", F.sum("P").over(window).alias(TP), F.sum("N").over(window).alias(FP))
        )
    splits = [float("-inf")] + boundaries + [float("inf")]
    bucketed = (
        Bucketizer(splits=splits, inputCol=SCORE, outputCol=_RANGE, handleInvalid="keep")
        .transform(weighted)
        .withColumn(_RANGE, F.col(_RANGE).cast("int"))
    )
    per_range = {
        r[_RANGE]: (int(r["P"] or 0), int(r["N"] or 0))
        for r in bucketed.groupBy(_RANGE).agg(F.sum(positives).alias("P"), F.sum(negatives).alias("N")).collect()
    }
    count = len(splits)  # ranges 0..len(splits)-2, plus the NaN range len(splits)-1
    tp_offset, fp_offset, tp, fp = [0] * count, [0] * count, 0, 0
    for r in range(count - 1, -1, -1):  # higher ranges hold higher scores
        tp_offset[r], fp_offset[r] = tp, fp
        p, n = per_range.get(r, (0, 0))
        tp, fp = tp + p, fp + n
    by_score = bucketed.groupBy(_RANGE, SCORE).agg(F.sum(positives).alias("P"), F.sum(negatives).alias("N"))
    points = by_score.select(
        SCORE,
        "P",
        "N",
        (F.sum("P").over(window) + _lookup(tp_offset, F.col(_RANGE))).alias(TP),
        (F.sum("N").over(window) + _lookup(fp_offset, F.col(_RANGE))).alias(FP),
    )
    return CumulativeCounts(points, (tp, fp))


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
