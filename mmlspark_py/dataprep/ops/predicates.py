"""Predicates of conditional programs: ``HasToken`` (a token count) and ``IsNull``.

``HasToken(col, token, k, negate)``: column ``col`` has at least ``k`` matches of ``token`` (``negate``:
fewer than ``k``); null when the column is null. SQL: ``RLIKE`` with an atomic-group pattern that matches
exactly when ``k`` non-overlapping matches exist (a literal that cannot overlap itself: ``instr`` or
``substring_index``, no regex). ``IsNull(col)``: the column is null.

Example::

    >>> from mmlspark_py.dataprep.tokens import Literal
    >>> HasToken(0, Literal("-"), 2).eval(("415-739-2210",)), HasToken(0, Literal("-"), 2).eval(("739-2210",))
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence

from ..fields import check_bool, check_int, nested
from ..sqltext import ident, lit, num
from ..tokens import POSITION_TOKENS, Literal, Token, literals_in
from ..weights import DEFAULT, Weights
from .base import Context, OneColumn, Predicate, Row


@dataclass(frozen=True)
class HasToken(OneColumn, Predicate):
    """Column ``col`` has at least ``k`` matches of ``token`` (``negate``: fewer than ``k``)."""

    kind = "has_token"
    col: int
    token: Token
    k: int
    negate: bool = False

    def __post_init__(self) -> None:
        self.check_col()
        nested(self, "token", Token)
        check_int("HasToken", "k", self.k, 1, 1000)
        check_bool("HasToken", "negate", self.negate)

    def eval(self, row: Sequence[Optional[str]]) -> Optional[bool]:
        s = row[self.col]
        if s is None:
            return None
        return (len(self.token.spans(s)) >= self.k) != self.negate

    def explain(self, cols: Sequence[str]) -> str:
        op = "<" if self.negate else ">="
        return f"count({cols[self.col]}, {self.token.explain()}) {op} {self.k}"

    def sql(self, cols: Sequence[str]) -> str:
        src, tok = ident(cols[self.col]), self.token
        if isinstance(tok, Literal) and not tok.self_overlapping:
            # no regex: the k-th occurrence exists when the text before it is shorter than the string. Not
            # ``Match(...).sql(src) IS NOT NULL``: a position is NULL both for "no occurrence" and for a null
            # column, and the predicate must stay NULL on a null column (the differential test checks it).
            if self.k == 1:
                test = f"(instr({src}, {lit(tok.text)}) > 0)"
            else:
                test = f"(length(substring_index({src}, {lit(tok.text)}, {num(self.k)})) < length({src}))"
        else:
            test = f"({src} RLIKE {lit(f'(?s)^(?>.*?(?:{tok.java})){{{num(self.k)}}}')})"
        return f"(NOT {test})" if self.negate else test

    def cost(self, w: Weights = DEFAULT) -> float:
        return self.token.cost(w) + w.pred_per_count * self.k + (w.pred_negate if self.negate else 0.0)

    @classmethod
    def propose(cls, pos: List[Row], neg: List[Row], ctx: Context) -> Iterable[Predicate]:
        for col in range(len(pos[0])):
            texts = [t for t in (r[col] for r in pos + neg) if t is not None]
            if len(texts) < len(pos) + len(neg):
                continue
            lits: Dict[Token, None] = {}
            for t in texts:
                for lt in literals_in([t], limit=12):
                    lits[lt] = None
            toks: List[Token] = [*POSITION_TOKENS, *lits]
            for tok in toks:
                counts = [len(tok.spans(t)) for t in texts[: len(pos)]]
                for k, negate in ((min(counts), False), (max(counts) + 1, True)):
                    if k < 1:
                        continue
                    pred = cls(col, tok, k, negate)
                    if all(pred.eval(r) for r in pos) and not any(pred.eval(r) for r in neg):
                        yield pred


@dataclass(frozen=True)
class IsNull(OneColumn, Predicate):
    """Column ``col`` is null."""

    kind = "is_null"
    col: int

    def __post_init__(self) -> None:
        self.check_col()

    def eval(self, row: Sequence[Optional[str]]) -> Optional[bool]:
        return row[self.col] is None

    def explain(self, cols: Sequence[str]) -> str:
        return f"isnull({cols[self.col]})"

    def sql(self, cols: Sequence[str]) -> str:
        return f"({ident(cols[self.col])} IS NULL)"

    def unknown_sql(self, cols: Sequence[str]) -> Optional[str]:
        return None  # true or false on every row

    def cost(self, w: Weights = DEFAULT) -> float:
        return 0.0
