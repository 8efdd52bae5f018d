"""Small real data sets (scikit-learn's) as Spark DataFrames, with mixed types added, for the train tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris


def cancer_pdf(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Breast cancer: 4 numeric features, a categorical, a string label ('benign'/'malignant')."""
    data = load_breast_cancer()
    idx = np.random.default_rng(seed).permutation(len(data.target))[:n]
    pdf = pd.DataFrame(data.data[idx, :4], columns=["radius", "texture", "perimeter", "area"])
    pdf["size"] = np.where(pdf["area"] > 700, "large", np.where(pdf["area"] > 400, "medium", "small"))
    pdf["label"] = np.where(data.target[idx] == 1, "benign", "malignant")
    pdf.insert(0, "id", np.arange(n))
    return pdf


def iris_pdf() -> pd.DataFrame:
    data = load_iris()
    pdf = pd.DataFrame(data.data, columns=["sl", "sw", "pl", "pw"])
    pdf["species"] = np.array(data.target_names)[data.target]
    pdf.insert(0, "id", np.arange(len(pdf)))
    return pdf


def diabetes_pdf(n: int = 150) -> pd.DataFrame:
    data = load_diabetes()
    pdf = pd.DataFrame(data.data[:n, :5], columns=["age", "sex", "bmi", "bp", "s1"])
    pdf["target"] = data.target[:n]
    pdf.insert(0, "id", np.arange(n))
    return pdf


def cancer_df(spark, n: int = 120):
    return spark.createDataFrame(cancer_pdf(n))


def iris_df(spark):
    return spark.createDataFrame(iris_pdf())


def diabetes_df(spark, n: int = 150):
    return spark.createDataFrame(diabetes_pdf(n))
