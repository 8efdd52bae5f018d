"""MultiNGram equals Spark's NGram for each length, concatenated; nulls and short arrays."""

from __future__ import annotations

import pytest
from pyspark.ml.feature import NGram

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.featurize.text import MultiNGram

ROWS = [
    (0, ["the", "quick", "brown", "fox", "jumps"]),
    (1, ["a"]),
    (2, []),
    (3, ["x", None, "y", "z"]),
    (4, ["\U0001f600", "e\u0301", "日本"]),
]


@pytest.fixture(scope="module")
def tokens(spark):
    return spark.createDataFrame(ROWS, "id long, tokens array<string>")


@pytest.mark.parametrize("lengths", [[1], [2, 1, 3], [4, 4], [7]])
def test_equals_spark_ngram_concatenated(tokens, lengths):
    out = MultiNGram(inputCol="tokens", outputCol="grams", lengths=lengths).transform(tokens)
    got = {r.id: r.grams for r in out.collect()}
    expected = {r.id: [] for r in tokens.collect()}
    for n in lengths:
        for r in NGram(n=n, inputCol="tokens", outputCol="g").transform(tokens).collect():
            expected[r.id] += r.g
    assert got == expected


def test_null_array_gives_null(spark):
    df = spark.createDataFrame([(0, None), (1, ["a", "b"])], "id long, tokens array<string>")
    got = {
        r.id: r.grams for r in MultiNGram(inputCol="tokens", outputCol="grams", lengths=[1, 2]).transform(df).collect()
    }
    assert got == {0: None, 1: ["a", "b", "a b"]}


def test_bad_params():
    with pytest.raises(ValueError, match="lengths"):
        MultiNGram(lengths=[0])
    with pytest.raises(ValueError, match="lengths"):
        MultiNGram(lengths=[])


def test_wrong_input_type_and_missing_lengths(spark):
    df = spark.createDataFrame([("a b",)], "text string")
    with pytest.raises(SchemaError, match="array<string>"):
        MultiNGram(inputCol="text", lengths=[1]).transform(df)
    tok = spark.createDataFrame([(["a"],)], "t array<string>")
    with pytest.raises(ValueError, match="lengths: not set"):
        MultiNGram(inputCol="t").transform(tok)
