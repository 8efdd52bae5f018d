"""Predicate ``Affix``: a column starts (or ends) with a constant text.

``Affix(col, text, side, negate, fold)``: column ``col`` starts with ``text`` (``side`` ``end``: ends with it;
``negate``: does not; ``fold``: in any case, ``text`` being ASCII in lower case); null when the column is null.
SQL: ``left(col, n) = text`` (``right`` for the end; ``lower(left(col, n))`` when folded), no regex; both sides
count characters (code points).

Proposal: the shortest prefix (suffix) that all of a branch's examples share, that ends at a change of
character class in each of them (a whole word, number or punctuation mark: ``ERR`` of ``ERR-17``), and that none
of the later branches' examples has; and the same with the roles swapped (``negate``). Where the examples of one
side share a prefix only in different cases (``f`` and ``F``, both ``Female``), the column's case carries no
meaning: every proposal for that column is folded (``M`` gives ``starts_with(lower(in0), 'm')``).

Example::

    >>> Affix(0, "ERR").eval(("ERR-17",)), Affix(0, ".gz", "end").eval(("a.tar",))
    (True, False)
    >>> Affix(0, "m", fold=True).eval(("Male",)), Affix(0, "m", fold=True).eval(("female",))
    (True, False)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

from mmlspark_py.core.spec import SpecError

from ..fields import check_bool, check_enum, check_text
from ..sqltext import ident, lit, num
from ..tokens import MAX_LITERAL
from ..weights import DEFAULT, Weights
from .base import Context, OneColumn, Predicate, Row

SIDES = ("start", "end")


@dataclass(frozen=True)
class Affix(OneColumn, Predicate):
    """Column ``col`` starts (``side`` ``end``: ends) with ``text``; ``negate``: it does not; ``fold``: in any
    case (``text``: ASCII, lower case)."""

    kind = "affix"
    col: int
    text: str
    side: str = "start"
    negate: bool = False
    fold: bool = False

    def __post_init__(self) -> None:
        self.check_col()
        check_text("Affix", "text", self.text, MAX_LITERAL, 1)
        check_enum("Affix", "side", self.side, SIDES)
        check_bool("Affix", "negate", self.negate)
        check_bool("Affix", "fold", self.fold)
        if self.fold and not (self.text.isascii() and self.text.lower() == self.text):
            raise SpecError(f"Affix.text: a folded affix is ASCII in lower case, got {self.text!r}")

    def eval(self, row: Sequence[Optional[str]]) -> Optional[bool]:
        s = row[self.col]
        if s is None:
            return None
        n = len(self.text)
        part = s[:n] if self.side == "start" else s[-n:] if len(s) >= n else s
        if self.fold:
            part = part.lower()
        return (part == self.text) != self.negate

    def explain(self, cols: Sequence[str]) -> str:
        verb = "starts" if self.side == "start" else "ends"
        col = f"lower({cols[self.col]})" if self.fold else cols[self.col]
        return f"{'not ' if self.negate else ''}{verb}_with({col}, {self.text!r})"

    def sql(self, cols: Sequence[str]) -> str:
        fn = "left" if self.side == "start" else "right"
        part = f"{fn}({ident(cols[self.col])}, {num(len(self.text))})"
        test = f"({'lower(' + part + ')' if self.fold else part} = {lit(self.text)})"
        return f"(NOT {test})" if self.negate else test

    def cost(self, w: Weights = DEFAULT) -> float:
        return (
            w.pred_affix
            + w.pred_affix_char * (len(self.text) - 1)
            + (w.pred_negate if self.negate else 0.0)
            + (w.pred_fold if self.fold else 0.0)
        )

    @classmethod
    def propose(cls, pos: List[Row], neg: List[Row], ctx: Context) -> Iterable[Predicate]:
        for col in range(len(pos[0])):
            if any(r[col] is None for r in pos):
                continue
            ptexts = [t for t in (r[col] for r in pos) if t is not None]
            ntexts = [t for t in (r[col] for r in neg) if t is not None]
            if not ntexts:
                continue
            plain, folded, shown = [], [], False
            for side in SIDES:
                for negate, have, lack in ((False, ptexts, ntexts), (True, ntexts, ptexts)):
                    text = _shortest_shared(have, lack, side)
                    low = _shortest_shared([t.lower() for t in have], [t.lower() for t in lack], side)
                    if text is not None:
                        plain.append(cls(col, text, side, negate))
                    if low is not None and low.isascii():
                        folded.append(cls(col, low, side, negate, fold=True))
                        shown = shown or (text is None and len(have) > 1)
            yield from folded if shown else plain


def _shortest_shared(have: List[str], lack: List[str], side: str) -> Optional[str]:
    """The shortest prefix (``side`` ``end``: suffix) of every text in ``have`` and of none in ``lack`` that ends
    at a boundary between character classes in every text of ``have`` (``ERR`` of ``ERR-17``, never the ``E``
    of it: a cut inside a word or number is a coincidence of the examples), or that is one of the texts whole (a
    code beside its word: ``y`` and ``yes``)."""
    if side == "end":
        have, lack = [t[::-1] for t in have], [t[::-1] for t in lack]
    common = os.path.commonprefix(have)[:MAX_LITERAL]
    for n in range(1, len(common) + 1):
        cut = common[:n]
        whole = any(len(t) == n for t in have)
        if (whole or all(len(t) == n or _kind(t[n]) != _kind(cut[-1]) for t in have)) and not any(
            t.startswith(cut) for t in lack
        ):
            return cut if side == "start" else cut[::-1]
    return None


def _kind(c: str) -> str:
    return "L" if c.isalpha() else "D" if c.isdigit() else " " if c.isspace() else c
