"""``Number``: the k-th number of a column, parsed, scaled, rounded and formatted.

``Number(col, k, style, signed, scale, step, sig, mode, add, decimals, width, group, point)``:

1. **parse** the k-th number of column ``col`` (k < 0 counts from the end) in the column's convention
   ``style``: ``dot`` (``1,234.5``), ``comma`` (``1.234,5``), ``space`` (``1 234,5`` / ``1 234.5``) or ``sci``
   (``1.5e+03``, ``2.25E-4``: a point, no thousands separators, an exponent of 1 to 3 digits, or none);
   ``signed``: a leading ``-`` belongs to the number, unless a letter or digit comes right before it
   (``ID-42`` and ``10-20`` end in ``42`` and ``20``);
2. **scale**: multiply by ``scale`` (a decimal: ``1000``, ``0.001``, ``2.54``...: unit conversions, percent);
3. **round** (unscaled numbers only) to a multiple of ``step`` (e.g. ``10``, ``0.5``) or to ``sig`` significant
   digits, with ``mode``
   (``half_up``, ``half_even``, ``down`` = toward -inf, ``up`` = toward +inf); then **add** ``add`` (the upper
   end of a bucket: ``17 -> 10-20`` is step 10 for ``10`` and step 10 plus 10 for ``20``);
4. **format** with ``decimals`` fixed decimals (rounded with ``mode``; -1: as few as needed; -2: as many as the
   number has in the input, for a number only re-punctuated: ``1.000,50 -> 1000.50``), the integer
   part zero-padded to ``width`` (integers only), ``group`` as thousands separator (``""``, ``,``, ``.``, space,
   ``'``) and ``point`` as decimal separator.

Arithmetic is exact decimal arithmetic in both forms (Python ``Decimal``; Spark ``DECIMAL(30,10)`` times a
factor of at most 7 digits, which cannot overflow or lose digits); a number with more than 20 integer
digits, or none found, is null.

Example::

    >>> Number(0, 1, "dot", False, "1", "", 0, "half_up", "0", 2, 0, ",", ".").eval(("1234.5",))
    '1,234.50'
    >>> Number(0, 1, "dot", False, "0.001", "", 0, "half_up", "0", 3, 0, "", ".").eval(("250 ms",))
    '0.250'
    >>> Number(0, 1, "comma", False, "1", "", 0, "half_up", "0", -1, 0, "", ".").eval(("1.234,50 EUR",))
    '1234.5'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from decimal import Context as DecimalContext
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Type, Union, cast

from mmlspark_py.core.spec import SpecError

from ..fields import check_bool, check_enum, check_int, check_text
from ..sqltext import ident, lit, num
from ..tokens import _spans
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge, OneColumn, null_rate

STYLES = ("dot", "comma", "space", "sci")
MODES = ("half_up", "half_even", "down", "up")
GROUPS = ("", ",", ".", " ", "'")
POINTS = (".", ",")
STEP_MODES = ("down", "up", "half_up", "half_even")
_ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_FLOOR, "up": ROUND_CEILING}
_SQL_ROUND = {"half_up": "round", "half_even": "bround", "down": "floor", "up": "ceil"}
_D = DecimalContext(prec=80)
MAX_INT_DIGITS = 20
# forward pattern, reversed pattern (matching the reversed text), per style
_PATTERNS = {
    "dot": (
        r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?",
        r"(?:[0-9]+\.)?(?:[0-9]{3},)+[0-9]{1,3}|(?:[0-9]+\.)?[0-9]+",
    ),
    "comma": (
        r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:,[0-9]+)?",
        r"(?:[0-9]+,)?(?:[0-9]{3}\.)+[0-9]{1,3}|(?:[0-9]+,)?[0-9]+",
    ),
    "space": (
        r"[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]+)?|[0-9]+(?:[.,][0-9]+)?",
        r"(?:[0-9]+[.,])?(?:[0-9]{3} )+[0-9]{1,3}|(?:[0-9]+[.,])?[0-9]+",
    ),
    "sci": (
        r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]{1,3}(?![0-9]))?",
        r"(?:(?<![0-9])[0-9]{1,3}[+-]?[eE])?(?:[0-9]+\.)?[0-9]+",
    ),
}
_EXPONENT = re.compile(r"[0-9][eE][+-]?[0-9]")
# 1/1024 (KB -> MB): its product with a DECIMAL(30,10) reading has 20 decimals, of which Spark keeps 17; rounding
# those to at most 12 decimals gives the exact result (a boundary at 12 decimals or fewer lies at least 1e-16 from
# any such product), so it is the one factor allowed more than 7 decimals, and only with fixed decimals.
BINARY_STEP = "0.0009765625"
# Factors the examples may imply: powers of ten, time units and exact unit conversions (finite decimals
# of at most 7 digits, so that the SQL product is exact).
FACTORS = tuple(format(Decimal(1).scaleb(e), "f") for e in range(-6, 7)) + (
    "60",
    "3600",
    "24",
    "7",
    "12",
    "1024",
    "2.54",
    "0.3048",
    "0.9144",
    "1.609344",
    "0.453592",
    "2.2",
    "0.5",
    "2",
    "0.25",
    "4",
    BINARY_STEP,
)
STEPS = ("5", "10", "20", "25", "50", "100", "1000", "0.5", "0.25", "0.1")
_NUMBER_TEXT = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
# the decimals of a number as written, per style (a ``comma`` number's ``.`` groups thousands)
_FRACTION = {"dot": r"\.([0-9]+)$", "comma": r",([0-9]+)$", "space": r"[.,]([0-9]+)$", "sci": r"\.([0-9]+)$"}
AS_INPUT = -2  # ``decimals``: as many as the number has in the input
_ZERO_PADDED = re.compile(r"-?0[0-9]")


def _pattern(style: str, signed: bool, rev: bool) -> str:
    p = _PATTERNS[style][1 if rev else 0]
    if not signed:
        return f"(?:{p})"
    # a ``-`` right after a letter or digit joins two things (``ID-42``, ``10-20``, ``2019-05``): not a sign
    return f"(?:(?:{p})(?:-(?![0-9A-Za-z]))?)" if rev else f"(?:(?:(?<![0-9A-Za-z])-)?(?:{p}))"


def _check_decimal(owner: str, name: str, value: object, allow_zero: bool = False) -> str:
    check_text(owner, name, value, 12, 1)
    assert isinstance(value, str)
    if (
        not _NUMBER_TEXT.match(value)
        or len(value.replace(".", "").lstrip("0")) > 7
        or (not allow_zero and Decimal(value) == 0)
    ):
        raise SpecError(
            f"{owner}.{name}: expected a positive decimal of at most 7 digits like '1000' or '0.001', got {value!r}"
        )
    return value


@functools.lru_cache(maxsize=100_000)
def number_text(s: str, style: str, signed: bool, k: int) -> Optional[str]:
    """The k-th number of ``s`` as written (k < 0: from the end), or None."""
    if k > 0:
        spans = _spans(_pattern(style, signed, False), s)
        return s[spans[k - 1][0] : spans[k - 1][1]] if k <= len(spans) else None
    r = s[::-1]
    spans = _spans(_pattern(style, signed, True), r)
    if -k > len(spans):
        return None
    b, e = spans[-k - 1]
    return r[b:e][::-1]


def parse(text: str, style: str) -> Optional[Decimal]:
    """The value of a number written in ``style`` (as Spark's ``try_cast`` to DECIMAL(30,10) reads it)."""
    neg = text.startswith("-")
    body = text[1:] if neg else text
    if style == "dot":
        body = body.replace(",", "")
    elif style == "comma":
        body = body.replace(".", "").replace(",", ".")
    elif style == "space":
        body = body.replace(" ", "").replace(",", ".")
    try:
        v = Decimal(body)
    except InvalidOperation:
        return None
    if len(body.split(".")[0].lstrip("0")) > MAX_INT_DIGITS or (v != 0 and v.adjusted() >= MAX_INT_DIGITS):
        return None
    v = v.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP, context=_D)
    return -v if neg else v


