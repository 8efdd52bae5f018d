"""``Scientific``: the k-th number of a column in scientific notation (``12345 -> 1.23e+04``).

``Scientific(col, k, style, signed, decimals, upper)``: the k-th number of column ``col`` (read as ``Number``
reads it: convention ``style``, ``signed`` for a leading ``-``) written as a mantissa with ``decimals`` decimals
(rounded half up, ``1 <= |mantissa| < 10``), ``e`` (``upper``: ``E``), the exponent's sign and at least two
digits: C's and Python's ``%.2e``. Zero is ``0.00e+00``; null when the column is null or has no such number.

The SQL form is exact decimal arithmetic on the digits (no floating point): the exponent is counted from the
digits of the ``DECIMAL(30,10)`` value, the mantissa is those digits with the point after the first, rounded
with ``round``; a mantissa that rounds up to 10 becomes 1 with the next exponent.

Example::

    >>> Scientific(0, 1, decimals=2).eval(("12345 items",)), Scientific(0, 1, decimals=1, upper=True).eval(("0.00042",))
    ('1.23e+04', '4.2E-04')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Optional, Sequence

from ..fields import check_bool, check_int
from ..sqltext import ident, num
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge, OneColumn, null_rate
from .number import SIGNED, check_reading, number_sql, plain_decimal_sql, read_number, styles

_OUT = re.compile(r"-?[0-9](?:\.([0-9]+))?([eE])[+-][0-9]{2,3}")
MAX_DECIMALS = 12


def scientific(v: Decimal, decimals: int, upper: bool = False) -> str:
    """``v`` as ``%.{decimals}e`` with the mantissa rounded half up (``Decimal`` arithmetic, exact)."""
    quantum = Decimal(1).scaleb(-decimals)
    e = 0 if v == 0 else v.adjusted()
    m = abs(v).scaleb(-e).quantize(quantum, rounding=ROUND_HALF_UP)
    if m >= 10:
        m, e = Decimal(1).quantize(quantum), e + 1
    sign = "-" if v < 0 else ""
    return f"{sign}{format(m, 'f')}{'E' if upper else 'e'}{'-' if e < 0 else '+'}{abs(e):02d}"


@dataclass(frozen=True)
class Scientific(OneColumn, Atom):
    """The k-th number of column ``col`` in scientific notation (see the module docstring)."""

    kind = "scientific"
    semantic = True
    col: int
    k: int
    style: str = "dot"
    signed: bool = False
    decimals: int = 2
    upper: bool = False

    def __post_init__(self) -> None:
        check_reading(self)
        check_int("Scientific", "decimals", self.decimals, 0, MAX_DECIMALS)
        check_bool("Scientific", "upper", self.upper)

    def eval(self, row: Sequence[Optional[str]]) -> Optional[str]:
        s = row[self.col]
        v = None if s is None else read_number(s, self.style, self.signed, self.k)
        return None if v is None else scientific(v, self.decimals, self.upper)

    def explain(self, cols: Sequence[str]) -> str:
        style = "" if self.style == "dot" else f", {self.style}"
        letter = "E" if self.upper else "e"
        return f"scientific(number({cols[self.col]}, {self.k}{style}); {self.decimals} decimals, {letter})"

    def sql(self, cols: Sequence[str]) -> str:
        x = number_sql(ident(cols[self.col]), self.style, self.signed, self.k)
        text = plain_decimal_sql(f"abs({x})", 10)  # 10 decimals: '12345.0000000000', '0.0004200000'
        digits = f"replace({text}, '.', '')"
        sig = f"trim(LEADING '0' FROM {digits})"
        e = f"(length(substring_index({text}, '.', 1)) - 1 - (length({digits}) - length({sig})))"
        mantissa = (
            f"round(cast(concat(left({sig}, 1), '.', substring({sig}, 2)) AS DECIMAL(38,36)), {num(self.decimals)})"
        )
        up = f"({mantissa} >= 10)"  # 9.995 -> 10.00: 1.00 and the next exponent
        m = f"cast((CASE WHEN {up} THEN 1 ELSE {mantissa} END) AS DECIMAL(38,{num(self.decimals)}))"
        e2 = f"({e} + (CASE WHEN {up} THEN 1 ELSE 0 END))"
        zero = "0" + ("." + "0" * self.decimals if self.decimals else "") + ("E+00" if self.upper else "e+00")
        body = (
            f"concat(CASE WHEN {x} < 0 THEN '-' ELSE '' END, cast({m} AS STRING), "
            f"'{'E' if self.upper else 'e'}', CASE WHEN {e2} < 0 THEN '-' ELSE '+' END, lpad(cast(abs({e2}) AS STRING), "
            f"greatest(2, length(cast(abs({e2}) AS STRING))), '0'))"
        )
        return f"(CASE WHEN {x} = 0 THEN '{zero}' ELSE {body} END)"

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.number_base + w.number_per_index * (abs(self.k) - 1) + w.number_scientific

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        row, out = ctx.rows[0], ctx.outs[0]
        targets = [(m.start(), m.end(), len(m.group(1) or ""), m.group(2) == "E") for m in _OUT.finditer(out)]
        if not targets:
            return
        w = ctx.weights
        for col, s in enumerate(row):
            if s is None:
                continue
            texts = [s] + ctx.unlabeled_col(col)
            signed = any(SIGNED.search(t) for t in texts)
            for style in styles(texts):
                for k in (1, 2, 3, -1):
                    for i, j, decimals, upper in targets:
                        atom = cls(col, k, style, signed, decimals, upper)
                        if atom.eval(row) == out[i:j]:
                            yield Edge(i, j, atom, atom.cost(w) + w.null_penalty * null_rate(atom, ctx.unlabeled))
