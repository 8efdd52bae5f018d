"""Semantic atoms: numbers (rounding, zero padding, thousands separators) and dates/times.

``NumPart(col, token, k, mode, width, decimals, thousands)`` reads the k-th number of a column
(``token`` ``num`` ignores a sign, ``snum`` keeps a leading '-'; thousands commas are dropped) and
formats it: ``mode="int"`` prints an integer zero-padded to ``width`` (0: no padding, so leading
zeros are dropped); ``mode="fixed"`` rounds half up to ``decimals`` places, with ``,`` separators
when ``thousands``. ``DatePart(col, fmt, part)`` parses the whole (space-trimmed) column with one
of ``DATE_FORMATS`` and prints one field (``part`` is a Spark datetime pattern: ``yyyy``, ``MM``,
``d``, ``MMMM``, ``EEE``, ``HH``, ``hh``, ``mm``, ``a``...). The concatenation around them supplies
the separators, so any re-formatting is a concatenation of parts.

Both compile to Spark SQL (``try_cast``/``round``/``format_number``/``lpad``,
``try_to_timestamp``/``date_format``); a failed parse is null in Python and in SQL.

Example::

    >>> NumPart(0, "num", 1, "fixed", 0, 2, True).eval(("1234.5",))
    '1,234.50'
    >>> DatePart(0, "yyyy-M-d", "MMM").eval(("2023-04-05",))
    'Apr'
"""
from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Optional

from . import tokens
from .dsl import register

NUM_TOKENS = {
    "num": tokens.Token("num", r"[0-9][0-9,]*(?:\.[0-9]+)?", r"[0-9][0-9,]*(?:\.[0-9]+)?",
                        r"(?:[0-9]+\.)?[0-9,]*[0-9]", r"(?:[0-9]+\.)?[0-9,]*[0-9]", 1.0),
    "snum": tokens.Token("snum", r"-?[0-9][0-9,]*(?:\.[0-9]+)?", r"-?[0-9][0-9,]*(?:\.[0-9]+)?",
                         r"(?:[0-9]+\.)?[0-9,]*[0-9]-?", r"(?:[0-9]+\.)?[0-9,]*[0-9]-?", 1.0),
}

# (Python strptime format, Spark datetime pattern): same inputs accepted by both.
DATE_FORMATS = {
    "yyyy-M-d": "%Y-%m-%d", "M/d/yyyy": "%m/%d/%Y", "d.M.yyyy": "%d.%m.%Y",
    "MMMM d, yyyy": "%B %d, %Y", "MMM d, yyyy": "%b %d, %Y", "d MMMM yyyy": "%d %B %Y",
    "yyyy-M": "%Y-%m", "yyyyMMdd": "%Y%m%d", "h:mm a": "%I:%M %p", "H:mm": "%H:%M",
    "yyyy-M-d H:mm:ss": "%Y-%m-%d %H:%M:%S",
}
PARTS = ("yyyy", "yy", "MM", "M", "dd", "d", "MMMM", "MMM", "EEEE", "EEE", "HH", "H", "hh", "h",
         "mm", "ss", "a")
# Padded fields first: when a value reads the same both ways (day 17), the padded form generalises
# to the other rows of an output that pads (ISO dates, 24-hour clocks).
_PART_COST = {"yyyy": 1.2, "MM": 1.2, "dd": 1.2, "HH": 1.2, "hh": 1.25, "mm": 1.2, "ss": 1.2, "M": 1.35,
              "d": 1.35, "H": 1.35, "h": 1.4, "MMMM": 1.3, "MMM": 1.3, "EEEE": 1.3, "EEE": 1.3, "yy": 1.45,
              "a": 1.3}
_SIGNED = re.compile(r"(?:^|\s|\()-[0-9]")
_MONTHS = list(calendar.month_name)
_WEEKDAYS = list(calendar.day_name)


def _num_text(tok_name: str, k: int, s: str) -> Optional[str]:
    tok = NUM_TOKENS[tok_name]
    spans = tok.spans(s) if k > 0 else tok.rev_spans(s)
    if abs(k) > len(spans):
        return None
    b, e = spans[abs(k) - 1]
    return s[b:e].replace(",", "")


def _raw_text(atom, s: str) -> Optional[str]:
    """The k-th number of ``s`` as written (thousands commas kept)."""
    tok = NUM_TOKENS[atom.token]
    spans = tok.spans(s) if atom.k > 0 else tok.rev_spans(s)
    if abs(atom.k) > len(spans):
        return None
    b, e = spans[abs(atom.k) - 1]
    return s[b:e]