def read_number(s: str, style: str, signed: bool, k: int) -> Optional[Decimal]:
    """The value of the k-th number of ``s`` (``number_text`` then ``parse``), or None."""
    text = number_text(s, style, signed, k)
    return parse(text, style) if text is not None else None


def input_decimals(text: str, style: str) -> int:
    """How many decimals number text ``text`` (as ``number_text`` returns it) has in ``style``, at most 10."""
    m = re.search(_FRACTION[style], text)
    return min(len(m.group(1)), 10) if m else 0


def _number_text_sql(src: str, style: str, signed: bool, k: int) -> str:
    """Spark SQL for ``number_text`` over ``src``: the k-th number as written, '' for none."""
    rev = k < 0
    t = _pattern(style, signed, rev)
    s = f"reverse({src})" if rev else src
    skip = abs(k) - 1
    pat = "(?s)^" + (f"(?>.*?{t}){{{num(skip)}}}" if skip else "") + f".*?({t})"
    m = f"regexp_extract({s}, {lit(pat)}, 1)"
    return f"reverse({m})" if rev else m


def number_sql(src: str, style: str, signed: bool, k: int) -> str:
    """Spark SQL for ``read_number`` over the SQL expression ``src``: a ``DECIMAL(30,10)``, NULL for none."""
    m = _number_text_sql(src, style, signed, k)
    if style == "dot":
        body = f"replace({m}, ',', '')"
    elif style == "comma":
        body = f"replace(replace({m}, '.', ''), ',', '.')"
    elif style == "space":
        body = f"replace(replace({m}, ' ', ''), ',', '.')"
    else:
        body = m  # Spark reads '1.5e+03' as 1500, as Python's Decimal does
    return f"try_cast(nullif({body}, '') AS DECIMAL(30,10))"


