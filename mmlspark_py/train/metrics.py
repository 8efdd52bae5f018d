"""Classification and regression metrics of a scored DataFrame, equal to scikit-learn's (and SynapseML's names).

Classification: the rows' (true label, predicted label, positive-class score) are kept (persisted) while
everything is read from them: the confusion cells (one aggregation; a small collect: one row per (true,
predicted) pair), accuracy/precision/recall and the averaged metrics from those cells, and for two classes the
exact AUC and Spark's areaUnderPR from the distributed cumulative counts of
:mod:`mmlspark_py.train.binary_curve` (one shuffle). Regression: one aggregation (count, squared and absolute errors, the
label's variance with Spark's numerically stable algorithm).

Conventions (scikit-learn's): levels are the model's levels when its metadata gives them, else the sorted
distinct values of labels and predictions (values the metadata does not list come after its levels); the
positive class is the second level; rows whose label or prediction is null are not counted; a ratio with a zero
denominator is 0 (``zero_division=0``); AUC and areaUnderPR are NaN when the data hold a single class. The
confusion matrix is dense up to ``DENSE_LEVELS`` levels, sparse beyond (same Spark type); more than
``MAX_CELLS`` distinct (label, prediction) pairs is an error at once: such data are continuous values, not
classes (evaluate them as a regression).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import numpy as np
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import DenseMatrix, Matrix, SparseMatrix
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, DataType, DoubleType, LongType, StringType

from mmlspark_py.core.stage import SchemaError, column
from mmlspark_py.featurize import sort_levels, value_column
from mmlspark_py.train.binary_curve import COUNT, POSITIVE, SCORE, areas, cumulative_counts
from mmlspark_py.train.columns import EvalColumns

MAX_CELLS = 100_000
DENSE_LEVELS = 256
_NAN = float("nan")


@dataclass(frozen=True)
class ConfusionCells:
    """The non-zero cells of a confusion matrix: ``rows[i]`` true level index, ``cols[i]`` predicted level
    index, ``counts[i]`` rows; ``levels`` the level values in index order."""

    levels: List[Any]
    rows: np.ndarray
    cols: np.ndarray
    counts: np.ndarray

    @property
    def size(self) -> int:
        return len(self.levels)

    def matrix(self) -> Matrix:
        """Spark's matrix (rows: true level, columns: predicted level): dense up to DENSE_LEVELS levels."""
        k = self.size
        if k <= DENSE_LEVELS:
            dense = np.zeros((k, k))
            np.add.at(dense, (self.rows, self.cols), self.counts)
            return DenseMatrix(k, k, dense.flatten(order="F").tolist())
        order = np.lexsort((self.rows, self.cols))  # column-major, as SparseMatrix wants
        col_ptrs = np.searchsorted(self.cols[order], np.arange(k + 1))
        return SparseMatrix(
            k, k, col_ptrs.tolist(), self.rows[order].tolist(), self.counts[order].astype(float).tolist()
        )

    def to_json(self) -> Dict[str, Any]:
        return {
            "levels": list(self.levels),
            "cells": [[int(i), int(j), int(n)] for i, j, n in zip(self.rows, self.cols, self.counts)],
        }

    @staticmethod
    def from_json(value: Dict[str, Any]) -> ConfusionCells:
        cells = np.array(value["cells"], dtype=np.int64).reshape(-1, 3)
        return ConfusionCells(list(value["levels"]), cells[:, 0], cells[:, 1], cells[:, 2])


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


def label_columns(cols: EvalColumns) -> tuple[Column, Column]:
    """(true label, predicted label) as comparable values: label values, or indices when the label is one."""
    assert cols.scored_labels is not None  # resolve_columns gives classification a predicted-label column
    y, p = column(cols.label), column(cols.scored_labels)
    if cols.label_is_index:
        return y.cast("double"), p.cast("double")
    if cols.prediction_is_index and cols.levels is not None:
        p = value_column(p, cols.levels, _type_of_levels(cols.levels))
    return y, p


def _type_of_levels(levels: List[Any]) -> DataType:
    """The Spark type that holds every level (levels come from JSON metadata: bool, int, float or str)."""
    if all(isinstance(v, bool) for v in levels):
        return BooleanType()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in levels):
        return LongType()
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in levels):
        return DoubleType()
    return StringType()


def _levels(cells: List[tuple], known: Optional[List[Any]], label_is_index: bool) -> List[Any]:
    seen = sort_levels([c[0] for c in cells] + [c[1] for c in cells])
    if known is None:
        return seen
    if label_is_index:
        known = [float(i) for i in range(len(known))]
    return list(known) + [v for v in seen if v not in known]


def confusion_cells(rows: DataFrame, cols: EvalColumns) -> tuple[ConfusionCells, int]:
    """The confusion cells of ``rows`` (columns y, p, n) and the number of rows.

    :raises SchemaError: more than MAX_CELLS distinct (label, prediction) pairs (see the module docstring).
    """
    found = rows.groupBy("y", "p").agg(F.sum("n").alias("n")).limit(MAX_CELLS + 1).collect()
    if len(found) > MAX_CELLS:
        raise SchemaError(
            f"evaluationMetric: columns {cols.label!r} and {cols.scored_labels!r} hold more than "
            f"{MAX_CELLS:,} distinct (label, prediction) pairs: they look like continuous values, "
            "not classes; evaluate them as a regression (evaluationMetric='regression')"
        )
    levels = _levels([(r["y"], r["p"]) for r in found], cols.levels, cols.label_is_index)
    index = {v: i for i, v in enumerate(levels)}
    return ConfusionCells(
        levels,
        np.array([index[r["y"]] for r in found], dtype=np.int64),
        np.array([index[r["p"]] for r in found], dtype=np.int64),
        np.array([r["n"] for r in found], dtype=np.int64),
    ), sum(r["n"] for r in found)


