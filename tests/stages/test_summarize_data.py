"""SummarizeData: every statistic against numpy/scipy on the same data (1e-9), and the bad-input cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from mmlspark_py.stages import SummarizeData

_QUANTILES = {
    "Min": 0.0,
    "1st_Quartile": 0.25,
    "Median": 0.5,
    "3rd_Quartile": 0.75,
    "Max": 1.0,
    "P0_5": 0.005,
    "P1": 0.01,
    "P5": 0.05,
    "P95": 0.95,
    "P99": 0.99,
    "P99_5": 0.995,
}


@pytest.fixture(scope="module")
def summary(spark):
    rng = np.random.default_rng(3)
    x = rng.normal(10.0, 3.0, 200).round(3)
    rows = [(float(v), int(i % 7), f"s{i % 5}", None) for i, v in enumerate(x)]
    rows += [(float("nan"), None, None, None), (None, 3, "s1", None)]
    df = spark.createDataFrame(rows, "x double, k int, s string, empty double")
    out = {r["Feature"]: r.asDict() for r in SummarizeData().transform(df).collect()}
    return x, out


def _close(actual, expected):
    assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_numeric_statistics_match_numpy(summary):
    x, out = summary
    row = out["x"]
    assert (row["Count"], row["Unique_Value_Count"], row["Missing_Value_Count"]) == (200, len(set(x)), 2)
    for name, q in _QUANTILES.items():  # Spark's exact quantile is numpy's inverted_cdf
        _close(row[name], np.quantile(x, q, method="inverted_cdf"))
    _close(row["Sample_Variance"], np.var(x, ddof=1))
    _close(row["Sample_Standard_Deviation"], np.std(x, ddof=1))
    _close(row["Sample_Skewness"], stats.skew(x, bias=True))
    _close(row["Sample_Kurtosis"], stats.kurtosis(x, fisher=True, bias=True))


def test_integer_and_string_columns(summary):
    _, out = summary
    k = np.array([i % 7 for i in range(200)] + [3])
    assert (out["k"]["Count"], out["k"]["Unique_Value_Count"], out["k"]["Missing_Value_Count"]) == (201, 7, 1)
    _close(out["k"]["Median"], np.quantile(k, 0.5, method="inverted_cdf"))
    _close(out["k"]["Sample_Variance"], np.var(k, ddof=1))
    s = out["s"]
    assert (s["Count"], s["Unique_Value_Count"], s["Missing_Value_Count"]) == (201, 5, 1)
    assert s["Min"] is None and s["Sample_Variance"] is None  # not numeric: no numeric statistics


def test_all_null_column(summary):
    _, out = summary
    empty = out["empty"]
    assert (empty["Count"], empty["Unique_Value_Count"], empty["Missing_Value_Count"]) == (0, 0, 202)
    assert all(empty[name] is None for name in list(_QUANTILES) + ["Sample_Variance"])


def test_empty_dataframe_and_toggles(spark):
    df = spark.createDataFrame([], "a double, b string")
    stage = SummarizeData(basic=False, percentiles=False)
    out = stage.transform(df)
    assert out.columns == [
        "Feature",
        "Count",
        "Unique_Value_Count",
        "Missing_Value_Count",
        "Sample_Variance",
        "Sample_Standard_Deviation",
        "Sample_Skewness",
        "Sample_Kurtosis",
    ]
    assert [(r["Feature"], r["Count"], r["Sample_Variance"]) for r in out.collect()] == [("a", 0, None), ("b", 0, None)]
    assert SummarizeData(counts=False, sample=False).transform(df).columns == ["Feature"] + [
        "Min",
        "1st_Quartile",
        "Median",
        "3rd_Quartile",
        "Max",
        "P0_5",
        "P1",
        "P5",
        "P95",
        "P99",
        "P99_5",
    ]


def test_infinities_are_values(spark):
    df = spark.createDataFrame([(1.0,), (float("inf"),), (float("-inf"),), (2.0,)], "v double")
    row = SummarizeData().transform(df).head()
    assert (row["Count"], row["Missing_Value_Count"], row["Min"], row["Max"]) == (4, 0, -math.inf, math.inf)
    assert math.isnan(row["Sample_Variance"])


def test_error_threshold_validation():
    with pytest.raises(ValueError, match=r"errorThreshold: expected a relative error in \[0, 1\)"):
        SummarizeData(errorThreshold=1.5)
