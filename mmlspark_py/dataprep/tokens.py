"""Tokens: typed regular expressions whose match boundaries define substring positions.

A token is matched left to right without overlap (Python ``re.finditer``; the compiled Spark SQL form
reproduces the same matches with atomic groups). Positions counted from the end use the *reversed*
string and the reversed token pattern, so the interpreter and the SQL compiler share one definition
(SQL: ``reverse(col)``).

Tokens are typed nodes (``core.spec``), never string codes:
    ``CharClass(name)``: a character class from a fixed table (``digits``, ``alpha``, ``word``...);
    ``Literal(text)``: the constant ``text``;
    ``Then(text, cls)``: ``text`` followed by a run of class ``cls`` (``duration_ms=`` then digits: its end
    is the end of the value after a key);
    ``CharSet(chars)``: one character out of ``chars`` ("the first of these characters").
No token carries a regular expression of its own: patterns come from the table or from escaped text, so
a saved program cannot smuggle a pattern in. Each pattern has a Python and a Java spelling that match the
same characters (``\\d`` is Unicode in Python and ASCII in Java, so classes are spelled out).

Example::

    >>> CharClass("digits").spans("tel 415-739")
    [(4, 7), (8, 11)]
    >>> Literal(", ").explain()
    "', '"
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from functools import cached_property
from typing import Dict, List, Optional, Tuple

from mmlspark_py.core.spec import Spec, SpecError

from .fields import check_enum, check_text
from .weights import DEFAULT, Weights

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
MAX_LITERAL = 64

# name: (python, java, reversed python, reversed java); the reversed spelling matches reversed text.
_CLASSES = {
    "digits": ("[0-9]+", "[0-9]+", None, None),
    "alpha": (r"[^\W\d_]+", r"\p{L}+", None, None),
    "upper": (f"[{_UPPER}]+", f"[{_UPPER}]+", None, None),
    "lower": (f"[{_LOWER}]+", f"[{_LOWER}]+", None, None),
    "alnum": (r"[^\W_]+", r"[\p{L}\p{Nd}]+", None, None),
    "word": (r"[^ \t\n\r\f]+", r"[^ \t\n\r\f]+", None, None),
    "space": (r"[ \t\n\r\f]+", r"[ \t\n\r\f]+", None, None),
    "capword": (f"[{_UPPER}][{_LOWER}]+", f"[{_UPPER}][{_LOWER}]+", f"[{_LOWER}]+[{_UPPER}]", None),
    "number": (r"[0-9]+(?:\.[0-9]+)?", r"[0-9]+(?:\.[0-9]+)?", r"(?:[0-9]+\.)?[0-9]+", None),
    "ident": (r"[\w.\-]+", r"(?U:[\w.\-]+)", None, None),
    "name": (r"[A-Za-z_][A-Za-z0-9_]*", r"[A-Za-z_][A-Za-z0-9_]*", r"[A-Za-z0-9_]*[A-Za-z_]", None),
    # a run without spaces, brackets, quotes or list separators: an e-mail address or URL in running text
    "field": (r"[^ \t\n\r\f<>()\[\]{}\"',;|]+", r"[^ \t\n\r\f<>()\[\]{}\"',;|]+", None, None),
    "hex": (r"[0-9A-Fa-f]+", r"[0-9A-Fa-f]+", None, None),
    "letter": (r"[^\W\d_]", r"\p{L}", None, None),
    # numbers with thousands commas, unsigned and signed (semantic number atoms read these)
    "num": (r"[0-9][0-9,]*(?:\.[0-9]+)?", r"[0-9][0-9,]*(?:\.[0-9]+)?", r"(?:[0-9]+\.)?[0-9,]*[0-9]", None),
    "snum": (r"-?[0-9][0-9,]*(?:\.[0-9]+)?", r"-?[0-9][0-9,]*(?:\.[0-9]+)?", r"(?:[0-9]+\.)?[0-9,]*[0-9]-?", None),
}
CLASS_NAMES = tuple(_CLASSES)
# Classes that are maximal runs of one Java character class (the class is ``_RUN_UNITS[name] + "+"``): the last
# run is found by a greedy scan from the end, without reversing the text.
_RUN_UNITS = {
    "digits": "[0-9]",
    "alpha": r"\p{L}",
    "upper": f"[{_UPPER}]",
    "lower": f"[{_LOWER}]",
    "alnum": r"[\p{L}\p{Nd}]",
    "word": r"[^ \t\n\r\f]",
    "space": r"[ \t\n\r\f]",
    "field": r"[^ \t\n\r\f<>()\[\]{}\"',;|]",
    "hex": "[0-9A-Fa-f]",
}
# Classes used for positions and predicates (``letter``, ``num``, ``snum`` serve other uses).
POSITION_CLASSES = (
    "digits",
    "alpha",
    "upper",
    "lower",
    "alnum",
    "word",
    "space",
    "capword",
    "number",
    "ident",
    "name",
    "field",
)
FOLLOWERS = ("digits", "alpha", "alnum", "number", "ident", "word", "letter")

# Java treats a backslash before any non-alphabetic character as a literal; Python accepts the same
# escapes for ASCII punctuation, so escaping exactly those keeps one spelling for both engines (inside
# and outside character classes).
_PUNCT = set(string.punctuation) | {" "}


def escape(text: str) -> str:
    """Escape ``text`` as a literal for both Python ``re`` and Java regex."""
    return "".join("\\" + c if c in _PUNCT else c for c in text)


@functools.lru_cache(maxsize=200_000)
def _spans(pattern: str, s: str) -> List[Tuple[int, int]]:
    return [m.span() for m in compiled(pattern).finditer(s)]


@functools.lru_cache(maxsize=4096)
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.S)


@dataclass(frozen=True)
class Token(Spec):
    """A regular expression over text (family root); ``py``/``java`` match forward, ``rev_*`` the reverse."""

    def patterns(self) -> Tuple[str, str, str, str]:  # pragma: no cover - every token defines it
        raise NotImplementedError

    @cached_property
    def _pats(self) -> Tuple[str, str, str, str]:
        return self.patterns()

    @property
    def py(self) -> str:
        return self._pats[0]

    @property
    def java(self) -> str:
        return self._pats[1]

    @property
    def rev_py(self) -> str:
        return self._pats[2]

    @property
    def rev_java(self) -> str:
        return self._pats[3]

    def spans(self, s: str) -> List[Tuple[int, int]]:
        """Non-overlapping match spans, left to right."""
        return _spans(self.py, s)

    def rev_spans(self, s: str) -> List[Tuple[int, int]]:
        """Spans of the reversed token on the reversed string, mapped back to ``s``; nearest the end first."""
        n = len(s)
        return [(n - e, n - b) for b, e in _spans(self.rev_py, s[::-1])]

    def explain(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def cost(self, w: Weights = DEFAULT) -> float:  # pragma: no cover
        raise NotImplementedError

    @property
    def last_run(self) -> Optional[Tuple[str, int, str]]:
        """``(lead, lead length, unit)`` when this token's last match is ``lead`` (a Java literal, or empty)
        followed by a maximal run of the one-character Java class ``unit``, so that a greedy scan from the end
        finds it (``^.*<lead><unit>++``) without a reversed copy of the text; else None."""
        return None


@dataclass(frozen=True)
class CharClass(Token):
    """A run of one character class from the fixed table (``CLASS_NAMES``)."""

    kind = "class"
    name: str

    def __post_init__(self) -> None:
        check_enum("CharClass", "name", self.name, CLASS_NAMES)

    def patterns(self) -> Tuple[str, str, str, str]:
        py, java, rpy, rjava = _CLASSES[self.name]
        return py, java, rpy or py, rjava or rpy or java

    def explain(self) -> str:
        return self.name

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.token_cost(self.name)

    @property
    def run_unit(self) -> str | None:
        """The Java class of one character when this class is a maximal run of it (``[0-9]`` for digits), else
        None."""
        return _RUN_UNITS.get(self.name)

    @property
    def last_run(self) -> Optional[Tuple[str, int, str]]:
        unit = self.run_unit
        return ("", 0, unit) if unit is not None else None


@dataclass(frozen=True)
class Literal(Token):
    """The constant ``text`` (1 to 64 characters)."""

    kind = "literal"
    text: str

    def __post_init__(self) -> None:
        check_text("Literal", "text", self.text, MAX_LITERAL, 1)

    def patterns(self) -> Tuple[str, str, str, str]:
        fwd, rev = escape(self.text), escape(self.text[::-1])
        return fwd, fwd, rev, rev

    def explain(self) -> str:
        return repr(self.text)

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.literal_word if self.text.isalnum() else w.literal_punct

    @property
    def self_overlapping(self) -> bool:
        """True when two occurrences of the text can overlap ('--' in '---'): Spark's ``substring_index``
        counts overlapping occurrences, the interpreter's leftmost non-overlapping matches do not, so only a
        literal that cannot overlap itself is compiled to ``substring_index``/``instr``."""
        t = self.text
        return any(t[:i] == t[-i:] for i in range(1, len(t)))


@dataclass(frozen=True)
class Then(Token):
    """``text`` followed by a run of class ``cls`` (a key and its value)."""

    kind = "then"
    text: str
    cls: str

    def __post_init__(self) -> None:
        check_text("Then", "text", self.text, MAX_LITERAL, 1)
        check_enum("Then", "cls", self.cls, FOLLOWERS)

    def patterns(self) -> Tuple[str, str, str, str]:
        lt = Literal(self.text).patterns()
        c = CharClass(self.cls).patterns()
        return (lt[0] + f"(?:{c[0]})", lt[1] + f"(?:{c[1]})", f"(?:{c[2]})" + lt[2], f"(?:{c[3]})" + lt[3])

    def explain(self) -> str:
        return f"{self.text!r}+{self.cls}"

    @property
    def last_run(self) -> Optional[Tuple[str, int, str]]:
        """Only for a literal of punctuation none of which the class holds: the run then starts right after the
        literal, and the rightmost literal followed by the class is the reversed scan's first match."""
        unit = CharClass(self.cls).run_unit
        inside = compiled(CharClass(self.cls).py)
        if unit is None or any(c.isalnum() or inside.fullmatch(c) for c in self.text):
            return None
        return escape(self.text), len(self.text), unit

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.token_cost(self.cls) + w.then_extra


