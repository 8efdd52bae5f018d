"""The serving fast path against Spark itself: every supported stage gives Spark's outputs (labels exactly,
floating point to a few ulps), Spark's errors, and unsupported stages fall back to the Spark path."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import HashingTF, StringIndexer, Tokenizer, VectorAssembler

from mmlspark_py.serving import ScoringError, SparkModel, Unsupported, compile_local
from mmlspark_py.serving.server import choose_path
from mmlspark_py.tracking.signature import model_io
from tests.registry.fitted import people, spark_pipeline, trained_people


@pytest.fixture(scope="module")
def train(spark):
    return trained_people(spark)[0]


@pytest.fixture(scope="module")
def requests_rows(spark):
    return people(spark, 60, seed=7)


def assert_same(local_rows, spark_rows, outputs):
    assert len(local_rows) == len(spark_rows)
    for fast, slow in zip(local_rows, spark_rows):
        assert list(fast) == outputs
        for name in outputs:
            if isinstance(slow[name], list):
                np.testing.assert_allclose(fast[name], slow[name], rtol=1e-12, atol=1e-15)
            else:
                assert fast[name] == slow[name] and type(fast[name]) is type(slow[name]), name


def _compare(model, train, rows, spark):
    io = model_io(model, train.schema)
    local, remote = compile_local(model, io), SparkModel(model, io, spark)
    tuples = [tuple(r[c] for c in io.inputs) for r in rows]
    fast, slow = local.predict(tuples), remote.predict(tuples)
    assert_same(fast, slow, io.outputs)
    return io, fast


def test_spark_featurize_and_logistic_regression(spark, train, requests_rows):
    rows = requests_rows.collect() + [{"age": 30.0, "hours": 40, "city": "Atlantis"}]  # an unseen city: keep
    io, fast = _compare(spark_pipeline(train), train, rows, spark)
    assert io.outputs == ["rawPrediction", "probability", "prediction"]
    assert {r["prediction"] for r in fast} == {0.0, 1.0}


def test_our_featurize_and_train_classifier(spark, train, requests_rows):
    rows = requests_rows.collect() + [
        {"age": None, "hours": None, "city": None},  # imputed, unknown level
        {"age": float("inf"), "hours": 3, "city": "Denver"},
    ]  # infinity is missing
    io, fast = _compare(trained_people(spark)[1], train, rows, spark)
    assert io.outputs == ["rawPrediction", "probability", "prediction"]
    assert {r["prediction"] for r in fast} == {0.0, 1.0}  # the indices of the levels ['no', 'yes']


def test_multinomial_with_thresholds_and_a_binary_threshold(spark, train):
    from pyspark.sql import functions as F

    tiers = train.withColumn(
        "tier", F.when(F.col("age") < 35, "young").when(F.col("age") < 55, "mid").otherwise("senior")
    )
    features = VectorAssembler(inputCols=["age", "hours"], outputCol="features")
    indexed = StringIndexer(inputCol="tier", outputCol="y").fit(tiers).transform(features.transform(tiers))
    multi = LogisticRegression(labelCol="y", thresholds=[0.5, 0.2, 0.0001]).fit(indexed)
    model = PipelineModel([features, multi])
    _, fast = _compare(model, tiers.drop("label"), tiers.collect(), spark)  # (_compare asserts equal outputs)
    assert len(fast) == tiers.count() and {r["prediction"] for r in fast} <= {0.0, 1.0, 2.0}
    binary_data = StringIndexer(inputCol="label", outputCol="y").fit(train).transform(features.transform(train))
    binary = LogisticRegression(labelCol="y", threshold=0.8).fit(binary_data)
    model = PipelineModel([features, binary.setProbabilityCol("")])  # prediction from the raw margin
    _, fast = _compare(model, train, train.collect(), spark)
    assert {r["prediction"] for r in fast} <= {0.0, 1.0} and "probability" not in fast[0]


def test_rows_a_skipping_assembler_drops_are_errors_on_both_paths(spark, train):
    from mmlspark_py.featurize import Featurize

    # without imputation a missing number reaches the final VectorAssembler, whose default 'skip' drops the row
    featurize = Featurize(inputCols=["age", "hours", "city"], outputCol="features", imputeMissing=False).fit(train)
    model = PipelineModel([featurize])
    records = [{"age": 41.0, "hours": 45, "city": "Boston"}, {"age": 23.5, "hours": 12, "city": "Atlantis"}]
    io, fast = _compare(model, train, records, spark)
    assert io.outputs == ["features"] and len(fast) == 2
    local, remote = compile_local(model, io), SparkModel(model, io, spark)
    with pytest.raises(ScoringError, match=r"column '.*age.*' is null \(handleInvalid='skip' drops the row\)"):
        local.predict([(None, 45, "Boston")])
    with pytest.raises(ScoringError, match="returned 0 rows for 1"):
        remote.predict([(None, 45, "Boston")])


def test_spark_errors_are_scoring_errors_on_the_fast_path(spark, train):
    strict = Pipeline(
        stages=[
            StringIndexer(inputCol="city", outputCol="c", handleInvalid="error"),
            VectorAssembler(inputCols=["age", "c"], outputCol="features"),
            StringIndexer(inputCol="label", outputCol="y"),
            LogisticRegression(labelCol="y"),
        ]
    ).fit(train)
    model = PipelineModel(strict.stages[:2] + strict.stages[3:])
    local = compile_local(model, model_io(model, train.schema))
    with pytest.raises(ScoringError, match="column 'city' has the unseen label 'Atlantis'"):
        local.predict([(30.0, "Atlantis")])
    with pytest.raises(ScoringError, match="VectorAssembler: column 'age' is null"):
        local.predict([(None, "Boston")])
    # and Spark fails on the same rows
    with pytest.raises(Exception, match="(?i)unseen label"):
        SparkModel(model, model_io(model, train.schema), spark).predict([(30.0, "Atlantis")])


def test_unsupported_stages_fall_back_to_spark(spark):
    df = spark.createDataFrame([("a b", 1.0), ("b c", 0.0), ("c d", 1.0)], ["text", "label"])
    model = Pipeline(
        stages=[
            Tokenizer(inputCol="text", outputCol="words"),
            HashingTF(inputCol="words", outputCol="features", numFeatures=16),
            LogisticRegression(),
        ]
    ).fit(df)
    io = model_io(model, df.schema)
    with pytest.raises(Unsupported, match="Tokenizer .* has no local implementation"):
        compile_local(model, io)
    path, scorer, reason = choose_path(model, io, "auto", spark)
    assert path == "spark" and "Tokenizer" in reason
    assert [r["prediction"] for r in scorer.predict([("a b",), ("c d",)])] == [
        r.prediction for r in model.transform(spark.createDataFrame([("a b",), ("c d",)], ["text"])).collect()
    ]
    with pytest.raises(Unsupported):
        choose_path(model, io, "fast", spark)