def check_reading(node: Any) -> None:
    """Validate the fields that say which number a node reads: ``col``, ``k``, ``style``, ``signed``."""
    owner = type(node).__name__
    node.check_col()
    check_int(owner, "k", node.k, -20, 20)
    if node.k == 0:
        raise SpecError(f"{owner}.k: 0 is not a match index (1 is the first, -1 the last)")
    check_enum(owner, "style", node.style, STYLES)
    check_bool(owner, "signed", node.signed)


def tight_type(text: str) -> str:
    """``DECIMAL(p,s)`` holding exactly the checked decimal ``text``."""
    whole, _, frac = text.partition(".")
    s = len(frac)
    p = max(len(whole.lstrip("0")) + s, 1, s)
    return f"CAST({lit(text)} AS DECIMAL({num(p)},{num(s)}))"


@dataclass(frozen=True)
class Number(OneColumn, Atom):
    """The k-th number of column ``col``, scaled, rounded and formatted (see the module docstring)."""

    kind = "number"
    semantic = True
    col: int
    k: int
    style: str = "dot"
    signed: bool = False
    scale: str = "1"
    step: str = ""
    sig: int = 0
    mode: str = "half_up"
    add: str = "0"
    decimals: int = -1
    width: int = 0
    group: str = ""
    point: str = "."

    def __post_init__(self) -> None:
        check_reading(self)
        _check_decimal("Number", "scale", self.scale)
        if len(self.scale.partition(".")[2]) > 7 and (self.scale != BINARY_STEP or self.decimals < 0):
            raise SpecError(
                f"Number.scale: a factor with more than 7 decimals ({self.scale!r}) is only {BINARY_STEP!r}, "
                "with fixed decimals"
            )
        if self.step != "":
            _check_decimal("Number", "step", self.step)
        check_int("Number", "sig", self.sig, 0, 15)
        if self.step and self.sig:
            raise SpecError("Number: step and sig are exclusive (round to a multiple or to significant digits)")
        if (self.step or self.sig) and self.scale != "1":
            raise SpecError("Number: rounding to a multiple or to significant digits applies to unscaled numbers")
        check_enum("Number", "mode", self.mode, MODES)
        _check_decimal("Number", "add", self.add, allow_zero=True)
        check_int("Number", "decimals", self.decimals, AS_INPUT, 12)
        if self.decimals == AS_INPUT and (self.scale != "1" or self.step or self.sig):
            raise SpecError("Number.decimals: -2 (as in the input) applies to numbers not scaled or rounded")
        check_int("Number", "width", self.width, 0, 30)
        if self.width and (self.decimals != 0 or self.group):
            raise SpecError("Number.width: zero padding applies to integers without thousands separators")
        check_enum("Number", "group", self.group, GROUPS)
        check_enum("Number", "point", self.point, POINTS)
        if self.group == self.point:
            raise SpecError(f"Number: the thousands separator and the decimal point are both {self.point!r}")

    # ---- the value
    def value(self, row: Sequence[Optional[str]]) -> Optional[Decimal]:
        s = row[self.col]
        v = None if s is None else read_number(s, self.style, self.signed, self.k)
        return None if v is None else self.transform(v)

    def reads_zero_padded(self, row: Sequence[Optional[str]]) -> bool:
        """True when this row's number is written with leading zeros (``0042``), which any formatting drops."""
        s = row[self.col]
        text = None if s is None else number_text(s, self.style, self.signed, self.k)
        return bool(text and _ZERO_PADDED.match(text))

    @property
    def decimal_shift(self) -> bool:
        """Whether ``scale`` is a power of ten (1 included): the number moves its point, no unit changes."""
        return set(self.scale.replace(".", "").strip("0")) == {"1"}

    def rounds_off(self, row: Sequence[Optional[str]]) -> bool:
        """True when the fixed ``decimals`` (one or more) drop digits of this row's number that are not zero
        (``12.5% -> 0.1`` at one decimal); never for a program that rounds on purpose (``step``, ``sig``),
        prints whole numbers (``0.333 -> 33%`` is a display format) or converts units (``2048 KB -> 2.0 MB``
        at 1/1024: a conversion's fixed decimals are its precision)."""
        s = row[self.col]
        v = None if s is None else read_number(s, self.style, self.signed, self.k)
        if v is None or self.decimals < 1 or self.step or self.sig or not self.decimal_shift:
            return False
        unrounded = _apply(_D.multiply(v, Decimal(self.scale)), "", 0, self.mode, self.add, -1)
        return self.transform(v) != unrounded

    def transform(self, v: Decimal) -> Decimal:
        return _apply(_D.multiply(v, Decimal(self.scale)), self.step, self.sig, self.mode, self.add, self.decimals)

    def eval(self, row: Sequence[Optional[str]]) -> Optional[str]:
        v = self.value(row)
        if v is None:
            return None
        if self.decimals == AS_INPUT:
            text = number_text(cast(str, row[self.col]), self.style, self.signed, self.k)
            return self.format(v, input_decimals(cast(str, text), self.style))
        return self.format(v, self.decimals)

    def format(self, v: Decimal, decimals: int) -> str:
        """``v`` as text with ``decimals`` decimals (-1: as few as needed), padded and punctuated."""
        if v == 0:
            v = abs(v)
        if decimals >= 0:
            text = format(v, f"{',' if self.group else ''}.{decimals}f")
        else:
            text = format(_D.normalize(v) if v != 0 else Decimal(0), f"{',' if self.group else ''}f")
        if self.width:
            sign = "-" if text.startswith("-") else ""
            text = sign + text[len(sign) :].rjust(self.width, "0")
        return _separators(text, self.group, self.point)

    # ---- SQL
    def sql(self, cols: Sequence[str]) -> str:
        x = number_sql(ident(cols[self.col]), self.style, self.signed, self.k)
        if self.scale != "1":
            x = f"({x} * {tight_type(self.scale)})"
        fn = _SQL_ROUND[self.mode]
        if self.step:
            inv = _inverse(self.step)
            x = (
                f"({fn}({x} * {tight_type(inv)}, 0) * {tight_type(self.step)})"
                if fn in ("round", "bround")
                else f"({fn}({x} * {tight_type(inv)}) * {tight_type(self.step)})"
            )
        elif self.sig:
            x = _sql_sig(x, self.sig, fn)
        if self.add != "0":
            x = f"({x} + {tight_type(self.add)})"
        if self.decimals >= 0:
            x = f"{fn}({x}, {num(self.decimals)})"
            if self.step or self.sig:
                # rounding to a step can leave fewer decimals than printed (a multiple of 10, of 0.5); Spark's
                # round keeps the smaller scale, so fix it (integer part at most 20 digits, decimals at most 12)
                x = f"cast({x} AS DECIMAL(38,{num(self.decimals)}))"
        return _sql_format(x, self, ident(cols[self.col]))

    def explain(self, cols: Sequence[str]) -> str:
        parts = [f"number({cols[self.col]}, {self.k}{'' if self.style == 'dot' else ', ' + self.style})"]
        if self.scale != "1":
            parts.append(f"* {self.scale}")
        if self.step:
            parts.append(f"round {self.mode} to multiple of {self.step}")
        if self.sig:
            parts.append(f"round {self.mode} to {self.sig} significant digits")
        if self.add != "0":
            parts.append(f"+ {self.add}")
        fmt = (
            "as many decimals as the input"
            if self.decimals == AS_INPUT
            else "as few decimals as needed"
            if self.decimals < 0
            else f"{self.decimals} decimals ({self.mode})"
        )
        if self.width:
            fmt += f", zero-padded to {self.width}"
        if self.group:
            fmt += f", thousands {self.group!r}"
        if self.point != ".":
            fmt += f", point {self.point!r}"
        return "format(" + " ".join(parts) + f"; {fmt})"

    def cost(self, w: Weights = DEFAULT) -> float:
        c = w.number_base + w.number_per_index * (abs(self.k) - 1)
        if self.scale != "1":
            c += w.number_scale if self.decimal_shift else w.number_factor
        if self.step:
            c += w.number_step + w.number_steps.get(self.step, 0.0)
        if self.sig:
            c += w.number_sig
        if self.mode != ("down" if self.step else "half_up"):
            c += w.number_mode
        if self.add != "0":
            c += w.number_add
        if self.decimals == AS_INPUT:
            c += w.number_as_input
        elif self.decimals < 0:
            c += w.number_minimal if self.scale == "1" else 0.0
        elif self.decimals > 0 and self.scale != "1":
            c += w.number_scaled_fixed
        if self.width:
            c += w.number_pad
        if self.group:
            c += w.number_group
        if self.point != "." or self.style != "dot":
            c += w.number_locale
        return c

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        return _propose(cls, ctx)


