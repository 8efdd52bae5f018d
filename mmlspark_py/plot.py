"""Plots of evaluation results (SynapseML's ``synapse.ml.plot``): confusion matrix, ROC, PR, residuals; and
:func:`quick_report`, the metrics plus their plots in one call.

Each ``plot_*`` function writes one PNG and returns its path; the ``*_figure`` functions return a matplotlib
Figure (drawn without pyplot, so no display backend is needed or changed). SynapseML's :func:`confusionMatrix`
and :func:`roc` draw on pyplot's current figure, as in its notebooks. Curves and residuals are plotted from at
most ``max_points`` rows brought to the driver (a plot cannot show more); the metrics themselves are computed
in Spark.

Example::

    metrics = ComputeModelStatistics().transform(scored)
    plot_confusion_matrix(metrics, "cm.png", labels=model.getLevels())
    plot_roc(roc_curve(scored), "roc.png")
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
from matplotlib.figure import Figure
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from mmlspark_py.core import events
from mmlspark_py.train import CLASSIFICATION, FPR, TPR, ComputeModelStatistics, pr_curve, roc_curve

MAX_POINTS = 10_000


def _save(fig: Figure, path: str, dpi: int) -> str:
    """Writes ``fig`` atomically (temp file + rename) and closes it; returns ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=directory)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, format="png")
        os.replace(tmp, path)
        events.emit("artifact", path=path, kind="plot")  # run history logs it (mmlspark_py.tracking)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _matrix(metrics: Union[DataFrame, np.ndarray]) -> np.ndarray:
    if not isinstance(metrics, DataFrame):
        return np.asarray(metrics, dtype=float)
    if "confusion_matrix" not in metrics.columns:
        raise ValueError(
            f"metrics has no confusion_matrix column (columns: {metrics.columns}); pass the output "
            "of ComputeModelStatistics with evaluationMetric='all' on a classifier"
        )
    return metrics.select("confusion_matrix").collect()[0][0].toArray()


def confusion_matrix_figure(
    metrics: Union[DataFrame, np.ndarray], labels: Optional[Sequence[Any]] = None, size_inches: float = 5.0
) -> Figure:
    """A heat map of the confusion matrix, each cell annotated with its count.

    :param metrics: the one-row output of ComputeModelStatistics (classification), or the matrix itself.
    :param labels: the level names in matrix order (default 0..k-1).
    """
    matrix = _matrix(metrics)
    names = [str(v) for v in (labels if labels is not None else range(len(matrix)))]
    fig = Figure(figsize=(size_inches, size_inches))
    ax = fig.subplots()
    ax.imshow(matrix, cmap="Blues")
    for i in range(len(matrix)):
        for j in range(len(matrix)):
            ax.text(
                j,
                i,
                f"{int(matrix[i, j])}",
                ha="center",
                va="center",
                color="white" if matrix[i, j] > matrix.max() / 2 else "black",
            )
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title("Confusion matrix")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(
    metrics: Union[DataFrame, np.ndarray],
    path: str,
    labels: Optional[Sequence[Any]] = None,
    size_inches: float = 5.0,
    dpi: int = 100,
) -> str:
    """Writes :func:`confusion_matrix_figure` to ``path`` (PNG of size_inches*dpi pixels square)."""
    return _save(confusion_matrix_figure(metrics, labels, size_inches), path, dpi)


def _xy(df: DataFrame, x: str, y: str, max_points: int) -> np.ndarray:
    rows = df.select(F.col(x).cast("double"), F.col(y).cast("double")).limit(max_points).collect()
    return np.array([(r[0], r[1]) for r in rows], dtype=float).reshape(-1, 2)


