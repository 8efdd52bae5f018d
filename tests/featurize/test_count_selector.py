"""CountSelector: the slots non-zero in some row, kept in order; SynapseML's quick example."""

from __future__ import annotations

import numpy as np
from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql.types import IntegerType, StructField, StructType

from mmlspark_py.featurize import CountSelector, CountSelectorModel

_SCHEMA = StructType([StructField("id", IntegerType()), StructField("v", VectorUDT())])


def test_synapseml_quick_example(spark):
    df = spark.createDataFrame(
        [
            (Vectors.sparse(3, [(0, 1.0), (2, 2.0)]), Vectors.dense(1.0, 0.1, 0)),
            (Vectors.sparse(3, [(0, 1.0), (2, 2.0)]), Vectors.dense(1.0, 0.1, 0)),
        ],
        ["col1", "col2"],
    )
    cs = CountSelector().setInputCol("col1").setOutputCol("col3")
    model = cs.fit(df)
    assert model.getIndices() == [0, 2]
    out = model.transform(df).collect()
    assert [r["col3"].toArray().tolist() for r in out] == [[1.0, 2.0], [1.0, 2.0]]
    assert model.transform(df).schema["col3"].metadata["ml_attr"]["num_attrs"] == 2


def test_kept_slots_equal_numpy_with_nan_nulls_and_save_load(spark, tmp_path):
    rng = np.random.default_rng(4)
    dense = (rng.random((40, 30)) < 0.05) * rng.integers(1, 5, (40, 30)).astype(float)
    dense[3, 7] = float("nan")  # NaN is not zero: its slot is kept
    rows = [
        (i, Vectors.dense(r) if i % 2 else Vectors.sparse(30, {j: v for j, v in enumerate(r) if v != 0}))
        for i, r in enumerate(dense)
    ] + [(40, None)]
    df = spark.createDataFrame(rows, _SCHEMA)
    model = CountSelector(inputCol="v", outputCol="kept").fit(df)
    used = [int(j) for j in np.flatnonzero((dense != 0).any(axis=0))]
    assert model.getIndices() == used and 7 in used
    path = str(tmp_path / "cs")
    model.write().overwrite().save(path)
    loaded = CountSelectorModel.load(path)
    out = {r["id"]: r["kept"] for r in loaded.transform(df).collect()}
    assert out[40] is None
    for i in range(40):
        np.testing.assert_array_equal(out[i].toArray(), dense[i, used])


def test_all_zero_gives_empty_vectors(spark):
    df = spark.createDataFrame([(0, Vectors.sparse(5, [], [])), (1, Vectors.dense([0.0] * 5)), (2, None)], _SCHEMA)
    model = CountSelector(inputCol="v", outputCol="kept").fit(df)
    assert model.getIndices() == []
    out = {r["id"]: r["kept"] for r in model.transform(df).collect()}
    assert out[0].size == out[1].size == 0 and out[2] is None
