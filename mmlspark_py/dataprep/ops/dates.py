"""``DateTime``: a date/time read from a column in a learned layout, rounded, and one field printed.

``DateTime(col, layout, field, unit, mode, bound, zone, case)``:

1. **parse**: find the first place where column ``col`` matches ``layout`` (strftime-like codes: ``%Y``
   4-digit year, ``%y`` 2-digit year (00-68 -> 20xx, 69-99 -> 19xx), ``%m`` month number, ``%b``/``%B``
   English month abbreviation/name, ``%d`` day, ``%H`` hour 0-23, ``%I`` hour 1-12 with ``%p`` AM/PM,
   ``%M`` minute, ``%S`` second, ``%f`` fraction (ignored), ``%a``/``%A`` weekday (ignored), ``%q`` quarter
   digit, ``%z`` zone (``Z``, ``UTC``, ``GMT``, ``+01:00``); other characters match themselves; names are
   case-insensitive). Missing parts are the first of the month/year and midnight; an impossible date
   (Feb 30) is null. Which digits are the day and which the month is part of the layout: the learner
   decides it from the column's values (a value over 12 cannot be a month);
2. **zone**: with ``%z`` in the layout and ``zone`` set, the time is converted to that offset (minutes);
3. **round** down (``floor``), up (``ceil``) or to the nearest (``nearest``) ``unit`` (``5min``, ``10min``,
   ``15min``, ``30min``, ``hour``, ``day``, ``week`` (ISO, from Monday), ``month``, ``quarter``, ``year``;
   ``""``: none); ``bound`` ``end`` adds one unit (the end of a bucket: ``09:00-10:00``) and ``last`` one
   unit minus a day (``2019-11-01 to 2019-11-30``);
4. **print** ``field``: ``yyyy yy MM M dd d MMMM MMM EEEE EEE HH H hh h mm ss a Q ww w YYYY u DDD`` (Spark's
   letters; ``Q`` quarter, ``ww``/``w`` ISO week, ``YYYY`` ISO week-year, ``u`` ISO weekday number, ``DDD``
   day of year) with ``case`` (``id``, ``lower``, ``upper``) for names.

The SQL form is built-in functions only, the same text on Spark 3.5 and 4: the fields are read with one
``regexp_replace`` (numbers only) or ``regexp_extract`` per field (names, 12-hour clock, quarters, 2-digit
years) into ``yyyy-M-d H:m:s`` text that ``try_cast(... AS TIMESTAMP_NTZ)`` parses strictly (an impossible date
is null, never an error); rounding is interval arithmetic and ``trunc`` on dates, names come from
``element_at``. No time zone, locale, ANSI mode or parser policy of the session is involved, so the
interpreter and Spark agree on every row.

Example::

    >>> DateTime(0, "%m/%d/%Y", "MMM").eval(("3/17/2022",))
    'Mar'
    >>> DateTime(0, "%Y-%m-%d %H:%M", "mm", "15min").eval(("2019-11-01 10:37",))
    '30'
    >>> [DateTime(0, "%Y-%m-%d", f, "month", bound=b).eval(("2019-11-20",)) for f, b in (("dd", "start"), ("dd", "last"))]
    ['01', '30']
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
import re
from dataclasses import dataclass
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from mmlspark_py.core.spec import SpecError

from ..fields import check_enum, check_int, check_text
from ..sqltext import ident, lit, num
from ..tokens import compiled
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge, OneColumn, null_rate

MONTHS = [calendar.month_name[i] for i in range(1, 13)]
WEEKDAYS = [calendar.day_name[i] for i in range(7)]
CODES = ("Y", "y", "m", "b", "B", "d", "H", "I", "M", "S", "f", "p", "a", "A", "q", "z")
FIELDS = (
    "yyyy",
    "yy",
    "MM",
    "M",
    "dd",
    "d",
    "MMMM",
    "MMM",
    "EEEE",
    "EEE",
    "HH",
    "H",
    "hh",
    "h",
    "mm",
    "ss",
    "a",
    "Q",
    "ww",
    "w",
    "YYYY",
    "u",
    "DDD",
)
UNITS = ("", "5min", "10min", "15min", "30min", "hour", "day", "week", "month", "quarter", "year")
ROUND_MODES = ("floor", "ceil", "nearest")
BOUNDS = ("start", "end", "last")
CASES = ("id", "lower", "upper")
_SECONDS = {"5min": 300, "10min": 600, "15min": 900, "30min": 1800, "hour": 3600, "day": 86400, "week": 604800}
_MONTHS_PER = {"month": 1, "quarter": 3, "year": 12}
_BASE = _dt.datetime(1, 1, 1)  # a Monday: weeks counted from it start on Mondays
_BASE_SQL = "TIMESTAMP_NTZ'0001-01-01 00:00:00'"
_NAMES = {"b": [m[:3].lower() for m in MONTHS], "B": [m.lower() for m in MONTHS]}
_DIGIT_CODES = {
    "Y": "(?!0000)[0-9]{4}",  # years 1..9999: a year 0000 is no match, in Python and Java alike
    "y": "[0-9]{2}",
    "m": "[0-9]{1,2}",
    "d": "[0-9]{1,2}",
    "H": "[0-9]{1,2}",
    "I": "[0-9]{1,2}",
    "M": "[0-9]{2}",
    "S": "[0-9]{2}",
    "f": "[0-9]{1,9}",
    "q": "[1-4]",
}
_ALPHA = {
    "b": "(?i:(" + "|".join(_NAMES["b"]) + "))",
    "B": "(?i:(" + "|".join(_NAMES["B"]) + "))",
    "p": "(?i:([ap])\\.?m\\.?)",
    "a": "(?i:(?:" + "|".join(w[:3] for w in WEEKDAYS) + "))",
    "A": "(?i:(?:" + "|".join(WEEKDAYS) + "))",
    "z": "(Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)",
}
_CAPTURED = set(_DIGIT_CODES) | {"b", "B", "p", "z"}


# ------------------------------------------------------------------------------------------------ layouts
@functools.lru_cache(maxsize=4096)
def elements(layout: str) -> Tuple[Tuple[str, str], ...]:
    """``(("code", "Y"), ("lit", "-"), ...)`` for a layout string; ``SpecError`` for a bad code."""
    out: List[Tuple[str, str]] = []
    i = 0
    while i < len(layout):
        c = layout[i]
        if c == "%":
            if i + 1 >= len(layout):
                raise SpecError(f"DateTime.layout: {layout!r} ends with a lone '%'")
            code = layout[i + 1]
            if code == "%":
                out.append(("lit", "%"))
            elif code in CODES:
                out.append(("code", code))
            else:
                raise SpecError(
                    f"DateTime.layout: unknown code %{code} in {layout!r}; valid: {', '.join('%' + c for c in CODES)}"
                )
            i += 2
        else:
            out.append(("lit", c))
            i += 1
    return tuple(out)


def _escape(c: str) -> str:
    return "\\" + c if not c.isalnum() else c


@functools.lru_cache(maxsize=4096)
def pattern(layout: str) -> Tuple[str, Tuple[str, ...]]:
    """The regex (same text for Python and Java) and the codes of its groups, in order."""
    els = elements(layout)
    parts, groups = [], []
    for idx, (kind, v) in enumerate(els):
        if kind == "lit":
            parts.append(_escape(v))
            continue
        if v in _DIGIT_CODES:
            rx = _DIGIT_CODES[v]
            glued = any(
                0 <= j < len(els) and els[j][0] == "code" and els[j][1] in _DIGIT_CODES for j in (idx - 1, idx + 1)
            )
            if glued and v in "mdHIMS":
                rx = "[0-9]{2}"  # no separator: fixed widths (20210304)
            parts.append(f"({rx})")
        else:
            parts.append(_ALPHA[v])
        if v in _CAPTURED:
            groups.append(v)
    first, last = els[0], els[-1]
    head = (
        "(?<![0-9])"
        if first == ("code", first[1]) and first[1] in _DIGIT_CODES
        else "(?<![A-Za-z])"
        if first[0] == "code"
        else ""
    )
    tail = (
        "(?![0-9])"
        if last[0] == "code" and last[1] in _DIGIT_CODES
        else "(?![A-Za-z])"
        if last[0] == "code" and last[1] not in ("z",)
        else ""
    )
    return head + "".join(parts) + tail, tuple(groups)


def _has(layout: str, codes: str) -> bool:
    return any(k == "code" and v in codes for k, v in elements(layout))


def check_layout(owner: str, layout: object) -> str:
    check_text(owner, "layout", layout, 64, 1)
    assert isinstance(layout, str)
    els = elements(layout)
    codes = [v for k, v in els if k == "code"]
    if not codes:
        raise SpecError(f"{owner}.layout: {layout!r} has no date or time code")
    if len(codes) != len(set(codes)):
        raise SpecError(f"{owner}.layout: a code repeats in {layout!r}")
    if ("I" in codes) != ("p" in codes) or ("H" in codes and "I" in codes):
        raise SpecError(f"{owner}.layout: %I goes with %p (and not with %H) in {layout!r}")
    return layout


# ------------------------------------------------------------------------------------------ Python side
@functools.lru_cache(maxsize=100_000)
def parse(layout: str, s: str) -> Optional[Tuple[_dt.datetime, Optional[int]]]:
    """``(datetime, zone offset in minutes or None)`` where ``s`` first matches ``layout``, or None."""
    rx, groups = pattern(layout)
    m = compiled(rx).search(s)
    if m is None:
        return None
    g = dict(zip(groups, m.groups()))
    year, month, day, hour, minute, second = 1970, 1, 1, 0, 0, 0
    if "Y" in g:
        year = int(g["Y"])
    if "y" in g:
        yy = int(g["y"])
        year = 2000 + yy if yy <= 68 else 1900 + yy
    if "m" in g:
        month = int(g["m"])
    for code in ("b", "B"):
        if code in g:
            month = _NAMES[code].index(g[code].lower()) + 1
    if "q" in g:
        month = 3 * int(g["q"]) - 2
    if "d" in g:
        day = int(g["d"])
    if "H" in g:
        hour = int(g["H"])
    if "I" in g:
        hour = int(g["I"]) % 12 + (12 if g["p"].lower() == "p" else 0) if 1 <= int(g["I"]) <= 12 else 99
    if "M" in g:
        minute = int(g["M"])
    if "S" in g:
        second = int(g["S"])
    extra = 0
    if second == 60:  # Spark's make_timestamp: 60 seconds roll over to the next minute
        second, extra = 0, 1
    try:
        d = _dt.datetime(year, month, day, hour, minute, second) + _dt.timedelta(minutes=extra)
    except (ValueError, OverflowError):
        return None
    return d, (_offset(g["z"]) if "z" in g else None)


def _offset(z: str) -> int:
    if z in ("Z", "UTC", "GMT"):
        return 0
    sign = -1 if z[0] == "-" else 1
    digits = z[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0))


def transform(d: _dt.datetime, unit: str, mode: str, bound: str) -> Optional[_dt.datetime]:
    try:
        if unit in _SECONDS:  # whole seconds from year 1, as the SQL computes them
            u = _SECONDS[unit]
            s = int((d - _BASE).total_seconds())
            r = s % u
            s = s - r if mode == "floor" or (mode == "nearest" and 2 * r < u) or r == 0 else s - r + u
            if bound != "start":
                s += u - (86400 if bound == "last" else 0)
            d = _BASE + _dt.timedelta(seconds=s)
        elif unit in _MONTHS_PER:
            k = _MONTHS_PER[unit]
            m0 = (d.month - 1) // k * k
            d = _dt.datetime(d.year, m0 + 1, 1)
            if bound == "end":
                months = d.year * 12 + m0 + k
                d = _dt.datetime(months // 12, months % 12 + 1, 1)
            elif bound == "last":  # the period's last day, computed without stepping past year 9999
                months = d.year * 12 + m0 + k - 1
                y, m = months // 12, months % 12 + 1
                d = _dt.datetime(y, m, calendar.monthrange(y, m)[1])
    except (ValueError, OverflowError):
        return None
    return d


def render(d: _dt.datetime, field: str, case: str = "id") -> str:
    """Python twin of the SQL of each field."""
    h12 = d.hour % 12 or 12
    iso = d.isocalendar()
    v = {
        "yyyy": f"{d.year:04d}",
        "yy": f"{d.year % 100:02d}",
        "MM": f"{d.month:02d}",
        "M": str(d.month),
        "dd": f"{d.day:02d}",
        "d": str(d.day),
        "MMMM": MONTHS[d.month - 1],
        "MMM": MONTHS[d.month - 1][:3],
        "EEEE": WEEKDAYS[d.weekday()],
        "EEE": WEEKDAYS[d.weekday()][:3],
        "HH": f"{d.hour:02d}",
        "H": str(d.hour),
        "hh": f"{h12:02d}",
        "h": str(h12),
        "mm": f"{d.minute:02d}",
        "ss": f"{d.second:02d}",
        "a": "AM" if d.hour < 12 else "PM",
        "Q": str((d.month - 1) // 3 + 1),
        "ww": f"{iso[1]:02d}",
        "w": str(iso[1]),
        "YYYY": f"{iso[0]:04d}",
        "u": str(iso[2]),
        "DDD": f"{d.timetuple().tm_yday:03d}",
    }[field]
    return v.lower() if case == "lower" else v.upper() if case == "upper" else v


# ---------------------------------------------------------------------------------------------- the atom
@dataclass(frozen=True)
class DateTime(OneColumn, Atom):
    """One field of column ``col`` read as a date/time in ``layout`` (see the module docstring)."""

    kind = "datetime"
    semantic = True
    col: int
    layout: str
    field: str
    unit: str = ""
    mode: str = "floor"
    bound: str = "start"
    zone: Optional[int] = None
    case: str = "id"

    def __post_init__(self) -> None:
        self.check_col()
        check_layout("DateTime", self.layout)
        check_enum("DateTime", "field", self.field, FIELDS)
        check_enum("DateTime", "unit", self.unit, UNITS)
        check_enum("DateTime", "mode", self.mode, ROUND_MODES)
        check_enum("DateTime", "bound", self.bound, BOUNDS)
        if self.unit in _MONTHS_PER and self.mode != "floor":
            raise SpecError(f"DateTime.mode: months, quarters and years round down only, got {self.mode!r}")
        if self.zone is not None:
            check_int("DateTime", "zone", self.zone, -18 * 60, 18 * 60)
        check_enum("DateTime", "case", self.case, CASES)

    def moment(self, s: Optional[str]) -> Optional[_dt.datetime]:
        if s is None:
            return None
        parsed = parse(self.layout, s)
        if parsed is None:
            return None
        d: Optional[_dt.datetime]
        d, off = parsed
        if self.zone is not None and off is not None:
            try:
                d = d + _dt.timedelta(minutes=self.zone - off)
            except OverflowError:
                return None
        if self.unit and d is not None:
            d = transform(d, self.unit, self.mode, self.bound)
        if d is None or not 1 <= d.year <= 9999:
            return None
        return d

    def eval(self, row: Sequence[Optional[str]]) -> Optional[str]:
        d = self.moment(row[self.col])
        return None if d is None else render(d, self.field, self.case)

    def explain_moment(self, cols: Sequence[str]) -> str:
        """The parsed (converted, rounded) moment as ``explain`` shows it, without the field."""
        what = f"datetime({cols[self.col]}, {self.layout!r})"
        if self.zone is not None:
            what = f"to_offset({what}, {self.zone} min)"
        if self.unit:
            what = f"{self.mode}({what}, {self.unit})" + ("" if self.bound == "start" else f".{self.bound}")
        return what

    def explain(self, cols: Sequence[str]) -> str:
        text = f"{self.field}({self.explain_moment(cols)})"
        return text if self.case == "id" else f"{self.case}({text})"

    @property
    def fields(self) -> Tuple[str, ...]:
        """The fields this atom prints (one; ``DateFormat`` prints several)."""
        return (self.field,)

    def moment_sql(self, cols: Sequence[str]) -> str:
        """The SQL of the parsed (converted, rounded) moment, a ``TIMESTAMP_NTZ`` (null where ``moment`` is None)."""
        return _sql_moment(self, ident(cols[self.col]))

    def sql(self, cols: Sequence[str]) -> str:
        return field_sql(self.moment_sql(cols), self.field, self.case)

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.date_part + field_cost(self.field, w) + self.moment_cost(w)

    def moment_cost(self, w: Weights = DEFAULT) -> float:
        """The cost of reading the moment beyond parsing it: rounding, bounds, zone, case."""
        c = 0.0
        if self.unit:
            c += w.date_round + w.date_units.get(self.unit, 0.0) + (w.date_round_mode if self.mode != "floor" else 0.0)
        if self.bound != "start":
            c += w.date_bound
        if self.zone is not None:
            c += w.date_zone
        if self.case != "id":
            c += w.date_case
        return c

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        for moment in field_hits(ctx):
            for i, j, atom in moment.hits:
                yield Edge(i, j, atom, atom.cost(ctx.weights) + moment.penalty)


def mixes_calendars(fields: Iterable[str]) -> bool:
    """ISO week numbers printed with a calendar year: ISO weeks go with the ISO week-year (``YYYY``), calendar
    years with calendar dates (2021-01-01 is in week 53 of 2020)."""
    printed = set(fields)
    return bool(printed & {"ww", "w"}) and bool(printed & {"yyyy", "yy"})


def mixes_roundings(atoms: Iterable[object]) -> bool:
    """Date atoms that round one column in two ways (``floor 15min`` beside ``nearest hour``): the ends of a
    range (``09:30-10:00``) round alike, and one example cannot tell a 30-minute slot from such a mix."""
    seen: Dict[int, Set[Tuple[str, str]]] = {}
    for a in atoms:
        unit = getattr(a, "unit", "")
        if unit and isinstance(a, OneColumn):
            seen.setdefault(a.col, set()).add((unit, getattr(a, "mode", "")))
    return any(len(v) > 1 for v in seen.values())


def lone_unit_end(atoms: Iterable[object]) -> bool:
    """A date atom prints the end of a rounding unit (``floor(..., hour).end``) and none prints that unit's
    start. Such an end equals rounding up (``ceil``) on every row not already on the unit, and that is what
    a lone ``09:37 -> 10:00`` means; with its start it is a range (``09:00-10:00``)."""
    moments = [(getattr(a, "unit", ""), getattr(a, "bound", "start")) for a in atoms]
    starts = {u for u, b in moments if u and b == "start"}
    return any(u and b == "end" and u not in starts for u, b in moments)


def field_cost(field: str, w: Weights = DEFAULT) -> float:
    """What printing ``field`` adds to a date atom's cost (unpadded numbers, short years, names, calendars)."""
    c = 0.0
    if field in ("M", "d", "H", "h"):
        c += w.date_unpadded
    if field == "yy":
        c += w.date_short_year
    if field in ("MMMM", "MMM", "EEEE", "EEE", "a"):
        c += w.date_name
    if field in ("Q", "ww", "w", "YYYY", "u", "DDD"):
        c += w.date_calendar
    return c


