"""Finding the label, scored-label and score columns an evaluator works on, with errors that say what was sought.

Our trainers' output is found from the score metadata (:mod:`mmlspark_py.train.scoring`). Output of plain Spark
ML models is named with params: ``labelCol``, ``scoredLabelsCol`` (e.g. ``prediction``) and ``scoresCol`` (e.g.
``probability`` or ``rawPrediction`` for classification; ``prediction`` for regression); the kind is
classification when ``scoredLabelsCol`` is given (or ``evaluationMetric`` is a classification metric), else
regression. Explicit params override the metadata.

The binary score ranked for AUC/areaUnderPR/curves: for our trainers' output ``scores[1] - scores[0]`` where that
ranks as the probability of the second level does (metadata ``rankByMargin``: log-odds for logistic regression,
naive Bayes and perceptrons, margins for SVMs and GBT, vote difference for forests) but is never saturated, else
``scored_probabilities[1]`` (a single decision tree); for an explicit vector
``scoresCol`` its element 1 (Spark's convention, as SynapseML); a double ``scoresCol`` as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional

from pyspark.ml.linalg import VectorUDT
from pyspark.sql.types import StructType

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.train.scoring import CLASSIFICATION, REGRESSION, find_scored_columns

CLASSIFICATION_METRICS = {"accuracy": "accuracy", "precision": "precision", "recall": "recall", "AUC": "AUC",
                          "areaUnderROC": "AUC", "areaUnderPR": "areaUnderPR",
                          "average_accuracy": "average_accuracy",
                          "macro_averaged_precision": "macro_averaged_precision",
                          "macro_averaged_recall": "macro_averaged_recall"}
REGRESSION_METRICS = {"mse": "mean_squared_error", "rmse": "root_mean_squared_error", "r2": "R^2",
                      "mae": "mean_absolute_error"}
ALL, CLASSIFICATION_ALL, REGRESSION_ALL = "all", "classification", "regression"
METRICS = [ALL, CLASSIFICATION_ALL, REGRESSION_ALL] + list(CLASSIFICATION_METRICS) + list(REGRESSION_METRICS)


@dataclass(frozen=True)
class EvalColumns:
    """What an evaluator reads: the kind, the label, the predicted label and the score column (or None)."""

    kind: str
    label: str
    scored_labels: Optional[str]
    scores: Optional[str]
    scores_is_vector: bool
    levels: Optional[List[Any]]
    margin: bool = False  # scores is our model's raw-prediction vector: rank by scores[1] - scores[0]


def metric_kind(metric: str) -> Optional[str]:
    if metric in CLASSIFICATION_METRICS or metric == CLASSIFICATION_ALL:
        return CLASSIFICATION
    if metric in REGRESSION_METRICS or metric == REGRESSION_ALL:
        return REGRESSION
    return None


def _require(schema: StructType, name: Optional[str], param: str, sought: str) -> Optional[str]:
    if name is not None and name not in schema.names:
        raise SchemaError(f"{param}: column {name!r} does not exist (looked for {sought}); columns are "
                          f"{schema.names}")
    return name


def resolve_columns(stage: Any, schema: StructType, evaluator: str) -> EvalColumns:
    """The columns ``stage`` (with params labelCol, scoresCol, scoredLabelsCol, evaluationMetric) evaluates."""
    def explicit(param: str) -> Optional[str]:
        return stage.getOrDefault(param) if stage.isSet(param) else None

    found = find_scored_columns(schema)
    forced = metric_kind(stage.getOrDefault("evaluationMetric"))
    label = explicit("labelCol") or (found.label_col if found else None)
    scored_labels = explicit("scoredLabelsCol")
    scores = explicit("scoresCol")
    if found is not None:
        kind = forced or found.kind
        scored_labels = scored_labels or found.scored_labels
        # rank by the raw margin when the model gives one: probabilities saturate at 0/1 (a well-separated
        # logistic regression ties half the rows at 1.0), which would lower the AUC for no real reason
        margin = scores is None and found.rank_by_margin
        scores = scores or (found.scores if margin else found.scored_probabilities or found.scores)
        levels = found.levels
    else:
        if label is None or (scores is None and scored_labels is None):
            raise SchemaError(f"{evaluator}: found no scored columns: no column carries the score metadata of "
                              "TrainClassifier/TrainRegressor, so set labelCol and scoredLabelsCol (classification, "
                              "e.g. 'prediction') and/or scoresCol (e.g. 'probability'; for regression "
                              f"'prediction'); columns are {schema.names}")
        kind = forced or (CLASSIFICATION if scored_labels is not None else REGRESSION)
        levels, margin = None, False
    if label is None:
        raise SchemaError(f"{evaluator}: labelCol is not set and the scored columns do not name a label column")
    _require(schema, label, "labelCol", "the true labels")
    _require(schema, scored_labels, "scoredLabelsCol", "the predicted labels")
    _require(schema, scores, "scoresCol", "the scores" + (" (probabilities or raw predictions)"
                                                            if kind == CLASSIFICATION else " (predictions)"))
    if kind == REGRESSION:
        scores = scores or scored_labels
        if scores is None:
            raise SchemaError(f"{evaluator}: regression needs scoresCol (the predictions)")
        return EvalColumns(REGRESSION, label, None, scores, False, None)
    if scored_labels is None:
        raise SchemaError(f"{evaluator}: classification needs scoredLabelsCol (the predicted labels)")
    is_vector = scores is not None and isinstance(schema[scores].dataType, VectorUDT)
    return EvalColumns(CLASSIFICATION, label, scored_labels, scores, is_vector, levels, margin and is_vector)
