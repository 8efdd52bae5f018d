"""Token classes: the regular expressions whose match boundaries define substring positions.

A token is a regular expression matched left to right without overlap (Python ``re.finditer``;
the compiled Spark SQL form reproduces the same matches with atomic groups). Positions counted
from the end use the *reversed* string and the reversed token pattern, so that the Python
interpreter and the SQL compiler share one exact definition (SQL: ``reverse(col)``).

Each token has two spellings that match the same characters: ``py`` for Python's ``re`` and
``java`` for ``java.util.regex`` (Spark). Character classes are written with explicit ranges where
the two engines' shorthand classes differ (``\\d`` is Unicode in Python and ASCII in Java).

Example::

    >>> DIGITS.spans("tel 415-739")
    [(4, 7), (8, 11)]
    >>> literal(", ").name
    'lit:, '
"""
from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"


@dataclass(frozen=True)
class Token:
    """A named regular expression; ``py``/``java`` match forward, ``rev_*`` match the reversed string."""

    name: str
    py: str
    java: str
    rev_py: str
    rev_java: str
    cost: float

    @property
    def is_literal(self) -> bool:
        return self.name.startswith("lit:")

    def spans(self, s: str) -> list:
        """Non-overlapping match spans, left to right."""
        return _spans(self.py, s)

    def rev_spans(self, s: str) -> list:
        """Match spans of the reversed token on the reversed string, mapped back to ``s``;
        the first element is the match nearest the end of ``s``."""
        n = len(s)
        return [(n - e, n - b) for b, e in _spans(self.rev_py, s[::-1])]


@functools.lru_cache(maxsize=200_000)
def _spans(pattern: str, s: str) -> list:
    return [m.span() for m in _compiled(pattern).finditer(s)]


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str):
    return re.compile(pattern, re.S)


def _cls(name, py, java, cost, rev_py=None, rev_java=None):
    return Token(name, py, java, rev_py or py, rev_java or rev_py or java, cost)


DIGITS = _cls("digits", "[0-9]+", "[0-9]+", 1.0)
ALPHA = _cls("alpha", r"[^\W\d_]+", r"\p{L}+", 1.15)
UPPER = _cls("upper", f"[{_UPPER}]+", f"[{_UPPER}]+", 1.6)
LOWER = _cls("lower", f"[{_LOWER}]+", f"[{_LOWER}]+", 1.6)
ALNUM = _cls("alnum", r"[^\W_]+", r"[\p{L}\p{Nd}]+", 1.3)
WORD = _cls("word", r"[^ \t\n\r\f]+", r"[^ \t\n\r\f]+", 1.1)
SPACE = _cls("space", r"[ \t\n\r\f]+", r"[ \t\n\r\f]+", 1.2)
CAPWORD = _cls("capword", f"[{_UPPER}][{_LOWER}]+", f"[{_UPPER}][{_LOWER}]+", 1.7,
               rev_py=f"[{_LOWER}]+[{_UPPER}]")
NUMBER = _cls("number", r"[0-9]+(?:\.[0-9]+)?", r"[0-9]+(?:\.[0-9]+)?", 1.2,
              rev_py=r"(?:[0-9]+\.)?[0-9]+")

IDENT = _cls("ident", r"[\w.\-]+", r"(?U:[\w.\-]+)", 1.5)

CLASSES = (DIGITS, ALPHA, UPPER, LOWER, ALNUM, WORD, SPACE, CAPWORD, NUMBER, IDENT)
LETTER = _cls("letter", r"[^\W\d_]", r"\p{L}", 1.0)
_FOLLOWERS = (DIGITS, ALPHA, ALNUM, NUMBER, IDENT, WORD, LETTER)
_BY_NAME = {t.name: t for t in CLASSES}
_FOLLOWER_BY_NAME = {t.name: t for t in _FOLLOWERS}

# Java treats a backslash before any non-alphabetic character as a literal; Python accepts the
# same escapes for ASCII punctuation, so escaping exactly those keeps one spelling for both.
_PUNCT = set(string.punctuation) | {" "}


def escape(text: str) -> str:
    """Escape ``text`` as a literal for both Python ``re`` and Java regex."""
    return "".join("\\" + c if c in _PUNCT else c for c in text)


@functools.lru_cache(maxsize=4096)
def literal(text: str) -> Token:
    """The token matching the constant string ``text``."""
    if not text:
        raise ValueError("a literal token needs a non-empty string")
    fwd, rev = escape(text), escape(text[::-1])
    return Token("lit:" + text, fwd, fwd, rev, rev, 0.8 if not text.isalnum() else 1.0)


@functools.lru_cache(maxsize=4096)
def after(lit_text: str, cls_name: str) -> Token:
    """The token 'literal followed by a run of a class' (e.g. ``duration_ms=`` then digits): its
    end marks the end of a value that follows a key or delimiter."""
    lt, c = literal(lit_text), _FOLLOWER_BY_NAME[cls_name]
    return Token(f"seq:{cls_name}:{lit_text}", lt.py + f"(?:{c.py})", lt.java + f"(?:{c.java})",
                 f"(?:{c.rev_py}){lt.rev_py}", f"(?:{c.rev_java}){lt.rev_java}", c.cost + 0.3)


def column_tokens(texts: list) -> list:
    """Tokens for the positions of one column: the classes, literals common to ``texts`` and
    'literal then class' sequences for the most frequent literals."""
    lits = literals_in(texts)
    seqs = [after(lt.name[4:], c.name) for lt in lits[:6] for c in _FOLLOWERS]
    return list(CLASSES) + lits + seqs


def by_name(name: str) -> Token:
    """Token from its serialized name (a class name, ``lit:<text>`` or ``seq:<class>:<text>``)."""
    if name.startswith("lit:"):
        return literal(name[4:])
    if name.startswith("seq:"):
        cls_name, text = name[4:].split(":", 1)
        return after(text, cls_name)
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown token {name!r}; valid: {sorted(_BY_NAME)} or 'lit:<text>'")


_DELIM_RUN = re.compile(r"[^\w]+|_+")
_KEY_RUN = re.compile(r"[^\W\d]+[^\w\s]")


def literals_in(texts: list, limit: int = 24) -> list:
    """Constant strings worth using as tokens: punctuation runs, single punctuation characters
    and 'key=' style words, keeping those that occur in every one of ``texts`` (most common first)."""
    if not texts:
        return []
    first = texts[0]
    cands = {}
    for rx in (_DELIM_RUN, _KEY_RUN):
        for m in rx.finditer(first):
            cands[m.group()] = cands.get(m.group(), 0) + 1
    for c in first:
        if not c.isalnum() and not c.isspace():
            cands[c] = cands.get(c, 0) + 1
    keep = [c for c in cands if all(c in t for t in texts[1:])]
    keep.sort(key=lambda c: (-cands[c], -len(c), c))
    return [literal(c) for c in keep[:limit]]
