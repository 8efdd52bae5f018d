"""TrainClassifier with each Spark ML classifier on real data; metrics equal scikit-learn's on the predictions."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.classification import (
    DecisionTreeClassifier,
    GBTClassifier,
    LinearSVC,
    LogisticRegression,
    MultilayerPerceptronClassifier,
    NaiveBayes,
    RandomForestClassifier,
)
from pyspark.ml.feature import StringIndexer
from pyspark.ml.regression import LinearRegression
from sklearn import metrics as skm

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.train import (
    ComputeModelStatistics,
    ComputePerInstanceStatistics,
    LearnerError,
    TrainClassifier,
    TrainingDataError,
)
from tests.train.data import cancer_df, iris_df

LEARNERS = {
    "logistic": lambda: LogisticRegression(maxIter=30),
    "svc": lambda: LinearSVC(maxIter=20),
    "naive_bayes": NaiveBayes,
    "tree": lambda: DecisionTreeClassifier(maxDepth=4, seed=1),
    "forest": lambda: RandomForestClassifier(numTrees=10, seed=1),
    "gbt": lambda: GBTClassifier(maxIter=5, seed=1),
    "perceptron": lambda: MultilayerPerceptronClassifier(layers=[1, 6, 1], maxIter=50, seed=1),
}


@pytest.fixture(scope="module")
def cancer(spark):
    return cancer_df(spark, 100).cache()


def _positive_scores(pdf, name):
    """The ranked score: the raw margin raw[1] - raw[0], but a tree's probability (see train.columns)."""
    if "rawPrediction" in pdf and name != "tree":
        return np.array([v[1] - v[0] for v in pdf["rawPrediction"]])
    return np.array([v[1] for v in pdf["probability"]])


def spark_area_under_pr(y, s):
    """Spark's areaUnderPR by hand: trapezoids over (recall, precision) at each distinct score, descending,
    after the point (0, precision at the first threshold)."""
    y, s = np.asarray(y), np.asarray(s)
    points = []
    for t in np.unique(s)[::-1]:
        tp, fp = np.sum((s >= t) & (y == 1)), np.sum((s >= t) & (y == 0))
        points.append((tp / y.sum(), tp / (tp + fp)))
    points.insert(0, (0.0, points[0][1]))
    return sum((r2 - r1) * (p1 + p2) / 2 for (r1, p1), (r2, p2) in zip(points, points[1:]))