def curve_figure(curve: DataFrame, x: str, y: str, title: str, diagonal: bool, max_points: int = MAX_POINTS) -> Figure:
    """A line plot of columns ``x`` against ``y`` of ``curve`` (e.g. the output of roc_curve/pr_curve)."""
    points = _xy(curve, x, y, max_points)
    fig = Figure(figsize=(5, 5))
    ax = fig.subplots()
    ax.plot(points[:, 0], points[:, 1], lw=2)
    if diagonal:
        ax.plot([0, 1], [0, 1], ls="--", color="grey")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(y.replace("_", " "))
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_roc(roc: DataFrame, path: str, dpi: int = 100) -> str:
    """Writes the ROC curve (the output of :func:`mmlspark_py.train.roc_curve`) to ``path``."""
    return _save(curve_figure(roc, "false_positive_rate", "true_positive_rate", "ROC curve", True), path, dpi)


def plot_pr(pr: DataFrame, path: str, dpi: int = 100) -> str:
    """Writes the precision-recall curve (the output of :func:`mmlspark_py.train.pr_curve`) to ``path``."""
    return _save(curve_figure(pr, "recall", "precision", "Precision-recall curve", False), path, dpi)


def residuals_figure(
    scored: DataFrame, label_col: str, scores_col: str = "prediction", max_points: int = MAX_POINTS
) -> Figure:
    """Residual (label - prediction) against prediction, for at most ``max_points`` rows."""
    points = _xy(scored, scores_col, label_col, max_points)
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.scatter(points[:, 0], points[:, 1] - points[:, 0], s=6, alpha=0.6)
    ax.axhline(0.0, color="grey", ls="--")
    ax.set_xlabel("prediction")
    ax.set_ylabel("residual (label - prediction)")
    ax.set_title("Residuals")
    fig.tight_layout()
    return fig


def plot_residuals(scored: DataFrame, path: str, label_col: str, scores_col: str = "prediction", dpi: int = 100) -> str:
    """Writes :func:`residuals_figure` to ``path``."""
    return _save(residuals_figure(scored, label_col, scores_col), path, dpi)


def quick_report(scored: DataFrame, out_dir: str, **columns: str) -> Dict[str, Any]:
    """Computes ComputeModelStatistics on ``scored`` and writes its plots as PNGs under ``out_dir``.

    :param scored: output of a trained model (TrainClassifier/TrainRegressor), or of a plain Spark model with
        ``labelCol=..., scoredLabelsCol=..., scoresCol=...`` given as keyword arguments.
    :param out_dir: folder for the PNGs (created if needed).
    :returns: the metrics (floats; ``confusion_matrix`` as nested lists, ``levels``) and ``plots``: a dict of
        plot name -> PNG path (classification: ``confusion_matrix`` and, for two classes, ``roc`` and ``pr``;
        regression: ``residuals``).

    Example::

        report = quick_report(model.transform(test), "out/")
        report["accuracy"], report["plots"]["confusion_matrix"]
    """
    stage = ComputeModelStatistics(**columns)
    metrics = stage.compute(scored)
    os.makedirs(out_dir, exist_ok=True)
    plots: Dict[str, str] = {}
    result: Dict[str, Any] = {k: v for k, v in metrics.items() if k not in ("cells", "columns")}
    if metrics["kind"] == CLASSIFICATION:
        cells = metrics["cells"]
        matrix = cells.matrix().toArray()
        plots["confusion_matrix"] = plot_confusion_matrix(
            matrix, os.path.join(out_dir, "confusion_matrix.png"), labels=cells.levels
        )
        if cells.size == 2 and stage.eval_columns(scored.schema).scores is not None:
            plots["roc"] = plot_roc(roc_curve(scored, **columns), os.path.join(out_dir, "roc.png"))
            plots["pr"] = plot_pr(pr_curve(scored, **columns), os.path.join(out_dir, "pr.png"))
        result.update(confusion_matrix=matrix.tolist(), levels=list(cells.levels))
    else:
        cols = stage.eval_columns(scored.schema)
        plots["residuals"] = plot_residuals(
            scored, os.path.join(out_dir, "residuals.png"), cols.label, cols.scores or cols.label
        )
    result["plots"] = plots
    return result


