"""Positions in a string: where a substring starts or ends (typed nodes, with their SQL form).

``Abs(k)``: offset ``k`` from the start (k >= 0) or from the end (k < 0; -1 is the end).
``Match(token, k, side)``: the start or end of the k-th match of ``token`` (k < 0: counted from the end).
``Until(base, token, side)``: the start (or end) of the first match of ``token`` at or after the
position ``base``, or the end of the string when there is none: "after X, up to the first of these
characters".
``Since(base, token, side)``: the start (or end) of the last match of ``token`` before the position
``base``, or the start of the string when there is none: "the name just before ``(``" (the mirror of
``Until``).
``Offset(base, delta)``: ``delta`` characters after (or before) a token match position: "the first 3
digits", "the last 4 digits" (``base`` is a ``Match``).

``eval(s)`` gives a 0-based offset or ``None`` (undefined); ``sql(src)`` gives a Spark SQL integer
expression that is NULL exactly when ``eval`` is ``None`` (``src`` is the SQL of the string).

Example::

    >>> from mmlspark_py.dataprep.tokens import CharClass, CharSet, Literal
    >>> Match(CharClass("digits"), -1, "start").eval("ab 12 cd 345")
    9
    >>> Until(Match(Literal("://"), 1, "end"), CharSet("/:?#"), "start").eval("http://host.example:8080/x")
    19
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Optional, Tuple

from mmlspark_py.core.spark_compat import SPARK_VERSION
from mmlspark_py.core.spec import Spec, SpecError

from .fields import check_enum, check_int, nested
from .sqltext import lit, num
from .tokens import Literal, Token
from .weights import DEFAULT, Weights

MAX_OFFSET = 100_000
MAX_MATCH = 1000
SIDES = ("start", "end")


@dataclass(frozen=True)
class Position(Spec):
    """A position in a string (family root): ``eval``, ``sql``, ``explain``, ``cost``."""

    def eval(self, s: str) -> Optional[int]:  # pragma: no cover
        raise NotImplementedError

    def sql(self, src: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def explain(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def cost(self, w: Weights = DEFAULT) -> float:  # pragma: no cover
        raise NotImplementedError

    @property
    def forward(self) -> bool:
        return True


@dataclass(frozen=True)
class Abs(Position):
    """Offset ``k`` from the start (k >= 0) or the end (k < 0, -1 = the end)."""

    kind = "abs"
    k: int

    def __post_init__(self) -> None:
        check_int("Abs", "k", self.k, -MAX_OFFSET, MAX_OFFSET)

    def eval(self, s: str) -> Optional[int]:
        p = self.k if self.k >= 0 else len(s) + 1 + self.k
        return p if 0 <= p <= len(s) else None

    def sql(self, src: str) -> str:
        n = f"length({src})"
        if self.k == 0:
            return "0"
        if self.k == -1:
            return n
        if self.k > 0:  # defined when the string is at least k long
            return at_most(num(self.k), src)
        return at_least_zero(f"({n} + {num(1 + self.k)})")  # never past the end

    def explain(self) -> str:
        return "start" if self.k == 0 else "end" if self.k == -1 else f"pos({self.k})"

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.abs_edge if self.k in (0, -1) else w.abs_base + w.abs_per_char * abs(self.k)

    @property
    def forward(self) -> bool:
        return self.k >= 0


@dataclass(frozen=True)
class Match(Position):
    """Start or end (``side``) of the ``k``-th match of ``token`` (k < 0: counted from the end)."""

    kind = "match"
    token: Token
    k: int
    side: str

    def __post_init__(self) -> None:
        nested(self, "token", Token)
        check_int("Match", "k", self.k, -MAX_MATCH, MAX_MATCH)
        if self.k == 0:
            raise SpecError("Match.k: 0 is not a match index (1 is the first, -1 the last)")
        check_enum("Match", "side", self.side, SIDES)

    def eval(self, s: str) -> Optional[int]:
        spans = self.token.spans(s) if self.k > 0 else self.token.rev_spans(s)
        i = abs(self.k) - 1
        if i >= len(spans):
            return None
        return spans[i][0 if self.side == "start" else 1]

    def sql(self, src: str) -> str:
        tok = self.token
        if isinstance(tok, Literal) and not tok.self_overlapping:
            return self._literal_sql(tok.text, src)
        last = tok.last_run if self.k == -1 else None
        if last is not None:
            # The last match of a run class (or of a literal then a run class), by a greedy scan that backtracks
            # from the end (no reversed copy of the text): its end is where the last such match's run ends, its
            # start one lead and one character back from the end of the shortest such match.
            lead, n_lead, unit = last
            if self.side == "end":
                return f"nullif(length(regexp_extract({src}, {lit(f'(?s)^.*{lead}{unit}++')}, 0)), 0)"
            before = lead or f"(?<!{unit})"
            return f"(nullif(length(regexp_extract({src}, {lit(f'(?s)^.*{before}{unit}')}, 0)), 0) - {n_lead + 1})"
        n = f"length({src})"
        rev = self.k < 0
        t = tok.rev_java if rev else tok.java
        s = f"reverse({src})" if rev else src
        k = abs(self.k)
        # One regex scan per position, NULL when the match does not exist (tokens never match empty text):
        # the first match's start by first_start, the k-th match's start as the length of the prefix of
        # k-1 atomic matches, the k-th match's end as the length of the prefix of k atomic matches.
        if (self.side == "start") != rev:
            if k == 1:
                pre = first_start(s, t)
            else:
                pat = f"(?s)^((?>.*?(?:{t})){{{k - 1}}}.*?)(?:{t})"
                pre = f"nullif(length(regexp_extract({s}, {lit(pat)}, 1)), 0)"
        else:
            pre = f"nullif(length(regexp_extract({s}, {lit(f'(?s)^(?>.*?(?:{t})){{{k}}}')}, 0)), 0)"
        return f"({n} - {pre})" if rev else pre

    def _literal_sql(self, text: str, src: str) -> str:
        """A literal's k-th occurrence by ``substring_index`` (one scan, no regex): the prefix before the
        k-th occurrence (k > 0) or the suffix after the k-th from the end (k < 0) is shorter than the
        string exactly when that occurrence exists."""
        n = f"length({src})"
        part = f"nullif(least(length(substring_index({src}, {lit(text)}, {num(self.k)})), {n}), {n})"
        if self.k > 0:
            return part if self.side == "start" else f"({part} + {num(len(text))})"
        return f"({n} - {part})" if self.side == "end" else f"({n} - {part} - {num(len(text))})"

    def explain(self) -> str:
        return f"{self.side}({self.token.explain()}, {self.k})"

    def cost(self, w: Weights = DEFAULT) -> float:
        idx = abs(self.k) - 1
        return self.token.cost(w) + w.match_per_index * idx + (w.match_from_end if self.k < 0 else 0.0)

    @property
    def forward(self) -> bool:
        return self.k > 0


def first_start(src: str, t: str) -> str:
    """SQL: the offset (in characters) where the Java regex ``t`` (which never matches empty text) first
    matches ``src``, NULL when it does not. ``regexp_instr`` where it counts characters (Spark 4); Spark 3.5's
    counts UTF-16 units (one too many for each emoji before the match), so there the prefix before the match
    and the match's first character are cut out in one scan and counted (about 1.5x the time)."""
    if SPARK_VERSION >= (4, 0):
        return f"(nullif(regexp_instr({src}, {lit('(?s)' + t)}), 0) - 1)"
    pat = f"(?s)^(.*?)(?=(?:{t}))(.).*$|^.*$"
    return f"(nullif(length(regexp_replace({src}, {lit(pat)}, '$1$2')), 0) - 1)"


