"""SynapseML's quick examples and notebooks for the train classes, run as written (imports and data sources
aside: the notebooks' public files become small generated frames of the same shape), with values asserted.
(ComputeModelStatistics' quick example is in test_compute_model_statistics.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.regression import GeneralizedLinearRegression, RandomForestRegressor
from sklearn import metrics as skm

from mmlspark_py.featurize import CleanMissingData
from mmlspark_py.train import (
    ComputeModelStatistics,
    ComputePerInstanceStatistics,
    TrainClassifier,
    TrainedClassifierModel,
    TrainRegressor,
)
from tests.train.data import diabetes_pdf


def test_compute_per_instance_statistics_quick_example(spark):
    logistic_regression = (
        LogisticRegression()
        .setRegParam(0.3)
        .setElasticNetParam(0.8)
        .setMaxIter(10)
        .setLabelCol("label")
        .setPredictionCol("LogRegScoredLabelsCol")
        .setRawPredictionCol("LogRegScoresCol")
        .setProbabilityCol("LogRegProbCol")
        .setFeaturesCol("features")
    )
    dataset = spark.createDataFrame(
        [
            (0.0, 2, 0.50, 0.60, 0.0),
            (1.0, 3, 0.40, 0.50, 1.0),
            (2.0, 4, 0.78, 0.99, 2.0),
            (3.0, 5, 0.12, 0.34, 3.0),
            (0.0, 1, 0.50, 0.60, 0.0),
            (1.0, 3, 0.40, 0.50, 1.0),
            (2.0, 3, 0.78, 0.99, 2.0),
            (3.0, 4, 0.12, 0.34, 3.0),
            (0.0, 0, 0.50, 0.60, 0.0),
            (1.0, 2, 0.40, 0.50, 1.0),
            (2.0, 3, 0.78, 0.99, 2.0),
            (3.0, 4, 0.12, 0.34, 3.0),
        ],
        ["label", "col1", "col2", "col3", "prediction"],
    )
    assembled = VectorAssembler(inputCols=["col1", "col2", "col3"], outputCol="features").transform(dataset)
    scored = logistic_regression.fit(assembled).transform(assembled)
    cps = (
        ComputePerInstanceStatistics()
        .setLabelCol("label")
        .setScoredLabelsCol("LogRegScoredLabelsCol")
        .setScoresCol("LogRegScoresCol")
        .setScoredProbabilitiesCol("LogRegProbCol")
        .setEvaluationMetric("classification")
    )
    rows = cps.transform(scored).collect()
    for row in rows:
        p = row["LogRegProbCol"].toArray()
        assert row["log_loss"] == pytest.approx(skm.log_loss([int(row["label"])], [p], labels=range(4)), abs=1e-9)


def _census(spark, rows=600, seed=3):
    """A frame shaped like the Adult Census columns the notebook keeps."""
    rng = np.random.default_rng(seed)
    education = rng.choice(["Bachelors", "HS-grad", "Masters", "Some-college", "Doctorate"], rows)
    marital = rng.choice(["Married-civ-spouse", "Never-married", "Divorced"], rows)
    hours = rng.integers(10, 70, rows)
    z = (
        np.isin(education, ["Masters", "Doctorate"]) * 1.5
        + (marital == "Married-civ-spouse") * 1.2
        + (hours - 40) / 12
        + rng.normal(scale=0.8, size=rows)
    )
    income = np.where(z > 1.0, " >50K", " <=50K")
    return spark.createDataFrame(
        [(str(e), str(m), int(h), str(i)) for e, m, h, i in zip(education, marital, hours, income)],
        ["education", "marital-status", "hours-per-week", "income"],
    )


def test_train_classifier_notebook(spark, tmp_path):
    data = _census(spark)
    train, test = data.randomSplit([0.75, 0.25], seed=123)
    model = TrainClassifier(model=LogisticRegression(), labelCol="income", numFeatures=256).fit(train)
    model.write().overwrite().save(str(tmp_path / "AdultCensus.mml"))
    loaded = TrainedClassifierModel.load(str(tmp_path / "AdultCensus.mml"))
    scored = loaded.transform(test)
    assert scored.columns == test.columns + ["rawPrediction", "probability", "prediction"]
    pdf = scored.toPandas()
    assert pdf["prediction"].tolist() == model.transform(test).toPandas()["prediction"].tolist()
    levels = loaded.getLevels()
    assert levels == [" <=50K", " >50K"]
    metrics = ComputeModelStatistics().transform(scored).head()
    assert metrics["accuracy"] == pytest.approx(
        skm.accuracy_score(pdf["income"], [levels[int(p)] for p in pdf["prediction"]]), abs=1e-12
    )
    assert metrics["AUC"] == pytest.approx(
        skm.roc_auc_score(pdf["income"] == levels[1], [v[1] - v[0] for v in pdf["rawPrediction"]]), abs=1e-9
    )
    assert metrics["accuracy"] > 0.7


def _automobiles(spark):
    """The notebook's columns with missing values (diabetes data: price is the target)."""
    pdf = diabetes_pdf(150).rename(
        columns={
            "age": "normalized-losses",
            "sex": "stroke",
            "bmi": "bore",
            "bp": "horsepower",
            "s1": "peak-rpm",
            "target": "price",
        }
    )
    for i, name in enumerate(["normalized-losses", "stroke", "bore", "horsepower", "peak-rpm"]):
        pdf.loc[pdf.index % (7 + i) == 0, name] = None
    return spark.createDataFrame(pdf)


@pytest.mark.slow
def test_train_regressor_notebook(spark):
    data = _automobiles(spark)
    train, test = data.randomSplit([0.6, 0.4], seed=123)
    cols = ["normalized-losses", "stroke", "bore", "horsepower", "peak-rpm", "price"]
    clean_model = CleanMissingData().setCleaningMode("Median").setInputCols(cols).setOutputCols(cols)
    glr = GeneralizedLinearRegression(family="poisson", link="log")
    poisson_model = TrainRegressor().setModel(glr).setLabelCol("price").setNumFeatures(256)
    poisson_prediction = Pipeline(stages=[clean_model, poisson_model]).fit(train).transform(test)
    rfr = RandomForestRegressor(maxDepth=30, maxBins=128, numTrees=8, minInstancesPerNode=1)
    random_forest_model = TrainRegressor(model=rfr, labelCol="price", numFeatures=256).fit(train)
    random_forest_prediction = Pipeline(stages=[clean_model, random_forest_model]).fit(train).transform(test)
    for prediction in (poisson_prediction, random_forest_prediction):
        metrics = ComputeModelStatistics().transform(prediction)
        assert metrics.columns == ["mean_squared_error", "root_mean_squared_error", "R^2", "mean_absolute_error"]
        row = metrics.head()
        losses = (
            ComputePerInstanceStatistics()
            .transform(prediction)
            .select("price", "prediction", "L1_loss", "L2_loss")
            .toPandas()
        )
        y, p = losses["price"], losses["prediction"]
        assert row["mean_squared_error"] == pytest.approx(skm.mean_squared_error(y, p), rel=1e-9)
        assert row["R^2"] == pytest.approx(skm.r2_score(y, p), abs=1e-9)
        assert np.allclose(losses["L1_loss"], np.abs(y - p)) and np.allclose(losses["L2_loss"], (y - p) ** 2)