def _apply(v: Decimal, step: str, sig: int, mode: str, add: str, decimals: int) -> Decimal:
    """Steps 3 and 4 of the module docstring on an already scaled value."""
    rounding = _ROUNDING[mode]
    if step:
        st = Decimal(step)
        v = _D.multiply(_D.divide(v, st).quantize(Decimal(1), rounding=rounding, context=_D), st)
    elif sig:
        v = _round_sig(v, sig, rounding)
    if add != "0":
        v = _D.add(v, Decimal(add))
    if decimals >= 0:
        v = v.quantize(Decimal(1).scaleb(-decimals), rounding=rounding, context=_D)
    return v


def _inverse(step: str) -> str:
    inv = _D.divide(Decimal(1), Decimal(step))
    return format(_D.normalize(inv), "f")


def _round_sig(v: Decimal, sig: int, rounding: str) -> Decimal:
    if v == 0:
        return v
    exp = v.adjusted()  # position of the leading digit
    return v.quantize(Decimal(1).scaleb(exp - sig + 1), rounding=rounding, context=_D)


def _sql_sig(x: str, sig: int, fn: str) -> str:
    """Round ``x`` to ``sig`` significant digits: one CASE branch per position of the leading digit (Spark's
    rounding functions need a constant scale)."""
    a = f"abs({x})"
    whens = []
    for lead in range(MAX_INT_DIGITS - 1, -11, -1):  # leading digit at 10^lead
        d = sig - 1 - lead
        lo = (
            f"CAST('1{'0' * lead}' AS DECIMAL(30,0))"
            if lead >= 0
            else f"CAST('0.{'0' * (-lead - 1)}1' AS DECIMAL(30,{num(-lead)}))"
        )
        if d >= 0:
            r = f"{fn}({x}, {num(d)})"
        else:
            q = f"CAST('1{'0' * -d}' AS DECIMAL({num(1 - d)},0))"
            r = f"({fn}({x} / {q}, 0) * {q})" if fn in ("round", "bround") else f"({fn}({x} / {q}) * {q})"
        whens.append(f"WHEN {a} >= {lo} THEN try_cast({r} AS DECIMAL(31,10))")
    return f"(CASE {' '.join(whens)} ELSE try_cast({x} AS DECIMAL(31,10)) END)"


