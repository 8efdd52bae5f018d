"""TrainRegressor: any Spark ML regressor on raw mixed-type columns, in one line (SynapseML's API)."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, NumericType, StructField, StructType

from mmlspark_py.core.stage import Estimator, Model, SchemaError, column, require_column
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.train.auto_trainer import AutoTrainerParams, check_learner, fit_pipeline
from mmlspark_py.train.scoring import REGRESSION, SCORES, score_metadata
from mmlspark_py.train.train_classifier import TrainingDataError

_INF = float("inf")


class _RegressorParams(AutoTrainerParams):
    def _scores_field(self) -> StructField:
        return StructField(SCORES, DoubleType(), True,
                           score_metadata(self.uid, SCORES, REGRESSION, self.getLabelCol(), None))


class TrainRegressor(Estimator, _RegressorParams):
    """Trains ``model`` (any Spark ML regressor) on raw columns, featurized for that learner.

    :param model: the learner: LinearRegression, GeneralizedLinearRegression, DecisionTreeRegressor,
        RandomForestRegressor, GBTRegressor, FMRegressor, IsotonicRegression, ...
    :param labelCol: the numeric label; rows whose label is null, NaN or infinite are not used for training.
    :param inputCols: the feature columns (default: every other column).
    :param featuresCol: name of the internal feature vector (not in the output).
    :param numFeatures: hash slots per free-text column (0: chosen by learner).

    Output: the input columns plus ``scores`` (double, the prediction) with score metadata.

    Errors: LearnerError when ``model`` is not a Spark ML regressor; SchemaError for a non-numeric label;
    TrainingDataError when no row has a usable label.

    Example::

        model = TrainRegressor(model=LinearRegression(), labelCol="price").fit(train)
        ComputeModelStatistics().transform(model.transform(test)).show()
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._trainer_defaults()

    def transformSchema(self, schema: StructType) -> StructType:
        check_learner(self.getOrDefault("model"), "TrainRegressor", "regressor")
        self.check_input(schema, need_label=True)
        field = require_column(schema, self.getLabelCol(), param="labelCol")
        if not isinstance(field.dataType, NumericType):
            raise SchemaError(f"labelCol: column {field.name!r} has type {field.dataType.simpleString()}; "
                              "a regressor needs a numeric label")
        return StructType(list(schema.fields) + [self._scores_field()])

    def _fit(self, dataset: DataFrame) -> "TrainedRegressorModel":
        label = self._temp("label")
        value = column(self.getLabelCol()).cast("double")
        data = dataset.withColumn(label, value).where(value.isNotNull() & ~F.isnan(value) & (F.abs(value) != _INF))
        if data.limit(1).count() == 0:
            raise TrainingDataError(f"labelCol: column {self.getLabelCol()!r} has no usable (non-null, finite) "
                                    "values to train on")
        learner = self.getModel().copy()
        learner.set(learner.getParam("predictionCol"), self._temp("prediction"))
        pipeline = fit_pipeline(self, data, label, learner, None)
        model = TrainedRegressorModel(model=pipeline, labelCol=self.getLabelCol(), featuresCol=self.getFeaturesCol())
        model._resetUid(self.uid)
        return model


class TrainedRegressorModel(Model, _RegressorParams):
    """A regressor trained by :class:`TrainRegressor`: featurizes raw columns and predicts ``scores``.

    :param model: the fitted PipelineModel (FeaturizeModel, the learner's model).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._trainer_defaults()

    def transformSchema(self, schema: StructType) -> StructType:
        self.check_input(schema, need_label=False)
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        field = self._scores_field()
        prediction = column(self._temp("prediction"))
        scored = self.getModel().transform(dataset)
        return scored.select(*[column(c) for c in dataset.columns],
                             F.when(prediction.isNotNull(), prediction).cast("double").alias(
                                 SCORES, metadata=field.metadata))