def relative_cost(token: Token, w: Weights = DEFAULT) -> float:
    """Cost of ``Until`` or ``Since`` with ``token``: a delimiter of one character is the plainer reading where a
    longer one fits the examples as well (a JSON value ends at its closing ``"``, not at ``", "``)."""
    extra = w.relative_literal_char * (len(token.text) - 1) if isinstance(token, Literal) else 0.0
    return token.cost(w) + w.until_extra + extra


def at_most(v: str, src: str) -> str:
    """SQL: the offset ``v`` (>= 0) when it is at most the length of the string ``src``, else NULL; ``v`` is
    evaluated once."""
    n = f"length({src})"
    return f"nullif(least({v}, {n} + 1), {n} + 1)"


def at_least_zero(v: str) -> str:
    """SQL: the offset ``v`` (at most the string's length) when it is not negative, else NULL; ``v`` is
    evaluated once."""
    return f"nullif(greatest({v}, -1), -1)"


@dataclass(frozen=True)
class _Relative(Position):
    """A position found from another one (``base``): the first match of ``token`` after it (``Until``) or the last
    before it (``Since``), on the ``side`` of that match. Relative positions do not nest."""

    _base_kinds: ClassVar[Tuple[str, ...]] = ()
    _base_text: ClassVar[str] = ""
    base: Position
    token: Token
    side: str = "start"

    def __post_init__(self) -> None:
        nested(self, "base", Position)
        name = type(self).__name__
        if self.base.kind not in self._base_kinds:
            raise SpecError(f"{name}.base: expected {self._base_text} position, got {self.base.kind!r}")
        nested(self, "token", Token)
        check_enum(name, "side", self.side, SIDES)

    def cost(self, w: Weights = DEFAULT) -> float:
        return relative_cost(self.token, w)

    @property
    def forward(self) -> bool:
        return self.base.forward


