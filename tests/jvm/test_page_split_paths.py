"""PageSplitter: the companion's pages equal the Python path's on the same data, for many boundary regexes."""

from __future__ import annotations

import logging
import random

import pytest
from pyspark.sql import functions as F

from mmlspark_py.core.java_regex import to_java
from mmlspark_py.core.jvm_companion import Companion
from mmlspark_py.featurize.text import PageSplitter
from tests.jvm.paths import both_ways, uses

PIECES = [
    "a",
    "word",
    "x" * 30,
    " ",
    "  ",
    "\n",
    "\t",
    "\u00a0",
    "\u3000",
    "\x1c",
    "\x85",
    "\u2028",
    ". ",
    "! ",
    "?\n",
    "e\u0301",
    "\u00e9t\u00e9",
    "\U0001f600",
    "\U0001f1eb\U0001f1f7",
    "日本語",
    "٣٤",
    "_",
    "\r\n",
    "ß",
]


def _texts(spark, seed=3, rows=120):
    rng = random.Random(seed)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 80))) for _ in range(rows)]
    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string")
    # invalid UTF-8 (stray continuation bytes, truncated and overlong sequences, encoded surrogates) mixed in
    bad = [
        b"ab \x80\x80 cd \xe2\x82 ef " * 3,
        b"\xc0\xaf x \xed\xa0\x80 y \xf4\x90\x80\x80 z " * 4,
        b"\xff" * 40,
        "\U0001f600 ".encode() * 10 + b"\xf0\x9f\x98 " * 10,
    ]
    invalid = spark.createDataFrame(
        [(1000 + i, bytearray(b)) for i, b in enumerate(bad)], "id long, raw binary"
    ).select("id", F.col("raw").cast("string").alias("text"))
    extra = spark.createDataFrame(
        [
            (2000, None),
            (2001, ""),
            (2002, "x" * 2_000 + " end"),
            (2003, ("lorem ipsum dolor " * 600) + "\U0001f600" * 100),
        ],
        "id long, text string",
    )
    return df.unionByName(invalid).unionByName(extra)


@pytest.fixture(scope="module")
def texts(spark):
    return _texts(spark).cache()


@pytest.fixture(scope="module")
def long_texts(spark):
    """Megabyte texts: one word without a boundary, one of words, one of emoji (two UTF-16 chars each)."""
    rows = [(1, "x" * 1_000_000 + " end"), (2, "lorem ipsum dolor " * 60_000), (3, "\U0001f600 \u00e9" * 300_000)]
    return spark.createDataFrame(rows, "id long, text string").cache()


@pytest.mark.parametrize(
    "max_len, min_len, boundary",
    [
        (20, 10, r"\s"),
        (15, 0, r"\s+"),
        (50, 45, r"[.!?]\s"),
        (7, 7, r"\s"),
        (12, 3, r"\w+"),
        (30, 5, r"\b\w"),
        (25, 1, r"(?m)$\n"),
        (9, 2, r"\S\s"),
        (40, 20, r"(?<=[.!?])\s+"),
        (16, 4, r"[^\w\s]"),
        (11, 0, r"(?s)."),
        (10, 2, r"[^\U0001F600\s]"),  # Java would start a match inside the emoji's surrogate pair
    ],
)
def test_pages_equal_python_path(spark, texts, companion, max_len, min_len, boundary):
    stage = PageSplitter(
        inputCol="text", outputCol="pages", maximumPageLength=max_len, minimumPageLength=min_len, boundaryRegex=boundary
    )
    jvm, python = both_ways(spark, lambda: stage.transform(texts), "page_split")
    assert jvm == python
    by_id = {r.id: r.pages for r in jvm}
    assert by_id[2000] is None and by_id[2001] == [""]
    assert len(by_id[2002]) >= 2_000 // max_len  # the long texts were really split


