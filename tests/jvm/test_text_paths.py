"""TextPreprocessor and UnicodeNormalize: the companion's outputs equal the Python paths' on the same data."""

from __future__ import annotations

import logging
import random
import unicodedata

import pytest
from pyspark.sql import functions as F

from mmlspark_py.featurize.text import TextPreprocessor, UnicodeNormalize
from tests.jvm.paths import both_ways, python_path, uses

# Keys and texts around the case-folding corners where Java's per-character folding and Python's differ:
# sharp s (and capital sharp s), dotted and dotless i, Kelvin sign, long s, final sigma, title-case digraphs,
# a ligature, combining marks, emoji (two UTF-16 chars), regex metacharacters, prefix-sharing keys.
KEYS = [
    "the",
    "the quick",
    "dog",
    "do",
    "\u00df",
    "stra\u00dfe",
    "\u0130stanbul",
    "\u0131",
    "k",
    "\u212a",
    "\u017f",
    "\u03c3",
    "\u03c2",
    "\u01c5",
    "\ufb01",
    "e\u0301",
    "\U0001f600",
    "a.b",
    "(x)",
    "[",
    "\\",
    "$1",
    "happy",
    "hap",
    "happy hater",
    "\u00c9t\u00c9",
]
WORDS = KEYS + [
    "The",
    "THE",
    "Dog",
    "DOG",
    "STRASSE",
    "Stra\u1e9ee",
    "\u1e9e",
    "ISTANBUL",
    "istanbul",
    "I",
    "i",
    "K",
    "S",
    "s",
    "\u03a3",
    "\u01c4",
    "\u01c6",
    "FI",
    "\u00e9",
    "E\u0301",
    "x",
    " ",
    "  ",
    "\n",
    ".",
    "\u00e9t\u00e9",
    "\u00c9T\u00c9",
]


def _texts(spark, rows=150, seed=11):
    rng = random.Random(seed)
    texts = ["".join(rng.choice(WORDS) + rng.choice(["", " "]) for _ in range(rng.randint(0, 40))) for _ in range(rows)]
    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string")
    invalid = spark.createDataFrame(
        [(1000, bytearray(b"the \xff dog \xe2\x82 do\xc0\xaf"))], "id long, raw binary"
    ).select("id", F.col("raw").cast("string").alias("text"))
    extra = spark.createDataFrame([(2000, None), (2001, ""), (2002, "The quick dog " * 40_000)], "id long, text string")
    return df.unionByName(invalid).unionByName(extra)


@pytest.fixture(scope="module")
def texts(spark):
    return _texts(spark).cache()


@pytest.mark.parametrize("norm_func", ["identity", "lowerCase", "upperCase"])
def test_text_preprocessor_equals_python_path(spark, texts, companion, norm_func):
    rng = random.Random(len(norm_func))
    mapping = {k: rng.choice(["", "X", f"<{k}>", "\u00e9\U0001f600"]) for k in KEYS}
    if norm_func != "identity":  # keys equal under lower or upper folding must agree (the stage checks that)
        group = {k: k for k in mapping}

        def root(k):
            while group[k] != k:
                k = group[k]
            return k

        for fold in (str.lower, str.upper):
            first = {}
            for k in sorted(mapping):
                group[root(k)] = root(first.setdefault(fold(k), k))
        mapping = {k: mapping[root(k)] for k in mapping}
    stage = TextPreprocessor(inputCol="text", outputCol="out", map=mapping, normFunc=norm_func)
    jvm, python = both_ways(spark, lambda: stage.transform(texts), "text_replace")
    assert jvm == python
    by_id = {r.id: r.out for r in jvm}
    assert by_id[2000] is None and by_id[2001] == ""
    assert by_id[2002] != texts.where("id = 2002").head().text  # the long text was really rewritten


def test_text_preprocessor_empty_map_is_the_identity(spark, texts, companion):
    out = TextPreprocessor(inputCol="text", outputCol="out", map={}).transform(texts)
    assert not uses(out, "text_replace")
    assert out.where("not (out <=> text)").count() == 0


# ------------------------------------------------------------------------------------------ UnicodeNormalize
def _all_code_points(spark):
    """Every code point but the surrogates, 64 consecutive ones per row (so marks also follow other marks)."""
    points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    rows = [(i, "".join(map(chr, points[i : i + 64]))) for i in range(0, len(points), 64)]
    return spark.createDataFrame(rows, "id long, text string")


