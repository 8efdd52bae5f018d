"""Quality: implicit featurization for tree learners against the same forest on hand-built features.

A mixed frame (two numbers, a 6-level category, a flag, a short text of 2-4 words from 20, a date) whose binary
label depends on each kind of column. ``TrainClassifier(model=RandomForestClassifier(numTrees=10))`` on the raw
columns against the same forest on features a user builds by hand (StringIndexer for the category, the flag as
a double, month and day of week of the date, CountVectorizer word counts of the text). Accuracy is
cross-validated (``--folds`` folds of a fold column drawn with a fixed seed); the script prints each fold and
``train_trees: ratio=<mean ours / mean hand-built>`` (goal >= 1.0), and logistic regression for reference.

    python benchmarks/train_trees.py [--rows N] [--folds K]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from typing import Dict, List

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
import pandas as pd
from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression, RandomForestClassifier
from pyspark.ml.feature import CountVectorizer, RegexTokenizer, StringIndexer, VectorAssembler
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from mmlspark_py.train import ComputeModelStatistics, TrainClassifier

WORDS = [
    "great",
    "poor",
    "fast",
    "slow",
    "blue",
    "red",
    "box",
    "cable",
    "phone",
    "case",
    "big",
    "small",
    "new",
    "old",
    "cheap",
    "fine",
    "ok",
    "nice",
    "light",
    "heavy",
]


def mixed_pdf(rows: int, seed: int = 0) -> pd.DataFrame:
    """The mixed frame (see the module docstring) as pandas."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=rows), rng.uniform(0, 10, rows)
    cat, flag = rng.choice(list("abcdef"), rows), rng.random(rows) < 0.4
    texts = [" ".join(rng.choice(WORDS, rng.integers(2, 5))) for _ in range(rows)]
    dates = [datetime.date(2020, 1, 1) + datetime.timedelta(days=int(d)) for d in rng.integers(0, 730, rows)]
    summer = np.array([6 <= d.month <= 8 for d in dates])
    words = np.array([1.2 * ("great" in t.split()) - 1.2 * ("poor" in t.split()) for t in texts])
    z = (
        1.2 * x1
        + 0.3 * (x2 - 5)
        + np.where(np.isin(cat, ["a", "c"]), 1.0, -0.5)
        + 0.8 * flag
        + words
        + 1.0 * summer
        + rng.normal(scale=0.7, size=rows)
    )
    return pd.DataFrame(
        {
            "x1": x1,
            "x2": x2,
            "cat": cat,
            "flag": flag,
            "text": texts,
            "date": dates,
            "label": np.where(z > 0.5, "yes", "no"),
        }
    )


def forest() -> RandomForestClassifier:
    return RandomForestClassifier(numTrees=10, seed=1)


def hand_built_accuracy(train: DataFrame, test: DataFrame) -> float:
    """The same forest on features built by hand with Spark's stages."""

    def prepare(df: DataFrame) -> DataFrame:
        return df.selectExpr(
            "*",
            "CAST(flag AS double) AS flag_d",
            "CAST(month(date) AS double) AS month",
            "CAST(dayofweek(date) AS double) AS dow",
        )

    pipeline = Pipeline(
        stages=[
            StringIndexer(inputCol="label", outputCol="y"),
            StringIndexer(inputCol="cat", outputCol="cat_i"),
            RegexTokenizer(inputCol="text", outputCol="tokens", pattern="\\s+"),
            CountVectorizer(inputCol="tokens", outputCol="words"),
            VectorAssembler(inputCols=["x1", "x2", "cat_i", "flag_d", "month", "dow", "words"], outputCol="features"),
            forest().setLabelCol("y"),
        ]
    )
    scored = pipeline.fit(prepare(train)).transform(prepare(test))
    row = scored.agg(F.avg((F.col("y") == F.col("prediction")).cast("double")).alias("a")).head()
    return float(row["a"])


def cross_validate(spark, rows: int, folds: int, seed: int = 0) -> Dict[str, List[float]]:
    """Per-fold test accuracy of TrainClassifier(forest), the hand-built forest and TrainClassifier(LR)."""
    data = spark.createDataFrame(mixed_pdf(rows, seed)).withColumn("fold", (F.rand(7) * folds).cast("int")).cache()
    out: Dict[str, List[float]] = {"ours": [], "hand_built": [], "logistic": []}
    for fold in range(folds):
        train = data.where(F.col("fold") != fold).drop("fold")
        test = data.where(F.col("fold") == fold).drop("fold")
        for name, learner in (("ours", forest()), ("logistic", LogisticRegression())):
            model = TrainClassifier(model=learner, labelCol="label").fit(train)
            out[name].append(
                ComputeModelStatistics(evaluationMetric="accuracy").transform(model.transform(test)).head()["accuracy"]
            )
        out["hand_built"].append(hand_built_accuracy(train, test))
    data.unpersist()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    from mmlspark_py.core.session import get_spark

    spark = get_spark(
        master="local[2]",
        app_name="train_trees",
        conf={"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"},
    )
    spark.sparkContext.setLogLevel("ERROR")
    result = cross_validate(spark, args.rows, args.folds)
    for fold in range(args.folds):
        print(f"fold {fold}: " + ", ".join(f"{k} {v[fold]:.4f}" for k, v in result.items()), flush=True)
    means = {k: float(np.mean(v)) for k, v in result.items()}
    print(
        f"train_trees: ratio={means['ours'] / means['hand_built']:.4f} (ours {means['ours']:.4f}, hand-built "
        f"{means['hand_built']:.4f}, logistic regression {means['logistic']:.4f}; {args.folds}-fold CV, "
        f"{args.rows} rows)"
    )
    spark.stop()


if __name__ == "__main__":
    main()
