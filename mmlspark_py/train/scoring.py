"""Names and metadata of scored columns (SynapseML's ``SchemaConstants``), shared by trainers and evaluators.

Trained models write these columns (SynapseML's names):

* classification: ``scores`` (vector: the learner's raw prediction, when it has one), ``scored_probabilities``
  (vector: class probabilities, when it has them) and ``scored_labels`` (the predicted label, in the label
  column's own values and type);
* regression: ``scores`` (double: the prediction).

Each carries metadata that tells evaluators what it is, so :class:`ComputeModelStatistics` needs no params::

    {"mml": {"scoreModel": <model uid>, "scoreColumnKind": "scores" | "scored_probabilities" | "scored_labels",
             "scoreValueKind": "Classification" | "Regression", "labelCol": <label column>,
             "levels": [...],       # classification with known levels: vector index i is level i
             "rankByMargin": true}} # on ``scores`` when scores[1] - scores[0] ranks like the probability of
                                    # level 1 (log-odds, margins, forest votes; not a single tree's counts)

SynapseML tags columns with a random UUID per ``transform`` call; we use the model's uid, so the schema a model
promises (``transformSchema``) is the one it produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from pyspark.sql.types import StructType

SCORES = "scores"
SCORED_LABELS = "scored_labels"
SCORED_PROBABILITIES = "scored_probabilities"
CLASSIFICATION = "Classification"
REGRESSION = "Regression"
_KEY = "mml"


def score_metadata(model_uid: str, column_kind: str, value_kind: str, label_col: str,
                   levels: Optional[List[Any]], rank_by_margin: bool = False) -> Dict[str, Any]:
    """The metadata of a scored column (see the module docstring)."""
    info: Dict[str, Any] = {"scoreModel": model_uid, "scoreColumnKind": column_kind, "scoreValueKind": value_kind,
                            "labelCol": label_col}
    if rank_by_margin:
        info["rankByMargin"] = True
    if levels is not None:
        info["levels"] = list(levels)
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
    margin = bool(columns[SCORES][1].get("rankByMargin")) if SCORES in columns else False
    return ScoredColumns(kind=info["scoreValueKind"], label_col=info.get("labelCol"), scores=names.get(SCORES),
                         scored_labels=names.get(SCORED_LABELS),
                         scored_probabilities=names.get(SCORED_PROBABILITIES), levels=levels,
                         rank_by_margin=margin)