# ------------------------------------------------------------------------------------------------ SQL
def _sql_moment(a: DateTime, src: str) -> str:
    """The moment as a ``TIMESTAMP_NTZ``, built from text with ``try_cast`` (Spark's strict, zone-free parser,
    the same on Spark 3.5 and 4 whatever the session's ANSI mode, time zone or parser policy), so that an
    impossible date is null, never an error. Every sub-expression that reads the moment reads it once."""
    rx, groups = pattern(a.layout)
    t = _sql_stamp(rx, groups, src)
    if a.zone is not None and "z" in groups:
        z = f"regexp_extract({src}, {lit(rx)}, {num(groups.index('z') + 1)})"
        digits = f"replace(substring({z}, 2), ':', '')"
        off = (
            f"(CASE WHEN {z} IN ('Z', 'UTC', 'GMT') THEN 0 ELSE (CASE WHEN substring({z}, 1, 1) = '-' "
            f"THEN -1 ELSE 1 END) * (try_cast(substring({digits}, 1, 2) AS INT) * 60 + "
            f"coalesce(try_cast(nullif(substring({digits}, 3, 2), '') AS INT), 0)) END)"
        )
        t = f"timestampadd(MINUTE, {num(a.zone)} - {off}, {t})"
    if a.unit in _SECONDS:
        u = _SECONDS[a.unit]
        s = f"timestampdiff(SECOND, {_BASE_SQL}, {t})"  # a BIGINT; exact as a DOUBLE (under 2^53)
        q = {
            "floor": f"floor({s} / {num(u)})",
            "ceil": f"ceil({s} / {num(u)})",
            "nearest": f"floor(({s} + {num(u // 2)}) / {num(u)})",  # a tie goes up, as 2 * r < u in Python
        }[a.mode]
        extra = 0 if a.bound == "start" else u - (86400 if a.bound == "last" else 0)
        q = f"{q} * {num(u)}" + (f" + {num(extra)}" if extra else "")
        t = f"({_BASE_SQL} + INTERVAL '1' SECOND * ({q}))"  # timestampadd's quantity is an INT on Spark 3.5
    elif a.unit in _MONTHS_PER:
        k = _MONTHS_PER[a.unit]
        d = f"trunc(cast({t} AS DATE), {lit({1: 'MM', 3: 'QUARTER', 12: 'YEAR'}[k])})"  # a DATE: no zone
        if a.bound != "start":
            d = f"add_months({d}, {num(k)})"
        if a.bound == "last":
            d = f"date_sub({d}, 1)"
        t = f"cast({d} AS TIMESTAMP_NTZ)"
    if a.unit or (a.zone is not None and "z" in groups):  # arithmetic may step outside years 1..9999
        return f"({t} + INTERVAL '1' DAY * {_zero_if(f'year({t}) BETWEEN 1 AND 9999')})"
    return t


