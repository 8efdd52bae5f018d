"""``Initials(col, words, sep, case)``: the first character of every word of a column, joined.

``sep.join(case(w[0]) for w in words of row[col])``: ``words`` is the token class that makes a word (``word``:
a run without spaces, tabs or line breaks; ``alpha``: a run of letters, so ``Jean-Luc`` has two); ``case`` is
``id``, ``upper`` or ``lower``, applied to each initial. Null when the column is null or has no word. Any
number of words: ``Ana Maria de la Cruz`` and ``Bo Li`` both work, which a concatenation of fixed pieces
cannot do.

SQL: ``regexp_extract_all`` of the word class, ``transform`` to the first character, ``array_join``; no
Python.

Proposal: on a column where the first example has two words or more, its initials (in each case) joined by
a separator of up to 3 characters without letters or digits (``''``, ``'.'``, ``'. '``) that the first
example's output shows. A trailing ``.`` (``N.F.``) is a ``Const`` after it. Not proposed where the last
initial starts a copy of its whole word (``Ingrid Holloway -> iholloway`` is a first letter and a name).

Example::

    >>> Initials(0, "word", ".", "upper").eval(("nancy free hafer",)), Initials(0, "alpha").eval(("Jean-Luc P",))
    ('N.F.H', 'JLP')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

from ..fields import check_enum, check_text
from ..sqltext import ident, lit
from ..tokens import CharClass
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge, OneColumn
from .substring import apply_case, case_sql

WORDS = ("word", "alpha")
CASES = ("id", "upper", "lower")
MAX_SEP = 3


def _is_separator(text: str) -> bool:
    return len(text) <= MAX_SEP and not any(c.isalnum() for c in text)


@dataclass(frozen=True)
class Initials(OneColumn, Atom):
    """The first character of every word of column ``col`` (see the module docstring)."""

    kind = "initials"
    col: int
    words: str = "word"
    sep: str = ""
    case: str = "id"

    def __post_init__(self) -> None:
        self.check_col()
        check_enum("Initials", "words", self.words, WORDS)
        check_text("Initials", "sep", self.sep, MAX_SEP)
        check_enum("Initials", "case", self.case, CASES)

    def initials(self, s: str) -> List[str]:
        return [apply_case(self.case, s[b]) for b, _e in CharClass(self.words).spans(s)]

    def eval(self, row: Sequence[Optional[str]]) -> Optional[str]:
        s = row[self.col]
        if s is None:
            return None
        return self.sep.join(self.initials(s)) or None

    def explain(self, cols: Sequence[str]) -> str:
        text = f"initials({cols[self.col]}, {self.words}, {self.sep!r})"
        return text if self.case == "id" else f"{self.case}({text})"

    def sql(self, cols: Sequence[str]) -> str:
        words = f"regexp_extract_all({ident(cols[self.col])}, {lit('(?s)(' + CharClass(self.words).java + ')')}, 1)"
        first = case_sql(self.case, "substring(w, 1, 1)")
        return f"nullif(array_join(transform({words}, w -> {first}), {lit(self.sep)}), '')"

    def cost(self, w: Weights = DEFAULT) -> float:
        letters = w.initials_letters if self.words == "alpha" else 0.0
        return w.atom + w.initials + letters + w.case_cost(self.case) + w.const_other_char * len(self.sep)

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        out = ctx.outs[0]
        w = ctx.weights
        for col in range(ctx.arity):
            texts = [r[col] for r in ctx.rows]
            if any(t is None for t in texts):
                continue
            s = texts[0] or ""
            for words in WORDS:
                spans = CharClass(words).spans(s)
                if len(spans) < 2:
                    continue  # one initial shows no separator
                last = s[spans[-1][0] : spans[-1][1]].lower()
                for case in CASES:
                    ini = [apply_case(case, s[b]) for b, _e in spans]
                    for i in range(len(out)):
                        if not out.startswith(ini[0], i):
                            continue
                        for seps in _separators(out, i + len(ini[0]), ini):
                            atom = cls(col, words, seps, case)
                            j = i + len(seps.join(ini))
                            if len(last) > 1 and out[j - 1 : j - 1 + len(last)].lower() == last:
                                continue  # the last "initial" starts a copy of its word
                            yield Edge(i, j, atom, atom.cost(w))


def _separators(out: str, at: int, ini: List[str]) -> Iterable[str]:
    """Separators ``sep`` such that ``sep.join(ini)`` is in ``out`` where its first initial ends at ``at``."""
    start = at - len(ini[0])
    for n in range(MAX_SEP + 1):
        sep = out[at : at + n]
        if len(sep) < n or not _is_separator(sep):
            break
        if out.startswith(sep.join(ini), start):
            yield sep
