"""Finding the label, scored-label and score columns an evaluator works on, with errors that say what was sought.

Our trainers' output is found from the score metadata (:mod:`mmlspark_py.train.scoring`). Output of plain Spark
ML models is named with params: ``labelCol``, ``scoredLabelsCol`` (e.g. ``prediction``) and ``scoresCol`` (e.g.
``probability`` or ``rawPrediction`` for classification; ``prediction`` for regression); the kind is
classification when ``scoredLabelsCol`` is given (or ``evaluationMetric`` is a classification metric), else
regression. Explicit params override the metadata.

The binary score ranked for AUC/areaUnderPR/curves: for our trainers' output ``raw[1] - raw[0]`` where that
ranks as the probability of the second level does (metadata ``rankByMargin``: log-odds for logistic regression,
naive Bayes and perceptrons, margins for SVMs and GBT, vote difference for forests) but is never saturated, else
``probability[1]`` (a single decision tree); for an explicit vector ``scoresCol`` its element 1 (Spark's
convention, as SynapseML); a double ``scoresCol`` as it is; with no score column at all, whether the predicted
label is the second level (as SynapseML, which then ranks by the predictions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional

from pyspark.ml.linalg import VectorUDT
from pyspark.sql.types import StructType

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.train.metric_names import CLASSIFICATION, REGRESSION, metric_kind
from mmlspark_py.train.scoring import find_scored_columns, num_classes


@dataclass(frozen=True)
class EvalColumns:
    """What an evaluator reads: the kind, the label, the predicted label and the score column (or None).

    ``levels``: the label values in index order when the model's metadata gives them; ``prediction_is_index``:
    the predicted label is an index into ``levels`` (our trainers' ``prediction``), not a label value;
    ``label_is_index``: the label column holds indices too; ``num_classes``: as the schema tells it (or None).
    """

    kind: str
    label: str
    scored_labels: Optional[str]
    scores: Optional[str]
    scores_is_vector: bool
    levels: Optional[List[Any]]
    margin: bool = False
    prediction_is_index: bool = False
    label_is_index: bool = False
    num_classes: Optional[int] = None


def _require(schema: StructType, name: Optional[str], param: str, sought: str) -> Optional[str]:
    if name is not None and name not in schema.names:
        raise SchemaError(f"{param}: column {name!r} does not exist (looked for {sought}); columns are {schema.names}")
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
        from_metadata = scored_labels is None
        scored_labels = scored_labels or found.scored_labels
        # rank by the raw margin when the model gives one: probabilities saturate at 0/1 (a well-separated
        # logistic regression ties half the rows at 1.0), which would lower the AUC for no real reason
        margin = scores is None and found.rank_by_margin
        scores = scores or (found.scores if margin else found.scored_probabilities or found.scores)
        levels = found.levels
        prediction_is_index = from_metadata and levels is not None and not found.label_is_index
        label_is_index = found.label_is_index
    else:
        if label is None or (scores is None and scored_labels is None):
            raise SchemaError(
                f"{evaluator}: found no scored columns: no column carries the score metadata of "
                "TrainClassifier/TrainRegressor, so set labelCol and scoredLabelsCol (classification, "
                "e.g. 'prediction') and/or scoresCol (e.g. 'probability'; for regression "
                f"'prediction'); columns are {schema.names}"
            )
        kind = forced or (CLASSIFICATION if scored_labels is not None else REGRESSION)
        levels, margin, prediction_is_index, label_is_index = None, False, False, False
    if label is None:
        raise SchemaError(f"{evaluator}: labelCol is not set and the scored columns do not name a label column")
    _require(schema, label, "labelCol", "the true labels")
    _require(schema, scored_labels, "scoredLabelsCol", "the predicted labels")
    _require(
        schema,
        scores,
        "scoresCol",
        "the scores" + (" (probabilities or raw predictions)" if kind == CLASSIFICATION else " (predictions)"),
    )
    if kind == REGRESSION:
        scores = scores or scored_labels
        if scores is None:
            raise SchemaError(f"{evaluator}: regression needs scoresCol (the predictions)")
        return EvalColumns(REGRESSION, label, None, scores, False, None)
    if scored_labels is None:
        raise SchemaError(f"{evaluator}: classification needs scoredLabelsCol (the predicted labels)")
    is_vector = scores is not None and isinstance(schema[scores].dataType, VectorUDT)
    return EvalColumns(
        CLASSIFICATION,
        label,
        scored_labels,
        scores,
        is_vector,
        levels,
        margin and is_vector,
        prediction_is_index,
        label_is_index,
        num_classes(schema, scored_labels, scores),
    )