_PLAIN_CODES = "YmdHM"  # numbers copied into the timestamp text as they are read


def _sql_stamp(rx: str, groups: Tuple[str, ...], src: str) -> str:
    """The parsed moment as a ``TIMESTAMP_NTZ`` (null where ``src`` has no match or the date is impossible)."""

    def group(code: str) -> str:
        return f"regexp_extract({src}, {lit(rx)}, {num(groups.index(code) + 1)})"

    def as_int(code: str) -> str:
        return f"try_cast({group(code)} AS INT)"  # '' (no match) -> NULL

    if all(code in _PLAIN_CODES or code in "Sfz" for code in groups):
        # one regex for the whole text: the first match rewritten to 'yyyy-M-d H:m:00'; no match -> '-- ::00'
        ref = {code: f"${i + 1}" for i, code in enumerate(groups)}
        text = (
            f"{ref.get('Y', '1970')}-{ref.get('m', '1')}-{ref.get('d', '1')} {ref.get('H', '0')}:{ref.get('M', '0')}:00"
        )
        t = f"try_cast(regexp_replace({src}, {lit('(?s)^.*?' + rx + '.*$|^.*$')}, {lit(text)}) AS TIMESTAMP_NTZ)"
    else:
        year, month, day, hour, minute = "1970", "1", "1", "0", "0"
        if "Y" in groups:
            year = as_int("Y")
        if "y" in groups:
            year = f"(CASE WHEN {as_int('y')} <= 68 THEN 2000 ELSE 1900 END + {as_int('y')})"
        if "m" in groups:
            month = as_int("m")
        for code in ("b", "B"):
            if code in groups:
                names = ", ".join(lit(n) for n in _NAMES[code])
                month = f"nullif(array_position(array({names}), lower({group(code)})), 0)"
        if "q" in groups:
            month = f"(3 * {as_int('q')} - 2)"
        if "d" in groups:
            day = as_int("d")
        if "H" in groups:
            hour = as_int("H")
        if "I" in groups:
            i = as_int("I")
            pm = f"(CASE WHEN lower({group('p')}) = 'p' THEN 12 ELSE 0 END)"
            hour = f"(CASE WHEN {i} BETWEEN 1 AND 12 THEN {i} % 12 + {pm} END)"
        if "M" in groups:
            minute = as_int("M")
        text = f"concat(lpad(cast({year} AS STRING), 4, '0'), '-', {month}, '-', {day}, ' ', {hour}, ':', {minute})"
        t = f"try_cast({text} || ':00' AS TIMESTAMP_NTZ)"
    if "S" in groups:  # 60 rolls over to the next minute (a leap second), as in the interpreter; 61+ is null
        sec = as_int("S")
        t = f"({t} + INTERVAL '1' SECOND * ({sec} + {_zero_if(f'{sec} <= 60')}))"
    return t


