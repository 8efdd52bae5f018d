"""Python ``re`` patterns translated into Java regexes that find exactly the same matches.

A stage whose param is a Python regex (PageSplitter's ``boundaryRegex``) can run in the JVM only with a Java
pattern of the same meaning. The two syntaxes look alike but differ in meaning: Python's ``\\s``, ``\\d``,
``\\w`` and ``\\b`` are Unicode-aware, Java's ASCII-only; Python's ``.`` excludes only ``\\n``, Java's every line
terminator; Python's ``$`` and ``\\Z``, Java's ``\\Z`` and ``\\z`` differ. So the pattern is not rewritten as
text: Python's own parser reads it, and each node is written out in Java with no Java shorthand whose meaning
could differ: every character class becomes an explicit list of code point ranges computed by Python's own
``re`` (so ``\\s`` is exactly the characters Python's ``\\s`` matches), anchors become lookarounds, and
literals become ``\\x{...}`` escapes.

Patterns the translation cannot guarantee return None (the caller then keeps its Python path): case-insensitive
matching (Python and Java fold case differently), back-references and conditionals, patterns that can match
the empty string (Python and Java resume differently after an empty match), and surrogate code points.

Example::

    to_java(r"[.!?]\\s")   # '(?:\\x{21}|...)' meaning exactly what Python's re means
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
from typing import Any, List, Optional, Sequence, Tuple

# Python's own regex parser: re._parser since 3.11, sre_parse before
_NEW = sys.version_info >= (3, 11)
C: Any = importlib.import_module("re._constants" if _NEW else "sre_constants")
P: Any = importlib.import_module("re._parser" if _NEW else "sre_parse")

__all__ = ["to_java", "code_point_class"]

MAX_CODE_POINT = 0x10FFFF
Ranges = List[Tuple[int, int]]


class Untranslatable(Exception):
    """A construct whose Java equivalent is not guaranteed to match the same text."""


@functools.cache
def _all_code_points() -> str:
    return "".join(map(chr, range(MAX_CODE_POINT + 1)))


@functools.cache
def _category(pattern: str, ascii_only: bool) -> Tuple[Tuple[int, int], ...]:
    """The code point ranges Python's ``re`` matches with ``pattern`` (``\\s``, ``\\d``, ``\\w``)."""
    flags = re.ASCII if ascii_only else 0
    return tuple((m.start(), m.end() - 1) for m in re.finditer(pattern + "+", _all_code_points(), flags))


_CATEGORIES = {
    C.CATEGORY_DIGIT: (r"\d", False),
    C.CATEGORY_NOT_DIGIT: (r"\d", True),
    C.CATEGORY_SPACE: (r"\s", False),
    C.CATEGORY_NOT_SPACE: (r"\s", True),
    C.CATEGORY_WORD: (r"\w", False),
    C.CATEGORY_NOT_WORD: (r"\w", True),
}


def _merge(ranges: Sequence[Tuple[int, int]]) -> Ranges:
    out: Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _complement(ranges: Ranges) -> Ranges:
    out: Ranges = []
    start = 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= MAX_CODE_POINT:
        out.append((start, MAX_CODE_POINT))
    return out


def _code_point(c: int) -> str:
    if 0xD800 <= c <= 0xDFFF:
        raise Untranslatable("surrogate code points")
    return chr(c) if chr(c).isascii() and chr(c).isalnum() else _hex(c)


def _hex(c: int) -> str:
    """Code point ``c`` as a Java regex escape."""
    return f"\\x{{{c:X}}}"


_FLAT_RANGES = 16
_EMPTY_CLASS = "[\\x{0}&&[\\x{1}]]"


def _class_items(ranges: Ranges) -> str:
    # Code points below 256 are listed one by one: Java keeps those in a bit set (one lookup); the rest go
    # behind a one-range guard, so a Latin-1 character outside the class costs two tests, not one per range.
    low = "".join(_hex(c) for lo, hi in ranges if lo < 256 for c in range(lo, min(hi, 255) + 1))
    high = [(max(lo, 256), hi) for lo, hi in ranges if hi >= 256]
    if not high:
        return low
    return low + f"[{_hex(256)}-{_hex(MAX_CODE_POINT)}&&[{_high_items(high)}]]"


