"""Predicate ``NumberBelow``: a column's first number compared with a threshold.

``NumberBelow(col, threshold, negate, style, signed)``: the first number of column ``col`` (read as the
``Number`` atom reads it: convention ``style``, ``signed`` for a leading ``-``) is below ``threshold``
(``negate``: at least ``threshold``); null when the column is null or holds no number: such a row takes a
later branch whose condition holds, or else gets null (``Program``: an unknown condition never leads to
"otherwise"). SQL: the same ``regexp_extract`` and ``try_cast`` to ``DECIMAL(30,10)`` as ``Number``,
compared with the threshold as a decimal (exact, no floating point).

Proposal, on columns whose every example holds one number (a quantity, not a date or a phone number): the
examples of a branch (``pos``) and of the later branches (``neg``) must fall on the two
sides of the threshold. Any threshold between them separates them, so the choice is made the way a person
reads the examples: a number shown in the branch's outputs (``3 -> "<5"`` gives 5), else the roundest
number between them (1, 5, 10, 50, 100, ...; ``(200, 404]`` gives 300).

Example::

    >>> NumberBelow(0, "5").eval(("3 items",)), NumberBelow(0, "5").eval(("12",)), NumberBelow(0, "5").eval(("n/a",))
    (True, False, None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Iterable, Iterator, List, Optional, Sequence

from mmlspark_py.core.spec import SpecError

from ..fields import check_bool, check_enum, check_text
from ..sqltext import ident, lit
from ..weights import DEFAULT, Weights
from .base import Context, OneColumn, Predicate, Row
from .number import MAX_INT_DIGITS, SIGNED, STYLES, number_sql, read_number, styles

_THRESHOLD = re.compile(rf"^-?[0-9]{{1,{MAX_INT_DIGITS}}}(?:\.[0-9]{{1,10}})?$")
_OUT_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MAX_THRESHOLDS = 2


def _check_threshold(value: object) -> str:
    check_text("NumberBelow", "threshold", value, 32, 1)
    assert isinstance(value, str)
    if not _THRESHOLD.match(value):
        raise SpecError(f"NumberBelow.threshold: expected a decimal like '5', '-2.5' or '1000', got {value!r}")
    return value


@dataclass(frozen=True)
class NumberBelow(OneColumn, Predicate):
    """The first number of column ``col`` is below ``threshold`` (``negate``: at least it)."""

    kind = "number_below"
    col: int
    threshold: str
    negate: bool = False
    style: str = "dot"
    signed: bool = False

    def __post_init__(self) -> None:
        self.check_col()
        _check_threshold(self.threshold)
        check_bool("NumberBelow", "negate", self.negate)
        check_enum("NumberBelow", "style", self.style, STYLES)
        check_bool("NumberBelow", "signed", self.signed)

    def eval(self, row: Sequence[Optional[str]]) -> Optional[bool]:
        s = row[self.col]
        v = None if s is None else read_number(s, self.style, self.signed, 1)
        if v is None:
            return None
        return (v < Decimal(self.threshold)) != self.negate

    def explain(self, cols: Sequence[str]) -> str:
        style = "" if self.style == "dot" else f", {self.style}"
        return f"number({cols[self.col]}{style}) {'>=' if self.negate else '<'} {self.threshold}"

    def sql(self, cols: Sequence[str]) -> str:
        x = number_sql(ident(cols[self.col]), self.style, self.signed, 1)
        return f"({x} {'>=' if self.negate else '<'} CAST({lit(self.threshold)} AS DECIMAL(30,10)))"

    def unknown_sql(self, cols: Sequence[str]) -> Optional[str]:
        return f"({number_sql(ident(cols[self.col]), self.style, self.signed, 1)} IS NULL)"

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.pred_number + (w.pred_negate if self.negate else 0.0)

    @classmethod
    def propose(cls, pos: List[Row], neg: List[Row], ctx: Context) -> Iterable[Predicate]:
        shown = [Decimal(m.group()) for o in ctx.outs for m in _OUT_NUMBER.finditer(o)]
        for col in range(len(pos[0])):
            ptexts = [r[col] for r in pos]
            if any(t is None for t in ptexts):
                continue
            ntexts = [t for t in (r[col] for r in neg) if t is not None]
            texts = [t for t in ptexts + ntexts if t is not None]
            signed = any(SIGNED.search(t) for t in texts)
            for style in styles(texts):
                if any(read_number(t, style, signed, 2) is not None for t in texts):
                    continue  # a value to compare is the column's only number, not the first of several
                pv = [read_number(t, style, signed, 1) for t in ptexts if t is not None]
                nv = [v for v in (read_number(t, style, signed, 1) for t in ntexts) if v is not None]
                if not nv or any(v is None for v in pv):
                    continue
                below = [v for v in pv if v is not None]
                for negate in (False, True):
                    lo, hi = (max(below), min(nv)) if not negate else (max(nv), min(below))
                    for t in thresholds(lo, hi, shown):
                        pred = cls(col, t, negate, style, signed)
                        if all(pred.eval(r) for r in pos) and not any(pred.eval(r) for r in neg):
                            yield pred


def one_number_columns(rows: Sequence[Row]) -> List[int]:
    """Columns in which every row holds exactly one number (a quantity: ``200``, ``$1,234.50``, ``3 kg``)."""
    out = []
    for col in range(len(rows[0]) if rows else 0):
        texts = [r[col] for r in rows]
        if all(t is not None and read_number(t, "dot", False, 1) is not None for t in texts) and not any(
            read_number(t, "dot", False, 2) is not None for t in texts if t is not None
        ):
            out.append(col)
    return out


def thresholds(lo: Decimal, hi: Decimal, shown: Sequence[Decimal] = ()) -> List[str]:
    """Thresholds ``t`` with ``lo < t <= hi``: numbers ``shown`` in the outputs first, then the roundest."""
    if not lo < hi:
        return []
    out: List[str] = []
    for v in shown:
        text = _text(v)
        if lo < v <= hi and text is not None and text not in out:
            out.append(text)
    for v in _roundest(lo, hi):
        text = _text(v)
        if text is not None and text not in out:
            out.append(text)
        break
    return out[:_MAX_THRESHOLDS]


def _roundest(lo: Decimal, hi: Decimal) -> Iterator[Decimal]:
    """Multiples of the largest step (10^e, 5*10^e) with a multiple in ``(lo, hi]``: the one nearest the
    middle first."""
    mid = (lo + hi) / 2
    for e in range(MAX_INT_DIGITS, -11, -1):
        for step in (Decimal(10).scaleb(e), Decimal(5).scaleb(e - 1)):
            first = ((lo / step).to_integral_value(rounding=ROUND_FLOOR) + 1) * step
            if first > hi:
                continue
            last = (hi / step).to_integral_value(rounding=ROUND_FLOOR) * step
            count = int((last - first) / step) + 1
            if count > 50:  # a coarser step would have had one
                yield first
                return
            yield min((first + i * step for i in range(count)), key=lambda v: (abs(v - mid), -v))
            return


def _text(v: Decimal) -> Optional[str]:
    text = format(v.normalize(), "f") if v != 0 else "0"
    return text if _THRESHOLD.match(text) else None
