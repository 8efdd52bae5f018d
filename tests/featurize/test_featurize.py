"""Featurize on real mixed-type data: the vector's values, missing values, unseen categories, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mmlspark_py.featurize import Featurize, FeaturizeError
from tests.featurize.data import mixed_df, mixed_rows


@pytest.fixture(scope="module")
def df(spark):
    return mixed_df(spark)


@pytest.fixture(scope="module")
def model(df):
    return Featurize(inputCols=[c for c in df.columns if c != "id"], outputCol="features").fit(df)


def _vectors(model, df):
    return {r["id"]: r["features"].toArray() for r in model.transform(df).select("id", "features").collect()}


def test_plan_by_type_and_all_null_column_dropped(model):
    plan = {e["name"]: e["kind"] for e in model.getColumnPlan()}
    assert plan == {
        "x": "numeric",
        "n": "numeric",
        "flag": "boolean",
        "color": "categorical",
        "d": "date",
        "ts": "timestamp",
        "arr": "array",
        "v": "vector",
    }


def test_vector_values(model, df):
    vectors = _vectors(model, df)
    rows = {r[0]: r for r in mixed_rows()}
    finite_x = [r[1] for r in rows.values() if r[1] is not None and math.isfinite(r[1])]
    n_values = [r[2] for r in rows.values() if r[2] is not None]
    flags = [float(r[3]) for r in rows.values() if r[3] is not None]
    # layout: x, n, flag, one-hot color (blue, green, red, __unknown), date 4, timestamp 7, arr 2, v 2
    assert all(len(v) == 3 + 4 + 4 + 7 + 2 + 2 for v in vectors.values())
    for i, v in vectors.items():
        row = rows[i]
        x = row[1] if row[1] is not None and math.isfinite(row[1]) else np.mean(finite_x)
        assert v[0] == pytest.approx(x, abs=1e-12)
        assert v[1] == pytest.approx(row[2] if row[2] is not None else np.mean(n_values), abs=1e-12)
        assert v[2] == pytest.approx(float(row[3]) if row[3] is not None else np.mean(flags), abs=1e-12)
        color_slot = {"blue": 0, "green": 1, "red": 2, None: 3}[row[4]]
        assert list(v[3:7]) == [1.0 if k == color_slot else 0.0 for k in range(4)]
        d = row[5]
        assert list(v[7:11]) == [d.year, d.month, d.day, (d.isoweekday() % 7) + 1]
        ts = row[6]
        assert list(v[11:18]) == [ts.year, ts.month, ts.day, (ts.isoweekday() % 7) + 1, ts.hour, ts.minute, ts.second]
        arr = [0.0 if a is None else a for a in (row[7] or [0.0, 0.0])]
        assert list(v[18:20]) == arr
        assert list(v[20:22]) == (list(row[8].toArray()) if row[8] is not None else [0.0, 0.0])


def test_unseen_category_at_scoring_goes_to_unknown(spark, model, df):
    new = df.limit(1).selectExpr("id", "x", "n", "flag", "'purple' AS color", "d", "ts", "arr", "v", "empty")
    vector = model.transform(spark.createDataFrame(new.collect(), df.schema)).head()["features"].toArray()
    assert list(vector[3:7]) == [0.0, 0.0, 0.0, 1.0]


def test_no_imputation_keep_gives_nan_and_index_without_one_hot(df):
    model = Featurize(
        inputCols=["x", "color"],
        outputCol="f",
        imputeMissing=False,
        oneHotEncodeCategoricals=False,
        vectorAssemblerHandleInvalid="keep",
    ).fit(df)
    vectors = _vectors(model.setOutputCol("features"), df)
    assert len(vectors) == 12
    assert math.isnan(vectors[1][0]) and math.isnan(vectors[3][0])  # null and +inf
    assert [vectors[i][1] for i in range(4)] == [2.0, 1.0, 0.0, 3.0]  # red, green, blue, null -> unknown


def test_no_imputation_skips_invalid_rows_by_default_as_synapseml(df):
    model = Featurize(inputCols=["x", "color"], outputCol="features", imputeMissing=False).fit(df)
    assert model.getVectorAssemblerHandleInvalid() == "skip"
    rows = {r[0]: r[1] for r in mixed_rows()}
    kept = {i for i, x in rows.items() if x is not None and math.isfinite(x)}
    assert set(_vectors(model, df)) == kept
    with pytest.raises(Exception, match="(?i)null|nan"):
        Featurize(inputCols=["x"], outputCol="features", imputeMissing=False, vectorAssemblerHandleInvalid="error").fit(
            df
        ).transform(df).collect()


def test_synapseml_keep_preserves_missing_numeric_rows_in_pipeline(spark):
    # SynapseML's featurize/test_featurize.py
    from pyspark.ml import Pipeline

    dataset = spark.createDataFrame([(0, 1.0), (1, None), (2, float("nan")), (3, 4.0)], "id int not null, value double")
    featurize = (
        Featurize()
        .setInputCols(["value"])
        .setOutputCol("features")
        .setImputeMissing(False)
        .setVectorAssemblerHandleInvalid("keep")
    )
    assert featurize.getVectorAssemblerHandleInvalid() == "keep"
    result = Pipeline(stages=[featurize]).fit(dataset).transform(dataset)
    by_id = {row.id: row.features[0] for row in result.select("id", "features").collect()}
    assert set(by_id) == {0, 1, 2, 3}
    assert by_id[0] == 1.0 and math.isnan(by_id[1]) and math.isnan(by_id[2]) and by_id[3] == 4.0


def test_free_text_is_hashed(spark):
    rows = [(i, f"word{i} shared Text {i % 3}") for i in range(150)]
    df = spark.createDataFrame(rows, "id int, text string")
    model = Featurize(inputCols=["text"], outputCol="features", numFeatures=1024).fit(df)
    assert model.getColumnPlan() == [{"name": "text", "kind": "text"}]
    ours = {r["id"]: r["features"].toArray() for r in model.transform(df).collect()}
    from mmlspark_py.featurize.text import TextFeaturizer

    hashed = {
        r["id"]: r["h"].toArray()
        for r in TextFeaturizer(inputCol="text", outputCol="h", numFeatures=1024).fit(df).transform(df).collect()
    }
    # only the slots some row uses are kept (SynapseML's CountSelector after hashing)
    used = np.flatnonzero(np.sum([v != 0 for v in hashed.values()], axis=0))
    assert len(used) < 1024
    for i, v in hashed.items():
        assert np.array_equal(ours[i], v[used])
    assert all(v.sum() > 0 for v in ours.values())


def _with_empty_text(spark):
    """150 rows: a number and a text column of 150 distinct blank values (no token at all)."""
    rows = [(i, float(i % 7), " " * (i + 1)) for i in range(150)]
    return spark.createDataFrame(rows, "id int, x double, empty_text string")


def test_empty_text_column_is_dropped_when_other_features_remain(spark):
    df = _with_empty_text(spark)
    model = Featurize(inputCols=["x", "empty_text"], outputCol="features").fit(df)
    assert model.getColumnPlan() == [{"name": "x", "kind": "numeric"}]
    vectors = _vectors(model, df)
    assert all(list(v) == [float(i % 7)] for i, v in vectors.items())


def test_only_empty_text_left_raises_naming_the_column(spark):
    df = _with_empty_text(spark)
    with pytest.raises(FeaturizeError, match="text column\\(s\\) \\['empty_text'\\] have no token in any row"):
        Featurize(inputCols=["empty_text"], outputCol="features").fit(df)


def test_bad_input(spark, df):
    with pytest.raises(FeaturizeError, match="empty DataFrame"):
        Featurize(inputCols=["x"], outputCol="f").fit(df.limit(0))
    with pytest.raises(FeaturizeError, match="entirely null"):
        Featurize(inputCols=["empty"], outputCol="f").fit(df)
    ragged = spark.createDataFrame([([1.0],), ([1.0, 2.0],)], "a array<double>")
    with pytest.raises(FeaturizeError, match="'a' holds arrays of sizes 1 to 2"):
        Featurize(inputCols=["a"], outputCol="f").fit(ragged)
    with pytest.raises(Exception, match="'nope' does not exist"):
        Featurize(inputCols=["nope"], outputCol="f").fit(df)
    maps = spark.createDataFrame([({"a": 1},)], "m map<string,int>")
    with pytest.raises(FeaturizeError, match="'m' has type map"):
        Featurize(inputCols=["m"], outputCol="f").fit(maps)


def test_image_struct_unrolled_channel_major(spark):
    from pyspark.sql.types import IntegerType, StructField, StructType

    from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row

    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (2, 3, 3), dtype=np.uint8) for _ in range(3)]
    rows = [(i, to_image_row(im, f"img{i}")) for i, im in enumerate(images)] + [(3, None)]
    schema = StructType([StructField("id", IntegerType()), StructField("image", IMAGE_SCHEMA, True)])
    df = spark.createDataFrame(rows, schema)
    model = Featurize(inputCols=["image"], outputCol="features").fit(df)
    assert model.getColumnPlan() == [{"name": "image", "kind": "image", "size": 18}]
    vectors = _vectors(model, df)
    for i, im in enumerate(images):
        assert np.array_equal(vectors[i], np.transpose(im, (2, 0, 1)).reshape(-1).astype(float))
    assert np.array_equal(vectors[3], np.zeros(18))
