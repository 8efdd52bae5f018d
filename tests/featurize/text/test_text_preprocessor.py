"""TextPreprocessor: longest-match, left-to-right replacement equals a plain Python reference."""

from __future__ import annotations

import random

import pytest
from pyspark.sql import functions as F

from mmlspark_py.featurize.text import TextPreprocessor

SYNAPSE_MAP = {"happy": "sad", "hater": "sap", "sad": "sap", "sad doy": "sap"}


def reference(text, mapping, norm=lambda s: s):
    """Position by position: the longest key equal (under norm) to the text there, else copy one char."""
    table = {norm(k): v for k, v in mapping.items()}
    lengths = sorted({len(k) for k in table}, reverse=True)
    out, i = [], 0
    while i < len(text):
        for n in lengths:
            if norm(text[i : i + n]) in table and len(text[i : i + n]) == n:
                out.append(table[norm(text[i : i + n])])
                i += n
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _run(spark, texts, **params):
    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string")
    out = TextPreprocessor(inputCol="text", outputCol="out", **params).transform(df)
    return [r.out for r in out.orderBy("id").collect()]


def test_synapseml_examples(spark):
    texts = ["The happy sad boy drank sap", "The hater sad doy drank sap", "foo", "happyness"]
    assert _run(spark, texts, map=SYNAPSE_MAP) == [
        "The sad sap boy drank sap",
        "The sap sap drank sap",
        "foo",
        "sadness",
    ]
    assert _run(spark, ["THE Happy SAD DOY"], map={**SYNAPSE_MAP, "the": "sat"}, normFunc="lowerCase") == [
        "sat sad sap"
    ]
    assert _run(spark, ["the happy"], map={"THE": "x"}, normFunc="upperCase") == ["x happy"]


def test_random_texts_equal_reference(spark):
    rng = random.Random(3)
    alphabet = "ab c.\U0001f600e\u0301\n"
    mapping = {
        "a": "1",
        "ab": "2",
        "abc": "3",
        "b c": "[bc]",
        "c.": "",
        "\U0001f600": ":)",
        ".\n": "\\n$1",
        "e\u0301": "é",
        "ba": "a",
    }
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(150)]
    assert _run(spark, texts, map=mapping) == [reference(t, mapping) for t in texts]
    upper = {k.upper(): v for k, v in mapping.items() if k != "ba"}
    assert _run(spark, texts, map=upper, normFunc="lowerCase") == [reference(t, upper, str.lower) for t in texts]


def test_null_empty_and_regex_characters(spark):
    mapping = {"(x)": "$0", "\\E": "q", "[": "]", ".*": "dot-star"}
    texts = [None, "", "(x) \\E [ .* .. (y)"]
    assert _run(spark, texts, map=mapping) == [None, "", "$0 q ] dot-star .. (y)"]
    assert _run(spark, texts) == texts  # empty map: identity


def test_ten_megabyte_document(spark):
    df = spark.range(1).select(F.expr("repeat('the happy cat sat on the mat. ', 340000)").alias("text"))
    out = TextPreprocessor(inputCol="text", outputCol="out", map={"happy": "sad", "the": "a"}).transform(df)
    check = out.select(
        F.expr("out = replace(replace(text, 'happy', 'sad'), 'the', 'a')").alias("ok"),
        F.expr("length(text)").alias("n"),
    ).head()
    assert check.ok and check.n == 30 * 340000


def test_invalid_utf8_reads_as_replacement_char(spark):
    df = spark.range(1).select(F.expr("cast(X'68FF6869' as string)").alias("text"))
    out = TextPreprocessor(inputCol="text", outputCol="out", map={"hi": "yo"}).transform(df).head().out
    assert out == "h\ufffdyo"


def test_bad_params():
    with pytest.raises(ValueError, match="non-empty"):
        TextPreprocessor(map={"": "x"})
    with pytest.raises(ValueError, match="not one of"):
        TextPreprocessor(normFunc="p")
    with pytest.raises(TypeError):
        TextPreprocessor(map={"a": 1})


def test_conflicting_keys_under_norm_func(spark):
    df = spark.createDataFrame([("a",)], "text string")
    with pytest.raises(ValueError, match="different values"):
        TextPreprocessor(inputCol="text", map={"A": "1", "a": "2"}, normFunc="lowerCase").transform(df)
