"""TextFeaturizer equals the hand-built Spark ML pipeline; nulls, empty stop words, long and odd text."""

from __future__ import annotations

import pytest
from pyspark.ml import Pipeline
from pyspark.ml.feature import IDF, HashingTF, NGram, RegexTokenizer, StopWordsRemover
from pyspark.sql import functions as F

from mmlspark_py.core.stage import SchemaError
from mmlspark_py.featurize.text import TextFeaturizer, TextFeaturizerModel

DOCS = [
    "The quick brown fox jumps over the lazy dog",
    "the dog and THE cat",
    "A fox, a dog; a CAT!",
    "",
    "   leading and trailing   ",
    "Café \U0001f600 naïve e\u0301 日本語 テキスト",
    "repeat repeat repeat words words",
]


@pytest.fixture(scope="module")
def docs(spark):
    return spark.createDataFrame(list(enumerate(DOCS)), "id long, text string")


def _vectors(df, col):
    return [r[col] for r in df.orderBy("id").select(col).collect()]


def _hand_built(stages, df, out):
    previous = "text"
    for i, stage in enumerate(stages):
        stage.setInputCol(previous).setOutputCol(f"s{i}")
        previous = f"s{i}"
    return Pipeline(stages=stages).fit(df).transform(df).withColumnRenamed(previous, out)


@pytest.mark.parametrize(
    "settings, stages",
    [
        # SynapseML's minTokenLength default is 0 (Spark's is 1): "" and leading spaces give an empty token.
        ({}, lambda: [RegexTokenizer(minTokenLength=0), HashingTF(numFeatures=1 << 18), IDF(minDocFreq=1)]),
        (
            dict(useStopWordsRemover=True, useNGram=True, nGramLength=3, numFeatures=128, binary=True, minDocFreq=2),
            lambda: [
                RegexTokenizer(minTokenLength=0),
                StopWordsRemover(stopWords=StopWordsRemover.loadDefaultStopWords("english")),
                NGram(n=3),
                HashingTF(numFeatures=128, binary=True),
                IDF(minDocFreq=2),
            ],
        ),
        (
            dict(
                tokenizerGaps=False,
                tokenizerPattern=r"\w+",
                minTokenLength=2,
                toLowercase=False,
                useIDF=False,
                numFeatures=64,
            ),
            lambda: [
                RegexTokenizer(gaps=False, pattern=r"\w+", minTokenLength=2, toLowercase=False),
                HashingTF(numFeatures=64),
            ],
        ),
        (
            dict(
                useStopWordsRemover=True,
                caseSensitiveStopWords=True,
                defaultStopWordLanguage="custom",
                stopWords=" the, a ,,dog",
                numFeatures=32,
            ),
            lambda: [
                RegexTokenizer(minTokenLength=0),
                StopWordsRemover(stopWords=["the", "a", "dog"], caseSensitive=True),
                HashingTF(numFeatures=32),
                IDF(),
            ],
        ),
    ],
)
def test_equals_hand_built_pipeline(docs, settings, stages):
    ours = TextFeaturizer(inputCol="text", outputCol="f", **settings).fit(docs).transform(docs)
    expected = _hand_built(stages(), docs, "f")
    assert ours.columns == ["id", "text", "f"]
    assert _vectors(ours, "f") == _vectors(expected, "f")
    assert ours.schema["f"].metadata == expected.schema["f"].metadata


def test_tokenized_input_and_empty_stop_word_list(spark):
    df = spark.createDataFrame([(0, ["a", "b", "a"]), (1, []), (2, ["the", "x"])], "id long, tokens array<string>")
    model = TextFeaturizer(
        inputCol="tokens",
        outputCol="f",
        useTokenizer=False,
        useStopWordsRemover=True,
        defaultStopWordLanguage="custom",
        stopWords="",
        numFeatures=16,
        useIDF=False,
    ).fit(df)
    expected = HashingTF(inputCol="tokens", outputCol="f", numFeatures=16).transform(df)
    assert _vectors(model.transform(df), "f") == _vectors(expected, "f")


def test_null_documents_give_null_and_do_not_count_for_idf(spark, docs):
    with_nulls = docs.unionByName(spark.createDataFrame([(100, None), (101, None)], "id long, text string"))
    model = TextFeaturizer(inputCol="text", outputCol="f", numFeatures=256).fit(with_nulls)
    out = model.transform(with_nulls).orderBy("id").collect()
    assert [r.f for r in out[-2:]] == [None, None]
    clean = TextFeaturizer(inputCol="text", outputCol="f", numFeatures=256).fit(docs).transform(docs)
    assert [r.f for r in out[:-2]] == _vectors(clean, "f")


def test_model_persists_and_reapplies(docs, tmp_path):
    model = TextFeaturizer(inputCol="text", outputCol="f", numFeatures=64).fit(docs)
    model.write().overwrite().save(str(tmp_path / "m"))
    loaded = TextFeaturizerModel.load(str(tmp_path / "m"))
    assert _vectors(loaded.transform(docs), "f") == _vectors(model.transform(docs), "f")
    renamed = loaded.copy().setOutputCol("g").transform(docs)
    assert _vectors(renamed, "g") == _vectors(model.transform(docs), "f")


def test_long_and_non_utf8_documents(spark):
    # built in the JVM: shipping 10 MB through py4j would only test py4j
    df = (
        spark.range(1)
        .select("id", F.expr("repeat('lorem ipsum dolor sit amet ', 370000)").alias("text"))
        .union(spark.range(1, 2).select("id", F.expr("cast(X'6162FF20636465' as string)").alias("text")))
    )
    ours = TextFeaturizer(inputCol="text", outputCol="f", numFeatures=64, useIDF=False).fit(df).transform(df)
    expected = _hand_built([RegexTokenizer(minTokenLength=0), HashingTF(numFeatures=64)], df, "f")
    got = _vectors(ours, "f")
    assert got == _vectors(expected, "f")
    assert sum(got[0].values) == 5 * 370000


def test_bad_settings_fail_in_the_driver(docs, spark):
    tokens = spark.createDataFrame([(["a"],)], "tokens array<string>")
    with pytest.raises(SchemaError, match="useTokenizer=False"):
        TextFeaturizer(inputCol="tokens").fit(tokens)
    with pytest.raises(SchemaError, match="useTokenizer=True"):
        TextFeaturizer(inputCol="text", useTokenizer=False).fit(docs)
    with pytest.raises(ValueError, match="stopWords is not set"):
        TextFeaturizer(inputCol="text", useStopWordsRemover=True, defaultStopWordLanguage="custom").fit(docs)
    with pytest.raises(ValueError, match="defaultStopWordLanguage='custom'"):
        TextFeaturizer(inputCol="text", stopWords="a,b").fit(docs)
    with pytest.raises(ValueError, match="not one of"):
        TextFeaturizer(defaultStopWordLanguage="klingon")
    with pytest.raises(ValueError, match="not a valid Java regex"):
        TextFeaturizer(inputCol="text", tokenizerPattern="(unclosed").fit(docs)
    with pytest.raises(SchemaError, match="does not exist"):
        TextFeaturizer(inputCol="nope").fit(docs)
