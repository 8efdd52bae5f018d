"""Metadata of scored columns (SynapseML's score-column kinds), shared by the trainers and the evaluators.

Trained models write Spark's own columns, named by the learner's params (Spark's defaults shown):

* classification: ``rawPrediction`` (vector, when the learner has one), ``probability`` (vector, when it has
  one) and ``prediction`` (double: the index of the predicted level, with the levels in the column's
  categorical metadata, so ``IndexToValue`` gives back the label values);
* regression: ``prediction`` (double).

Each carries metadata that tells the evaluators what it is, so :class:`ComputeModelStatistics` needs no
params::

    {"mml": {"scoreModel": <model uid>,
             "scoreColumnKind": "scores" | "scored_probabilities" | "scored_labels",  # raw, probability, prediction
             "scoreValueKind": "Classification" | "Regression", "labelCol": <label column>,
             "levels": [...],        # classification with known levels: index i is level i
             "labelIsIndex": true,   # the label column holds indices 0..k-1 (reindexLabel=false), not levels
             "rankByMargin": true}}  # on the raw column when raw[1] - raw[0] ranks like the probability of
                                     # level 1 (log-odds, margins, forest votes; not a single tree's counts)

The prediction column also holds the categorical metadata of :mod:`mmlspark_py.featurize` (``ml_attr`` nominal
values and the typed levels) when the levels are known. SynapseML tags columns with a random UUID per
``transform`` call; we use the model's uid, so the schema a model promises (``transformSchema``) is the one it
produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from pyspark.sql.types import StructType

from mmlspark_py.train.metric_names import CLASSIFICATION, REGRESSION  # noqa: F401  (re-exported kinds)

RAW = "scores"
PROBABILITY = "scored_probabilities"
PREDICTION = "scored_labels"
_KEY = "mml"


def score_metadata(
    model_uid: str,
    column_kind: str,
    value_kind: str,
    label_col: str,
    levels: Optional[List[Any]],
    rank_by_margin: bool = False,
    label_is_index: bool = False,
) -> Dict[str, Any]:
    """The ``mml`` metadata entry of a scored column (see the module docstring)."""
    info: Dict[str, Any] = {
        "scoreModel": model_uid,
        "scoreColumnKind": column_kind,
        "scoreValueKind": value_kind,
        "labelCol": label_col,
    }
    if rank_by_margin:
        info["rankByMargin"] = True
    if levels is not None:
        info["levels"] = list(levels)
        if label_is_index:
            info["labelIsIndex"] = True
    return {_KEY: info}


@dataclass(frozen=True)
class ScoredColumns:
    """Where the scored columns of one model are in a schema (None where the model wrote none)."""

    kind: str
    label_col: Optional[str]
    scores: Optional[str] = None
    scored_labels: Optional[str] = None
    scored_probabilities: Optional[str] = None
    levels: Optional[List[Any]] = None
    label_is_index: bool = False
    rank_by_margin: bool = False


def find_scored_columns(schema: StructType) -> Optional[ScoredColumns]:
    """The scored columns of the last model that scored ``schema``'s DataFrame, from their metadata; or None."""
    found: Dict[str, Dict[str, Any]] = {}
    for field in schema.fields:
        info = field.metadata.get(_KEY, {})
        if "scoreColumnKind" in info:
            found.setdefault(info["scoreModel"], {})[info["scoreColumnKind"]] = (field.name, info)
    if not found:
        return None
    columns = found[list(found)[-1]]
    info = next(iter(columns.values()))[1]
    levels = next((i["levels"] for _, i in columns.values() if "levels" in i), None)
    names = {kind: name for kind, (name, _) in columns.items()}
    return ScoredColumns(
        kind=info["scoreValueKind"],
        label_col=info.get("labelCol"),
        scores=names.get(RAW),
        scored_labels=names.get(PREDICTION),
        scored_probabilities=names.get(PROBABILITY),
        levels=levels,
        label_is_index=any(i.get("labelIsIndex") for _, i in columns.values()),
        rank_by_margin=bool(columns[RAW][1].get("rankByMargin")) if RAW in columns else False,
    )


def num_classes(schema: StructType, prediction: Optional[str], scores: Optional[str]) -> Optional[int]:
    """The number of classes as the schema tells it: score levels, Spark's nominal attribute on the prediction
    column, or the attribute-group size of a score vector; None when nothing tells."""
    found = find_scored_columns(schema)
    if found is not None and found.levels is not None:
        return len(found.levels)
    if prediction is not None and prediction in schema.names:
        attr = schema[prediction].metadata.get("ml_attr", {})
        if attr.get("type") == "nominal" and (attr.get("vals") or attr.get("num_vals")):
            return len(attr["vals"]) if attr.get("vals") else int(attr["num_vals"])
    if scores is not None and scores in schema.names:
        size = schema[scores].metadata.get("ml_attr", {}).get("num_attrs")
        if size:
            return int(size)
    return None
