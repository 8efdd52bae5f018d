"""TrainClassifier: any Spark ML classifier on raw mixed-type columns, in one line (SynapseML's API)."""

from __future__ import annotations

from typing import Any, List, Optional

from pyspark.ml.classification import DecisionTreeClassificationModel, DecisionTreeClassifier, GBTClassifier
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (BooleanType, DataType, DoubleType, NumericType, StringType, StructField,
                               StructType)

from mmlspark_py.core.params import Param, Params, TypeConverters, to_json_value
from mmlspark_py.core.stage import Estimator, Model, SchemaError, column
from mmlspark_py.featurize.categorical import index_column, sort_levels, spark_type, value_column
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.train.auto_trainer import AutoTrainerParams, check_learner, fit_pipeline
from mmlspark_py.train.scoring import (CLASSIFICATION, SCORED_LABELS, SCORED_PROBABILITIES, SCORES,
                                       score_metadata)


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


def _nullable(col: Column) -> Column:
    """``col`` marked nullable: the output schema is then the same whatever the learner declares."""
    return F.when(col.isNotNull(), col)


class _ClassifierParams(AutoTrainerParams):
    reindexLabel = Param(Params._dummy(), "reindexLabel", "index the label column's values (true) or use it as "
                         "already-indexed doubles 0..k-1 (false)", typeConverter=TypeConverters.toBoolean)
    labels = Param(Params._dummy(), "labels", "the label values in index order (default: sorted distinct "
                   "values of the label column)", typeConverter=TypeConverters.toListString)

    def _levels_known(self) -> Optional[List[Any]]:
        return list(self.getLabels()) if self.isDefined("labels") else None

    def _scored_labels_type(self, schema: StructType) -> DataType:
        if self.getOrDefault("reindexLabel"):
            return schema[self.getLabelCol()].dataType if self.getLabelCol() in schema.names else StringType()
        return StringType() if self.isDefined("labels") else DoubleType()

    def _output_fields(self, has_raw: bool, has_prob: bool, label_type: DataType, levels: Optional[List[Any]],
                       learner: Any) -> List[StructField]:
        # a single tree's raw prediction is its leaf's class counts: their difference does not rank rows
        margin = not isinstance(learner, (DecisionTreeClassifier, DecisionTreeClassificationModel))

        def md(kind: str) -> dict:
            return score_metadata(self.uid, kind, CLASSIFICATION, self.getLabelCol(), levels,
                                  rank_by_margin=margin and kind == SCORES)
        fields = []
        if has_raw:
            fields.append(StructField(SCORES, VectorUDT(), True, md(SCORES)))
        if has_prob:
            fields.append(StructField(SCORED_PROBABILITIES, VectorUDT(), True, md(SCORED_PROBABILITIES)))
        return fields + [StructField(SCORED_LABELS, label_type, True, md(SCORED_LABELS))]