def _high_items(ranges: Ranges) -> str:
    if len(ranges) <= _FLAT_RANGES:
        return "".join(_hex(lo) if lo == hi else f"{_hex(lo)}-{_hex(hi)}" for lo, hi in ranges)
    mid = len(ranges) // 2
    split = ranges[mid][0]
    below = f"[{_hex(0)}-{_hex(split - 1)}&&[{_high_items(ranges[:mid])}]]"
    return below + f"[{_hex(split)}-{_hex(MAX_CODE_POINT)}&&[{_high_items(ranges[mid:])}]]"


def _java_class(ranges: Ranges) -> str:
    """One Java character class matching a code point in ``ranges`` (sorted, disjoint).

    Always a single bracket expression, never an alternation: Java repeats a class (``[...]+``) in a loop,
    but a group with alternatives by recursion, one stack frame per character, which overflows the stack on
    long texts. Java tests a class's ranges one after another, so Python's ``\\w`` (about 700 ranges) would
    cost 700 tests for every character outside it; so code points below 256 are listed singly (Java's bit
    set) and a large rest is written as the union of two halves, each intersected with its code point
    interval (``[[lo-m&&[...]][m-hi&&[...]]]``): about two interval tests per halving, then at most 16 ranges.
    """
    # Surrogates enter only through complements (``\\S``, ``[^a]``): Java, like Python, treats a lone one in
    # the text (an escaped invalid byte) as one code point, so they stay in the class.
    return "[" + _class_items(ranges) + "]" if ranges else _EMPTY_CLASS


_SINGLE = (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN)
_DEEP_REPEAT = 64  # a repeat of a complex sub-pattern recurses this deep at most: safe on any stack


def _one_code_point_items(pattern: Any) -> bool:
    """Whether ``pattern`` is a sequence of one-code-point items (literals and classes), groups of them included.

    Java repeats such a body iteratively (a class in a loop, a fixed sequence as a ``GroupCurly``); any other
    body (alternatives, nested repeats, anchors, lookarounds) costs it one recursion per repetition.
    """
    for op, av in pattern:
        if op is C.SUBPATTERN:
            if not _one_code_point_items(av[3]):
                return False
        elif op not in _SINGLE:
            return False
    return True


def _single_item(pattern: Any, flags: int = 0) -> Optional[Tuple[int, Tuple[Any, Any]]]:
    """``(flags, (op, av))`` when ``pattern`` is one literal or class (inside groups), else None."""
    if len(pattern) != 1:
        return None
    op, av = pattern[0]
    if op in _SINGLE:
        return flags, (op, av)
    if op is C.SUBPATTERN and not av[2]:  # a group that only adds flags (DOTALL for a dot) can be unwrapped
        return _single_item(av[3], flags | av[1])
    return None