def _zero_if(cond: str) -> str:
    """SQL: 0 where ``cond`` holds, NULL where it does not or is NULL. Adding it guards a value without a
    ``CASE``: Spark evaluates an expression found in both a ``CASE``'s condition and its branch twice per row,
    and a moment's expression is the costly part of a date program."""
    return f"try_element_at(array(0), cast(NOT ({cond}) AS INT) + 1)"


def _pad(expr: str, width: int) -> str:
    return f"lpad(cast({expr} AS STRING), {num(width)}, '0')"


def field_sql(t: str, field: str, case: str) -> str:
    months = ", ".join(lit(m) for m in MONTHS)
    days = ", ".join(lit(d) for d in WEEKDAYS)
    short_months = ", ".join(lit(m[:3]) for m in MONTHS)
    short_days = ", ".join(lit(d[:3]) for d in WEEKDAYS)
    v = {
        "yyyy": _pad(f"year({t})", 4),
        "yy": _pad(f"pmod(year({t}), 100)", 2),
        "MM": _pad(f"month({t})", 2),
        "M": f"cast(month({t}) AS STRING)",
        "dd": _pad(f"day({t})", 2),
        "d": f"cast(day({t}) AS STRING)",
        "MMMM": f"element_at(array({months}), month({t}))",
        "MMM": f"element_at(array({short_months}), month({t}))",
        "EEEE": f"element_at(array({days}), weekday({t}) + 1)",
        "EEE": f"element_at(array({short_days}), weekday({t}) + 1)",
        "HH": _pad(f"hour({t})", 2),
        "H": f"cast(hour({t}) AS STRING)",
        "hh": _pad(f"pmod(hour({t}) + 11, 12) + 1", 2),
        "h": f"cast(pmod(hour({t}) + 11, 12) + 1 AS STRING)",
        "mm": _pad(f"minute({t})", 2),
        "ss": _pad(f"second({t})", 2),
        "a": f"element_at(array('AM', 'PM'), cast(div(hour({t}), 12) AS INT) + 1)",
        "Q": f"cast(quarter({t}) AS STRING)",
        "ww": _pad(f"weekofyear({t})", 2),
        "w": f"cast(weekofyear({t}) AS STRING)",
        "YYYY": _pad(f"year(date_add(cast({t} AS DATE), 3 - weekday({t})))", 4),
        "u": f"cast(weekday({t}) + 1 AS STRING)",
        "DDD": _pad(f"dayofyear({t})", 3),
    }[field]
    return f"lower({v})" if case == "lower" else f"upper({v})" if case == "upper" else v


