"""TrainRegressor with each Spark ML regressor; regression metrics and per-instance losses equal scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.regression import (
    DecisionTreeRegressor,
    FMRegressor,
    GBTRegressor,
    GeneralizedLinearRegression,
    IsotonicRegression,
    LinearRegression,
    RandomForestRegressor,
)
from sklearn import metrics as skm

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.train import (
    ComputeModelStatistics,
    ComputePerInstanceStatistics,
    LearnerError,
    TrainingDataError,
    TrainRegressor,
)
from tests.train.data import diabetes_df

LEARNERS = {
    "linear": LinearRegression,
    "glm": GeneralizedLinearRegression,
    "tree": lambda: DecisionTreeRegressor(maxDepth=4, seed=1),
    "forest": lambda: RandomForestRegressor(numTrees=10, seed=1),
    "gbt": lambda: GBTRegressor(maxIter=5, seed=1),
    "fm": lambda: FMRegressor(maxIter=20, seed=1),
    "isotonic": IsotonicRegression,
}


@pytest.fixture(scope="module")
def diabetes(spark):
    return diabetes_df(spark).cache()


@pytest.mark.parametrize("name", list(LEARNERS))
def test_regressor_metrics_equal_sklearn(diabetes, name):
    trainer = TrainRegressor(model=LEARNERS[name](), labelCol="target", inputCols=["age", "sex", "bmi", "bp", "s1"])
    model = trainer.fit(diabetes)
    scored = model.transform(diabetes)
    assert trainer.transformSchema(diabetes.schema) == scored.schema == model.transformSchema(diabetes.schema)
    stats = ComputeModelStatistics().transform(scored).head()
    pdf = scored.toPandas()
    y, p = pdf["target"], pdf["prediction"]
    assert scored.columns == diabetes.columns + ["prediction"]
    assert stats["mean_squared_error"] == pytest.approx(skm.mean_squared_error(y, p), rel=1e-9)
    assert stats["root_mean_squared_error"] == pytest.approx(np.sqrt(skm.mean_squared_error(y, p)), rel=1e-9)
    assert stats["R^2"] == pytest.approx(skm.r2_score(y, p), abs=1e-9)
    assert stats["mean_absolute_error"] == pytest.approx(skm.mean_absolute_error(y, p), rel=1e-9)
    losses = ComputePerInstanceStatistics().transform(scored).toPandas()
    assert np.allclose(losses["L1_loss"], np.abs(losses["target"] - losses["prediction"]), atol=1e-9)
    assert np.allclose(losses["L2_loss"], (losses["target"] - losses["prediction"]) ** 2, atol=1e-9)


def test_plain_spark_regression_and_single_metric(spark, diabetes):
    df = spark.createDataFrame([(1.0, 1.5), (2.0, 1.0), (3.0, 3.5), (4.0, 4.0)], "label double, prediction double")
    stats = ComputeModelStatistics(labelCol="label", scoresCol="prediction", evaluationMetric="rmse").transform(df)
    assert stats.columns == ["root_mean_squared_error"]
    y, p = [1, 2, 3, 4], [1.5, 1.0, 3.5, 4.0]
    assert stats.head()[0] == pytest.approx(np.sqrt(skm.mean_squared_error(y, p)), rel=1e-12)
    with pytest.raises(SchemaError, match="classification needs scoredLabelsCol"):
        ComputeModelStatistics(labelCol="label", scoresCol="prediction", evaluationMetric="AUC").transform(df)


def test_bad_input(spark, diabetes):
    with pytest.raises(LearnerError, match="must be a Spark ML regressor"):
        TrainRegressor(model=LogisticRegression(), labelCol="target").fit(diabetes)
    with pytest.raises(TrainingDataError, match="no usable"):
        TrainRegressor(model=LinearRegression(), labelCol="target").fit(diabetes.limit(0))
    strings = spark.createDataFrame([("a", 1.0)], "y string, x double")
    with pytest.raises(SchemaError, match="'y' has type string; a regressor needs a numeric label"):
        TrainRegressor(model=LinearRegression(), labelCol="y").fit(strings)
    messy = diabetes.selectExpr(
        "CASE WHEN id % 9 = 0 THEN double('NaN') ELSE target END AS target",
        "CASE WHEN id % 4 = 0 THEN NULL ELSE age END AS age",
        "bmi",
    )
    model = TrainRegressor(model=LinearRegression(), labelCol="target").fit(messy)
    assert model.transform(messy).where("prediction IS NULL OR isnan(prediction)").count() == 0