class _Translator:
    def __init__(self, flags: int) -> None:
        self.flags = flags

    def _category_ranges(self, code: Any) -> Ranges:
        base, negate = _CATEGORIES[code]
        ranges = list(_category(base, bool(self.flags & re.ASCII)))
        return _complement(ranges) if negate else ranges

    def _set(self, items: Any) -> str:
        return _java_class(self._set_ranges(items))

    def _set_ranges(self, items: Any) -> Ranges:
        ranges: Ranges = []
        negate = False
        for op, av in items:
            if op is C.NEGATE:
                negate = True
            elif op is C.LITERAL:
                _code_point(av)  # rejects a surrogate
                ranges.append((av, av))
            elif op is C.RANGE:
                _code_point(av[0]), _code_point(av[1])
                if av[0] <= 0xDFFF and av[1] >= 0xD800:
                    raise Untranslatable("surrogate code points")
                ranges.append(av)
            elif op is C.CATEGORY:
                ranges.extend(self._category_ranges(av))
            else:
                raise Untranslatable(f"set item {op}")
        merged = _merge(ranges)
        return _complement(merged) if negate else merged

    def item_ranges(self, op: Any, av: Any) -> Ranges:
        """The code points one literal or class item matches (``op`` one of ``_SINGLE``)."""
        if op is C.LITERAL:
            _code_point(av)
            return [(av, av)]
        if op is C.NOT_LITERAL:
            return _complement([(av, av)])
        if op is C.ANY:
            return [(0, MAX_CODE_POINT)] if self.flags & re.DOTALL else _complement([(10, 10)])
        return self._set_ranges(av)

    def _word(self) -> str:
        return _java_class(self._category_ranges(C.CATEGORY_WORD))

    def _at(self, code: Any) -> str:
        multiline = bool(self.flags & re.MULTILINE)
        if code is C.AT_BEGINNING:
            return "(?:\\A|(?<=\\n))" if multiline else "\\A"
        if code is C.AT_BEGINNING_STRING:
            return "\\A"
        if code is C.AT_END:
            return "(?=\\n|\\z)" if multiline else "(?=\\n?\\z)"
        if code is C.AT_END_STRING:
            return "\\z"
        if code in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY):
            w = self._word()
            if code is C.AT_BOUNDARY:
                return f"(?:(?<={w})(?!{w})|(?<!{w})(?={w}))"
            return f"(?:(?<={w})(?={w})|(?<!{w})(?!{w}))"
        raise Untranslatable(f"anchor {code}")

    def seq(self, pattern: Any) -> str:
        return "".join(self.node(op, av) for op, av in pattern)

    def node(self, op: Any, av: Any) -> str:
        if op is C.LITERAL:
            return _code_point(av)
        if op in (C.NOT_LITERAL, C.ANY, C.IN):
            return _java_class(self.item_ranges(op, av))
        if op is C.BRANCH:
            return "(?:" + "|".join(self.seq(alt) for alt in av[1]) + ")"
        if op is C.SUBPATTERN:
            _group, add, remove, sub = av
            if add & re.IGNORECASE:
                raise Untranslatable("case-insensitive matching")
            inner = _Translator((self.flags | add) & ~remove)
            return "(?:" + inner.seq(sub) + ")"
        if op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
            lo, hi, sub = av
            if max(lo, 0 if hi == C.MAXREPEAT else hi) >= 2**31:
                raise Untranslatable("repeat count over Java's limit")
            if (hi == C.MAXREPEAT or hi > _DEEP_REPEAT) and not _one_code_point_items(sub):
                raise Untranslatable("long repeat of a sub-pattern: Java's regex engine recurses per repetition")
            unbounded = hi == C.MAXREPEAT
            # *, + and ? where they apply: Java runs a greedy X* or X+ of a class without recursion, {n,} not
            counted = f"{{{lo},{'' if unbounded else hi}}}"
            bounds = {(0, True): "*", (1, True): "+"}.get((lo, unbounded)) or ("?" if (lo, hi) == (0, 1) else counted)
            suffix = "?" if op is C.MIN_REPEAT else ("+" if op is not C.MAX_REPEAT else "")
            body = self.seq(sub)
            item = _single_item(sub)
            if item is not None:  # one literal or class: no group, so Java's loop applies
                body = _Translator(self.flags | item[0]).node(*item[1])
                return body + bounds + suffix
            return "(?:" + body + ")" + bounds + suffix
        if op is getattr(C, "ATOMIC_GROUP", None):
            return "(?>" + self.seq(av) + ")"
        if op in (C.ASSERT, C.ASSERT_NOT):
            direction, sub = av
            look = ("(?=" if direction > 0 else "(?<=") if op is C.ASSERT else ("(?!" if direction > 0 else "(?<!")
            return look + self.seq(sub) + ")"
        if op is C.AT:
            return self._at(av)
        raise Untranslatable(f"{op}")


def to_java(pattern: str) -> Optional[str]:
    """The Java regex finding exactly the matches ``re.finditer(pattern, text)`` finds, or None.

    :raises re.error: ``pattern`` is not a valid Python regex.
    """
    parsed = P.parse(pattern, 0)
    flags = parsed.state.flags
    if flags & re.IGNORECASE or parsed.getwidth()[0] == 0:
        return None
    try:
        return _Translator(flags).seq(parsed)
    except Untranslatable:
        return None


def code_point_class(pattern: str) -> Optional[Ranges]:
    """The code points ``pattern`` matches when it is one literal or class (``\\s``, ``[.!?]``, ``x``), else None.

    Such a pattern's matches are exactly the single code points in the returned ranges (sorted, disjoint,
    inclusive), so a caller can test characters instead of running a regex. None also wherever
    :func:`to_java` is None (the same guarantees hold).

    :raises re.error: ``pattern`` is not a valid Python regex.
    """
    if to_java(pattern) is None:
        return None
    parsed = P.parse(pattern, 0)
    item = _single_item(parsed)
    if item is None:
        return None
    flags, (op, av) = item
    try:
        return _Translator(parsed.state.flags | flags).item_ranges(op, av)
    except Untranslatable:
        return None