# ----------------------------------------------------------------------------------------- proposals
def _date_forms() -> List[Tuple[str, float]]:
    forms: List[Tuple[str, float]] = []
    for s in "-/. ":
        forms.append((f"%Y{s}%m{s}%d", 0.0))
        forms.append((f"%m{s}%d{s}%Y", 0.05 if s == "/" else 0.15))
        forms.append((f"%d{s}%m{s}%Y", 0.15 if s == "/" else 0.05))
    for s in "-/.":
        forms += [(f"%m{s}%d{s}%y", 0.2), (f"%d{s}%m{s}%y", 0.25), (f"%y{s}%m{s}%d", 0.3)]
        forms += [(f"%Y{s}%m", 0.1), (f"%m{s}%Y", 0.15)]
    forms += [("%Y%m%d", 0.1)]
    for m in ("%B", "%b", "%b."):
        forms += [
            (f"{m} %d, %Y", 0.0),
            (f"{m} %d %Y", 0.0),
            (f"%d {m} %Y", 0.0),
            (f"%d-{m}-%Y", 0.0),
            (f"%d-{m}-%y", 0.2),
            (f"{m} %Y", 0.05),
            (f"{m}-%Y", 0.1),
            (f"{m} %d", 0.2),
            (f"%d {m}", 0.2),
            (f"%Y-{m}-%d", 0.1),
            (f"%d{m}%Y", 0.2),
            (f"{m} %d, %Y", 0.0),
        ]
    forms += [
        ("%a, %d %b %Y", 0.0),
        ("%A, %B %d, %Y", 0.0),
        ("%a %b %d %Y", 0.0),
        ("%A, %d %B %Y", 0.0),
        ("%a, %b %d, %Y", 0.0),
        ("Q%q %Y", 0.0),
        ("%Y-Q%q", 0.0),
        ("%YQ%q", 0.0),
        ("Q%q-%Y", 0.0),
    ]
    return forms