def from_cells(cells: ConfusionCells) -> Dict[str, float]:
    """accuracy, precision, recall (binary: of the second level; else micro-averaged, as SynapseML),
    average_accuracy, macro_averaged_precision and macro_averaged_recall."""
    k = cells.size
    if k == 0:
        return {
            m: _NAN
            for m in (
                "accuracy",
                "precision",
                "recall",
                "average_accuracy",
                "macro_averaged_precision",
                "macro_averaged_recall",
            )
        }
    counts = cells.counts.astype(float)
    total = counts.sum()
    tp = np.bincount(cells.rows[cells.rows == cells.cols], counts[cells.rows == cells.cols], minlength=k)
    actual = np.bincount(cells.rows, counts, minlength=k)
    predicted = np.bincount(cells.cols, counts, minlength=k)
    accuracy = _ratio(tp.sum(), total)
    if k == 2:
        precision, recall = _ratio(tp[1], predicted[1]), _ratio(tp[1], actual[1])
    else:
        precision = recall = accuracy
    with np.errstate(divide="ignore", invalid="ignore"):
        class_precision = np.where(predicted > 0, tp / np.where(predicted > 0, predicted, 1), 0.0)
        class_recall = np.where(actual > 0, tp / np.where(actual > 0, actual, 1), 0.0)
    class_accuracy = (2 * tp + total - actual - predicted) / total
    return {
        "accuracy": accuracy,
        "precision": precision,
        "recall": recall,
        "average_accuracy": float(class_accuracy.mean()),
        "macro_averaged_precision": float(class_precision.mean()),
        "macro_averaged_recall": float(class_recall.mean()),
    }


def scored_rows(df: DataFrame, cols: EvalColumns, positive: Optional[Any]) -> DataFrame:
    """(y, p, s, n): true label, predicted label, positive-class score (null when none) and n = 1, of the rows
    whose label and prediction are not null."""
    y, p = label_columns(cols)
    score = positive_score(cols, 1)
    if score is None and positive is not None:
        # no score column: rank by the predicted label itself (SynapseML's AUC then uses the predictions)
        score = (p == F.lit(positive)).cast("double")
    s = score if score is not None else F.lit(None).cast("double")
    return df.select(y.alias("y"), p.alias("p"), s.alias("s"), F.lit(1).alias("n")).where(
        F.col("y").isNotNull() & F.col("p").isNotNull()
    )


def binary_areas(rows: DataFrame, positive: Any, count: Optional[int]) -> tuple[float, float]:
    """(AUC, areaUnderPR) of ``rows`` (y, s, n; ``count`` rows) with ``positive`` the positive label."""
    weighted = rows.where(F.col("s").isNotNull()).select(
        F.col("s").alias(SCORE), (F.col("y") == F.lit(positive)).cast("int").alias(POSITIVE), F.col("n").alias(COUNT)
    )
    return areas(cumulative_counts(weighted, count))


def classification_metrics(df: DataFrame, cols: EvalColumns, with_areas: bool = True) -> Dict[str, Any]:
    """Every classification metric (SynapseML's names) plus ``cells`` (:class:`ConfusionCells`).

    The projected rows are persisted (not grouped: a grouping would cost a shuffle of every row, and the curve
    needs one anyway) while the cells and the curve are read from them.
    """
    known_positive = _known_positive(cols)
    rows = scored_rows(df, cols, known_positive).persist()
    try:
        cells, count = confusion_cells(rows, cols)
        out: Dict[str, Any] = from_cells(cells)
        out["cells"] = cells
        out["AUC"] = out["areaUnderPR"] = _NAN
        if with_areas and cells.size == 2:
            if known_positive is None and cols.scores is None:
                rows.unpersist()
                rows = scored_rows(df, cols, cells.levels[1]).persist()
            out["AUC"], out["areaUnderPR"] = binary_areas(rows, cells.levels[1], count)
        return out
    finally:
        rows.unpersist()


def _known_positive(cols: EvalColumns) -> Optional[Any]:
    """The positive label when the schema tells it (two known levels), else None (learnt from the data)."""
    if cols.levels is not None and len(cols.levels) == 2:
        return 1.0 if cols.label_is_index else cols.levels[1]
    return None


def regression_metrics(df: DataFrame, cols: EvalColumns) -> Dict[str, float]:
    """mean_squared_error, root_mean_squared_error, R^2 and mean_absolute_error in one aggregation."""
    assert cols.scores is not None  # resolve_columns gives regression a scores column
    y, p = column(cols.label).cast("double"), column(cols.scores).cast("double")
    error = y - p
    row = (
        df.select(y.alias("y"), p.alias("p"), error.alias("e"))
        .where(F.col("y").isNotNull() & F.col("p").isNotNull())
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.sum(F.col("e") * F.col("e")).alias("sse"),
            F.sum(F.abs("e")).alias("sae"),
            F.var_pop("y").alias("var"),
        )
        .collect()[0]
    )
    n = row["n"]
    if n == 0:
        return {"mean_squared_error": _NAN, "root_mean_squared_error": _NAN, "R^2": _NAN, "mean_absolute_error": _NAN}
    mse = row["sse"] / n
    sst = row["var"] * n
    # scikit-learn's r2_score with a constant label: 1 for a perfect fit, else 0
    r2 = 1.0 - row["sse"] / sst if sst else (1.0 if row["sse"] == 0 else 0.0)
    return {
        "mean_squared_error": mse,
        "root_mean_squared_error": float(np.sqrt(mse)),
        "R^2": r2,
        "mean_absolute_error": row["sae"] / n,
    }
