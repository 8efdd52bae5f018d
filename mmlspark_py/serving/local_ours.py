"""mmlspark-py's own stages on the serving fast path: FeaturizeModel and TrainedClassifierModel.

FeaturizeModel (numeric, boolean and categorical string columns) prepares each column as its ``transform``
does (numbers as doubles with +-infinity as NaN, booleans as 1/0, categories as strings) into the temporary
columns its fitted Spark pipeline reads, then runs that pipeline through the local Spark-stage
implementations. If the fitted pipeline does not read the temporary columns by the names expected, the model
is reported unsupported (and served through Spark) rather than guessed at.

TrainedClassifierModel runs its inner pipeline locally and maps the learner's columns to ``scores``,
``scored_probabilities`` and ``scored_labels`` (the label value at the predicted index, null when out of range).
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np

from mmlspark_py.serving.local_stages import (
    NUMBER,
    STRING,
    Batch,
    Col,
    Kind,
    LocalStage,
    Unsupported,
    compile_stage,
    local_stage,
    vector,
)

LOCAL_KINDS = ("numeric", "boolean", "categorical")


class Sequence(LocalStage):
    """Stages applied in order (a PipelineModel, or a model's inner pipeline)."""

    def __init__(self, stages: List[LocalStage], outputs: Dict[str, Kind]):
        self.stages = stages
        self.outputs = outputs

    def apply(self, batch: Batch) -> None:
        for stage in self.stages:
            stage.apply(batch)


def compile_sequence(stages: List[Any], kinds: Dict[str, Kind]) -> Sequence:
    """Compile ``stages`` in order, each seeing the columns the previous ones add."""
    available = dict(kinds)
    compiled, added = [], {}
    for stage in stages:
        local = compile_stage(stage, available)
        compiled.append(local)
        available.update(local.outputs)
        added.update(local.outputs)
    return Sequence(compiled, added)


@local_stage("pyspark.ml.pipeline.PipelineModel")
def _pipeline(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    return compile_sequence(list(stage.stages), kinds)


class _Featurize(LocalStage):
    def __init__(self, plan: List[Dict[str, Any]], prefix: str, inner: Sequence, output: str, size: int):
        self.plan, self.prefix, self.inner, self.output = plan, prefix, inner, output
        self.outputs = {output: vector(size)}

    def apply(self, batch: Batch) -> None:
        work = dict(batch)
        for entry in self.plan:
            source = batch[entry["name"]]
            temp = f"{self.prefix}_{entry['name']}"
            if entry["kind"] == "numeric":
                values = np.where(np.isinf(source.values), np.nan, source.values)
                work[temp] = Col(values, source.nulls)
            else:  # boolean (already 1.0/0.0) and categorical strings pass as they are
                work[temp] = source
        self.inner.apply(work)
        batch[self.output] = work[f"{self.prefix}_features"]


@local_stage("mmlspark_py.featurize.featurize.FeaturizeModel")
def _featurize(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    plan = stage.getColumnPlan()
    prefix = f"__{stage.uid}"
    temps: Dict[str, Kind] = {}
    for entry in plan:
        if entry["kind"] not in LOCAL_KINDS:
            raise Unsupported(
                f"FeaturizeModel: column {entry['name']!r} is featurized as {entry['kind']}; the fast "
                f"path handles {', '.join(LOCAL_KINDS)}"
            )
        source = kinds.get(entry["name"])
        wanted = "string" if entry["kind"] == "categorical" else "number"
        if source is None or source.name != wanted:
            raise Unsupported(f"FeaturizeModel: column {entry['name']!r} ({entry['kind']}) is not a local {wanted}")
        temps[f"{prefix}_{entry['name']}"] = STRING if wanted == "string" else NUMBER
    try:
        inner = compile_sequence(list(stage.getFeaturePipeline().stages), {**kinds, **temps})
    except Unsupported as e:
        raise Unsupported(f"FeaturizeModel: {e}") from e
    result = inner.outputs.get(f"{prefix}_features")
    if result is None or result.name != "vector":
        raise Unsupported("FeaturizeModel: its fitted pipeline does not have the expected layout")
    return _Featurize(plan, prefix, inner, stage.getOutputCol(), result.size)


class _Classifier(LocalStage):
    def __init__(self, inner: Sequence, columns: Dict[str, str], levels: Any, label_type: str):
        self.inner, self.columns, self.levels, self.label_type = inner, columns, levels, label_type
        self.outputs = {name: inner.outputs[source] for name, source in columns.items()}
        if levels is not None:
            self.outputs["scored_labels"] = STRING if label_type == "string" else NUMBER

    def _label(self, index: float) -> Any:
        i = int(index)
        if not 0 <= i < len(self.levels):
            return None
        value = self.levels[i]
        return float(value) if self.label_type in ("double", "float") and value is not None else value

    def apply(self, batch: Batch) -> None:
        work = dict(batch)
        self.inner.apply(work)
        for name, source in self.columns.items():
            batch[name] = work[source]
        if self.levels is not None:
            prediction = work[self.columns["scored_labels"]]
            labels = np.array(
                [None if null else self._label(p) for p, null in zip(prediction.values, prediction.nulls)], dtype=object
            )
            batch["scored_labels"] = Col(labels, np.array([v is None for v in labels], bool))


@local_stage("mmlspark_py.train.train_classifier.TrainedClassifierModel")
def _trained_classifier(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    pipeline = stage.getModel()
    inner = compile_sequence(list(pipeline.stages), kinds)
    learner = pipeline.stages[-1]
    columns = {}
    for output, param in (
        ("scores", "rawPredictionCol"),
        ("scored_probabilities", "probabilityCol"),
        ("scored_labels", "predictionCol"),
    ):
        if learner.hasParam(param) and learner.getOrDefault(param) in inner.outputs:
            columns[output] = learner.getOrDefault(param)
    if "scored_labels" not in columns:
        raise Unsupported("TrainedClassifierModel: its learner's prediction column is not computed locally")
    levels = stage.getOrDefault("levels") if stage.isDefined("levels") else None
    return _Classifier(inner, columns, levels, stage.getLabelType())