_TIME_FORMS = [
    ("%H:%M", 0.0),
    ("%H:%M:%S", 0.0),
    ("%H:%M:%S.%f", 0.0),
    ("%H:%M:%S,%f", 0.0),
    ("%I:%M %p", 0.0),
    ("%I:%M%p", 0.0),
    ("%I:%M:%S %p", 0.0),
    ("%I %p", 0.1),
    ("%I%p", 0.1),
]


@functools.lru_cache(maxsize=1)
def layouts() -> Tuple[Tuple[str, float], ...]:
    """Every layout the learner tries, with a small prior cost (day/month order conventions)."""
    out: Dict[str, float] = {}
    dates = _date_forms()
    for d, c in dates:
        out.setdefault(d, c)
    for t, c in _TIME_FORMS:
        out.setdefault(t, c)
    for d, c in dates:
        if not _has(d, "d") and not d.startswith("Q"):
            continue
        for sep in (" ", "T", ", ", " at "):
            for t, ct in _TIME_FORMS:
                for z in ("", "%z", " %z"):
                    if sep == "T" and not d.startswith("%Y-"):
                        continue
                    out.setdefault(f"{d}{sep}{t}{z}", c + ct)
    out["%Y%m%d%H%M%S"] = 0.1
    return tuple(out.items())