def _two_columns(df: Any, a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
    """Columns ``a`` and ``b`` of a pandas DataFrame as arrays (Spark DataFrames are aggregated in Spark)."""
    return np.asarray(df[a]), np.asarray(df[b])


def confusionMatrix(df: Any, y_col: str, y_hat_col: str, labels: Sequence[Any]) -> None:
    """SynapseML's: draws the row-normalized confusion matrix of ``y_col`` (true) against ``y_hat_col``
    (predicted) on pyplot's current figure, each cell annotated with its count and the accuracy on top.

    ``df`` is a Spark DataFrame (counted in Spark: one row per (true, predicted) pair comes to the driver) or a
    pandas one. The matrix is in the sorted order of the values; ``labels`` name its ticks.
    """
    import matplotlib.pyplot as plt

    if isinstance(df, DataFrame):
        pairs = df.groupBy(F.col(y_col).alias("y"), F.col(y_hat_col).alias("p")).count().collect()
        cells = [(r["y"], r["p"], r["count"]) for r in pairs if r["y"] is not None and r["p"] is not None]
    else:
        y, p = _two_columns(df, y_col, y_hat_col)
        values, counts = np.unique(np.stack([y, p], axis=1), axis=0, return_counts=True)
        cells = [(a, b, n) for (a, b), n in zip(values.tolist(), counts.tolist())]
    levels = sorted({c[0] for c in cells} | {c[1] for c in cells})
    index = {v: i for i, v in enumerate(levels)}
    cm = np.zeros((len(levels), len(levels)))
    for y_value, p_value, n in cells:
        cm[index[y_value], index[p_value]] += n
    normalized = cm / np.maximum(cm.sum(axis=1), 1)[:, np.newaxis]
    accuracy = np.trace(cm) / cm.sum() if cm.sum() else float("nan")
    plt.text(-0.3, -0.55, f"$Accuracy$ $=$ ${round(accuracy * 100, 1)}\\%$", fontsize=18)
    ticks = np.arange(len(labels))
    plt.xticks(ticks, labels, rotation=0)
    plt.yticks(ticks, labels, rotation=90)
    plt.imshow(normalized, interpolation="nearest", cmap=plt.cm.Blues, vmin=0, vmax=1)
    for i in range(len(levels)):
        for j in range(len(levels)):
            plt.text(
                j,
                i,
                str(int(cm[i, j])),
                horizontalalignment="center",
                fontsize=18,
                color="white" if normalized[i, j] > 0.1 else "black",
            )
    plt.colorbar()
    plt.xlabel("Predicted Label", fontsize=18)
    plt.ylabel("True Label", fontsize=18)


def roc(df: Any, y_col: str, y_hat_col: str, thresh: float = 0.5) -> None:
    """SynapseML's: draws the ROC curve of score ``y_hat_col`` against ``y_col > thresh`` on pyplot's current
    figure. A Spark DataFrame's curve is computed in Spark (:func:`mmlspark_py.train.roc_curve`)."""
    import matplotlib.pyplot as plt

    if isinstance(df, DataFrame):
        binary = df.select(
            (F.col(y_col) > F.lit(thresh)).cast("double").alias("y"), F.col(y_hat_col).cast("double").alias("s")
        )
        points = _xy(roc_curve(binary, labelCol="y", scoresCol="s", scoredLabelsCol="y"), FPR, TPR, MAX_POINTS)
        fpr, tpr = points[:, 0], points[:, 1]
    else:
        from sklearn.metrics import roc_curve as sk_roc_curve

        y, s = _two_columns(df, y_col, y_hat_col)
        fpr, tpr, _ = sk_roc_curve((y > thresh).astype(int), s)
    plt.plot(fpr, tpr)
    plt.xlabel("False Positive Rate", fontsize=20)
    plt.ylabel("True Positive Rate", fontsize=20)


__all__: List[str] = [
    "quick_report",
    "confusion_matrix_figure",
    "plot_confusion_matrix",
    "curve_figure",
    "plot_roc",
    "plot_pr",
    "residuals_figure",
    "plot_residuals",
    "confusionMatrix",
    "roc",
]