def _separators(text: str, group: str, point: str) -> str:
    if group in ("", ",") and point == ".":
        return text
    table: Dict[str, Union[str, int, None]] = {",": group, ".": point}
    return text.translate(str.maketrans(table))


def plain_decimal_sql(x: str, decimals: int) -> str:
    """Spark SQL for the text of the DECIMAL expression ``x`` with exactly ``decimals`` decimals, no E notation
    and no group separators (``x``'s scale must not exceed ``decimals``, so nothing is rounded).

    Spark 4 casts a decimal to its plain text, but Spark 3.5 writes zero and values under 1e-6 with more than six
    decimals in E notation (``0E-10``, ``1.000E-7``); ``format_number`` with a pattern prints plainly on both."""
    return f"format_number({x}, {lit('0.' + '0' * decimals if decimals else '0')})"


_MINIMAL = "0." + "#" * 20  # as few decimals as needed; every reading's scale is at most 16


def _sql_format(x: str, n: Number, src: str) -> str:
    if n.decimals >= 0:
        # up to six decimals Spark 3.5 casts plainly too (a decimal's E notation starts below 1e-6)
        plain = f"cast({x} AS STRING)" if n.decimals <= 6 else plain_decimal_sql(x, n.decimals)
        text = f"format_number({x}, {num(n.decimals)})" if n.group else plain
    elif n.decimals == AS_INPUT:
        # x is the DECIMAL(30,10) read, neither scaled nor rounded: d decimals print it exactly
        m = _number_text_sql(src, n.style, n.signed, n.k)
        d = f"least(length(regexp_extract({m}, {lit(_FRACTION[n.style])}, 1)), 10)"
        text = f"format_number({x}, {d})" if n.group else f"replace(format_number({x}, {d}), ',', '')"
    else:
        text = f"format_number({x}, {lit(('#,##' if n.group else '') + _MINIMAL)})"
    if n.width:
        text = (
            f"(CASE WHEN {text} LIKE '-%' THEN concat('-', lpad(substring({text}, 2), "
            f"greatest({num(n.width)}, length({text}) - 1), '0')) "
            f"ELSE lpad({text}, greatest({num(n.width)}, length({text})), '0') END)"
        )
    if n.group in ("", ",") and n.point == ".":
        return text
    if n.group:
        return f"translate({text}, ',.', {lit(n.group + n.point)})"
    return f"translate({text}, '.', {lit(n.point)})"