def _required(layout: str) -> frozenset:
    return frozenset(v for k, v in elements(layout) if k == "lit" and not v.isalnum())


@functools.lru_cache(maxsize=1)
def _layouts_by_required() -> Tuple[Tuple[str, float, frozenset, bool, bool], ...]:
    # (layout, prior, required literals, needs letters, needs a time); a zone needs no letters (``+02:00``)
    return tuple((lay, c, _required(lay), _has(lay, "bBaAp"), _has(lay, "HI")) for lay, c in layouts())


def candidate_layouts(texts: List[str], unlabeled: List[str]) -> List[Tuple[str, float]]:
    """Layouts that parse every one of ``texts`` and cover the most of them (ties kept), with their prior
    cost plus the share of ``unlabeled`` values they fail to parse (the column decides day/month order)."""
    first = texts[0]
    chars = set(first)
    letters = any(c.isalpha() for c in first)
    colon = ":" in first
    found = []
    for lay, c, req, alpha, timed in _layouts_by_required():
        if not req <= chars or (alpha and not letters) or (timed and not colon and "%p" not in lay):
            continue
        spans = []
        for t in texts:
            rx, _g = pattern(lay)
            m = compiled(rx).search(t)
            if m is None or parse(lay, t) is None:
                break
            spans.append(m.end() - m.start())
        else:
            found.append((sum(spans), lay, c))
    if not found:
        return []
    best = max(f[0] for f in found)
    keep = [(lay, c) for n, lay, c in found if n == best]
    out = []
    for lay, c in keep:
        fails = sum(parse(lay, u) is None for u in unlabeled) / len(unlabeled) if unlabeled else 0.0
        out.append((lay, c + 3.0 * fails))
    return out


