"""``DatePart``: one field of a column parsed as a date/time, printed in any of Spark's field patterns.

``DatePart(col, fmt, part)`` parses the whole (space-trimmed) column with one of ``DATE_FORMATS`` and prints
one field (``part``: ``yyyy``, ``MM``, ``d``, ``MMMM``, ``EEE``, ``HH``, ``hh``, ``mm``, ``a``...). The
concatenation around it supplies separators, so a re-formatting is a concatenation of parts.

SQL: ``try_to_timestamp(trim(col), fmt)`` and ``date_format``; a failed parse is null in both.

Example::

    >>> DatePart(0, "yyyy-M-d", "MMM").eval(("2023-04-05",))
    'Apr'
"""
from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass
from typing import Iterable

from ..fields import check_enum
from ..sqltext import ident, lit
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge, OneColumn
from .number import null_rate, occurrences

# Spark datetime pattern -> Python strptime format: the same inputs are accepted by both.
DATE_FORMATS = {
    "yyyy-M-d": "%Y-%m-%d", "M/d/yyyy": "%m/%d/%Y", "d.M.yyyy": "%d.%m.%Y",
    "MMMM d, yyyy": "%B %d, %Y", "MMM d, yyyy": "%b %d, %Y", "d MMMM yyyy": "%d %B %Y",
    "yyyy-M": "%Y-%m", "yyyyMMdd": "%Y%m%d", "h:mm a": "%I:%M %p", "H:mm": "%H:%M",
    "yyyy-M-d H:mm:ss": "%Y-%m-%d %H:%M:%S",
}
PARTS = ("yyyy", "yy", "MM", "M", "dd", "d", "MMMM", "MMM", "EEEE", "EEE", "HH", "H", "hh", "h", "mm", "ss", "a")
_UNPADDED = {"M", "d", "H", "h"}
_MONTHS = list(calendar.month_name)
_WEEKDAYS = list(calendar.day_name)
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class DatePart(OneColumn, Atom):
    """One field (``part``) of column ``col`` parsed as a date/time with pattern ``fmt``."""

    kind = "datepart"
    semantic = True
    col: int
    fmt: str
    part: str

    def __post_init__(self):
        self.check_col()
        check_enum("DatePart", "fmt", self.fmt, DATE_FORMATS)
        check_enum("DatePart", "part", self.part, PARTS)

    def eval(self, row):
        s = row[self.col]
        if s is None:
            return None
        try:
            d = _dt.datetime.strptime(s.strip(" "), DATE_FORMATS[self.fmt])
        except ValueError:
            return None
        return format_part(d, self.part)

    def explain(self, cols):
        return f"date_part({cols[self.col]}, {self.fmt!r}, {self.part!r})"

    def sql(self, cols):
        ts = f"try_to_timestamp(trim({ident(cols[self.col])}), {lit(self.fmt)})"
        return f"date_format({ts}, {lit(self.part)})"

    def cost(self, w: Weights = DEFAULT) -> float:
        c = w.date_part
        if self.part in _UNPADDED:
            c += w.date_unpadded
        if self.part == "yy":
            c += w.date_short_year
        if self.part in ("MMMM", "MMM", "EEEE", "EEE", "a"):
            c += w.date_name
        return c

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        row, out = ctx.rows[0], ctx.outs[0]
        for col, s in enumerate(row):
            if s is None:
                continue
            for fmt in DATE_FORMATS:
                for part in PARTS:
                    atom = cls(col, fmt, part)
                    value = atom.eval(row)
                    if not value:
                        continue
                    cost = atom.cost(ctx.weights) + ctx.weights.null_penalty * null_rate(atom, ctx.unlabeled)
                    for i, j in occurrences(out, value, _DIGIT):
                        yield Edge(i, j, atom, cost)


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
