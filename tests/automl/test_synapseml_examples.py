"""SynapseML's automl notebooks ("Classification - before and after SynapseML", "HyperParameterTuning -
Fighting Breast Cancer") run as written (imports and data sources aside), with their values asserted."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.classification import GBTClassifier, LogisticRegression, RandomForestClassifier
from sklearn import metrics as skm

from mmlspark_py.automl import (
    DiscreteHyperParam,
    FindBestModel,
    HyperparamBuilder,
    RandomSpace,
    RangeHyperParam,
    TuneHyperparameters,
)
from mmlspark_py.train import ComputeModelStatistics, TrainClassifier
from tests.train.data import cancer_pdf

GOOD = ["great", "wonderful", "loved", "excellent", "gripping"]
BAD = ["boring", "awful", "waste", "dull", "poorly"]
FILLER = ["the", "book", "story", "author", "pages", "plot", "characters", "read", "chapter", "ending"]


def _reviews(spark, rows=500, seed=5):
    """Book reviews shaped like the notebook's data after its word count/length step: text, two numbers, and
    label = rating > 3 (a boolean)."""
    rng = np.random.default_rng(seed)
    data = []
    for _ in range(rows):
        rating = int(rng.integers(1, 6))
        tone = GOOD if rating > 3 else BAD
        words = list(rng.choice(FILLER, rng.integers(4, 9))) + list(rng.choice(tone, rng.integers(0, 3)))
        words += list(rng.choice(GOOD + BAD, 1))  # noise: a word of either tone
        rng.shuffle(words)
        text = " ".join(words)
        data.append((text, len(words), round(float(np.mean([len(w) for w in words])), 2), rating > 3))
    return spark.createDataFrame(data, "text string, wordCount int, wordLength double, label boolean")


@pytest.mark.slow
def test_find_best_model_notebook(spark):
    data = _reviews(spark)
    train, test, validation = data.randomSplit([0.60, 0.20, 0.20], seed=123)
    lr_hyper_params = [0.05, 0.1, 0.2, 0.4]
    logistic_regressions = [LogisticRegression(regParam=hyper_param) for hyper_param in lr_hyper_params]
    lrmodels = [
        TrainClassifier(model=lrm, labelCol="label", numFeatures=10000).fit(train) for lrm in logistic_regressions
    ]
    best_model = FindBestModel(evaluationMetric="AUC", models=lrmodels).fit(test)
    predictions = best_model.transform(validation)
    metrics = ComputeModelStatistics().transform(predictions)
    auc = metrics.first()["AUC"]
    print("Best model's AUC on validation set = " + f"{auc * 100:.2f}%")

    test_aucs = [ComputeModelStatistics().transform(m.transform(test)).first()["AUC"] for m in lrmodels]
    assert best_model.getBestModel().uid == lrmodels[int(np.argmax(test_aucs))].uid
    assert sorted(r["metric"] for r in best_model.getAllModelMetrics().collect()) == pytest.approx(sorted(test_aucs))
    pdf = predictions.select("label", "rawPrediction").toPandas()
    assert auc == pytest.approx(skm.roc_auc_score(pdf["label"], [v[1] - v[0] for v in pdf["rawPrediction"]]), abs=1e-9)
    assert auc > 0.8


@pytest.mark.slow
def test_tune_hyperparameters_notebook(spark):
    data = spark.createDataFrame(cancer_pdf(160).rename(columns={"label": "Label"}).drop(columns=["id"])).cache()
    tune, test = data.randomSplit([0.80, 0.20], seed=1)
    log_reg = LogisticRegression()
    rand_forest = RandomForestClassifier()
    gbt = GBTClassifier()
    smlmodels = [log_reg, rand_forest, gbt]
    mmlmodels = [TrainClassifier(model=model, labelCol="Label") for model in smlmodels]
    param_builder = (
        HyperparamBuilder()
        .addHyperparam(log_reg, log_reg.regParam, RangeHyperParam(0.1, 0.3))
        .addHyperparam(rand_forest, rand_forest.numTrees, DiscreteHyperParam([5, 10]))
        .addHyperparam(rand_forest, rand_forest.maxDepth, DiscreteHyperParam([3, 5]))
        .addHyperparam(gbt, gbt.maxBins, RangeHyperParam(8, 16))
        .addHyperparam(gbt, gbt.maxDepth, DiscreteHyperParam([3, 5]))
    )
    search_space = param_builder.build()
    print(search_space)
    random_space = RandomSpace(search_space)
    best_model = TuneHyperparameters(
        evaluationMetric="accuracy",
        models=mmlmodels,
        numFolds=2,
        numRuns=len(mmlmodels) * 2,
        parallelism=1,
        paramSpace=random_space.space(),
        seed=0,
    ).fit(tune)
    info = best_model.getBestModelInfo()
    print(info)
    print(best_model.getBestModel())
    assert info.startswith("TrainClassifier(") and 0.8 < best_model.getBestMetric() <= 1.0
    prediction = best_model.transform(test)
    metrics = ComputeModelStatistics().transform(prediction)
    row = metrics.limit(10).toPandas().iloc[0]
    pdf = prediction.select("Label", "prediction").toPandas()
    levels = best_model.getBestModel().getLevels()
    assert row["accuracy"] == pytest.approx(
        skm.accuracy_score(pdf["Label"], [levels[int(p)] for p in pdf["prediction"]]), abs=1e-12
    )
