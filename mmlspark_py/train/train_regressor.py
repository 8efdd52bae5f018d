"""TrainRegressor: any Spark ML regressor on raw mixed-type columns, in one line (SynapseML's API)."""

from __future__ import annotations

from typing import Any, List

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, NumericType, StructField, StructType

from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.stage import Estimator, Model, SchemaError, add_fields, column, require_column
from mmlspark_py.train.auto_trainer import AutoTrainerParams, check_learner, fit_pipeline, nullable
from mmlspark_py.train.metric_names import REGRESSION
from mmlspark_py.train.scoring import PREDICTION, score_metadata
from mmlspark_py.train.train_classifier import TrainingDataError

_INF = float("inf")


class _RegressorParams(AutoTrainerParams):
    def _output_fields(self, learner: Any) -> List[StructField]:
        return [
            StructField(
                learner.getOrDefault("predictionCol"),
                DoubleType(),
                True,
                score_metadata(self.uid, PREDICTION, REGRESSION, self.getLabelCol(), None),
            )
        ]


class TrainRegressor(Estimator, _RegressorParams):
    """Trains ``model`` (any Spark ML regressor: LinearRegression, GeneralizedLinearRegression, the trees,
    FMRegressor, IsotonicRegression, ...) on raw columns, featurized for that learner.

    The label must be numeric; rows whose label is null, NaN or infinite are not used for training. The feature
    columns (``inputCols``, default every other column) may be of any type Featurize handles.

    Output: the input columns plus the learner's ``prediction`` (double; named by its ``predictionCol``) with
    score metadata for :class:`ComputeModelStatistics`.

    Errors: LearnerError when ``model`` is not a Spark ML regressor; SchemaError for a non-numeric label or an
    output column that exists already; TrainingDataError when no row has a usable label.

    Example::

        model = TrainRegressor(model=LinearRegression(), labelCol="price").fit(train)
        ComputeModelStatistics().transform(model.transform(test)).show()
    """

    def transformSchema(self, schema: StructType) -> StructType:
        learner = self.getOrDefault("model")
        check_learner(learner, "TrainRegressor", "regressor")
        self.check_input(schema, need_label=True)
        field = require_column(schema, self.getLabelCol(), param="labelCol")
        if not isinstance(field.dataType, NumericType):
            raise SchemaError(
                f"labelCol: column {field.name!r} has type {field.dataType.simpleString()}; "
                "a regressor needs a numeric label"
            )
        return add_fields(schema, self._output_fields(learner))

    def _fit(self, dataset: DataFrame) -> TrainedRegressorModel:
        label = self._temp("label")
        value = column(self.getLabelCol()).cast("double")
        data = dataset.withColumn(label, value).where(value.isNotNull() & ~F.isnan(value) & (F.abs(value) != _INF))
        if data.limit(1).count() == 0:
            raise TrainingDataError(
                f"labelCol: column {self.getLabelCol()!r} has no usable (non-null, finite) values to train on"
            )
        pipeline = fit_pipeline(self, data, label, self.getModel().copy(), None)
        model = TrainedRegressorModel(model=pipeline, labelCol=self.getLabelCol(), featuresCol=self.getFeaturesCol())
        if self.isSet("inputCols"):
            model.setInputCols(self.getInputCols())
        model._resetUid(self.uid)
        return model


class TrainedRegressorModel(Model, _RegressorParams):
    """A regressor trained by :class:`TrainRegressor`: featurizes raw columns and predicts ``prediction``."""

    def transformSchema(self, schema: StructType) -> StructType:
        self.check_input(schema, need_label=False)
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        fields = self._output_fields(self.getModel().stages[-1])
        add_fields(dataset.schema, fields)
        scored = self.getModel().transform(dataset)
        return scored.select(
            *[column(c) for c in dataset.columns],
            *[nullable(column(f.name)).cast("double").alias(f.name, metadata=f.metadata) for f in fields],
        )
