"""Stage-harness cases of FindBestModel and TuneHyperparameters (tiny data, few fits)."""

from __future__ import annotations

from pyspark.ml.classification import LogisticRegression

from mmlspark_py.automl import (
    BestModel,
    DiscreteHyperParam,
    FindBestModel,
    GridSpace,
    HyperparamBuilder,
    TuneHyperparameters,
    TuneHyperparametersModel,
)
from mmlspark_py.train import TrainClassifier
from tests.harness.stage_harness import StageCase
from tests.train.data import cancer_df


def _find_best(spark, tmp):
    df = cancer_df(spark, 60)
    good = TrainClassifier(model=LogisticRegression(maxIter=30), labelCol="label").fit(df)
    weak = TrainClassifier(
        model=LogisticRegression(maxIter=1, regParam=5.0), labelCol="label", inputCols=["texture"]
    ).fit(df)
    # the first model wins, so the estimator's schema (the first model's) is the fitted one's
    return FindBestModel(models=[good, weak], evaluationMetric="AUC"), df


def _tune(spark, tmp):
    lr = LogisticRegression()
    space = HyperparamBuilder().addHyperparam(lr, lr.maxIter, DiscreteHyperParam([2, 10])).build()
    trainer = TrainClassifier(model=lr, labelCol="label", labels=["benign", "malignant"])
    return TuneHyperparameters(
        models=[trainer], paramSpace=GridSpace(space).space(), numFolds=2, evaluationMetric="accuracy", seed=3
    ), cancer_df(spark, 60)


CASES = [
    StageCase("FindBestModel.auc", _find_best, covers=(FindBestModel, BestModel), sort_by=("id",)),
    StageCase(
        "TuneHyperparameters.grid", _tune, covers=(TuneHyperparameters, TuneHyperparametersModel), sort_by=("id",)
    ),
]