def _mark_sequences(spark, rows=3000, seed=2):
    """Random base letters, Hangul jamo and combining marks (including ones new in Unicode 14, which Java 17's
    own Normalizer does not know): exercises reordering and composition."""
    marks = [c for c in range(0x300, 0x370)] + [
        0x0323,
        0x0338,
        0x05B0,
        0x093C,
        0x0E48,
        0x1AB0,
        0x1AC1,
        0x1ACE,
        0x1DFA,
        0x20D0,
        0x302A,
        0x0898,
        0x089F,
        0x10F82,
        0x1E2AE,
    ]
    bases = list("aeiouAEIOUnNcCsSzZ") + [
        "\u1100",
        "\u1161",
        "\u11a8",
        "\uac00",
        "\u03b1",
        "\u0391",
        "\u0985",
        "\u0b47",
        "\u1b05",
        "\u3099",
        "\u309a",
        "\uff76",
        "\u2126",
        "\u212b",
    ]
    rng = random.Random(seed)
    texts = [
        "".join(rng.choice(bases) if rng.random() < 0.4 else chr(rng.choice(marks)) for _ in range(rng.randint(0, 12)))
        for _ in range(rows)
    ]
    return spark.createDataFrame(list(enumerate(texts)), "id long, text string")


def _mismatches(spark, df, form: str, lower: bool) -> int:
    """Rows where the companion's output differs from the Python path's, both computed in one plan."""
    stage = UnicodeNormalize(inputCol="text", outputCol="jvm", form=form, lower=lower)
    on_jvm = stage.transform(df)
    assert uses(on_jvm, "unicode_normalize")
    with python_path(spark):
        both = stage.copy({stage.outputCol: "python"}).transform(on_jvm)
        return both.where("not (jvm <=> python)").count()


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
def test_unicode_normalize_equals_python_on_mark_sequences(spark, icu_companion, form):
    df = _mark_sequences(spark).unionByName(_texts(spark, rows=50))
    assert _mismatches(spark, df, form, lower=form == "NFKD") == 0


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
def test_unicode_normalize_equals_python_on_every_code_point(spark, icu_companion, form):
    assert _mismatches(spark, _all_code_points(spark), form, lower=False) == 0


def _ascii_and_marks(spark, rows=3000, seed=4):
    """ASCII letters (both cases, spaces, punctuation) between short non-ASCII runs: the companion splits the
    text before ASCII characters and lowercases and normalises only the non-ASCII runs, so every kind of
    neighbour matters: a combining mark after an ASCII letter (NFC composes them), capital sigma next to ASCII
    letters (Final_Sigma), dotted capital I, Kelvin sign and sharp s (lowercase to or from ASCII), ligatures."""
    specials = [
        "\u0301",
        "\u0327\u0301",
        "\u03a3",
        "\u0391\u03a3",
        "\u0130",
        "\u212a",
        "\u00df",
        "\u1e9e",
        "\ufb01",
        "\u00c9",
        "\u1100\u1161",
        "\U0001f600",
        "\u0338",
        "\u2460",
        "\u01c5",
        "\u00a0",
    ]
    ascii_ = list("aeEIiKkSsZz .,-'") + ["Cafe", "ABC", "x1"]
    rng = random.Random(seed)
    texts = [
        "".join(rng.choice(specials) if rng.random() < 0.3 else rng.choice(ascii_) for _ in range(rng.randint(0, 16)))
        for _ in range(rows)
    ]
    texts += ["a\u03a3 b", "\u0391\u03a3", "\u03a3\u0391\u03a3 x", "E\u0301", "I\u0307", "\u0130x", "K\u212a"]
    return spark.createDataFrame(list(enumerate(texts)), "id long, text string")


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
@pytest.mark.parametrize("lower", [True, False])
def test_unicode_normalize_equals_python_next_to_ascii(spark, icu_companion, form, lower):
    assert _mismatches(spark, _ascii_and_marks(spark), form, lower) == 0


@pytest.mark.parametrize("form", ["NFC", "NFKD"])
def test_unicode_normalize_lowers_every_code_point_as_spark(spark, icu_companion, form):
    assert _mismatches(spark, _all_code_points(spark), form, lower=True) == 0


def test_unicode_normalize_follows_sparks_case_mapping_setting(spark, icu_companion):
    """``spark.sql.icu.caseMappings.enabled`` picks ICU's or Java's lowercasing in Spark's ``lower``; the
    companion calls the same function with the setting the query runs under, even when it changed after
    ``transform`` (ICU and Java differ on some code points: the test checks that they do)."""
    key = "spark.sql.icu.caseMappings.enabled"
    before = spark.conf.get(key)
    points = _all_code_points(spark).cache()
    try:
        lowered = {}
        for value in ("false", "true"):
            spark.conf.set(key, value)
            lowered[value] = points.orderBy("id").select(F.lower("text")).collect()
            assert _mismatches(spark, points, "NFKC", lower=True) == 0
            assert _mismatches(spark, _ascii_and_marks(spark, rows=500), "NFD", lower=True) == 0
        assert lowered["false"] != lowered["true"]
        for planned, run in (("true", "false"), ("false", "true")):
            spark.conf.set(key, planned)
            stage = UnicodeNormalize(inputCol="text", outputCol="jvm", form="NFC", lower=True)
            on_jvm = stage.transform(points)
            assert uses(on_jvm, "unicode_normalize")
            with python_path(spark):
                both = stage.copy({stage.outputCol: "python"}).transform(on_jvm)
            spark.conf.set(key, run)
            assert both.where("not (jvm <=> python)").count() == 0
    finally:
        spark.conf.set(key, before)
        points.unpersist()


