"""Plots of evaluation results to PNG files (matplotlib, Agg backend): confusion matrix, ROC, PR, residuals;
and :func:`quick_report`, the metrics plus their plots in one call.

Each ``plot_*`` function writes one PNG and returns its path; the ``*_figure`` functions return the matplotlib
Figure (for notebooks, and so tests can read what was drawn). Curves and residuals are plotted from at most
``max_points`` rows brought to the driver (a plot cannot show more); the metrics themselves are computed in
Spark.

Example::

    metrics = ComputeModelStatistics().transform(scored)
    plot_confusion_matrix(metrics, "cm.png", labels=model.getLevels())
    plot_roc(roc_curve(scored), "roc.png")
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, List, Optional, Sequence, Union

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from pyspark.sql import DataFrame  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from mmlspark_py.train import CLASSIFICATION, ComputeModelStatistics, pr_curve, roc_curve  # noqa: E402

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
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _matrix(metrics: Union[DataFrame, np.ndarray]) -> np.ndarray:
    if not isinstance(metrics, DataFrame):
        return np.asarray(metrics, dtype=float)
    if "confusion_matrix" not in metrics.columns:
        raise ValueError(f"metrics has no confusion_matrix column (columns: {metrics.columns}); pass the output "
                         "of ComputeModelStatistics with evaluationMetric='all' on a classifier")
    return metrics.select("confusion_matrix").head()[0].toArray()


def confusion_matrix_figure(metrics: Union[DataFrame, np.ndarray], labels: Optional[Sequence[Any]] = None,
                            size_inches: float = 5.0) -> Figure:
    """A heat map of the confusion matrix, each cell annotated with its count.

    :param metrics: the one-row output of ComputeModelStatistics (classification), or the matrix itself.
    :param labels: the level names in matrix order (default 0..k-1).
    """
    matrix = _matrix(metrics)
    names = [str(v) for v in (labels if labels is not None else range(len(matrix)))]
    fig, ax = plt.subplots(figsize=(size_inches, size_inches))
    ax.imshow(matrix, cmap="Blues")
    for i in range(len(matrix)):
        for j in range(len(matrix)):
            ax.text(j, i, f"{int(matrix[i, j])}", ha="center", va="center",
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title("Confusion matrix")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(metrics: Union[DataFrame, np.ndarray], path: str, labels: Optional[Sequence[Any]] = None,
                          size_inches: float = 5.0, dpi: int = 100) -> str:
    """Writes :func:`confusion_matrix_figure` to ``path`` (PNG of size_inches*dpi pixels square)."""
    return _save(confusion_matrix_figure(metrics, labels, size_inches), path, dpi)


def _xy(df: DataFrame, x: str, y: str, max_points: int) -> np.ndarray:
    rows = df.select(F.col(x).cast("double"), F.col(y).cast("double")).limit(max_points).collect()
    return np.array([(r[0], r[1]) for r in rows], dtype=float).reshape(-1, 2)


def curve_figure(curve: DataFrame, x: str, y: str, title: str, diagonal: bool,
                 max_points: int = MAX_POINTS) -> Figure:
    """A line plot of columns ``x`` against ``y`` of ``curve`` (e.g. the output of roc_curve/pr_curve)."""
    points = _xy(curve, x, y, max_points)
    fig, ax = plt.subplots(figsize=(5, 5))
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


def residuals_figure(scored: DataFrame, label_col: str, scores_col: str = "prediction",
                     max_points: int = MAX_POINTS) -> Figure:
    """Residual (label - prediction) against prediction, for at most ``max_points`` rows."""
    points = _xy(scored, scores_col, label_col, max_points)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(points[:, 0], points[:, 1] - points[:, 0], s=6, alpha=0.6)
    ax.axhline(0.0, color="grey", ls="--")
    ax.set_xlabel("prediction")
    ax.set_ylabel("residual (label - prediction)")
    ax.set_title("Residuals")
    fig.tight_layout()
    return fig


def plot_residuals(scored: DataFrame, path: str, label_col: str, scores_col: str = "prediction",
                   dpi: int = 100) -> str:
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
            matrix, os.path.join(out_dir, "confusion_matrix.png"), labels=cells.levels)
        if cells.size == 2 and stage.eval_columns(scored.schema).scores is not None:
            plots["roc"] = plot_roc(roc_curve(scored, **columns), os.path.join(out_dir, "roc.png"))
            plots["pr"] = plot_pr(pr_curve(scored, **columns), os.path.join(out_dir, "pr.png"))
        result.update(confusion_matrix=matrix.tolist(), levels=list(cells.levels))
    else:
        cols = stage.eval_columns(scored.schema)
        plots["residuals"] = plot_residuals(scored, os.path.join(out_dir, "residuals.png"), cols.label,
                                            cols.scores)
    result["plots"] = plots
    return result


__all__: List[str] = ["quick_report", "confusion_matrix_figure", "plot_confusion_matrix", "curve_figure", "plot_roc", "plot_pr",
                      "residuals_figure", "plot_residuals"]
