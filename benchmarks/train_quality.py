"""Quality baselines: TrainClassifier/TrainRegressor with each learner on scikit-learn's bundled data sets.

Each (data set, learner) pair is trained on a fixed 70/30 split (scikit-learn's ``train_test_split``,
``random_state=42``, stratified for classification) with fixed learner seeds, and scored on the test part;
the figures (AUC for binary, accuracy for classification, RMSE and R^2 for regression) go to
``benchmarks/train_quality.csv``. ``tests/train/test_quality_baselines.py`` reruns a few pairs and fails if a
figure falls below its recorded value minus a tolerance (RMSE: above plus).

    python benchmarks/train_quality.py [--quick]     # --quick: breast_cancer and diabetes only
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from typing import Callable, Dict, List, Tuple

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
import pandas as pd
from pyspark.ml import classification as C
from pyspark.ml import regression as R
from sklearn import datasets
from sklearn.model_selection import train_test_split

from mmlspark_py.train import ComputeModelStatistics, TrainClassifier, TrainRegressor

CSV_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "train_quality.csv")
SEED = 42
DATASETS = {
    "breast_cancer": (datasets.load_breast_cancer, "binary"),
    "iris": (datasets.load_iris, "multiclass"),
    "wine": (datasets.load_wine, "multiclass"),
    "digits": (datasets.load_digits, "multiclass"),
    "diabetes": (datasets.load_diabetes, "regression"),
}
CLASSIFIERS: Dict[str, Callable] = {
    "LogisticRegression": lambda: C.LogisticRegression(maxIter=100),
    "LinearSVC": lambda: C.LinearSVC(maxIter=100),
    "NaiveBayes": C.NaiveBayes,
    "DecisionTreeClassifier": lambda: C.DecisionTreeClassifier(seed=SEED),
    "RandomForestClassifier": lambda: C.RandomForestClassifier(numTrees=50, seed=SEED),
    "GBTClassifier": lambda: C.GBTClassifier(maxIter=30, seed=SEED),
    "MultilayerPerceptronClassifier": lambda: C.MultilayerPerceptronClassifier(
        layers=[1, 32, 1], maxIter=200, seed=SEED
    ),
}
BINARY_ONLY = {"LinearSVC", "GBTClassifier"}
REGRESSORS: Dict[str, Callable] = {
    "LinearRegression": R.LinearRegression,
    "GeneralizedLinearRegression": R.GeneralizedLinearRegression,
    "DecisionTreeRegressor": lambda: R.DecisionTreeRegressor(maxDepth=4, seed=SEED),
    "RandomForestRegressor": lambda: R.RandomForestRegressor(numTrees=50, seed=SEED),
    "GBTRegressor": lambda: R.GBTRegressor(maxIter=30, maxDepth=3, seed=SEED),
    "FMRegressor": lambda: R.FMRegressor(maxIter=100, seed=SEED),
    "IsotonicRegression": R.IsotonicRegression,
}


def split(name: str) -> Tuple[pd.DataFrame, pd.DataFrame, str]:
    """The fixed train/test split of data set ``name`` as pandas frames (features f0.., label), and its task."""
    loader, task = DATASETS[name]
    data = loader()
    x = data.data
    if name == "diabetes":  # isotonic regression uses the first feature: put the most telling one (bmi) first
        x = np.column_stack([x[:, 2], np.delete(x, 2, axis=1)])
    pdf = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    pdf["label"] = [str(data.target_names[t]) for t in data.target] if task != "regression" else data.target
    strat = pdf["label"] if task != "regression" else None
    train, test = train_test_split(pdf, test_size=0.3, random_state=SEED, stratify=strat)
    return train, test, task


def pairs(names: List[str]) -> List[Tuple[str, str]]:
    out = []
    for name in names:
        task = DATASETS[name][1]
        learners = REGRESSORS if task == "regression" else CLASSIFIERS
        out += [(name, learner) for learner in learners if not (task == "multiclass" and learner in BINARY_ONLY)]
    return out


def evaluate(spark, name: str, learner: str) -> Dict[str, float]:
    """Train ``learner`` on data set ``name``'s split; its test metrics."""
    train_pdf, test_pdf, task = split(name)
    train, test = spark.createDataFrame(train_pdf), spark.createDataFrame(test_pdf)
    if task == "regression":
        model = TrainRegressor(model=REGRESSORS[learner](), labelCol="label").fit(train)
        stats = ComputeModelStatistics().transform(model.transform(test)).head()
        return {"rmse": stats["root_mean_squared_error"], "r2": stats["R^2"]}
    model = TrainClassifier(model=CLASSIFIERS[learner](), labelCol="label").fit(train)
    stats = ComputeModelStatistics().transform(model.transform(test)).head()
    out = {"accuracy": stats["accuracy"]}
    if task == "binary":
        out["AUC"] = stats["AUC"]
    return out


def read_baselines(path: str = CSV_PATH) -> Dict[Tuple[str, str, str], float]:
    with open(path, newline="") as f:
        return {(r["dataset"], r["learner"], r["metric"]): float(r["value"]) for r in csv.DictReader(f)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="breast_cancer and diabetes only, no CSV written")
    args = parser.parse_args()
    from mmlspark_py.core.session import get_spark

    spark = get_spark(
        master="local[2]",
        app_name="train_quality",
        conf={"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"},
    )
    spark.sparkContext.setLogLevel("ERROR")
    names = ["breast_cancer", "diabetes"] if args.quick else list(DATASETS)
    rows = []
    for name, learner in pairs(names):
        for metric, value in evaluate(spark, name, learner).items():
            rows.append({"dataset": name, "learner": learner, "metric": metric, "value": f"{value:.6f}"})
            print(f"train_quality: {name} {learner} {metric}={value:.4f}", flush=True)
    if not args.quick:
        tmp = CSV_PATH + ".tmp"
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["dataset", "learner", "metric", "value"])
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, CSV_PATH)
    spark.stop()


if __name__ == "__main__":
    main()
