"""Classification and regression metrics in one pass over the data, equal to scikit-learn's.

Classification: one aggregation groups the rows by (true label, predicted label, positive-class score) and
counts them; the (small) grouped table is kept in memory and everything is read from it: the confusion matrix,
accuracy/precision/recall, and for two classes the exact AUC (ties count one half, as scikit-learn's
``roc_auc_score``) and average precision (scikit-learn's ``average_precision_score``; Spark's areaUnderPR is a
trapezoid and differs). Regression: one aggregation (count, squared and absolute errors, the label's variance
with Spark's numerically stable algorithm).

Conventions (scikit-learn's): levels are the sorted distinct values of labels and predictions unless the
model's metadata gives them; the positive class is the second level; rows whose label or prediction is null are
not counted; a ratio with a zero denominator is 0 (``zero_division=0``); AUC and areaUnderPR are NaN when the
data hold a single class.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from pyspark.ml.functions import vector_to_array
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from mmlspark_py.core.stage import column
from mmlspark_py.featurize.categorical import sort_levels
from mmlspark_py.train.columns import EvalColumns

_NAN = float("nan")


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


def positive_score(cols: EvalColumns, positive_index: int) -> Optional[Column]:
    """The score of the positive class: element ``positive_index`` of a 2-element vector, or a double score."""
    if cols.scores is None:
        return None
    score = column(cols.scores)
    if cols.scores_is_vector:
        values = vector_to_array(score)
        value = values[1] - values[0] if cols.margin else values[positive_index]
        return F.when(F.size(values) == 2, value)
    return score.cast("double")


def _grouped(df: DataFrame, cols: EvalColumns, score: Optional[Column]) -> DataFrame:
    y, p = column(cols.label), column(cols.scored_labels)
    s = score if score is not None else F.lit(None).cast("double")
    return (df.select(y.alias("y"), p.alias("p"), s.alias("s"))
            .where(F.col("y").isNotNull() & F.col("p").isNotNull())
            .groupBy("y", "p", "s").agg(F.count(F.lit(1)).alias("n")))


def _levels(cells: List[Tuple[Any, Any, int]], known: Optional[List[Any]]) -> List[Any]:
    seen = sort_levels([c[0] for c in cells] + [c[1] for c in cells])
    if known is None:
        return seen
    return list(known) + [v for v in seen if v not in known]


def _area(grouped: DataFrame, positive: Any, n_pos: int, n_neg: int) -> Tuple[float, float]:
    """Exact AUC and average precision from the grouped counts (descending score, ties together)."""
    if n_pos == 0 or n_neg == 0:
        return _NAN, _NAN
    by_score = (grouped.where(F.col("s").isNotNull())
                .groupBy("s").agg(F.sum(F.when(F.col("y") == F.lit(positive), F.col("n")).otherwise(0)).alias("P"),
                                  F.sum(F.when(F.col("y") != F.lit(positive), F.col("n")).otherwise(0)).alias("N")))
    window = Window.orderBy(F.desc("s")).rowsBetween(Window.unboundedPreceding, Window.currentRow)
    cum = by_score.select("P", "N", F.sum("P").over(window).alias("tp"), F.sum("N").over(window).alias("fp"))
    row = cum.agg(
        F.sum(F.col("P").cast("double") * (F.lit(float(n_neg)) - F.col("fp") + F.col("N") * 0.5)).alias("auc"),
        F.sum(F.col("P").cast("double") * F.col("tp") / (F.col("tp") + F.col("fp"))).alias("ap"),
        F.sum("P").alias("scored_pos"), F.sum("N").alias("scored_neg")).head()
    if not row["scored_pos"] or not row["scored_neg"]:
        return _NAN, _NAN
    return row["auc"] / (row["scored_pos"] * row["scored_neg"]), row["ap"] / row["scored_pos"]


def classification_metrics(df: DataFrame, cols: EvalColumns) -> Dict[str, Any]:
    """All classification metrics (SynapseML's names) plus ``levels``, the confusion matrix's row/column order.

    ``confusion_matrix[i, j]`` counts rows of true level i predicted as level j (scikit-learn's orientation).
    """
    grouped = _grouped(df, cols, positive_score(cols, 1))
    grouped.persist()
    try:
        cells = [(r["y"], r["p"], r["n"]) for r in grouped.groupBy("y", "p").agg(F.sum("n").alias("n")).collect()]
        levels = _levels(cells, cols.levels)
        index = {v: i for i, v in enumerate(levels)}
        matrix = np.zeros((len(levels), len(levels)))
        for y, p, n in cells:
            matrix[index[y], index[p]] += n
        out = _from_matrix(matrix)
        out["levels"] = levels
        if len(levels) == 2 and cols.scores is not None:
            # the score of the second level: vector element 1 (our models' levels are sorted; Spark's label
            # values are their vector indices, so a binary Spark model's positive class 1.0 is element 1)
            n_pos = int(matrix[1].sum())
            out["AUC"], out["areaUnderPR"] = _area(grouped, levels[1], n_pos, int(matrix.sum()) - n_pos)
        else:
            out["AUC"], out["areaUnderPR"] = _NAN, _NAN
        return out
    finally:
        grouped.unpersist()


def _from_matrix(matrix: np.ndarray) -> Dict[str, Any]:
    total = matrix.sum()
    tp = np.diag(matrix)
    actual, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    k = len(matrix)
    accuracy = _ratio(tp.sum(), total)
    if k == 2:
        precision, recall = _ratio(tp[1], predicted[1]), _ratio(tp[1], actual[1])
    else:
        precision = recall = accuracy  # micro-averaged, as SynapseML
    class_accuracy = [_ratio(2 * tp[i] + total - actual[i] - predicted[i], total) for i in range(k)]
    return {"confusion_matrix": matrix, "accuracy": accuracy, "precision": precision, "recall": recall,
            "average_accuracy": float(np.mean(class_accuracy)) if k else _NAN,
            "macro_averaged_precision": float(np.mean([_ratio(tp[i], predicted[i]) for i in range(k)])) if k else _NAN,
            "macro_averaged_recall": float(np.mean([_ratio(tp[i], actual[i]) for i in range(k)])) if k else _NAN}


def regression_metrics(df: DataFrame, cols: EvalColumns) -> Dict[str, float]:
    """mean_squared_error, root_mean_squared_error, R^2 and mean_absolute_error in one aggregation."""
    y, p = column(cols.label).cast("double"), column(cols.scores).cast("double")
    error = y - p
    row = (df.select(y.alias("y"), p.alias("p"), error.alias("e"))
           .where(F.col("y").isNotNull() & F.col("p").isNotNull())
           .agg(F.count(F.lit(1)).alias("n"), F.sum(F.col("e") * F.col("e")).alias("sse"),
                F.sum(F.abs("e")).alias("sae"), F.var_pop("y").alias("var")).head())
    n = row["n"]
    if n == 0:
        return {"mean_squared_error": _NAN, "root_mean_squared_error": _NAN, "R^2": _NAN,
                "mean_absolute_error": _NAN}
    mse = row["sse"] / n
    sst = row["var"] * n
    # scikit-learn's r2_score with a constant label: 1 for a perfect fit, else 0
    r2 = 1.0 - row["sse"] / sst if sst else (1.0 if row["sse"] == 0 else 0.0)
    return {"mean_squared_error": mse, "root_mean_squared_error": float(np.sqrt(mse)), "R^2": r2,
            "mean_absolute_error": row["sae"] / n}
