"""Stage-harness cases of the trainers and evaluators (small real data)."""

from __future__ import annotations

from pyspark.ml.classification import LogisticRegression
from pyspark.ml.regression import LinearRegression

from mmlspark_py.train import (
    ComputeModelStatistics,
    ComputePerInstanceStatistics,
    TrainClassifier,
    TrainedClassifierModel,
    TrainedRegressorModel,
    TrainRegressor,
)
from tests.harness.stage_harness import StageCase
from tests.train.data import cancer_df, diabetes_df


def _classifier(spark, tmp):
    # labels given: the levels are then known before fitting, so even the estimator's schema metadata is exact
    return TrainClassifier(
        model=LogisticRegression(maxIter=20), labelCol="label", labels=["benign", "malignant"]
    ), cancer_df(spark, 60)


def _regressor(spark, tmp):
    return TrainRegressor(model=LinearRegression(), labelCol="target"), diabetes_df(spark, 60)


def _scored(spark):
    df = cancer_df(spark, 60)
    return TrainClassifier(model=LogisticRegression(maxIter=20), labelCol="label").fit(df).transform(df)


def _statistics(spark, tmp):
    return ComputeModelStatistics(), _scored(spark)


def _per_instance(spark, tmp):
    return ComputePerInstanceStatistics(), _scored(spark)


CASES = [
    StageCase(
        "TrainClassifier.logistic", _classifier, covers=(TrainClassifier, TrainedClassifierModel), sort_by=("id",)
    ),
    StageCase("TrainRegressor.linear", _regressor, covers=(TrainRegressor, TrainedRegressorModel), sort_by=("id",)),
    StageCase("ComputeModelStatistics.trained", _statistics, covers=(ComputeModelStatistics,)),
    StageCase(
        "ComputePerInstanceStatistics.trained", _per_instance, covers=(ComputePerInstanceStatistics,), sort_by=("id",)
    ),
]