_TRANSFORMS = (
    [("", "floor", "start")]
    + [(u, m, "start") for u in ("5min", "10min", "15min", "30min", "hour", "day") for m in ROUND_MODES]
    + [(u, "floor", b) for u in ("5min", "10min", "15min", "30min", "hour", "day") for b in ("end",)]
    + [(u, "floor", b) for u in ("week", "month", "quarter", "year") for b in BOUNDS]
)
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class MomentHits:
    """The fields of one candidate moment (column, layout, zone, rounding) found in the first example's output:
    ``hits`` are ``(i, j, atom)`` with ``atom`` printing ``out[i:j]``; ``penalty`` is what the layout's prior
    and the moment's null rate on the unlabeled rows add to each atom's cost."""

    hits: Tuple[Tuple[int, int, DateTime], ...]
    penalty: float


def field_hits(ctx: Context) -> List[MomentHits]:
    """Every candidate moment's field hits (computed once per context, shared by the date operators)."""
    key = ("datetime.field_hits",)
    if key not in ctx.memo:
        ctx.memo[key] = list(_field_hits(ctx))
    return ctx.memo[key]


def _field_hits(ctx: Context) -> Iterator[MomentHits]:
    out = ctx.outs[0]
    w = ctx.weights
    for col in range(ctx.arity):
        texts = [v for v in (r[col] for r in ctx.rows) if v is not None]
        if len(texts) < len(ctx.rows):
            continue
        unl = ctx.unlabeled_col(col)
        for lay, prior in candidate_layouts(texts, unl[:40]):
            parsed = parse(lay, texts[0])
            assert parsed is not None
            d0, off = parsed
            has_date = _has(lay, "d") or (_has(lay, "mbBq") and _has(lay, "Yy"))
            has_time = _has(lay, "HI")
            zones: List[Optional[int]] = [None] + (
                [0] + sorted({p[1] for p in (parse(lay, u) for u in unl[:40]) if p and p[1] is not None} - {0})
                if off is not None
                else []
            )
            for zone in zones:
                d1 = d0 if zone is None or off is None else d0 + _dt.timedelta(minutes=zone - off)
                for unit, mode, bound in _TRANSFORMS:
                    if unit and not has_date and unit in ("day", "week", "month", "quarter", "year"):
                        continue
                    if unit and not has_time and unit in _SECONDS and unit not in ("day", "week"):
                        continue
                    d = transform(d1, unit, mode, bound) if unit else d1
                    if d is None:
                        continue
                    hits: List[Tuple[int, int, DateTime]] = []
                    for field in FIELDS:
                        if not _field_ok(field, has_date, has_time, lay):
                            continue
                        for case in (
                            ("id", "lower", "upper") if field in ("MMMM", "MMM", "EEEE", "EEE", "a") else ("id",)
                        ):
                            value = render(d, field, case)
                            if not value:
                                continue
                            spans = list(_occurrences(out, value))
                            if not spans:
                                continue
                            atom = DateTime(col, lay, field, unit, mode, bound, zone, case)
                            hits.extend((i, j, atom) for i, j in spans)
                    if hits:
                        # Every field of one moment is null on the same rows: one null rate for all of them.
                        nulls = null_rate(hits[0][2], ctx.unlabeled)
                        yield MomentHits(tuple(hits), prior + w.null_penalty * nulls)


def _field_ok(field: str, has_date: bool, has_time: bool, layout: str) -> bool:
    if field == "ss":
        return _has(layout, "S")
    if field == "mm":
        return _has(layout, "M")
    if field in ("HH", "H", "hh", "h", "a"):
        return has_time
    if field in ("yyyy", "yy"):
        return _has(layout, "Yy")
    if field in ("MM", "M", "MMMM", "MMM", "Q"):
        return _has(layout, "mbBq") and (_has(layout, "Yy") or not _has(layout, "q"))
    return has_date


def _occurrences(out: str, value: str) -> Iterator[Tuple[int, int]]:
    start = out.find(value)
    while start >= 0:
        end = start + len(value)
        digit = value[0].isdigit()
        left_ok = start == 0 or not (digit and _DIGIT.match(out[start - 1]))
        right_ok = end == len(out) or not (value[-1].isdigit() and _DIGIT.match(out[end]))
        if left_ok and right_ok:
            yield start, end
        start = out.find(value, start + 1)