class TrainClassifier(Estimator, _ClassifierParams):
    """Trains ``model`` (any Spark ML classifier) on raw columns, featurized for that learner.

    :param model: the learner, e.g. ``LogisticRegression()``, ``RandomForestClassifier(numTrees=50)``.
    :param labelCol: the label column (any type; rows with a null label are not used for training).
    :param inputCols: the feature columns (default: every other column), of any type Featurize handles.
    :param featuresCol: name of the internal feature vector (default ``<uid>_features``; not in the output).
    :param numFeatures: hash slots per free-text column (0: chosen by learner).
    :param reindexLabel: index the label's values (default true); false: the label is already 0..k-1 doubles.
    :param labels: the label values in index order (default: sorted distinct label values).

    Output columns (see :mod:`mmlspark_py.train.scoring`): ``scores``, ``scored_probabilities`` (when the learner
    gives them) and ``scored_labels``, the predicted label in the label column's own values and type (with
    ``reindexLabel=false``: the index as a double, or the ``labels`` value when given). SynapseML's
    ``transformSchema`` promises columns its model never writes; here they are the same.

    Errors: LearnerError when ``model`` is not a Spark ML classifier; TrainingDataError for no labelled rows, a
    single class, or labels outside ``labels``; SchemaError naming a missing column.

    Example::

        model = TrainClassifier(model=LogisticRegression(), labelCol="income").fit(train)
        scored = model.transform(test)      # + scores, scored_probabilities, scored_labels
        ComputeModelStatistics().transform(scored).show()
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._trainer_defaults()
        self._setDefault(reindexLabel=True)

    def transformSchema(self, schema: StructType) -> StructType:
        """The trained model's output schema; the levels in the metadata only when ``labels`` gives them."""
        learner = self.getOrDefault("model")
        check_learner(learner, "TrainClassifier", "classifier")
        self.check_input(schema, need_label=True)
        levels = self._levels_known()
        if levels is not None and self.getReindexLabel():
            levels = coerce_labels(levels, schema[self.getLabelCol()].dataType)
        fields = self._output_fields(learner.hasParam("rawPredictionCol"), learner.hasParam("probabilityCol"),
                                     self._scored_labels_type(schema), levels, learner)
        return StructType(list(schema.fields) + fields)

    def _fit(self, dataset: DataFrame) -> "TrainedClassifierModel":
        label, label_type = self.getLabelCol(), dataset.schema[self.getLabelCol()].dataType
        data = dataset.where(column(label).isNotNull())
        seen = sort_levels(data.agg(F.collect_set(column(label)).alias("v")).head()["v"])
        if not seen:
            raise TrainingDataError(f"labelCol: column {label!r} has no non-null values to train on")
        levels, indexed = self._levels(seen, label_type)
        if len(seen) < 2:
            raise TrainingDataError(f"labelCol: column {label!r} has a single class {seen}; a classifier needs "
                                    "at least two")
        learner = self.getModel().copy()
        if isinstance(learner, GBTClassifier) and len(seen) > 2:
            raise TrainingDataError(f"GBTClassifier supports two classes only; {label!r} has {len(seen)}: use "
                                    "RandomForestClassifier or LogisticRegression")
        for param, name in (("predictionCol", "prediction"), ("rawPredictionCol", "raw"),
                            ("probabilityCol", "probability")):
            if learner.hasParam(param):
                learner.set(learner.getParam(param), self._temp(name))
        train = data.withColumn(self._temp("label"), indexed)
        pipeline = fit_pipeline(self, train, self._temp("label"), learner, len(levels or seen))
        model = TrainedClassifierModel(model=pipeline, labelCol=label, featuresCol=self.getFeaturesCol(),
                                       labelType=self._scored_labels_type(dataset.schema).simpleString())
        if levels is not None:
            model.setLevels(levels)
        model._resetUid(self.uid)
        return model

    def _levels(self, seen: List[Any], label_type: DataType) -> "tuple[Optional[List[Any]], Column]":
        """The levels (None: the label is the index) and the label index column."""
        label = column(self.getLabelCol())
        if not self.getReindexLabel():
            if not isinstance(label_type, NumericType):
                raise SchemaError(f"labelCol: column {self.getLabelCol()!r} has type {label_type.simpleString()}; "
                                  "reindexLabel=false needs numeric labels 0..k-1")
            return self._levels_known(), label.cast("double")
        levels = self._levels_known()
        if levels is None:
            levels = seen
        else:
            levels = coerce_labels(levels, label_type)
            unknown = [v for v in seen if v not in levels]
            if unknown:
                raise TrainingDataError(f"labelCol: column {self.getLabelCol()!r} has values {unknown[:10]} that "
                                        f"are not in labels={levels}")
        return levels, index_column(label, levels, label_type).cast("double")


class TrainedClassifierModel(Model, _ClassifierParams):
    """A classifier trained by :class:`TrainClassifier`: featurizes raw columns and scores them.

    :param model: the fitted PipelineModel (FeaturizeModel, [MinMaxScalerModel,] the learner's model).
    :param levels: the label values in index order (None when the label was already an index).
    :param labelType: Spark type of ``scored_labels``.

    Output: the input columns plus ``scores``, ``scored_probabilities`` (when the learner has them) and
    ``scored_labels``, each with score metadata for :class:`ComputeModelStatistics`.
    """

    levels = Param(Params._dummy(), "levels", "the label values in index order", typeConverter=to_json_value)
    labelType = Param(Params._dummy(), "labelType", "Spark type of scored_labels (simple string)",
                      typeConverter=TypeConverters.toString)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._trainer_defaults()
        self._setDefault(reindexLabel=True)

    def _learner_model(self) -> Any:
        return self.getModel().stages[-1]

    def transformSchema(self, schema: StructType) -> StructType:
        self.check_input(schema, need_label=False)
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        learner = self._learner_model()
        levels = self.getOrDefault("levels") if self.isDefined("levels") else None
        has_raw, has_prob = learner.hasParam("rawPredictionCol"), learner.hasParam("probabilityCol")
        fields = {f.name: f for f in self._output_fields(has_raw, has_prob, spark_type(self.getLabelType()),
                                                          levels, learner)}
        scored = self.getModel().transform(dataset)
        out = [column(c) for c in dataset.columns]
        if has_raw:
            out.append(_nullable(column(self._temp("raw"))).alias(SCORES, metadata=fields[SCORES].metadata))
        if has_prob:
            out.append(_nullable(column(self._temp("probability"))).alias(
                SCORED_PROBABILITIES, metadata=fields[SCORED_PROBABILITIES].metadata))
        prediction = column(self._temp("prediction"))
        if levels is not None:
            prediction = value_column(prediction, levels, spark_type(self.getLabelType()))
        out.append(_nullable(prediction).alias(SCORED_LABELS, metadata=fields[SCORED_LABELS].metadata))
        return scored.select(*out)
