"""Plots: valid PNGs of the requested size, drawn from the DataFrames' values; quick_report."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.regression import LinearRegression

from mmlspark_py import plot
from mmlspark_py.train import ComputeModelStatistics, TrainClassifier, TrainRegressor, pr_curve, roc_curve
from tests.train.data import cancer_df, diabetes_df

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def scored(spark):
    df = cancer_df(spark, 80)
    return TrainClassifier(model=LogisticRegression(maxIter=20), labelCol="label").fit(df).transform(df)


def _check_png(path, height, width):
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC
    assert mpimg.imread(path).shape[:2] == (height, width)


def test_confusion_matrix_png_and_annotations(scored, tmp_path):
    metrics = ComputeModelStatistics().transform(scored)
    matrix = metrics.head()["confusion_matrix"].toArray()
    fig = plot.confusion_matrix_figure(metrics, labels=["benign", "malignant"])
    drawn = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text()) for t in fig.axes[0].texts}
    assert drawn == {(i, j): int(matrix[i, j]) for i in range(2) for j in range(2)}
    path = plot.plot_confusion_matrix(metrics, str(tmp_path / "cm.png"), size_inches=4, dpi=50)
    _check_png(path, 200, 200)


def test_curves_and_residuals(spark, scored, tmp_path):
    _check_png(plot.plot_roc(roc_curve(scored), str(tmp_path / "roc.png"), dpi=40), 200, 200)
    _check_png(plot.plot_pr(pr_curve(scored), str(tmp_path / "pr.png"), dpi=40), 200, 200)
    df = diabetes_df(spark, 60)
    reg = TrainRegressor(model=LinearRegression(), labelCol="target").fit(df).transform(df)
    _check_png(plot.plot_residuals(reg, str(tmp_path / "res.png"), "target", dpi=50), 200, 300)
    fig = plot.residuals_figure(reg, "target")
    offsets = fig.axes[0].collections[0].get_offsets()
    pdf = reg.select("prediction", "target").limit(plot.MAX_POINTS).toPandas()
    assert np.allclose(offsets[:, 0], pdf["prediction"]) and np.allclose(
        offsets[:, 1], pdf["target"] - pdf["prediction"]
    )


def test_quick_report(scored, tmp_path):
    report = plot.quick_report(scored, str(tmp_path / "report"))
    stats = ComputeModelStatistics().transform(scored).head()
    assert report["accuracy"] == pytest.approx(stats["accuracy"], abs=1e-12)
    assert report["levels"] == ["benign", "malignant"]
    assert report["confusion_matrix"] == stats["confusion_matrix"].toArray().tolist()
    assert set(report["plots"]) == {"confusion_matrix", "roc", "pr"}
    for path in report["plots"].values():
        with open(path, "rb") as f:
            assert f.read(8) == PNG_MAGIC


def test_synapseml_confusion_matrix_and_roc_draw_on_the_current_figure(scored):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F
    from sklearn import metrics as skm

    data = scored.select(
        (F.col("label") == "malignant").cast("double").alias("y"),
        "prediction",
        vector_to_array("probability")[1].alias("p"),
    )
    pdf = data.toPandas()
    expected = skm.confusion_matrix(pdf["y"], pdf["prediction"])
    for source in (data, pdf):
        plt.figure()
        plot.confusionMatrix(source, "y", "prediction", ["benign", "malignant"])
        texts = plt.gca().texts
        counts = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text()) for t in texts[1:]}
        assert counts == {(i, j): int(expected[i, j]) for i in range(2) for j in range(2)}
        assert texts[0].get_text().startswith("$Accuracy$")
        plt.close("all")
        plt.figure()
        plot.roc(source, "y", "p")
        fpr, tpr = plt.gca().lines[0].get_data()
        sk_fpr, sk_tpr, _ = skm.roc_curve(
            pdf["y"].astype(int), pdf["p"], drop_intermediate=isinstance(source, type(pdf))
        )
        assert np.allclose(fpr, sk_fpr) and np.allclose(tpr, sk_tpr)
        plt.close("all")