# ------------------------------------------------------------------------------------------ proposals
_OUT_NUMBER = re.compile(r"-?[0-9](?:[0-9.,' ]*[0-9])?")
_DIGIT = re.compile(r"[0-9]")
SIGNED = re.compile(r"(?:^|[\s(=:])-[0-9]")
MINUS_SIGN = re.compile(r"(?<![0-9A-Za-z])-[0-9]")  # a minus that the signed reading takes as a sign


def lone_step_end(atoms: Iterable[object]) -> bool:
    """A number atom prints the upper end of a bucket (a multiple rounded down plus a step: ``12 -> 15``) and
    no atom prints that bucket's lower end. Such an end equals rounding up on every number not already a
    multiple, and that is what a lone ``12 -> 15`` means; beside its lower end it is a range (``10-15``)."""
    nums = [a for a in atoms if isinstance(a, Number) and a.step]
    lows = {(a.col, a.k, a.step) for a in nums if a.add == "0"}
    return any(a.add != "0" and (a.col, a.k, a.step) not in lows for a in nums)


def styles(texts: List[str]) -> List[str]:
    joined = "\n".join(texts)
    styles = ["dot"]
    if re.search(r"[0-9],[0-9]{1,2}(?![0-9])|[0-9]\.[0-9]{3}[.,]", joined):
        styles.append("comma")
    if re.search(r"[0-9] [0-9]{3}(?![0-9])", joined):
        styles.append("space")
    if _EXPONENT.search(joined):
        styles.append("sci")
    return styles


Reading = Tuple[Decimal, int, str, str, int]  # a number in the output: value, decimals, group, point, width


def _readings(t: str) -> List[Reading]:
    """Ways to read output number text ``t``: (value, decimals, group, point, width)."""
    out = []
    neg = t.startswith("-")
    body = t[1:] if neg else t
    for group, point in ((",", "."), (".", ","), (" ", "."), (" ", ","), ("'", "."), ("", "."), ("", ",")):
        ip, sep, frac = body.rpartition(point) if point in body else (body, "", "")
        if sep and (not frac.isdigit()):
            continue
        if not sep:
            ip = body
        groups = ip.split(group) if group else [ip]
        if not all(g.isdigit() for g in groups) or (
            group and (len(groups) < 2 or not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]))
        ):
            continue
        digits = "".join(groups)
        v = Decimal(digits + ("." + frac if sep else ""))
        width = len(digits) if digits.startswith("0") and len(digits) > 1 and not sep else 0
        out.append((-v if neg else v, len(frac) if sep else 0, group, point if sep else ".", width))
    return out


