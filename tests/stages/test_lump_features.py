"""LumpFeatures: retained values against a hand count (filters first, then top-K), nulls, destinations, errors."""

from __future__ import annotations

from collections import Counter

import pytest
from pyspark.sql.types import StringType, StructField

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.stages import LumpFeatures, LumpFeaturesModel

CITIES = ["Oslo"] * 5 + ["Lima"] * 3 + ["Pune"] * 3 + ["Kiev"] * 1 + [None] * 2
COLORS = ["red"] * 7 + ["blue"] * 6 + [None]


@pytest.fixture(scope="module")
def df(spark):
    rows = [(i, c, k) for i, (c, k) in enumerate(zip(CITIES, COLORS))]
    return spark.createDataFrame(rows, "id int, city string, color string").cache()


def _expected(values, top_k, min_count=1, min_freq=0.0):
    counts = Counter(v for v in values if v is not None)
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    eligible = [v for v, n in ranked if n >= min_count and n >= total * min_freq]
    return eligible[:top_k]


def test_retained_values_match_a_hand_count(df):
    model = LumpFeatures(lumpRules={"city": 2, "color": 5}, minCount=2).fit(df)
    assert isinstance(model, LumpFeaturesModel) and model.uid.startswith("LumpFeatures")
    assert model.getKeptValues() == {
        "city": _expected(CITIES, 2, min_count=2),
        "color": _expected(COLORS, 5, min_count=2),
    }
    assert model.getKeptValues()["city"] == ["Oslo", "Lima"]  # Lima and Pune tie at 3: by value
    out = model.transform(df).orderBy("id")
    kept = set(model.getKeptValues()["city"])
    assert [r["city"] for r in out.collect()] == [c if c in kept or c is None else "__other__" for c in CITIES]
    assert out.schema["city"] == StructField("city", StringType(), True)


def test_frequency_filter_applies_before_the_cap(df):
    model = LumpFeatures(lumpRules={"city": 10}, minFreq=0.3).fit(df)  # 12 non-null cities: >= 3.6 rows
    assert model.getKeptValues() == {"city": _expected(CITIES, 10, min_freq=0.3)} == {"city": ["Oslo"]}


def test_nulls_to_other_and_new_destination(df):
    model = LumpFeatures(
        lumpRules={"city": 1}, handleNull="other", outputCols={"city": "city_lumped"}, otherValue="OTHER"
    ).fit(df)
    out = model.transform(df).orderBy("id")
    assert out.columns == ["id", "city", "color", "city_lumped"]
    assert [r["city"] for r in out.collect()] == CITIES  # raw values kept
    assert [r["city_lumped"] for r in out.collect()] == ["Oslo" if c == "Oslo" else "OTHER" for c in CITIES]
    assert out.schema["city_lumped"].nullable is False
    assert model.transformSchema(df.schema) == out.schema


def test_unseen_values_are_lumped(df, spark):
    model = LumpFeatures(lumpRules={"city": 3}).fit(df)
    new = spark.createDataFrame([("Oslo",), ("Rome",), (None,)], "city string")
    assert [r["city"] for r in model.transform(new).collect()] == ["Oslo", "__other__", None]


def test_errors_name_the_column(df, spark):
    with pytest.raises(ValueError, match="lumpRules: top-K for column 'city' must be a positive integer"):
        LumpFeatures(lumpRules={"city": 0})
    with pytest.raises(ValueError, match="lumpRules must be a non-empty map"):
        LumpFeatures(lumpRules={}).fit(df)
    with pytest.raises(SchemaError, match="lumpRules: column 'id' has type int, expected string"):
        LumpFeatures(lumpRules={"id": 2}).fit(df)
    with pytest.raises(SchemaError, match="destination 'color' of rule column 'city' already exists"):
        LumpFeatures(lumpRules={"city": 2}, outputCols={"city": "color"}).fit(df)
    with pytest.raises(ValueError, match=r"outputCols: column\(s\) \['nope'\] have no lumpRules entry"):
        LumpFeatures(lumpRules={"city": 2}, outputCols={"nope": "x"}).fit(df)
    with pytest.raises(ValueError, match="otherValue 'Oslo' occurs in rule column"):
        LumpFeatures(lumpRules={"city": 2}, otherValue="Oslo").fit(df)
    model = LumpFeatures(lumpRules={"city": 2}).fit(df)
    with pytest.raises(ValueError, match="cannot change lumpRules of a fitted LumpFeaturesModel"):
        model.setLumpRules({"city": 3})