@pytest.mark.parametrize("lower", [True, False])
def test_unicode_normalize_checks_utf8_as_spark(spark, icu_companion, lower):
    """The companion checks the non-ASCII runs itself (Spark's make_valid_utf8 only for an invalid text):
    the edges of every UTF-8 sequence length, valid and not, between ASCII and accented letters."""
    pieces = [
        b"\xc2\x80",
        b"\xdf\xbf",
        b"\xe0\xa0\x80",
        b"\xed\x9f\xbf",
        b"\xee\x80\x80",
        b"\xef\xbf\xbf",
        b"\xf0\x90\x80\x80",
        b"\xf4\x8f\xbf\xbf",  # valid: U+0080 U+07FF U+0800 U+D7FF U+E000 U+FFFF ...
        b"\xc0\xaf",
        b"\xc1\xbf",
        b"\xe0\x9f\xbf",
        b"\xed\xa0\x80",
        b"\xf0\x8f\xbf\xbf",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xff",
        b"\x80",
        b"\xe2\x82",
        b"\xf0\x9f\x98",
        b"\xc3",  # overlong, surrogate...
    ]
    rng = random.Random(9)
    filler = [b"A", b"e", b" ", b"E\xcc\x81", b"\xc3\x89", b"\xce\xb1"]
    rows = [bytes(p) for p in pieces] + [
        b"".join(rng.choice(pieces) if rng.random() < 0.3 else rng.choice(filler) for _ in range(rng.randint(1, 10)))
        for _ in range(400)
    ]
    df = spark.createDataFrame([(i, bytearray(r)) for i, r in enumerate(rows)], "id long, raw binary").select(
        "id", F.col("raw").cast("string").alias("text")
    )
    for form in ("NFC", "NFKD"):
        assert _mismatches(spark, df, form, lower) == 0


def test_unicode_normalize_nulls_invalid_utf8_and_long_text(spark, icu_companion):
    df = spark.createDataFrame([(1, None), (2, ""), (3, "Cafe\u0301 " * 200_000)], "id long, text string").unionByName(
        spark.createDataFrame([(4, bytearray(b"A\xffB\xe2\x82"))], "id long, raw binary").select(
            "id", F.col("raw").cast("string").alias("text")
        )
    )
    stage = UnicodeNormalize(inputCol="text", outputCol="n", form="NFC", lower=True)
    jvm, python = both_ways(spark, lambda: stage.transform(df), "unicode_normalize")
    assert jvm == python
    assert [r.n for r in jvm] == [None, "", "caf\u00e9 " * 200_000, "a\ufffdb\ufffd"]


def test_unicode_normalize_falls_back_when_python_knows_a_newer_unicode(spark, icu_companion, monkeypatch, caplog):
    monkeypatch.setattr(unicodedata, "unidata_version", "99.0.0")
    with caplog.at_level(logging.INFO, logger="mmlspark_py.core.jvm_companion"):
        out = UnicodeNormalize(inputCol="text", outputCol="n").transform(_texts(spark, rows=5))
    assert not uses(out, "unicode_normalize")
    assert "cannot reproduce Python's Unicode 99.0.0 normalisation" in caplog.text


def test_unicode_normalize_falls_back_without_icu(spark, companion):
    """Without ICU4J on the session (Spark 3.5) the stage runs its Python path, with Python's results."""
    if companion.icu_unicode is not None:
        pytest.skip("the session has ICU4J")
    stage = UnicodeNormalize(inputCol="text", outputCol="n", form="NFKC", lower=False)
    out = stage.transform(_texts(spark, rows=5).where("id != 1000"))  # (the invalid-UTF-8 row aside)
    assert not uses(out, "unicode_normalize")
    rows = out.select("text", "n").collect()
    assert len(rows) == 8
    assert [r.n for r in rows] == [None if r.text is None else unicodedata.normalize("NFKC", r.text) for r in rows]


def test_text_preprocessor_identity_trie_equals_python_on_overlapping_keys(spark, companion):
    # identity mode walks a trie instead of the regex: keys over a three-letter alphabet (plus an emoji) are
    # prefixes, suffixes and overlaps of each other, so leftmost-longest and scanning on after a match matter
    rng = random.Random(5)
    alphabet = ["a", "b", "c", "\U0001f600"]
    keys = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(40)}
    mapping = {k: rng.choice(["", "#", k[::-1], "<" + k + ">"]) for k in keys}
    texts = ["".join(rng.choice(alphabet + [" "]) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string")
    stage = TextPreprocessor(inputCol="text", outputCol="out", map=mapping)
    jvm, python = both_ways(spark, lambda: stage.transform(df), "text_replace")
    assert jvm == python
    assert sum(r.out != r.text for r in jvm) > 250
