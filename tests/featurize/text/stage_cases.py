"""Stage-harness cases of the text featurizers (small DataFrames with null, empty and non-ASCII text)."""

from __future__ import annotations

from mmlspark_py.featurize.text import (
    MultiNGram,
    PageSplitter,
    TextFeaturizer,
    TextFeaturizerModel,
    TextPreprocessor,
    UnicodeNormalize,
)
from tests.harness.stage_harness import StageCase

TEXTS = [
    (1, "The quick brown fox jumps over the lazy dog"),
    (2, "The dog sleeps. The fox runs!"),
    (3, ""),
    (4, None),
    (5, "Cafe\u0301 \U0001f600 na\u00efve \ufb01sh"),
]
TOKENS = [(1, ["the", "quick", "brown", "fox"]), (2, []), (3, None), (4, ["a", None, "b"])]


def _texts(spark):
    return spark.createDataFrame(TEXTS, "id int, text string")


def _tokens(spark):
    return spark.createDataFrame(TOKENS, "id int, tokens array<string>")


def _featurizer(spark, tmp):
    return TextFeaturizer(
        inputCol="text", outputCol="features", numFeatures=64, useStopWordsRemover=True, useNGram=True, nGramLength=2
    ), _texts(spark)


def _featurizer_tokens(spark, tmp):
    return TextFeaturizer(
        inputCol="tokens", outputCol="features", useTokenizer=False, useIDF=False, binary=True, numFeatures=16
    ), _tokens(spark)


def _multi_ngram(spark, tmp):
    return MultiNGram(inputCol="tokens", outputCol="grams", lengths=[1, 3, 2]), _tokens(spark)


def _page_splitter(spark, tmp):
    return PageSplitter(inputCol="text", outputCol="pages", maximumPageLength=12, minimumPageLength=5), _texts(spark)


def _preprocessor(spark, tmp):
    return TextPreprocessor(
        inputCol="text",
        outputCol="clean",
        normFunc="lowerCase",
        map={"the": "a", "the quick": "one", "dog": "cat", "\U0001f600": ":)"},
    ), _texts(spark)


def _normalize(spark, tmp):
    return UnicodeNormalize(inputCol="text", outputCol="norm", form="NFKC"), _texts(spark)


CASES = [
    StageCase(
        "TextFeaturizer.text_stopwords_ngrams_idf",
        _featurizer,
        covers=(TextFeaturizer, TextFeaturizerModel),
        sort_by=("id",),
    ),
    StageCase(
        "TextFeaturizer.tokens_binary_tf",
        _featurizer_tokens,
        covers=(TextFeaturizer, TextFeaturizerModel),
        sort_by=("id",),
    ),
    StageCase("MultiNGram.lengths_1_3_2", _multi_ngram, covers=(MultiNGram,), sort_by=("id",)),
    StageCase("PageSplitter.small_pages", _page_splitter, covers=(PageSplitter,), sort_by=("id",)),
    StageCase("TextPreprocessor.lowercase", _preprocessor, covers=(TextPreprocessor,), sort_by=("id",)),
    StageCase("UnicodeNormalize.nfkc", _normalize, covers=(UnicodeNormalize,), sort_by=("id",)),
]
