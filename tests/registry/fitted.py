"""Small real training data and the two fitted pipelines the mlops tests register, score and serve.

- :func:`spark_pipeline`: Spark's featurize + logistic regression (StringIndexer, OneHotEncoder,
  VectorAssembler, StandardScaler, LogisticRegression), the benchmark's model.
- :func:`our_pipeline`: our TrainClassifier (Featurize + LogisticRegression) inside a PipelineModel, i.e. our
  Python stages and Spark's JVM stages mixed.
"""

from __future__ import annotations

import numpy as np
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import OneHotEncoder, StandardScaler, StringIndexer, VectorAssembler
from pyspark.sql import DataFrame, SparkSession

CITIES = ["Austin", "Boston", "Chicago", "Denver"]


def people(spark: SparkSession, n: int = 200, seed: int = 0) -> DataFrame:
    """``age`` (double), ``hours`` (int), ``city`` (string), ``label`` ("yes"/"no", depends on all three)."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        age, hours, city = float(rng.integers(18, 70)), int(rng.integers(10, 60)), str(rng.choice(CITIES))
        score = 0.05 * (age - 40) + 0.08 * (hours - 35) + (1.0 if city in ("Boston", "Denver") else -0.5)
        rows.append((age, hours, city, "yes" if score + rng.normal() > 0 else "no"))
    return spark.createDataFrame(rows, "age double, hours int, city string, label string")


def spark_pipeline(train: DataFrame) -> PipelineModel:
    """Fitted on ``train`` with the label indexed beforehand, so the model needs only age, hours and city."""
    indexed = StringIndexer(inputCol="label", outputCol="label_index").fit(train).transform(train)
    stages = [
        StringIndexer(inputCol="city", outputCol="city_index", handleInvalid="keep"),
        OneHotEncoder(inputCol="city_index", outputCol="city_vector", handleInvalid="keep"),
        VectorAssembler(inputCols=["age", "hours", "city_vector"], outputCol="raw_features"),
        StandardScaler(inputCol="raw_features", outputCol="features", withMean=True),
        LogisticRegression(featuresCol="features", labelCol="label_index", regParam=0.01),
    ]
    return Pipeline(stages=stages).fit(indexed)


def our_pipeline(train: DataFrame) -> PipelineModel:
    from mmlspark_py.train import TrainClassifier

    trained = TrainClassifier(model=LogisticRegression(regParam=0.01), labelCol="label").fit(train)
    return PipelineModel([trained])
