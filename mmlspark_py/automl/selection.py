"""What model selection shares: which metrics it can rank by and which way is better."""

from __future__ import annotations

from typing import Any, Dict

from mmlspark_py.train.columns import CLASSIFICATION_METRICS, REGRESSION_METRICS

LOWER_IS_BETTER = {"mse", "rmse", "mae"}
SELECTION_METRICS = ["accuracy", "precision", "recall", "AUC", "areaUnderROC", "areaUnderPR", "mse", "rmse",
                     "r2", "mae"]


def metric_column(metric: str) -> str:
    """The ComputeModelStatistics column of ``metric`` (e.g. ``"rmse"`` -> ``"root_mean_squared_error"``)."""
    return {**CLASSIFICATION_METRICS, **REGRESSION_METRICS}[metric]


def better(metric: str, a: float, b: float) -> bool:
    """Whether value ``a`` of ``metric`` beats ``b`` (NaN never wins)."""
    if a != a:
        return False
    if b != b:
        return True
    return a < b if metric in LOWER_IS_BETTER else a > b


def plain(metrics: Dict[str, Any]) -> Dict[str, Any]:
    """JSON-safe metrics: the confusion matrix as nested lists, numpy scalars as floats."""
    out: Dict[str, Any] = {}
    for key, value in metrics.items():
        if hasattr(value, "tolist"):
            value = value.tolist()
        out[key] = value
    return out