@dataclass(frozen=True)
class CharSet(Token):
    """One character out of ``chars`` (1 to 16 distinct characters)."""

    kind = "charset"
    chars: str

    def __post_init__(self) -> None:
        check_text("CharSet", "chars", self.chars, 16, 1)
        if len(set(self.chars)) != len(self.chars):
            raise SpecError(f"CharSet.chars: repeated characters in {self.chars!r}")

    def patterns(self) -> Tuple[str, str, str, str]:
        p = "[" + escape(self.chars).replace("\t", "\\t").replace("\n", "\\n") + "]"
        return p, p, p, p

    def explain(self) -> str:
        return f"any of {self.chars!r}"

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.charset


# Delimiter sets that end a field in common formats: URL parts, paths, key=value lists, records.
DELIMITER_SETS = ("/:?#", "/?#", "?#", "&#", "&;#", "/\\", ",;", ",;|", " ,;", "\"'", ")]}>", " \t", ".:", ":/")


def literal(text: str) -> Literal:
    return _literal(text)


@functools.lru_cache(maxsize=8192)
def _literal(text: str) -> Literal:
    return Literal(text)


@functools.lru_cache(maxsize=64)
def char_class(name: str) -> CharClass:
    return CharClass(name)


POSITION_TOKENS = tuple(CharClass(n) for n in POSITION_CLASSES)

