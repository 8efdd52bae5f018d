"""PageSplitter: pages concatenate to the input, respect the bounds, cut at boundaries; Spark equals Python."""

from __future__ import annotations

import random
import re

import pytest
from pyspark.sql import functions as F

from mmlspark_py.featurize.text import PageSplitter
from mmlspark_py.featurize.text.page_splitter import split_pages

WORDS = ["a", "tiny", "word", "supercalifragilistic", "e\u0301t\u00e9", "\U0001f600", "日本語", "x" * 40]


def _random_text(rng, words):
    seps = [" ", "  ", "\n", "\t "]
    return "".join(rng.choice(WORDS) + rng.choice(seps) for _ in range(words)).rstrip()


def _check_pages(text, pages, max_len, min_len, boundary):
    assert "".join(pages) == text
    assert all(len(p) <= max_len for p in pages)
    if len(pages) > 1:
        assert all(len(p) >= min_len for p in pages[:-1])
        ends = {m.end() for m in re.finditer(boundary, text)}
        offset = 0
        for page in pages[:-1]:
            offset += len(page)
            window = [e for e in ends if offset - len(page) + max(min_len, 1) <= e <= offset - len(page) + max_len]
            # the greedy rule: the last boundary in the allowed window, else a hard cut at max_len
            assert offset == (max(window) if window else offset - len(page) + max_len)


@pytest.mark.parametrize(
    "max_len, min_len, boundary", [(20, 10, r"\s"), (15, 0, r"\s+"), (50, 45, r"[.!?]\s"), (7, 7, r"\s")]
)
def test_pages_invariants_on_random_texts(max_len, min_len, boundary):
    rng = random.Random(max_len)
    for _ in range(200):
        text = _random_text(rng, rng.randint(0, 40))
        _check_pages(text, split_pages(text, max_len, min_len, re.compile(boundary)), max_len, min_len, boundary)


def test_edge_cases():
    b = re.compile(r"\s")
    assert split_pages("", 5, 3, b) == [""]
    assert split_pages("abcde", 5, 3, b) == ["abcde"]  # exactly max: one page (SynapseML adds "")
    assert split_pages("abcdefghijk", 5, 3, b) == ["abcde", "fghij", "k"]
    assert split_pages("ab cd ef gh", 5, 3, b) == ["ab ", "cd ", "ef gh"]
    assert split_pages("a  b  c  d", 4, 1, re.compile(r"\s+")) == ["a  ", "b  ", "c  d"]


@pytest.fixture(scope="module")
def texts(spark):
    rng = random.Random(7)
    rows = [(i, _random_text(rng, rng.randint(0, 60))) for i in range(60)]
    rows += [(100, None), (101, ""), (102, "\U0001f600" * 30 + " combining e\u0301" * 5)]
    return spark.createDataFrame(rows, "id long, text string")


def test_spark_equals_python(texts):
    stage = PageSplitter(inputCol="text", outputCol="pages", maximumPageLength=25, minimumPageLength=10)
    got = {r.id: r.pages for r in stage.transform(texts).collect()}
    for r in texts.collect():
        assert got[r.id] == (None if r.text is None else split_pages(r.text, 25, 10, re.compile(r"\s")))


def test_defaults_and_ten_megabyte_document(spark):
    df = spark.range(1).select(F.expr("repeat('Lorem ipsum dolor sit amet, consectetur elit. ', 220000)").alias("text"))
    pages = PageSplitter(inputCol="text", outputCol="pages").transform(df)
    check = pages.select(
        F.expr("array_join(pages, '') = text").alias("joined"),
        F.expr("size(pages)").alias("n"),
        F.expr("forall(slice(pages, 1, size(pages) - 1), p -> length(p) between 4500 and 5000 and p like '% ')").alias(
            "bounded"
        ),
        F.expr("length(element_at(pages, -1)) <= 5000").alias("last"),
    ).head()
    assert check.joined and check.bounded and check.last and check.n >= 10_000_000 // 5000


def test_invalid_utf8_bytes_are_kept(spark):
    df = spark.range(1).select(F.expr("cast(X'61FF2062FE20636363' as string)").alias("text"))
    stage = PageSplitter(inputCol="text", outputCol="pages", maximumPageLength=3, minimumPageLength=1)
    out = stage.transform(df).select(F.expr("transform(pages, p -> hex(cast(p as binary)))").alias("h")).head().h
    assert "".join(out) == "61FF2062FE20636363"
    assert out == ["61FF20", "62FE20", "636363"]


def test_bad_params(spark):
    with pytest.raises(ValueError, match="boundaryRegex"):
        PageSplitter(boundaryRegex="(")
    df = spark.createDataFrame([("a",)], "text string")
    with pytest.raises(ValueError, match="must not exceed"):
        PageSplitter(inputCol="text", maximumPageLength=10, minimumPageLength=11).transform(df)
