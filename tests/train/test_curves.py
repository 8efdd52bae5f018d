"""ROC and PR curves as DataFrames, point for point equal to scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from mmlspark_py.train import pr_curve, roc_curve


@pytest.fixture(scope="module")
def scored(spark):
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.random(300) * 0.6 + y * 0.3, 2)
    rows = [(float(a), float(b), float(b > 0.5)) for a, b in zip(y, s)]
    return spark.createDataFrame(rows, "label double, score double, prediction double"), y, s


def test_roc_curve(scored):
    df, y, s = scored
    points = roc_curve(df, labelCol="label", scoresCol="score", scoredLabelsCol="prediction").collect()
    fpr, tpr, thresholds = skm.roc_curve(y, s, drop_intermediate=False)
    assert np.allclose([p["false_positive_rate"] for p in points], fpr, atol=1e-12)
    assert np.allclose([p["true_positive_rate"] for p in points], tpr, atol=1e-12)
    assert np.allclose([p["threshold"] for p in points][1:], thresholds[1:], atol=1e-12)


def test_pr_curve(scored):
    df, y, s = scored
    points = pr_curve(df, labelCol="label", scoresCol="score", scoredLabelsCol="prediction").collect()
    precision, recall, thresholds = skm.precision_recall_curve(y, s)
    # scikit-learn orders by ascending threshold, then the end point; ours descend, then the end point
    assert np.allclose([p["precision"] for p in points[:-1]], precision[:-1][::-1], atol=1e-12)
    assert np.allclose([p["recall"] for p in points[:-1]], recall[:-1][::-1], atol=1e-12)
    assert np.allclose([p["threshold"] for p in points[:-1]], thresholds[::-1], atol=1e-12)
    assert (points[-1]["threshold"], points[-1]["precision"], points[-1]["recall"]) == (None, 1.0, 0.0)