@dataclass(frozen=True)
class Until(_Relative):
    """Start (or end) of the first match of ``token`` at or after ``base``; the end of the string when
    ``token`` does not occur there. ``base`` is any position but another relative one (no nesting)."""

    kind = "until"
    _base_kinds = ("abs", "match", "offset")
    _base_text = "an abs, match or offset"

    def eval(self, s: str) -> Optional[int]:
        b = self.base.eval(s)
        if b is None:
            return None
        spans = self.token.spans(s[b:])
        if not spans:
            return len(s)
        return b + spans[0][0 if self.side == "start" else 1]

    def sql(self, src: str) -> str:
        b = self.base.sql(src)
        rest = f"substring({src}, {b} + 1)"
        t = self.token.java
        if self.side == "start":
            hit = first_start(rest, t)
        else:
            hit = f"nullif(length(regexp_extract({rest}, {lit(f'(?s)^.*?(?:{t})')}, 0)), 0)"
        # NULL base -> NULL; no match after it -> the end of the string
        return f"({b} + coalesce({hit}, length({src}) - {b}))"

    def explain(self) -> str:
        return f"first_{self.side}({self.token.explain()}, after {self.base.explain()})"


@dataclass(frozen=True)
class Since(_Relative):
    """Start (or end) of the last match of ``token`` that ends at or before ``base``; the start of the
    string when ``token`` does not occur there. ``base`` is a match or offset position (before an absolute
    position it would be a ``Match`` from the end). The mirror of :class:`Until`: the identifier just before
    ``(`` in ``class Y_z(A, B):`` is ``Since(start of the first '(', ident)``."""

    kind = "since"
    _base_kinds = ("match", "offset")
    _base_text = "a match or offset"

    def eval(self, s: str) -> Optional[int]:
        b = self.base.eval(s)
        if b is None:
            return None
        spans = self.token.rev_spans(s[:b])
        if not spans:
            return 0
        return spans[0][0 if self.side == "start" else 1]

    def sql(self, src: str) -> str:
        b = self.base.sql(src)
        # the text before base, reversed: the last match before base is the first match of the reversed token
        rev = f"reverse(substring({src}, 1, {b}))"
        t = self.token.rev_java
        if self.side == "end":
            back = first_start(rev, t)
        else:
            back = f"nullif(length(regexp_extract({rev}, {lit(f'(?s)^.*?(?:{t})')}, 0)), 0)"
        # NULL base -> NULL; no match before it -> the start of the string
        return f"({b} - coalesce({back}, {b}))"

    def explain(self) -> str:
        return f"last_{self.side}({self.token.explain()}, before {self.base.explain()})"


MAX_DELTA = 32


@dataclass(frozen=True)
class Offset(Position):
    """``delta`` characters from the position ``base`` (a ``Match``); undefined outside the string."""

    kind = "offset"
    base: Position
    delta: int

    def __post_init__(self) -> None:
        nested(self, "base", Position)
        if not isinstance(self.base, Match):
            raise SpecError(f"Offset.base: expected a match position, got {self.base.kind!r}")
        check_int("Offset", "delta", self.delta, -MAX_DELTA, MAX_DELTA)
        if self.delta == 0:
            raise SpecError("Offset.delta: 0 is the base position itself")

    def eval(self, s: str) -> Optional[int]:
        b = self.base.eval(s)
        if b is None:
            return None
        p = b + self.delta
        return p if 0 <= p <= len(s) else None

    def sql(self, src: str) -> str:
        v = f"({self.base.sql(src)} + {num(self.delta)})"  # the base is an offset of the string
        return at_most(v, src) if self.delta > 0 else at_least_zero(v)

    def explain(self) -> str:
        return f"{self.base.explain()}{self.delta:+d}"

    def cost(self, w: Weights = DEFAULT) -> float:
        return self.base.cost(w) + w.offset_base + w.offset_per_char * abs(self.delta)

    @property
    def forward(self) -> bool:
        return self.base.forward
