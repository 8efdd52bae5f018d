"""SynapseML's quick examples and notebook steps for the featurize classes, run as written (imports and data
sources aside), with their values asserted. (CountSelector's is in test_count_selector.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from mmlspark_py.featurize import CleanMissingData, DataConversion, Featurize, IndexToValue, ValueIndexer


def test_clean_missing_data_quick_example(spark):
    dataset = spark.createDataFrame(
        [
            (0, 2, 0.50, 0.60, 0),
            (1, 3, 0.40, None, None),
            (0, 4, 0.78, 0.99, 2),
            (1, 5, 0.12, 0.34, 3),
            (0, 1, 0.50, 0.60, 0),
            (None, None, None, None, None),
            (0, 3, 0.78, 0.99, 2),
            (1, 4, 0.12, 0.34, 3),
            (0, None, 0.50, 0.60, 0),
            (1, 2, 0.40, 0.50, None),
            (0, 3, None, 0.99, 2),
            (1, 4, 0.12, 0.34, 3),
        ],
        ["col1", "col2", "col3", "col4", "col5"],
    )
    cmd = CleanMissingData().setInputCols(dataset.columns).setOutputCols(dataset.columns).setCleaningMode("Mean")
    cleaned = cmd.fit(dataset).transform(dataset).collect()
    columns = list(zip(*[tuple(r) for r in dataset.collect()]))
    for i, (name, values) in enumerate(zip(dataset.columns, columns)):
        mean = np.mean([v for v in values if v is not None])
        filled = [r[i] for r, v in zip(cleaned, values) if v is None]
        # an integer column keeps its type: the mean is truncated, as SynapseML's cast does
        expected = int(mean) if isinstance(values[0], int) else mean
        assert filled and all(f == pytest.approx(expected, abs=1e-12) for f in filled), name
        assert [r[i] for r, v in zip(cleaned, values) if v is not None] == [v for v in values if v is not None]


def test_featurize_quick_example(spark):
    # SynapseML's example names 4 columns for 5 values; the fifth (text) gets a name here
    dataset = spark.createDataFrame(
        [
            (0, 2, 0.50, 0.60, "pokemon are everywhere"),
            (1, 3, 0.40, 0.50, "they are in the woods"),
            (0, 4, 0.78, 0.99, "they are in the water"),
            (1, 5, 0.12, 0.34, "they are in the fields"),
            (0, 3, 0.78, 0.99, "pokemon - gotta catch em all"),
        ],
        ["Label", "col1", "col2", "col3", "col4"],
    )
    feat = (
        Featurize()
        .setNumFeatures(10)
        .setOutputCol("testColumn")
        .setInputCols(["col1", "col2", "col3"])
        .setOneHotEncodeCategoricals(False)
    )
    out = feat.fit(dataset).transform(dataset).collect()
    for row in out:
        assert row["testColumn"].toArray().tolist() == [float(row["col1"]), row["col2"], row["col3"]]


def test_value_indexer_quick_example_and_index_to_value(spark):
    df = spark.createDataFrame(
        [(-3, 24, 0.32534, True, "piano"), (1, 5, 5.67, False, "piano"), (-3, 5, 0.32534, False, "guitar")],
        ["int", "long", "double", "bool", "string"],
    )
    vi = ValueIndexer().setInputCol("string").setOutputCol("string_cat")
    model = vi.fit(df)
    indexed = model.transform(df)
    assert model.getLevels() == ["guitar", "piano"]
    assert [r["string_cat"] for r in indexed.collect()] == [1, 1, 0]
    back = IndexToValue().setInputCol("string_cat").setOutputCol("string_back").transform(indexed)
    assert [r["string_back"] for r in back.collect()] == ["piano", "piano", "guitar"]


def test_data_conversion_notebook_steps(spark):
    # "Regression - Flight Delays with DataCleaning": longs to double, strings to categorical
    flights = spark.createDataFrame(
        [(1, 9, "AA", 10.0), (2, 9, "DL", -3.0), (3, 10, "AA", 7.0)],
        "Quarter long, Month long, Carrier string, ArrDelay double",
    )
    converted = DataConversion(cols=["Quarter", "Month"], convertTo="double").transform(flights)
    assert [f.dataType.simpleString() for f in converted.schema.fields][:2] == ["double", "double"]
    assert [tuple(r)[:2] for r in converted.collect()] == [(1.0, 9.0), (2.0, 9.0), (3.0, 10.0)]
    categorical = DataConversion(cols=["Carrier"], convertTo="toCategorical").transform(converted)
    assert [r["Carrier"] for r in categorical.collect()] == [0, 1, 0]
    assert categorical.schema["Carrier"].metadata["ml_attr"]["vals"] == ["AA", "DL"]
    restored = DataConversion(cols=["Carrier"], convertTo="clearCategorical").transform(categorical)
    assert [r["Carrier"] for r in restored.collect()] == ["AA", "DL", "AA"]
