"""UnicodeNormalize equals Python's unicodedata on lowercased text, for every form."""

from __future__ import annotations

import unicodedata

import pytest
from pyspark.sql import functions as F

from mmlspark_py.featurize.text import UnicodeNormalize

TEXTS = [
    None,
    "",
    "Cafe\u0301 CAFÉ",
    "\ufb01sh \u2460 \uff21\uff22",
    "\U0001f600\U0001f1eb\U0001f1f7 e\u0301\u0323",
    "Ångström Å",
    "ΣΟΦΙΑ İstanbul",
    "x" * 5000,
]


@pytest.fixture(scope="module")
def texts(spark):
    return spark.createDataFrame(list(enumerate(TEXTS)), "id long, text string")


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
@pytest.mark.parametrize("lower", [True, False])
def test_equals_unicodedata(texts, form, lower):
    out = UnicodeNormalize(inputCol="text", outputCol="n", form=form, lower=lower).transform(texts)
    got = [r.n for r in out.orderBy("id").collect()]
    lowered = [r.l for r in texts.select(F.lower("text").alias("l"), "id").orderBy("id").collect()]
    source = lowered if lower else TEXTS
    assert got == [None if t is None else unicodedata.normalize(form, t) for t in source]


def test_defaults_are_synapseml_defaults(texts):
    stage = UnicodeNormalize(inputCol="text", outputCol="n")
    assert (stage.getForm(), stage.getLower()) == ("NFKD", True)
    assert stage.transform(texts).orderBy("id").collect()[3].n == unicodedata.normalize("NFKD", TEXTS[3].lower())


def test_invalid_utf8_and_ten_megabytes(spark):
    df = spark.range(1).select(F.expr("cast(X'41FF42' as string)").alias("text"))
    assert UnicodeNormalize(inputCol="text", outputCol="n").transform(df).head().n == "a\ufffdb"
    big = spark.range(1).select(F.expr("repeat('Cafe\u0301 ', 1700000)").alias("text"))
    out = UnicodeNormalize(inputCol="text", outputCol="n", form="NFC", lower=False).transform(big)
    assert out.select(F.expr("n = repeat('Caf\u00e9 ', 1700000) and length(text) = 10200000").alias("ok")).head().ok


def test_bad_form():
    with pytest.raises(ValueError, match="not one of"):
        UnicodeNormalize(form="NFX")