def _propose(cls: Type[Number], ctx: Context) -> Iterable[Edge]:
    row, out = ctx.rows[0], ctx.outs[0]
    w = ctx.weights
    targets: List[Tuple[int, int, Reading]] = []
    for m in _OUT_NUMBER.finditer(out):
        for i, j in _sub_spans(out, m.start(), m.end()):
            for reading in _readings(out[i:j]):
                targets.append((i, j, reading))
    if not targets:
        return
    for col, s in enumerate(row):
        if s is None:
            continue
        texts = [s] + ctx.unlabeled_col(col)
        signed_data = any(SIGNED.search(t) for t in texts)
        # a signed reading that differs from the plain one on none of the texts only respells it (and would
        # crowd other readings of the same piece out of the synthesis)
        signs = (False, True) if any(MINUS_SIGN.search(t) for t in texts) else (False,)
        for style in styles(texts):
            for signed in signs:
                n = len(_spans(_pattern(style, signed, False), s))
                ks = list(range(1, min(n, 4) + 1)) + list(range(-1, -min(n, 3) - 1, -1))
                for k in ks:
                    text = number_text(s, style, signed, k)
                    v = parse(text, style) if text else None
                    if text is None or v is None:
                        continue
                    in_decimals = input_decimals(text, style)
                    extra = w.number_sign if signed != signed_data else 0.0
                    for i, j, reading in targets:
                        for atom in _explaining(cls, col, k, style, signed, v, reading, in_decimals):
                            if atom.eval(row) != out[i:j]:
                                continue
                            copy = w.number_copy if out[i:j] == text else 0.0
                            # a factor whose product had to be rounded to fit the output: one example cannot tell
                            # it from a coincidence (3 -> "5" as 3 x 1.609344 = 4.83)
                            scaled = _D.multiply(v, Decimal(atom.scale))
                            inexact = w.number_inexact if atom.scale != "1" and scaled != reading[0] else 0.0
                            cost = atom.cost(w) + extra + copy + inexact
                            cost += w.null_penalty * null_rate(atom, ctx.unlabeled)
                            yield Edge(i, j, atom, cost)


def _sub_spans(out: str, a: int, b: int) -> Iterator[Tuple[int, int]]:
    """The whole number, the number without its minus sign (``-1280.00`` of ``(1,280.00)``: a constant sign
    beside a plain reading) and its pieces split at separators (a date ``2021-03-04`` holds three numbers)."""
    yield a, b
    if out[a] == "-":
        yield a + 1, b
    for m in re.finditer(r"[0-9]+", out[a:b]):
        if (m.start(), m.end()) != (0, b - a):
            yield a + m.start(), a + m.end()


def _explaining(
    cls: Type[Number], col: int, k: int, style: str, signed: bool, v: Decimal, reading: Reading, in_decimals: int
) -> Iterable[Number]:
    o, decimals, group, point, width = reading
    for scale in FACTORS:
        x = _D.multiply(v, Decimal(scale))
        near = _near(x, o)
        if not near and scale != "1":
            continue
        for step, sig, add in _roundings(x, o, scale):
            if not near and not (step and abs(x - o) < 2 * Decimal(step)):
                continue  # a multiple of a step may lie a step away (7 -> "0" to a multiple of 10)
            plain = scale == "1" and not step and not sig and in_decimals == decimals > 0
            for dec in ((decimals, -1) + ((AS_INPUT,) if plain else ())) if width == 0 else (0,):
                fitted = set()
                for mode in STEP_MODES if step else MODES:
                    if _apply(x, step, sig, mode, add, dec) != o or (mode == "half_even" and "half_up" in fitted):
                        continue
                    fitted.add(mode)
                    try:
                        yield cls(
                            col=col,
                            k=k,
                            style=style,
                            signed=signed,
                            group=group,
                            point=point,
                            scale=scale,
                            step=step,
                            sig=sig,
                            mode=mode,
                            add=add,
                            decimals=dec,
                            width=width,
                        )
                    except SpecError:
                        continue
                    # to decimals, other modes only where half-up does not give the value; to a multiple,
                    # every mode that fits (123 -> "120" is down or nearest; a later 57 -> "60" tells them apart)
                    if mode == "half_up" and not step:
                        break


def _near(x: Decimal, o: Decimal) -> bool:
    if x == o:
        return True
    big = max(abs(x), abs(o))
    return abs(x - o) <= big * Decimal("0.6") + 1


def _roundings(x: Decimal, o: Decimal, scale: str) -> Iterable[Tuple[str, int, str]]:
    yield "", 0, "0"
    if scale == "1":
        for step in STEPS:
            yield step, 0, "0"
            yield step, 0, step
        for sig in range(1, 5):
            yield "", sig, "0"