@pytest.mark.slow
@pytest.mark.parametrize("max_len, min_len, boundary", [(5000, 4500, r"\s"), (2000, 100, r"\b\w"), (700, 0, r"\s+")])
def test_megabyte_texts_equal_python_path(spark, long_texts, companion, max_len, min_len, boundary):
    stage = PageSplitter(
        inputCol="text", outputCol="pages", maximumPageLength=max_len, minimumPageLength=min_len, boundaryRegex=boundary
    )
    jvm, python = both_ways(spark, lambda: stage.transform(long_texts), "page_split")
    assert jvm == python
    assert all(len(r.pages) >= 900_000 // max_len for r in jvm)  # the shortest text has 900,000 characters


@pytest.mark.parametrize("boundary", [r"\s", r"[.!?]", r"\S", r"(?s).", r"[^\w\s]", "a", r"[^\U0001F600\s]"])
def test_one_code_point_boundary_cuts_as_the_regex_does(spark, texts, companion, boundary):
    # a one-code-point boundary takes page_split_class (characters tested, no regex scan): same pages as the
    # regex path on the same bytes, invalid UTF-8 and surrogate pairs included (the Python path: above)
    stage = PageSplitter(
        inputCol="text", outputCol="pages", maximumPageLength=9, minimumPageLength=3, boundaryRegex=boundary
    )
    out = stage.transform(texts)
    assert uses(out, "page_split_class")
    by_regex = Companion.call(
        "page_split", F.col("text").cast("binary"), F.lit(9), F.lit(3), F.lit(to_java(boundary))
    ).cast("array<string>")
    rows = out.select("id", "text", "pages", by_regex.alias("by_regex")).collect()
    assert all(r.pages == r.by_regex for r in rows)
    assert sum(len(r.pages) for r in rows if r.pages) > 2 * len(rows)


def test_multi_character_boundary_runs_the_regex(spark, texts, companion):
    stage = PageSplitter(
        inputCol="text", outputCol="pages", maximumPageLength=9, minimumPageLength=3, boundaryRegex=r"\s+"
    )
    out = stage.transform(texts)
    assert uses(out, "page_split") and not uses(out, "page_split_class")


def test_invalid_bytes_survive(spark, texts, companion):
    stage = PageSplitter(inputCol="text", outputCol="pages", maximumPageLength=10, minimumPageLength=2)
    out = (
        stage.transform(texts)
        .where("id >= 1000 and id < 2000")
        .select(F.expr("cast(array_join(pages, '') as binary) = cast(text as binary)").alias("same"))
    )
    assert uses(out, "page_split") and all(r.same for r in out.collect())


def test_untranslatable_regex_takes_the_python_path(spark, texts, companion, caplog):
    stage = PageSplitter(
        inputCol="text", outputCol="pages", maximumPageLength=20, minimumPageLength=5, boundaryRegex=r"(?i)A\s"
    )
    with caplog.at_level(logging.INFO, logger="mmlspark_py.core.jvm_companion"):
        out = stage.transform(texts)
    assert not uses(out, "page_split")
    assert "PageSplitter: using the Python path (boundaryRegex '(?i)A\\\\s' has no Java equivalent" in caplog.text
    assert out.where("id = 1").head().pages is not None


def test_deep_regex_recursion_does_not_stop_the_session(spark, companion):
    # (?:x|yz)+ makes java.util.regex recurse once per character: 300,000 frames overflow a task thread's
    # stack. The companion must retry on a larger stack, never let the StackOverflowError reach Spark (which
    # would stop the executor, here the whole driver).
    from mmlspark_py.core.jvm_companion import Companion

    df = spark.range(1).select(F.lit("x" * 300_000 + " y").cast("binary").alias("b"))
    pages = (
        df.select(
            Companion.call("page_split", F.col("b"), F.lit(100_000), F.lit(0), F.lit("(?:x|yz)+ "))
            .cast("array<string>")
            .alias("p")
        )
        .head()
        .p
    )
    assert [len(p) for p in pages] == [100_000, 100_000, 100_000, 2]
    assert spark.range(3).count() == 3
