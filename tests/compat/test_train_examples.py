"""SynapseML's documentation quick examples for ``synapse.ml.train`` and ``synapse.ml.automl``, in its import
style, through the shim. Values are checked against Spark's own learners on the same features."""

from __future__ import annotations

import math
import signal

import pytest
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler

from mmlspark_py.core.stage import SchemaError


@pytest.fixture(scope="module")
def classification_df(spark):
    return spark.createDataFrame(
        [
            (0, 2, 0.50, 0.60, 0),
            (1, 3, 0.40, 0.50, 1),
            (0, 4, 0.78, 0.99, 2),
            (1, 5, 0.12, 0.34, 3),
            (0, 1, 0.50, 0.60, 0),
            (1, 3, 0.40, 0.50, 1),
            (0, 3, 0.78, 0.99, 2),
            (1, 4, 0.12, 0.34, 3),
            (0, 0, 0.50, 0.60, 0),
            (1, 2, 0.40, 0.50, 1),
            (0, 3, 0.78, 0.99, 2),
            (1, 4, 0.12, 0.34, 3),
        ],
        ["Label", "col1", "col2", "col3", "col4"],
    )


@pytest.fixture(scope="module")
def regression_df(spark):
    """The data of SynapseML's TrainRegressor and ComputePerInstanceStatistics examples."""
    return spark.createDataFrame(
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


def _spark_predictions(learner, df, label, features):
    assembled = VectorAssembler(inputCols=features, outputCol="features").transform(df)
    return [r["prediction"] for r in learner.setLabelCol(label).fit(assembled).transform(assembled).collect()]


class _Deadline:
    """Fails the test (and cancels its Spark jobs) when the block runs longer than ``seconds``."""

    def __init__(self, spark, seconds):
        self.spark, self.seconds = spark, seconds

    def _expired(self, *_):
        self.spark.sparkContext.cancelAllJobs()
        raise TimeoutError(f"did not finish in {self.seconds} s")

    def __enter__(self):
        self.previous = signal.signal(signal.SIGALRM, self._expired)
        signal.alarm(self.seconds)

    def __exit__(self, *exc):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.previous)


@pytest.mark.slow
def test_compute_model_statistics(spark, display):
    from numpy import random
    from synapse.ml.train import ComputeModelStatistics

    df = spark.createDataFrame([(random.rand(), random.rand()) for _ in range(4096)], ["label", "prediction"])

    cms = (
        ComputeModelStatistics()
        .setLabelCol("label")
        .setScoredLabelsCol("prediction")
        .setEvaluationMetric("classification")
    )

    with _Deadline(spark, 60):
        try:
            display(cms.transform(df))
        except (ValueError, TypeError) as e:  # failing at once, clearly, is the other acceptable answer
            assert "label" in str(e)
            return
    assert 0.0 <= display.shown.head()["accuracy"] <= 1.0


