"""What the evaluators compute: the kinds, the metric names users ask for, the columns they fill (SynapseML's).

Shared by :class:`~mmlspark_py.train.ComputeModelStatistics` and by model selection (``mmlspark_py.automl``,
which imports these through ``mmlspark_py.train``).

Output columns of ComputeModelStatistics (SynapseML's ``MetricConstants``):

* regression: ``mean_squared_error``, ``root_mean_squared_error``, ``R^2``, ``mean_absolute_error``;
* classification: ``evaluation_type`` ("Classification"), ``confusion_matrix``, then for two classes
  ``accuracy``, ``precision``, ``recall``, ``AUC``; for more classes ``accuracy``, ``precision``, ``recall``
  (micro-averaged), ``average_accuracy``, ``macro_averaged_precision``, ``macro_averaged_recall``.
"""

from __future__ import annotations

from typing import List, Optional

CLASSIFICATION = "Classification"
REGRESSION = "Regression"

EVALUATION_TYPE = "evaluation_type"
CONFUSION_MATRIX = "confusion_matrix"
ALL, CLASSIFICATION_ALL, REGRESSION_ALL = "all", "classification", "regression"

#: metric name (``evaluationMetric``) -> output column
CLASSIFICATION_METRICS = {
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall",
    "AUC": "AUC",
    "areaUnderROC": "AUC",
    "areaUnderPR": "areaUnderPR",
    "average_accuracy": "average_accuracy",
    "macro_averaged_precision": "macro_averaged_precision",
    "macro_averaged_recall": "macro_averaged_recall",
}
REGRESSION_METRICS = {
    "mse": "mean_squared_error",
    "rmse": "root_mean_squared_error",
    "r2": "R^2",
    "mae": "mean_absolute_error",
}
METRICS = [ALL, CLASSIFICATION_ALL, REGRESSION_ALL] + list(CLASSIFICATION_METRICS) + list(REGRESSION_METRICS)

REGRESSION_COLUMNS = ["mean_squared_error", "root_mean_squared_error", "R^2", "mean_absolute_error"]
BINARY_COLUMNS = ["accuracy", "precision", "recall", "AUC"]
MULTICLASS_COLUMNS = [
    "accuracy",
    "precision",
    "recall",
    "average_accuracy",
    "macro_averaged_precision",
    "macro_averaged_recall",
]
#: when the number of classes cannot be read from the schema (plain doubles, no metadata)
ANY_CLASS_COLUMNS = [
    "accuracy",
    "precision",
    "recall",
    "AUC",
    "average_accuracy",
    "macro_averaged_precision",
    "macro_averaged_recall",
]

#: metrics model selection can rank by (SynapseML's FindBestModel set, plus areaUnderROC/areaUnderPR)
SELECTION_METRICS = [
    "accuracy",
    "precision",
    "recall",
    "AUC",
    "areaUnderROC",
    "areaUnderPR",
    "mse",
    "rmse",
    "r2",
    "mae",
]
_LOWER_IS_BETTER = {"mse", "rmse", "mae"}


def metric_kind(metric: str) -> Optional[str]:
    """CLASSIFICATION or REGRESSION for a metric name that implies one, else None (``all``)."""
    if metric in CLASSIFICATION_METRICS or metric == CLASSIFICATION_ALL:
        return CLASSIFICATION
    if metric in REGRESSION_METRICS or metric == REGRESSION_ALL:
        return REGRESSION
    return None


def metric_column(metric: str) -> str:
    """The output column of ``metric`` (e.g. ``"rmse"`` -> ``"root_mean_squared_error"``)."""
    return {**CLASSIFICATION_METRICS, **REGRESSION_METRICS}[metric]


def classification_columns(num_classes: Optional[int]) -> List[str]:
    """The metric columns of a classification with ``num_classes`` classes (None: not known from the schema)."""
    if num_classes is None:
        return ANY_CLASS_COLUMNS
    return BINARY_COLUMNS if num_classes <= 2 else MULTICLASS_COLUMNS


def better(metric: str, a: float, b: float) -> bool:
    """Whether value ``a`` of ``metric`` beats ``b`` (lower is better for mse, rmse, mae; NaN never wins)."""
    if a != a:
        return False
    if b != b:
        return True
    return a < b if metric in _LOWER_IS_BETTER else a > b