@pytest.mark.parametrize("name", list(LEARNERS))
def test_binary_learner_metrics_equal_sklearn(cancer, name):
    model = TrainClassifier(model=LEARNERS[name](), labelCol="label").fit(cancer)
    scored = model.transform(cancer)
    assert model.transformSchema(cancer.schema) == scored.schema
    assert model.getLevels() == ["benign", "malignant"]
    spark_columns = {"svc": ["rawPrediction", "prediction"]}.get(name, ["rawPrediction", "probability", "prediction"])
    assert scored.columns == cancer.columns + spark_columns
    pdf = scored.toPandas()
    assert set(pdf["prediction"]) <= {0.0, 1.0}
    metrics = ComputeModelStatistics().transform(scored)
    assert metrics.columns == ["evaluation_type", "confusion_matrix", "accuracy", "precision", "recall", "AUC"]
    stats = metrics.head().asDict()
    y_true, y_pred = pdf["label"], [model.getLevels()[int(p)] for p in pdf["prediction"]]
    positive = (y_true == "malignant").astype(int)
    score = _positive_scores(pdf, name)
    assert stats["evaluation_type"] == "Classification"
    assert stats["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-9)
    assert stats["precision"] == pytest.approx(
        skm.precision_score(y_true, y_pred, pos_label="malignant", zero_division=0), abs=1e-9
    )
    assert stats["recall"] == pytest.approx(skm.recall_score(y_true, y_pred, pos_label="malignant"), abs=1e-9)
    assert stats["AUC"] == pytest.approx(skm.roc_auc_score(positive, score), abs=1e-9)
    area_pr = ComputeModelStatistics(evaluationMetric="areaUnderPR").transform(scored).head()["areaUnderPR"]
    assert area_pr == pytest.approx(spark_area_under_pr(positive, score), abs=1e-9)
    assert np.array_equal(
        stats["confusion_matrix"].toArray(), skm.confusion_matrix(y_true, y_pred, labels=["benign", "malignant"])
    )
    assert stats["AUC"] > 0.75


def test_multiclass_metrics_and_log_loss_of_true_label(spark):
    df = iris_df(spark)
    scored = TrainClassifier(model=LogisticRegression(maxIter=10), labelCol="species").fit(df).transform(df)
    pdf = scored.toPandas()
    labels = ["setosa", "versicolor", "virginica"]
    metrics = ComputeModelStatistics().transform(scored)
    assert metrics.columns == [
        "evaluation_type",
        "confusion_matrix",
        "accuracy",
        "precision",
        "recall",
        "average_accuracy",
        "macro_averaged_precision",
        "macro_averaged_recall",
    ]
    stats = metrics.head().asDict()
    y_true, y_pred = pdf["species"], [labels[int(p)] for p in pdf["prediction"]]
    matrix = skm.confusion_matrix(y_true, y_pred, labels=labels)
    assert np.array_equal(stats["confusion_matrix"].toArray(), matrix)
    assert stats["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-9)
    assert stats["precision"] == pytest.approx(skm.precision_score(y_true, y_pred, average="micro"), abs=1e-9)
    assert stats["macro_averaged_precision"] == pytest.approx(
        skm.precision_score(y_true, y_pred, average="macro", zero_division=0), abs=1e-9
    )
    assert stats["macro_averaged_recall"] == pytest.approx(
        skm.recall_score(y_true, y_pred, average="macro", zero_division=0), abs=1e-9
    )
    per_class = skm.multilabel_confusion_matrix(y_true, y_pred, labels=labels)
    accuracy = np.mean([(m[0, 0] + m[1, 1]) / m.sum() for m in per_class])
    assert stats["average_accuracy"] == pytest.approx(accuracy, abs=1e-9)
    with pytest.raises(SchemaError, match="AUC is defined for two classes"):
        ComputeModelStatistics(evaluationMetric="AUC").transform(scored)

    losses = ComputePerInstanceStatistics().transform(scored).toPandas()
    probabilities = np.stack([v.toArray() for v in losses["probability"]])
    for truth, p, loss in zip(losses["species"], probabilities, losses["log_loss"]):
        assert loss == pytest.approx(skm.log_loss([truth], [p], labels=labels), abs=1e-9)


def test_plain_spark_output_with_explicit_params(spark, cancer):
    indexed = StringIndexer(inputCol="label", outputCol="y").fit(cancer).transform(cancer)
    featurized = indexed.selectExpr("*", "array(radius, texture, perimeter, area) AS a")
    from pyspark.ml.functions import array_to_vector

    data = featurized.withColumn("features", array_to_vector("a"))
    scored = LogisticRegression(labelCol="y", maxIter=20).fit(data).transform(data)
    metrics = ComputeModelStatistics(labelCol="y", scoredLabelsCol="prediction", scoresCol="probability").transform(
        scored
    )
    # Spark's prediction column says there are two classes (nominal metadata): SynapseML's binary columns
    assert metrics.columns == ["evaluation_type", "confusion_matrix", "accuracy", "precision", "recall", "AUC"]
    stats = metrics.head()
    pdf = scored.select("y", "prediction", "probability").toPandas()
    score = np.array([v[1] for v in pdf["probability"]])
    assert stats["AUC"] == pytest.approx(skm.roc_auc_score(pdf["y"], score), abs=1e-9)
    assert stats["accuracy"] == pytest.approx(skm.accuracy_score(pdf["y"], pdf["prediction"]), abs=1e-9)
    with pytest.raises(SchemaError, match="scoresCol: column 'probs' does not exist \\(looked for the scores"):
        ComputeModelStatistics(labelCol="y", scoredLabelsCol="prediction", scoresCol="probs").transform(scored)
    with pytest.raises(SchemaError, match="labelCol: column 'truth' does not exist \\(looked for the true labels"):
        ComputeModelStatistics(labelCol="truth", scoredLabelsCol="prediction").transform(scored)
    with pytest.raises(SchemaError, match="found no scored columns"):
        ComputeModelStatistics().transform(scored)


def test_auc_with_ties_equals_sklearn(spark):
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 400).astype(float)
    s = np.round(rng.random(400) * 0.5 + y * 0.3, 1)  # few distinct values: many ties
    df = spark.createDataFrame(
        [(float(a), float(b), float(b > 0.5)) for a, b in zip(y, s)], "y double, s double, p double"
    )
    stats = ComputeModelStatistics(labelCol="y", scoredLabelsCol="p", scoresCol="s").transform(df).head()
    assert stats["AUC"] == pytest.approx(skm.roc_auc_score(y, s), abs=1e-12)
    area_pr = (
        ComputeModelStatistics(labelCol="y", scoredLabelsCol="p", scoresCol="s", evaluationMetric="areaUnderPR")
        .transform(df)
        .head()["areaUnderPR"]
    )
    assert area_pr == pytest.approx(spark_area_under_pr(y, s), abs=1e-12)


def test_bad_input(spark, cancer):
    with pytest.raises(TrainingDataError, match="single class"):
        TrainClassifier(model=LogisticRegression(), labelCol="label").fit(cancer.where("label = 'benign'"))
    with pytest.raises(TrainingDataError, match="no non-null values"):
        TrainClassifier(model=LogisticRegression(), labelCol="label").fit(cancer.limit(0))
    with pytest.raises(LearnerError, match="must be a Spark ML classifier.*StringIndexer"):
        TrainClassifier(model=StringIndexer(), labelCol="label").fit(cancer)
    with pytest.raises(LearnerError, match="got pyspark.ml.regression.LinearRegression"):
        TrainClassifier(model=LinearRegression(), labelCol="label").fit(cancer)
    with pytest.raises(TrainingDataError, match="two classes only"):
        TrainClassifier(model=GBTClassifier(), labelCol="species").fit(iris_df(spark))


def test_messy_features_null_labels_and_unseen_categories(spark, cancer):
    messy = cancer.selectExpr(
        "id",
        "CASE WHEN id % 7 = 0 THEN NULL ELSE label END AS label",
        "CASE WHEN id % 5 = 0 THEN double('NaN') WHEN id % 11 = 0 THEN double('inf') ELSE radius END AS radius",
        "texture",
        "CAST(NULL AS string) AS nothing",
        "size",
    )
    model = TrainClassifier(model=LogisticRegression(maxIter=20), labelCol="label").fit(messy)
    assert model.getLevels() == ["benign", "malignant"]
    new = messy.selectExpr("id", "label", "radius", "texture", "nothing", "'gigantic' AS size")
    scored = model.transform(new)
    assert scored.where("prediction IS NULL").count() == 0
    stats = ComputeModelStatistics().transform(model.transform(messy)).head()
    pdf = model.transform(messy).where("label IS NOT NULL").toPandas()
    predicted = [model.getLevels()[int(p)] for p in pdf["prediction"]]
    assert stats["accuracy"] == pytest.approx(skm.accuracy_score(pdf["label"], predicted), abs=1e-9)


def test_reindex_false_numeric_label(spark, cancer):
    data = cancer.selectExpr("*", "CASE WHEN label = 'malignant' THEN 1D ELSE 0D END AS y").drop("label")
    trainer = TrainClassifier(model=LogisticRegression(maxIter=20), labelCol="y", reindexLabel=False)
    scored = trainer.fit(data).transform(data)
    assert trainer.transformSchema(data.schema) == scored.schema
    assert {r[0] for r in scored.select("prediction").distinct().collect()} <= {0.0, 1.0}
    pdf = scored.toPandas()
    stats = ComputeModelStatistics().transform(scored).head()
    assert stats["accuracy"] == pytest.approx(skm.accuracy_score(pdf["y"], pdf["prediction"]), abs=1e-9)
