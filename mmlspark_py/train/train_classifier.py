"""TrainClassifier: any Spark ML classifier on raw mixed-type columns, in one line (SynapseML's API)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from pyspark.ml.classification import DecisionTreeClassificationModel, DecisionTreeClassifier, GBTClassifier
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, DataType, DoubleType, NumericType, StructField, StructType

from mmlspark_py.core.params import TypeConverters, declare, to_json_value
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.stage import Estimator, Model, SchemaError, add_fields, column
from mmlspark_py.featurize import index_column, levels_metadata, sort_levels
from mmlspark_py.train.auto_trainer import AutoTrainerParams, check_learner, fit_pipeline, nullable, output_columns
from mmlspark_py.train.metric_names import CLASSIFICATION
from mmlspark_py.train.scoring import PREDICTION, PROBABILITY, RAW, score_metadata

_ROLES = {"rawPredictionCol": RAW, "probabilityCol": PROBABILITY, "predictionCol": PREDICTION}


class TrainingDataError(ValueError):
    """The training data cannot train the model (no rows, one class, labels outside ``labels``)."""


def coerce_labels(labels: List[str], data_type: DataType, param: str = "labels") -> List[Any]:
    """``labels`` (strings, as SynapseML's StringArrayParam) as values of the label column's type."""
    try:
        if isinstance(data_type, BooleanType):
            return [{"true": True, "false": False}[v.lower()] for v in labels]
        if isinstance(data_type, NumericType):
            integral = data_type.simpleString() in ("tinyint", "smallint", "int", "bigint")
            return [int(v) if integral else float(v) for v in labels]
    except (KeyError, ValueError) as e:
        raise ValueError(f"{param}: {labels} are not all values of type {data_type.simpleString()}: {e}") from e
    return list(labels)


class _ClassifierParams(AutoTrainerParams):
    reindexLabel = declare(
        "re-index the label column: true learns the levels (sorted distinct values, or "
        "labels); false takes the label as indices 0 to k-1 already",
        TypeConverters.toBoolean,
        default=True,
    )
    labels = declare(
        "sorted label values on the labels column (the levels in index order)", TypeConverters.toListString
    )

    def _output_fields(self, learner: Any, levels: Optional[List[Any]], label_type: str) -> List[StructField]:
        """The columns ``learner`` (or its fitted model) writes, with their score (and level) metadata."""
        # a single tree's raw prediction is its leaf's class counts: their difference does not rank rows
        margin = not isinstance(learner, (DecisionTreeClassifier, DecisionTreeClassificationModel))
        label_is_index = not self.getReindexLabel() and levels is not None
        fields = []
        for param, name in output_columns(learner):
            role = _ROLES[param]
            metadata: Dict[str, Any] = score_metadata(
                self.uid,
                role,
                CLASSIFICATION,
                self.getLabelCol(),
                levels,
                rank_by_margin=margin and role == RAW,
                label_is_index=label_is_index,
            )
            if role == PREDICTION and levels is not None:
                # the prediction is a categorical index column: IndexToValue gives the label values back
                categorical = levels_metadata(name, levels, "string" if label_is_index else label_type, False)
                metadata = {"ml_attr": categorical["ml_attr"], "mml": {**categorical["mml"], **metadata["mml"]}}
            fields.append(StructField(name, DoubleType() if role == PREDICTION else VectorUDT(), True, metadata))
        return fields


class TrainClassifier(Estimator, _ClassifierParams):
    """Trains ``model`` (any Spark ML classifier) on raw columns, featurized for that learner.

    The label may be of any type (rows with a null label are not used for training); the feature columns
    (``inputCols``, default every other column) of any type Featurize handles.

    Output columns: the learner's own, as Spark names them (``rawPrediction``, ``probability`` when the learner
    has them, ``prediction``), each with score metadata for :class:`ComputeModelStatistics`. ``prediction`` is
    the index of the predicted level (Spark's and SynapseML's convention): with ``reindexLabel`` (default), the
    levels are ``labels`` or the sorted distinct label values, kept in the column's metadata and in
    ``getLevels()``, so ``IndexToValue(inputCol="prediction")`` gives the label values back; with
    ``reindexLabel=false`` the label is already the index. SynapseML's ``transformSchema`` promises columns its
    model never writes; here the schema is the one ``transform`` produces.

    Errors: LearnerError when ``model`` is not a Spark ML classifier; TrainingDataError for no labelled rows, a
    single class, or labels outside ``labels``; SchemaError naming a missing column, or an output column that
    exists already.

    Example::

        model = TrainClassifier(model=LogisticRegression(), labelCol="income").fit(train)
        scored = model.transform(test)      # + rawPrediction, probability, prediction
        ComputeModelStatistics().transform(scored).show()
    """

    def transformSchema(self, schema: StructType) -> StructType:
        """The trained model's output schema; the levels in the metadata only when ``labels`` gives them."""
        learner = self.getOrDefault("model")
        check_learner(learner, "TrainClassifier", "classifier")
        self.check_input(schema, need_label=True)
        levels = list(self.getLabels()) if self.isDefined("labels") else None
        label_type = schema[self.getLabelCol()].dataType
        if levels is not None and self.getReindexLabel():
            levels = coerce_labels(levels, label_type)
        return add_fields(schema, self._output_fields(learner, levels, label_type.simpleString()))

    def _fit(self, dataset: DataFrame) -> TrainedClassifierModel:
        label, label_type = self.getLabelCol(), dataset.schema[self.getLabelCol()].dataType
        data = dataset.where(column(label).isNotNull())
        seen = sort_levels(data.agg(F.collect_set(column(label)).alias("v")).collect()[0]["v"])
        if not seen:
            raise TrainingDataError(f"labelCol: column {label!r} has no non-null values to train on")
        if len(seen) < 2:
            raise TrainingDataError(
                f"labelCol: column {label!r} has a single class {seen}; a classifier needs at least two"
            )
        levels, indexed = self._levels(seen, label_type)
        learner = self.getModel().copy()
        if isinstance(learner, GBTClassifier) and len(seen) > 2:
            raise TrainingDataError(
                f"GBTClassifier supports two classes only; {label!r} has {len(seen)}: use "
                "RandomForestClassifier or LogisticRegression"
            )
        train = data.withColumn(self._temp("label"), indexed)
        pipeline = fit_pipeline(self, train, self._temp("label"), learner, len(levels or seen))
        model = TrainedClassifierModel(
            model=pipeline,
            labelCol=label,
            featuresCol=self.getFeaturesCol(),
            reindexLabel=self.getReindexLabel(),
            labelType=label_type.simpleString(),
        )
        if self.isSet("inputCols"):
            model.setInputCols(self.getInputCols())
        if levels is not None:
            model.setLevels(levels)
        model._resetUid(self.uid)
        return model

    def _levels(self, seen: List[Any], label_type: DataType) -> Tuple[Optional[List[Any]], Column]:
        """The levels (None: the label is the index and no names are given) and the label index column."""
        label = column(self.getLabelCol())
        known = list(self.getLabels()) if self.isDefined("labels") else None
        if not self.getReindexLabel():
            if not isinstance(label_type, NumericType):
                raise SchemaError(
                    f"labelCol: column {self.getLabelCol()!r} has type {label_type.simpleString()}; "
                    "reindexLabel=false needs numeric labels 0..k-1"
                )
            return known, label.cast("double")
        if known is None:
            levels = seen
        else:
            levels = coerce_labels(known, label_type)
            unknown = [v for v in seen if v not in levels]
            if unknown:
                raise TrainingDataError(
                    f"labelCol: column {self.getLabelCol()!r} has values {unknown[:10]} that are not in labels={levels}"
                )
        return levels, index_column(label, levels, label_type).cast("double")


class TrainedClassifierModel(Model, _ClassifierParams):
    """A classifier trained by :class:`TrainClassifier`: featurizes raw columns and scores them.

    Output: the input columns plus the learner's ``rawPrediction``, ``probability`` (when it has them) and
    ``prediction`` (the level index; the levels in its metadata), each with score metadata for
    :class:`ComputeModelStatistics`.
    """

    levels = declare("the label values in index order (none when the label was already an index)", to_json_value)
    labelType = declare(
        "Spark type of the label column (simple string), the type of the levels",
        TypeConverters.toString,
        default="string",
    )

    def _learner_model(self) -> Any:
        return self.getModel().stages[-1]

    def transformSchema(self, schema: StructType) -> StructType:
        self.check_input(schema, need_label=False)
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        levels = self.getOrDefault("levels") if self.isDefined("levels") else None
        fields = self._output_fields(self._learner_model(), levels, self.getLabelType())
        add_fields(dataset.schema, fields)  # an output column that exists already: a clear error, here
        scored = self.getModel().transform(dataset)
        return scored.select(
            *[column(c) for c in dataset.columns],
            *[nullable(column(f.name)).alias(f.name, metadata=f.metadata) for f in fields],
        )
