"""EnsembleByKey (means against pandas) and ClassBalancer (exact weights)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyspark.ml.linalg import Vectors

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.stages import ClassBalancer, ClassBalancerModel, EnsembleByKey


@pytest.fixture(scope="module")
def scores(spark):
    rng = np.random.default_rng(0)
    rows = [
        (int(k), str(m), float(s), Vectors.dense([float(s), float(k)]))
        for k, m, s in zip(rng.integers(0, 5, 60), rng.integers(0, 2, 60), rng.normal(size=60))
    ]
    pdf = pd.DataFrame([r[:3] for r in rows], columns=["k", "m", "s"])
    return spark.createDataFrame(rows, ["k", "m", "s", "v"]), pdf


def test_collapsed_means_match_pandas(scores):
    df, pdf = scores
    out = EnsembleByKey(keys=["k", "m"], cols=["s", "v"], vectorDims={"v": 2}).transform(df)
    assert out.columns == ["k", "m", "mean(s)", "mean(v)"]
    assert out.schema["mean(v)"].metadata == {"ml_attr": {"num_attrs": 2}}
    expected = pdf.groupby(["k", "m"])["s"].mean()
    got = {(r["k"], r["m"]): r for r in out.collect()}
    assert set(got) == set(expected.index)
    for key, mean in expected.items():
        assert got[key]["mean(s)"] == pytest.approx(mean, rel=1e-9, abs=1e-12)
        assert got[key]["mean(v)"].toArray() == pytest.approx([mean, key[0]], rel=1e-9, abs=1e-12)


def test_keep_rows_appends_group_means(scores):
    df, pdf = scores
    out = EnsembleByKey(keys=["k"], cols=["s"], colNames=["avg"], collapseGroup=False).transform(df)
    assert out.columns == ["k", "m", "s", "v", "avg"] and out.count() == 60
    # SynapseML's order: keys, the other input columns, the ensembled columns
    moved = EnsembleByKey(keys=["m"], cols=["s"], collapseGroup=False).transform(df)
    assert moved.columns == ["m", "k", "s", "v", "mean(s)"]
    expected = pdf.groupby("k")["s"].mean()
    for r in out.collect():
        assert r["avg"] == pytest.approx(expected[r["k"]], rel=1e-9, abs=1e-12)


def test_ensemble_errors(scores):
    df, _ = scores
    with pytest.raises(SchemaError, match="cols: column 'm' has type string"):
        EnsembleByKey(keys=["k"], cols=["m"]).transform(df)
    with pytest.raises(SchemaError, match=r"keys: column\(s\) \['kk'\] do not exist"):
        EnsembleByKey(keys=["kk"], cols=["s"]).transform(df)
    with pytest.raises(ValueError, match="one name per col"):
        EnsembleByKey(keys=["k"], cols=["s"], colNames=["a", "b"]).transform(df)
    with pytest.raises(ValueError, match="is not one of"):
        EnsembleByKey(strategy="median")
    # SynapseML: "keys must be set and non-empty"
    for keys in (None, []):
        with pytest.raises(ValueError, match="keys must be set and non-empty"):
            EnsembleByKey(keys=keys, cols=["s"]).transform(df)


def test_class_balancer_weights_are_exact(spark):
    labels = ["a"] * 6 + ["b"] * 3 + ["c"] * 2 + [None]
    df = spark.createDataFrame([(i, v) for i, v in enumerate(labels)], "id int, label string")
    model = ClassBalancer(inputCol="label").fit(df)
    assert isinstance(model, ClassBalancerModel)
    assert model.getWeights() == [["a", 1.0], ["b", 2.0], ["c", 3.0]]
    out = model.transform(df).orderBy("id").collect()
    assert [r["weight"] for r in out] == [1.0] * 6 + [2.0] * 3 + [3.0] * 2 + [None]  # null label: null weight
    unseen = spark.createDataFrame([(0, "z")], "id int, label string")
    assert model.transform(unseen).head()["weight"] is None


def test_class_balancer_numeric_labels_with_nan(spark):
    df = spark.createDataFrame([(1.0,), (1.0,), (1.0,), (float("nan"),), (2.0,), (2.0,), (2.0,)], "y double")
    model = ClassBalancer(inputCol="y", outputCol="w").fit(df)
    assert [r["w"] for r in model.transform(df).collect()] == [1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0]


def test_class_balancer_rejects_non_label_types(spark):
    df = spark.createDataFrame([([1],)], "a array<int>")
    with pytest.raises(SchemaError, match="class labels must be string, boolean or numeric"):
        ClassBalancer(inputCol="a").fit(df)