@register
@dataclass(frozen=True)
class NumPart:
    """The k-th number of column ``col``, re-formatted (see module doc)."""

    col: int
    token: str
    k: int
    mode: str
    width: int
    decimals: int
    thousands: bool

    def eval(self, row) -> Optional[str]:
        s = row[self.col]
        if s is None:
            return None
        text = _num_text(self.token, self.k, s)
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

    def explain(self, cols) -> str:
        what = f"number({cols[self.col]}, {self.k})"
        if self.mode == "int":
            return f"zero_pad({what}, {self.width})" if self.width else f"integer({what})"
        sep = ", thousands" if self.thousands else ""
        return f"round({what}, {self.decimals}{sep})"

    def sql(self, cols) -> str:
        from .sql import col_ref, lit
        tok = NUM_TOKENS[self.token]
        t = tok.rev_java if self.k < 0 else tok.java
        src = col_ref(cols[self.col])
        src = f"reverse({src})" if self.k < 0 else src
        skip = abs(self.k) - 1
        pat = "(?s)^" + (f"(?>.*?(?:{t})){{{skip}}}" if skip else "") + f".*?({t})"
        m = f"regexp_extract({src}, {lit(pat)}, 1)"
        m = f"reverse({m})" if self.k < 0 else m
        text = f"nullif(replace({m}, ',', ''), '')"
        if self.mode == "int":
            v = f"CASE WHEN instr({text}, '.') = 0 THEN cast(try_cast({text} AS DECIMAL(38,0)) AS STRING) END"
            if not self.width:
                return f"({v})"
            return (f"(CASE WHEN ({v}) LIKE '-%' THEN concat('-', lpad(substring(({v}), 2), "
                    f"greatest({self.width}, length(({v})) - 1), '0')) "
                    f"ELSE lpad(({v}), greatest({self.width}, length(({v}))), '0') END)")
        r = f"round(try_cast({text} AS DECIMAL(38,12)), {self.decimals})"
        if self.thousands:
            return f"format_number({r}, {self.decimals})"
        return f"cast({r} AS STRING)"


@register
@dataclass(frozen=True)
class DatePart:
    """One field (``part``) of column ``col`` parsed as a date/time with pattern ``fmt``."""

    col: int
    fmt: str
    part: str

    def eval(self, row) -> Optional[str]:
        s = row[self.col]
        if s is None:
            return None
        try:
            d = _dt.datetime.strptime(s.strip(" "), DATE_FORMATS[self.fmt])
        except ValueError:
            return None
        return format_part(d, self.part)

    def explain(self, cols) -> str:
        return f"date_part({cols[self.col]}, {self.fmt!r}, {self.part!r})"

    def sql(self, cols) -> str:
        from .sql import col_ref, lit
        ts = f"try_to_timestamp(trim({col_ref(cols[self.col])}), {lit(self.fmt)})"
        return f"date_format({ts}, {lit(self.part)})"


def format_part(d: _dt.datetime, part: str) -> str:
    """Python twin of Spark's ``date_format(d, part)`` for the fields in ``PARTS``."""
    h12 = d.hour % 12 or 12
    return {
        "yyyy": f"{d.year:04d}", "yy": f"{d.year % 100:02d}", "MM": f"{d.month:02d}",
        "M": str(d.month), "dd": f"{d.day:02d}", "d": str(d.day), "MMMM": _MONTHS[d.month],
        "MMM": _MONTHS[d.month][:3], "EEEE": _WEEKDAYS[d.weekday()],
        "EEE": _WEEKDAYS[d.weekday()][:3], "HH": f"{d.hour:02d}", "H": str(d.hour),
        "hh": f"{h12:02d}", "h": str(h12), "mm": f"{d.minute:02d}", "ss": f"{d.second:02d}",
        "a": "AM" if d.hour < 12 else "PM",
    }[part]


_NUM_BOUNDARY = re.compile(r"[0-9]")


def _occurrences(out: str, value: str):
    start = out.find(value)
    while start >= 0:
        end = start + len(value)
        left_ok = start == 0 or not _NUM_BOUNDARY.match(out[start - 1])
        right_ok = end == len(out) or not _NUM_BOUNDARY.match(out[end])
        if left_ok and right_ok:
            yield start, end
        start = out.find(value, start + 1)


def _null_rate(atom, unlabeled) -> float:
    if not unlabeled:
        return 0.0
    return sum(atom.eval(u) is None for u in unlabeled) / len(unlabeled)


def candidates(row, out: str, unlabeled):
    """``(i, j, atom, cost)`` for every semantic atom whose value on ``row`` is ``out[i:j]``."""
    found = {}
    for col, s in enumerate(row):
        if s is None:
            continue
        signed = any(u[col] is not None and _SIGNED.search(u[col]) for u in list(unlabeled) + [row])
        for atom in _number_atoms(col, s):
            sign_cost = 0.1 if (atom.token == "snum") != signed else 0.0
            value = atom.eval(row)
            # An integer printed exactly as written is a plain copy: a substring says that better.
            copy_cost = 1.0 if value == _raw_text(atom, s) and "." not in value else 0.0
            _add(found, atom, value, out, 2.2 + 0.3 * (abs(atom.k) - 1) + sign_cost + copy_cost)
        for fmt in DATE_FORMATS:
            for part in PARTS:
                atom = DatePart(col, fmt, part)
                _add(found, atom, atom.eval(row), out, _PART_COST[part])
    res = []
    for (i, j, _v), (cost, atom) in found.items():
        res.append((i, j, atom, cost + 6.0 * _null_rate(atom, unlabeled)))
    return res


def _add(found, atom, value, out, cost):
    if not value:
        return
    for i, j in _occurrences(out, value):
        key = (i, j, value)
        if key not in found or cost < found[key][0]:
            found[key] = (cost, atom)


def _number_atoms(col, s):
    for tok in NUM_TOKENS:
        n = len(NUM_TOKENS[tok].spans(s))
        for k in list(range(1, min(n, 3) + 1)) + list(range(-1, -min(n, 3) - 1, -1)):
            yield NumPart(col, tok, k, "int", 0, 0, False)
            for w in range(2, 9):
                yield NumPart(col, tok, k, "int", w, 0, False)
            for d in range(4):
                for th in (False, True):
                    yield NumPart(col, tok, k, "fixed", 0, d, th)