def test_compute_per_instance_statistics(regression_df, display):
    from synapse.ml.train import ComputePerInstanceStatistics

    # the Python example only builds the stage; its Scala tab scores data first, ported here
    logisticRegression = (
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
    dataset = regression_df
    assembler = VectorAssembler().setInputCols(["col1", "col2", "col3"]).setOutputCol("features")
    assembledDataset = assembler.transform(dataset)
    model = logisticRegression.fit(assembledDataset)
    scoredData = model.transform(assembledDataset)

    cps = (
        ComputePerInstanceStatistics()
        .setLabelCol("label")
        .setScoredLabelsCol("LogRegScoredLabelsCol")
        .setScoresCol("LogRegScoresCol")
        .setScoredProbabilitiesCol("LogRegProbCol")
        .setEvaluationMetric("classification")
    )

    display(cps.transform(scoredData))
    for r in display.shown.collect():
        assert r["log_loss"] == pytest.approx(-math.log(r["LogRegProbCol"][int(r["label"])]), rel=1e-6)


def test_train_classifier(classification_df, display):
    from pyspark.ml.classification import LogisticRegression
    from synapse.ml.train import TrainClassifier

    df = classification_df
    tc = TrainClassifier().setModel(LogisticRegression()).setLabelCol("Label")

    display(tc.fit(df).transform(df))
    got = [r["prediction"] for r in display.shown.collect()]
    assert got == _spark_predictions(LogisticRegression(), df, "Label", ["col1", "col2", "col3", "col4"])
    assert all(sum(r["probability"]) == pytest.approx(1.0) for r in display.shown.collect())


def test_train_regressor(regression_df, display):
    from pyspark.ml.regression import LinearRegression  # the example imports LogisticRegression instead
    from synapse.ml.train import TrainRegressor

    # An older page's data has a 5th column named "prediction", the column the model writes (Spark's own
    # predictor refuses that too): a clear error here; SynapseML's current page names it "col4", as below.
    with pytest.raises(SchemaError, match="'prediction' already exists"):
        TrainRegressor().setModel(LinearRegression()).setLabelCol("Label").fit(regression_df).transform(regression_df)
    dataset = regression_df.withColumnRenamed("prediction", "col4")

    linearRegressor = LinearRegression().setRegParam(0.3).setElasticNetParam(0.8)
    trainRegressor = TrainRegressor().setModel(linearRegressor).setLabelCol("Label")

    display(trainRegressor.fit(dataset).transform(dataset))
    assert display.shown.columns == ["label", "col1", "col2", "col3", "col4", "prediction"]
    # the same elastic net on the four feature columns by hand (col4 equals the label, so the fit is close)
    expected = _spark_predictions(
        LinearRegression(regParam=0.3, elasticNetParam=0.8), dataset, "label", ["col1", "col2", "col3", "col4"]
    )
    got = [r["prediction"] for r in display.shown.collect()]
    assert got == pytest.approx(expected, abs=1e-6)


@pytest.mark.slow
def test_find_best_model(classification_df, display):
    from pyspark.ml.classification import RandomForestClassifier
    from synapse.ml.automl import FindBestModel
    from synapse.ml.train import TrainClassifier

    df = classification_df
    # mocking models
    randomForestClassifier = (
        TrainClassifier()
        .setModel(
            RandomForestClassifier()
            .setMaxBins(32)
            .setMaxDepth(5)
            .setMinInfoGain(0.0)
            .setMinInstancesPerNode(1)
            .setNumTrees(20)
            .setSubsamplingRate(1.0)
            .setSeed(0)
        )
        .setFeaturesCol("mlfeatures")
        .setLabelCol("Label")
    )
    model = randomForestClassifier.fit(df)

    findBestModel = FindBestModel().setModels([model, model]).setEvaluationMetric("accuracy")
    bestModel = findBestModel.fit(df)
    display(bestModel.transform(df))
    assert [r["prediction"] for r in display.shown.collect()] == [
        r["prediction"] for r in model.transform(df).collect()
    ]


@pytest.mark.slow
def test_tune_hyperparameters(spark):
    from pyspark.ml.classification import GBTClassifier, LogisticRegression, RandomForestClassifier
    from synapse.ml.automl import (
        DiscreteHyperParam,
        HyperparamBuilder,
        RandomSpace,
        RangeHyperParam,
        TuneHyperparameters,
    )
    from synapse.ml.train import TrainClassifier

    df = spark.createDataFrame(
        [
            (0, 1, 1, 1, 1, 1, 1.0, 3, 1, 1),
            (0, 1, 1, 1, 1, 2, 1.0, 1, 1, 1),
            (0, 1, 1, 1, 1, 2, 1.0, 2, 1, 1),
            (0, 1, 2, 3, 1, 2, 1.0, 3, 1, 1),
            (0, 3, 1, 1, 1, 2, 1.0, 3, 1, 1),
        ],
        [
            "Label",
            "Clump_Thickness",
            "Uniformity_of_Cell_Size",
            "Uniformity_of_Cell_Shape",
            "Marginal_Adhesion",
            "Single_Epithelial_Cell_Size",
            "Bare_Nuclei",
            "Bland_Chromatin",
            "Normal_Nucleoli",
            "Mitoses",
        ],
    )

    logReg = LogisticRegression()
    randForest = RandomForestClassifier()
    gbt = GBTClassifier()
    smlmodels = [logReg, randForest, gbt]
    mmlmodels = [TrainClassifier(model=model, labelCol="Label") for model in smlmodels]

    paramBuilder = (
        HyperparamBuilder()
        .addHyperparam(logReg, logReg.regParam, RangeHyperParam(0.1, 0.3))
        .addHyperparam(randForest, randForest.numTrees, DiscreteHyperParam([5, 10]))
        .addHyperparam(randForest, randForest.maxDepth, DiscreteHyperParam([3, 5]))
        .addHyperparam(gbt, gbt.maxBins, RangeHyperParam(8, 16))
        .addHyperparam(gbt, gbt.maxDepth, DiscreteHyperParam([3, 5]))
    )
    searchSpace = paramBuilder.build()
    # The search space is a list of params to tuples of estimator and hyperparam
    randomSpace = RandomSpace(searchSpace)

    bestModel = TuneHyperparameters(
        evaluationMetric="accuracy",
        models=mmlmodels,
        numFolds=2,
        numRuns=len(mmlmodels) * 2,
        parallelism=2,
        paramSpace=randomSpace.space(),
        seed=0,
    ).fit(df)
    # every label is 0: any model is perfect on it
    assert {r["prediction"] for r in bestModel.transform(df).collect()} == {0.0}
