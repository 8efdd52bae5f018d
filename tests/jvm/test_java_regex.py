"""Python regexes translated to Java find the same matches (checked with java.util.regex in the session's JVM)."""

from __future__ import annotations

import random
import re

import pytest

from mmlspark_py.core.java_regex import code_point_class, to_java

PATTERNS = [
    r"\s",
    r"\s+",
    r"[.!?]\s",
    r"\S+",
    r"\w+",
    r"\b\w",
    r"\d{2,3}",
    r".",
    r"(?s).",
    r"^a",
    r"(?m)^\w",
    r"a$",
    r"(?m)$\n?x",
    r"\Bx",
    r"[^a-c\s]",
    r"(?:ab|a)c",
    r"x*?y",
    r"(?a)\w+",
    r"(?<=a)b",
    r"(?<!\s)\s",
    r"a(?=b)",
    r"a(?!b)",
    r"\.\Z|\.",
    r"[\S\d]",
    r"(?>a+)b",
    r"a++",
    r"\N{EM DASH}",
    r"é+",
    r"[\W_]+",
    r"(?x) a \s  # verbose",
    r"[^\D3]",
    r"\A\w|\w\Z",
    r"(?s:a.)|b.",
    r"x{2,}",
    r"\u00e9|\U0001F600",
    r"[^\U0001F600x]",
]
ALPHABET = [
    "a",
    "b",
    "c",
    "x",
    "y",
    " ",
    "\n",
    "\t",
    "\u00a0",
    "\u3000",
    "\x1c",
    "\x85",
    "\u2028",
    ".",
    "!",
    "?",
    "1",
    "3",
    "\u0663",
    "\u00e9",
    "e\u0301",
    "\U0001f600",
    "\u65e5",
    "_",
    "\r",
    "\u200b",
    "\u01c5",
    "\u00df",
    "\u2014",
]


def _java_ends(jvm, pattern: str, text: str):
    """Match ends as the companion finds them: a match starting inside a surrogate pair is dropped and the
    search goes on from the next code point (PageSplit.scala does the same)."""
    matcher = jvm.java.util.regex.Pattern.compile(pattern).matcher(text)
    units = text.encode("utf-16-le")
    ends = []
    found = matcher.find()
    while found:
        start = matcher.start()
        if start > 0 and 0xDC00 <= int.from_bytes(units[2 * start : 2 * start + 2], "little") <= 0xDFFF:
            found = matcher.find(start + 1)
            continue
        # Java counts UTF-16 chars; Python code points
        ends.append(len(units[: 2 * matcher.end()].decode("utf-16-le")))
        found = matcher.find()
    return ends


def test_same_matches_as_python(spark):
    rng = random.Random(5)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 25))) for _ in range(60)]
    texts += ["", "a", "x" * 5 + "\n", "\U0001f600" * 3]
    jvm = spark._jvm
    for pattern in PATTERNS:
        java = to_java(pattern)
        assert java is not None, pattern
        for text in texts:
            assert _java_ends(jvm, java, text) == [m.end() for m in re.finditer(pattern, text)], (pattern, text)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?i)a",
        r"(?i:a)b",
        r"(a)\1",
        r"(?P<x>a)(?P=x)",
        r"(a)?(?(1)b|c)",
        r"\s*",
        r"(?=a)",
        r"a|",
        r"[\udc80]",
        r"x{0,3}",
    ],
)
def test_untranslatable_patterns(pattern):
    assert to_java(pattern) is None


def test_invalid_python_regex_raises():
    with pytest.raises(re.error):
        to_java("(")


@pytest.mark.parametrize(
    "pattern", [r"\s", r"\S", r"[.!?]", "x", ".", r"(?s).", r"[^\w\s]", r"(\d)", r"(?a)\w", r"[^\U0001F600\s]", "é"]
)
def test_code_point_class_is_exactly_what_python_matches(pattern):
    everything = "".join(map(chr, range(0x110000)))
    matched = [m.start() for m in re.finditer(pattern, everything)]
    assert all(m.end() - m.start() == 1 for m in re.finditer(pattern, everything[:70000]))
    ranges = code_point_class(pattern)
    assert ranges == sorted(ranges) and all(lo <= hi < nxt for (lo, hi), (nxt, _) in zip(ranges, ranges[1:]))
    assert [c for lo, hi in ranges for c in range(lo, hi + 1)] == matched


@pytest.mark.parametrize("pattern", [r"\s+", r"[.!?]\s", "ab", r"(?i)x", r"\b", r"x?", r"[\udc80]", r"(?:x|yz)"])
def test_code_point_class_none_unless_one_item(pattern):
    assert code_point_class(pattern) is None