_DELIM_RUN = re.compile(r"[^\w]+|_+")
_KEY_RUN = re.compile(r"(?<!\w)[^\W\d]\w*[^\w\s]")
_JSON_KEY = re.compile(r"\"[\w.\-]+\"\s*:\s*\"?")


def literals_in(texts: List[str], limit: int = 24) -> List[Literal]:
    """Constant strings worth using as tokens: punctuation runs, single punctuation characters, 'key='
    words and JSON keys (``"name": "``), keeping those in every one of ``texts`` (most common first)."""
    if not texts:
        return []
    first = texts[0]
    cands: Dict[str, int] = {}
    for rx in (_DELIM_RUN, _KEY_RUN, _JSON_KEY):
        for m in rx.finditer(first):
            g = m.group()[:MAX_LITERAL]
            cands[g] = cands.get(g, 0) + 1
    for c in first:
        if not c.isalnum() and not c.isspace():
            cands[c] = cands.get(c, 0) + 1
    keep = [c for c in cands if all(c in t for t in texts[1:])]
    keep.sort(key=lambda c: (-cands[c], -len(c), c))
    return [literal(c) for c in keep[:limit]]


def column_tokens(texts: List[str]) -> List[Token]:
    """Tokens for the positions of one column: the classes, literals common to ``texts`` and 'literal
    then class' sequences for the most frequent literals."""
    lits = literals_in(texts)
    seqs = [_then(lt.text, c) for lt in lits[:6] for c in FOLLOWERS]
    out: List[Token] = [*POSITION_TOKENS, *lits, *seqs]
    return out


@functools.lru_cache(maxsize=8192)
def _then(text: str, cls: str) -> Then:
    return Then(text, cls)
