"""``NumPart``: the k-th number of a column, re-formatted (zero padding, rounding, thousands separators).

``NumPart(col, token, k, mode, width, decimals, thousands)`` reads the k-th number of a column (``token``
``num`` ignores a sign, ``snum`` keeps a leading '-'; thousands commas are dropped) and formats it:
``mode="int"`` prints an integer zero-padded to ``width`` (0: no padding, so leading zeros are dropped);
``mode="fixed"`` rounds half up to ``decimals`` places, with ``,`` separators when ``thousands``.

SQL: ``regexp_extract`` of the number, ``try_cast`` to DECIMAL, ``round``/``format_number``/``lpad``; a
failed parse is null in Python and in SQL.

Example::

    >>> NumPart(0, "num", 1, "fixed", 0, 2, True).eval(("1234.5",))
    '1,234.50'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Optional

from ..fields import check_bool, check_enum, check_int
from ..sqltext import ident, lit, num
from ..tokens import char_class
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge, OneColumn

NUM_TOKENS = ("num", "snum")
MODES = ("int", "fixed")
_SIGNED = re.compile(r"(?:^|\s|\()-[0-9]")
_DIGIT = re.compile(r"[0-9]")


def _number_text(token: str, k: int, s: str, raw: bool = False) -> Optional[str]:
    tok = char_class(token)
    spans = tok.spans(s) if k > 0 else tok.rev_spans(s)
    if abs(k) > len(spans):
        return None
    b, e = spans[abs(k) - 1]
    return s[b:e] if raw else s[b:e].replace(",", "")


@dataclass(frozen=True)
class NumPart(OneColumn, Atom):
    """The k-th number of column ``col``, re-formatted (see module doc)."""

    kind = "number"
    semantic = True
    col: int
    token: str
    k: int
    mode: str
    width: int
    decimals: int
    thousands: bool

    def __post_init__(self):
        self.check_col()
        check_enum("NumPart", "token", self.token, NUM_TOKENS)
        check_int("NumPart", "k", self.k, -100, 100)
        check_enum("NumPart", "mode", self.mode, MODES)
        check_int("NumPart", "width", self.width, 0, 30)
        check_int("NumPart", "decimals", self.decimals, 0, 12)
        check_bool("NumPart", "thousands", self.thousands)

    def eval(self, row):
        s = row[self.col]
        if s is None:
            return None
        text = _number_text(self.token, self.k, s)
        if text is None:
            return None
        if self.mode == "int":
            if "." in text:
                return None
            digits = str(abs(int(text)))
            sign = "-" if text.startswith("-") and int(text) != 0 else ""
            return sign + digits.rjust(self.width, "0")
        try:
            q = Decimal(text).quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP)
        except InvalidOperation:
            return None
        return format(q, f"{',' if self.thousands else ''}.{self.decimals}f")

    def explain(self, cols):
        what = f"number({cols[self.col]}, {self.k})"
        if self.mode == "int":
            return f"zero_pad({what}, {self.width})" if self.width else f"integer({what})"
        sep = ", thousands" if self.thousands else ""
        return f"round({what}, {self.decimals}{sep})"

    def sql(self, cols):
        tok = char_class(self.token)
        t = tok.rev_java if self.k < 0 else tok.java
        src = ident(cols[self.col])
        src = f"reverse({src})" if self.k < 0 else src
        skip = abs(self.k) - 1
        pat = "(?s)^" + (f"(?>.*?(?:{t})){{{skip}}}" if skip else "") + f".*?({t})"
        m = f"regexp_extract({src}, {lit(pat)}, 1)"
        m = f"reverse({m})" if self.k < 0 else m
        text = f"nullif(replace({m}, ',', ''), '')"
        width, decimals = num(self.width), num(self.decimals)
        if self.mode == "int":
            v = f"CASE WHEN instr({text}, '.') = 0 THEN cast(try_cast({text} AS DECIMAL(38,0)) AS STRING) END"
            if not self.width:
                return f"({v})"
            return (f"(CASE WHEN ({v}) LIKE '-%' THEN concat('-', lpad(substring(({v}), 2), "
                    f"greatest({width}, length(({v})) - 1), '0')) "
                    f"ELSE lpad(({v}), greatest({width}, length(({v}))), '0') END)")
        r = f"round(try_cast({text} AS DECIMAL(38,12)), {decimals})"
        if self.thousands:
            return f"format_number({r}, {decimals})"
        return f"cast({r} AS STRING)"

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.number_base + w.number_per_index * (abs(self.k) - 1)

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        row, out = ctx.rows[0], ctx.outs[0]
        w = ctx.weights
        for col, s in enumerate(row):
            if s is None:
                continue
            signed = any(v is not None and _SIGNED.search(v) for v in ctx.unlabeled_col(col) + [s])
            for atom in _number_atoms(col, s):
                value = atom.eval(row)
                if not value:
                    continue
                sign_cost = w.number_sign if (atom.token == "snum") != signed else 0.0
                # An integer printed exactly as written is a plain copy: a substring says that better.
                copy = w.number_copy if value == _number_text(atom.token, atom.k, s, raw=True) \
                    and "." not in value else 0.0
                cost = atom.cost(w) + sign_cost + copy + w.null_penalty * null_rate(atom, ctx.unlabeled)
                for i, j in occurrences(out, value, _DIGIT):
                    yield Edge(i, j, atom, cost)


def null_rate(atom: Atom, unlabeled) -> float:
    if not unlabeled:
        return 0.0
    return sum(atom.eval(u) is None for u in unlabeled) / len(unlabeled)


def occurrences(out: str, value: str, boundary: re.Pattern[str]):
    """Where ``value`` occurs in ``out`` not glued to a character ``boundary`` matches on either side."""
    start = out.find(value)
    while start >= 0:
        end = start + len(value)
        left_ok = start == 0 or not boundary.match(out[start - 1])
        right_ok = end == len(out) or not boundary.match(out[end])
        if left_ok and right_ok:
            yield start, end
        start = out.find(value, start + 1)


def _number_atoms(col, s):
    for tok in NUM_TOKENS:
        n = len(char_class(tok).spans(s))
        for k in list(range(1, min(n, 3) + 1)) + list(range(-1, -min(n, 3) - 1, -1)):
            yield NumPart(col, tok, k, "int", 0, 0, False)
            for width in range(2, 9):
                yield NumPart(col, tok, k, "int", width, 0, False)
            for d in range(4):
                for th in (False, True):
                    yield NumPart(col, tok, k, "fixed", 0, d, th)
