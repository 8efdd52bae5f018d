"""``SubStr(col, start, end, case, view)``: a substring of an input column, with a case change.

``case(view(row[col])[start:end])``: null when the column is null, a position is undefined or the end is
before the start. ``case`` is ``id``, ``lower``, ``upper`` or ``title`` (Spark's ``initcap``); ``view``
(optional) rewrites the column first (``views``).

Proposal (FlashFill's version space, BlinkFill's ranking): every stretch of an input column (in any case)
that equals a segment of the first example's output is a candidate; its start and end can be any
position (``positions``) that evaluates to the stretch's ends in the first example. Positions are grouped
by their values on the other examples ("signatures"): one group pair is one candidate behaviour on the
examples, and its cheapest pair of positions represents it. The unlabeled inputs refine the choice:
positions undefined on them, substrings that come out null, swallow a delimiter that bounds them, or
bring in letters or digits that the example's substring leaves out cost more.

Example::

    >>> from mmlspark_py.dataprep.positions import Abs, Match
    >>> from mmlspark_py.dataprep.tokens import CharClass
    >>> SubStr(0, Match(CharClass("alpha"), -1, "start"), Abs(-1), "upper").eval(("Ada Lovelace",))
    'LOVELACE'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Type, cast

from mmlspark_py.core.spark_compat import SPARK_VERSION

from .. import views as views_mod
from ..fields import check_enum, nested
from ..positions import SIDES, Abs, Match, Offset, Position, Since, Until, relative_cost
from ..sqltext import ident, lit, num
from ..tokens import DELIMITER_SETS, CharClass, CharSet, Literal, Then, Token, column_tokens
from ..views import View
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge, OneColumn
from .classes import char_classes, class_penalty
from .number import MINUS_SIGN

CASES = ("id", "lower", "upper", "title")
_MAX_ABS = 40  # absolute offsets further than this from either end are not used
_KEEP = 6  # cheapest positions kept per signature group
_MAX_K = 20  # token matches further than this from either end are not used as positions
_MAX_OCCURRENCES = 8  # input occurrences per output segment (periodic inputs would give quadratically many)
_ALTERNATIVES = 5  # position pairs kept per segment: the cheapest of each behaviour on the unlabeled rows
_OFFSET_CLASSES = ("digits", "alpha", "alnum", "word", "upper", "lower")
_MAX_OFFSET = 6
# A joined word: letter/digit runs tied by a hyphen, underscore, plus or apostrophe (qa-lead, Y_z, c_d+1, D'Arcy).
_JOINTS = "-_+'"
_JOINED_WORD = re.compile(r"[^\W_]+(?:[" + re.escape(_JOINTS) + r"][^\W_]+)*")

Sig = Tuple[Optional[int], ...]  # a position's values on the other examples (None: no such position)
Cands = List[Tuple[float, Any]]  # (cost, position) or, for relative positions, (cost, (token, side))
Pair = Tuple[float, Position, Position]


def _title_char(c: str) -> str:
    """Spark's title case of one character: the full mapping on Spark 4 (ICU case mappings, the default:
    ``ß`` -> ``Ss``, ``ﬁ`` -> ``Fi``), Java's one-character mapping on 3.5 (``ß`` stays); ``ǆ`` -> ``ǅ`` on both,
    where upper case would give ``Ǆ``. A Spark 4 session with ``spark.sql.icu.caseMappings.enabled=false``
    maps as 3.5 does; the interpreter follows the default."""
    t = c.title()
    return t if len(t) == 1 or SPARK_VERSION >= (4, 0) else c


def initcap(s: str) -> str:
    """Spark's ``initcap``: lower-case, then title-case the first character of each space-separated word."""
    low = s.lower()
    return "".join(_title_char(c) if i == 0 or low[i - 1] == " " else c for i, c in enumerate(low))


def apply_case(case: str, s: str) -> str:
    if case == "id":
        return s
    if case == "lower":
        return s.lower()
    if case == "upper":
        return s.upper()
    return initcap(s)


_CASE_SQL = {"lower": "lower", "upper": "upper", "title": "initcap"}


def case_sql(case: str, expr: str) -> str:
    """SQL of ``apply_case(case, ·)`` on the string expression ``expr``."""
    return expr if case == "id" else f"{_CASE_SQL[case]}({expr})"


@dataclass(frozen=True)
class SubStr(OneColumn, Atom):
    """``case(view(row[col])[start:end])``; see the module docstring."""

    kind = "substr"
    col: int
    start: Position
    end: Position
    case: str = "id"
    view: Optional[View] = None

    def __post_init__(self) -> None:
        self.check_col()
        nested(self, "start", Position)
        nested(self, "end", Position)
        check_enum("SubStr", "case", self.case, CASES)
        nested(self, "view", View, optional=True)

    def span(self, row: Sequence[Optional[str]]) -> Optional[Tuple[str, int, int]]:
        """``(viewed text, start, end)`` of this row's substring; ``None`` where it is undefined."""
        s = row[self.col]
        if s is None:
            return None
        if self.view is not None:
            s = self.view.apply(s)
        a, b = self.start.eval(s), self.end.eval(s)
        if a is None or b is None or b < a:
            return None
        return s, a, b

    def eval(self, row: Sequence[Optional[str]]) -> Optional[str]:
        span = self.span(row)
        return None if span is None else apply_case(self.case, span[0][span[1] : span[2]])

    def cuts_decimal(self, row: Sequence[Optional[str]]) -> bool:
        """True when this row's substring starts or ends inside a decimal number (``7.5`` in ``W7.5 H210``
        cut to ``7``): one point between digits, so dotted dates and addresses (``2019.11.05``) are not
        numbers here."""
        span = self.span(row) if "." in (row[self.col] or "") else None
        if span is None:
            return False
        s, a, b = span
        return any(m.start() < p < m.end() for m in _DECIMAL.finditer(s) for p in (a, b))

    def reads_rewrite(self, row: Sequence[Optional[str]]) -> bool:
        """True when this row's substring, read through the view, is not a piece of the column as it is: the
        view's rewrite shows in the output (``replace('/', '', url)`` glues ``api.test.io`` to ``v2users``)."""
        span = self.span(row) if self.view is not None else None
        if span is None:
            return False
        s, a, b = span
        return s[a:b] not in cast(str, row[self.col])

    def after_minus(self, row: Sequence[Optional[str]]) -> Optional[bool]:
        """Whether this row's substring is a number right after a minus sign, as number readings take one
        (``MINUS_SIGN``: ``-3.5`` in ``Temp: -3.5C``; not the separator of ``912-45-6789``). ``None``: undefined
        or empty."""
        span = self.span(row)
        if span is None or span[1] == span[2]:
            return None
        s, a, _b = span
        return a > 0 and MINUS_SIGN.match(s, a - 1) is not None

    def sql(self, cols: Sequence[str]) -> str:
        src = ident(cols[self.col])
        if self.view is not None:
            src = self.view.sql(src)
        core = self._core_sql(src)
        return case_sql(self.case, core)

    def _core_sql(self, src: str) -> str:
        p1, p2 = self.start, self.end
        if (
            isinstance(p1, Match)
            and isinstance(p2, Match)
            and (p1.token, p1.k) == (p2.token, p2.k)
            and (p1.side, p2.side) == ("start", "end")
        ):
            return _whole_match_sql(p1.token, p1.k, src)  # one regex, no positions
        if p1 == Abs(0):
            if p2 == Abs(-1):
                return src  # the whole (viewed) column
            return f"substring({src}, 1, {p2.sql(src)})"  # NULL length -> NULL
        if p2 == Abs(-1):
            return f"substring({src}, {p1.sql(src)} + 1)"
        a, b = p1.sql(src), p2.sql(src)
        # NULL when b < a. Not a CASE WHEN: Spark evaluates a condition's subexpressions again in its branch
        # (no common-subexpression elimination into a conditional branch), doubling every regex in a and b.
        return f"substring({src}, {a} + 1, nullif(greatest({b} - {a}, -1), -1))"

    def explain(self, cols: Sequence[str]) -> str:
        col = cols[self.col] if self.view is None else self.view.explain(cols[self.col])
        p1, p2 = self.start, self.end
        if (
            isinstance(p1, Match)
            and isinstance(p2, Match)
            and (p1.token, p1.k) == (p2.token, p2.k)
            and (p1.side, p2.side) == ("start", "end")
        ):
            core = f"match({col}, {p1.token.explain()}, {p1.k})"
        elif p1 == Abs(0) and p2 == Abs(-1):
            core = col
        else:
            core = f"substr({col}, {p1.explain()}, {p2.explain()})"
        return core if self.case == "id" else f"{self.case}({core})"

    def cost(self, w: Weights = DEFAULT) -> float:
        return (
            w.atom
            + w.case_cost(self.case)
            + (self.view.cost(w) if self.view is not None else 0.0)
            + self.start.cost(w)
            + self.end.cost(w)
        )

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        out1 = ctx.outs[0]
        rows = ctx.rows
        for c in range(ctx.arity):
            s0 = rows[0][c]
            if s0 is None or any(r[c] is None for r in rows):
                continue
            views: List[Optional[View]] = [None, *views_mod.propose(s0, out1)]
            for view in views:
                ctx.check()
                col = _Column(ctx, c, view)
                yield from col.edges(cls)


_DECIMAL = re.compile(r"(?<![0-9.])[0-9]+\.[0-9]+(?![.0-9])")


def _whole_match_sql(tok: Token, k: int, src: str) -> str:
    """The k-th match of ``tok`` (k < 0: from the end, on the reversed text), NULL when there is none."""
    last = tok.last_run if k == -1 else None
    if last is not None:  # the last match: greedy from the end, no reversed copies (see Match.sql)
        lead, _n, unit = last
        before = "" if lead else f"(?<!{unit})"
        return f"nullif(regexp_extract({src}, {lit(f'(?s)^.*{before}({lead}{unit}++)')}, 1), '')"
    rev = k < 0
    t = tok.rev_java if rev else tok.java
    s = f"reverse({src})" if rev else src
    skip = abs(k) - 1
    pat = f"(?s)({t})" if not skip else f"(?s)^(?>.*?(?:{t})){{{num(skip)}}}.*?({t})"
    m = f"regexp_extract({s}, {lit(pat)}, 1)"
    return f"nullif({'reverse(' + m + ')' if rev else m}, '')"


def _whole_match(p1: Position, p2: Position) -> bool:
    """The k-th match of one token (start to end), or the class run after the k-th occurrence of a
    literal (``key=`` then digits: end of the literal to end of 'literal then class')."""
    if not (isinstance(p1, Match) and isinstance(p2, Match) and p2.side == "end" and p1.k == p2.k):
        return False
    if p1.side == "start":
        return p1.token == p2.token
    return isinstance(p1.token, Literal) and isinstance(p2.token, Then) and p2.token.text == p1.token.text


def _relative_offset(tok: Token, t: str, v: int, side: str, back: bool) -> Tuple[int, bool]:
    """``Until`` (``Since``: ``back``) of ``tok`` from offset ``v`` of ``t``, and whether ``tok`` matched there;
    without a match it is the end of ``t`` (the start, for ``Since``)."""
    if back:
        sp = tok.rev_spans(t[:v])
        return (sp[0][0 if side == "start" else 1], True) if sp else (0, False)
    sp = tok.spans(t[v:])
    return (v + sp[0][0 if side == "start" else 1], True) if sp else (len(t), False)


def _inner_offsets(s: str) -> frozenset[int]:
    """Offsets strictly inside a joined word of ``s`` that separate two of its characters at a joint or
    between a letter/digit run and a joint (``qa|-lead``, ``qa-|lead``; not ``q|a``: cutting a plain run is
    priced elsewhere, and the examples show it when they cut one)."""
    out = set()
    for m in _JOINED_WORD.finditer(s):
        for k in range(m.start() + 1, m.end()):
            if s[k] in _JOINTS or s[k - 1] in _JOINTS:
                out.add(k)
    return frozenset(out)


def _bounding_literals(p1: Position, p2: Position, piece: str) -> List[str]:
    lits = {p.token.text for p in (p1, p2) if isinstance(p, Match) and isinstance(p.token, Literal)}
    return [t for t in lits if t not in piece]


class _Column:
    """Position candidates of one input column (through a view), grouped by their values on the other
    examples."""

    def __init__(self, ctx: Context, col: int, view: Optional[View]) -> None:
        self.ctx, self.col, self.view = ctx, col, view
        w = ctx.weights
        see: Callable[[str], str] = (lambda s: s) if view is None else view.apply
        self.texts = [see(v) for v in (r[col] for r in ctx.rows) if v is not None]  # no nulls: see propose
        self.utexts = [see(u) for u in ctx.unlabeled_col(col)]
        self.utexts_joined = "".join(self.utexts + self.texts)
        self.toks = column_tokens(self.texts)
        s = self.texts[0]
        self.w = w
        self.inner_memo: Dict[int, frozenset[int]] = {}
        self.case_memo: Dict[str, bool] = {}
        self.example_inner = _inner_offsets(s)  # the first example's offsets inside a joined word
        self.groups: List[Dict[Sig, Cands]] = [dict() for _ in range(len(s) + 1)]
        self.uvals: Dict[Position, List[Optional[int]]] = {}
        for a in range(len(s) + 1):
            if a <= _MAX_ABS:
                self._add(Abs(a), a)
            if len(s) - a <= _MAX_ABS:
                self._add(Abs(a - len(s) - 1), a)
        for tok in self.toks:
            offsets = isinstance(tok, CharClass) and tok.name in _OFFSET_CLASSES
            for idx, (b, e) in enumerate(tok.spans(s)[:_MAX_K]):
                self._add(Match(tok, idx + 1, "start"), b)
                self._add(Match(tok, idx + 1, "end"), e)
                if offsets and idx < 2:
                    self._add_offsets(tok, idx + 1, b, e)
            for idx, (b, e) in enumerate(tok.rev_spans(s)[:_MAX_K]):
                self._add(Match(tok, -idx - 1, "start"), b)
                self._add(Match(tok, -idx - 1, "end"), e)
                if offsets and idx < 2:
                    self._add_offsets(tok, -idx - 1, b, e)
        for g in self.groups:
            for lst in g.values():
                lst.sort(key=lambda t: t[0])
                del lst[_KEEP:]
        self._until_toks: Optional[List[Token]] = None
        self.pair_memo: Dict[Tuple[int, Sig, int, Sig, str], List[Pair]] = {}

    def _case_shows(self, case: str, a: int, b: int) -> bool:
        """Upper or lower case that changes no example's piece is still a reading when the piece is letters in
        that case already and the unlabeled inputs have letters in the other (``Male -> M`` beside ``male``;
        ``tidewater.example`` beside ``Helixbio.Example``). Title case is not. The ranker keeps a lower-case
        copy below the plain one unless the program lower-cases another piece (``new_case``): lower-case
        examples beside ``loadConfig`` or ``FINAL`` are copies, not case changes."""
        piece = self.texts[0][a:b]
        if case == "upper":
            if piece.upper() != piece or not any(c.isupper() for c in piece):
                return False
        elif case != "lower" or piece.lower() != piece or not any(c.islower() for c in piece):
            return False
        if case not in self.case_memo:
            self.case_memo[case] = any(apply_case(case, u) != u for u in self.utexts)
        return self.case_memo[case]

    def _add_offsets(self, tok: Token, k: int, b: int, e: int) -> None:
        """Positions a few characters into the k-th match (from its start or back from its end)."""
        for d in range(1, min(_MAX_OFFSET, e - b - 1) + 1):
            self._add(Offset(Match(tok, k, "start"), d), b + d)
            self._add(Offset(Match(tok, k, "end"), -d), e - d)

    def _add(self, pos: Position, a: int) -> None:
        sig = tuple(pos.eval(t) for t in self.texts[1:])
        uv = [pos.eval(t) for t in self.utexts]
        cost = pos.cost(self.ctx.weights)
        if uv:
            cost += self.ctx.weights.null_penalty * sum(v is None for v in uv) / len(uv)
            if isinstance(pos, Match) and isinstance(pos.token, Literal):
                cost += self._glued_key_penalty(pos)
        self.uvals[pos] = uv
        self.groups[a].setdefault(sig, []).append((cost, pos))

    # ---- "up to the first of these characters": end positions relative to a start group
    def until_tokens(self) -> List[Token]:
        if self._until_toks is None:
            s = self.texts[0]
            sets = [CharSet(cs) for cs in DELIMITER_SETS if any(ch in s for ch in cs)]
            self._until_toks = [*(t for t in self.toks if not isinstance(t, Then)), *sets]
        return self._until_toks

    def relative_groups(self, a: int, b: int, sig1: Sig) -> Dict[Sig, Cands]:
        """End groups ``Until(start, token)`` for starts of group ``sig1`` at ``a`` that end at ``b``."""
        if b <= a and b != len(self.texts[0]):
            return {}
        return self._relative(a, b, sig1, back=False)

    # ---- "the last of these before the end": start positions relative to an end group
    def since_groups(self, a: int, b: int, sig2: Sig) -> Dict[Sig, Cands]:
        """Start groups ``Since(end, token)`` for ends of group ``sig2`` at ``b`` that start at ``a`` (the
        mirror of :meth:`relative_groups`: the name just before ``(``)."""
        if a >= b and a != 0:
            return {}
        return self._relative(b, a, sig2, back=True)

    def _relative(self, base: int, target: int, sig: Sig, back: bool) -> Dict[Sig, Cands]:
        """Groups of ``(token, side)`` whose ``Until`` (or ``Since``: ``back``) from offset ``base`` of the first
        example is ``target``, keyed by their values from the base group ``sig`` on the other examples."""
        s = self.texts[0]
        out: Dict[Sig, Cands] = {}
        for tok in self.until_tokens():
            for side in SIDES:
                at, found = _relative_offset(tok, s, base, side, back)
                if at != target or (not found and side == "end"):
                    continue  # without a match both sides give the string's end (or start): the start side says it
                values = tuple(
                    None if v is None else _relative_offset(tok, t, v, side, back)[0]
                    for t, v in zip(self.texts[1:], sig)
                )
                out.setdefault(values, []).append((relative_cost(tok, self.w), (tok, side)))
        for lst in out.values():
            lst.sort(key=lambda t: t[0])
            del lst[_KEEP:]
        return out

    def _relative_uvals(self, p: Position) -> List[Optional[int]]:
        uv = self.uvals.get(p)
        if uv is None:
            uv = self.uvals[p] = [p.eval(t) for t in self.utexts]
        return uv

    # ---- penalties from the unlabeled inputs
    def _swallow_penalty(
        self, p1: Position, p2: Position, u1: List[Optional[int]], u2: List[Optional[int]], piece: str
    ) -> float:
        lits = _bounding_literals(p1, p2, piece)
        if not lits or not u1:
            return 0.0
        hits = sum(
            1
            for t, x, y in zip(self.utexts, u1, u2)
            if x is not None and y is not None and any(lt in t[x:y] for lt in lits)
        )
        return self.w.swallow_penalty * hits / len(u1)

    def _class_penalty(self, u1: List[Optional[int]], u2: List[Optional[int]], allowed: frozenset[str]) -> float:
        """Share of unlabeled inputs where the substring has letters, digits or other characters that the
        example's substring has none of (a field cut at the wrong delimiter)."""
        if not u1:
            return 0.0
        w = self.w
        total = sum(
            class_penalty(t[x:y], allowed, w.class_penalty, w.rerank_punct)
            for t, x, y in zip(self.utexts, u1, u2)
            if x is not None and y is not None and y >= x
        )
        return total / len(u1)

    def _inner(self, i: int, p: Optional[int]) -> bool:
        """True when offset ``p`` lies inside a joined word of unlabeled input ``i`` (not at its edge)."""
        if p is None:
            return False
        inner = self.inner_memo.get(i)
        if inner is None:
            inner = self.inner_memo[i] = _inner_offsets(self.utexts[i])
        return p in inner

    def _glued_key_penalty(self, pos: Match) -> float:
        """Penalty for a literal whose k-th match, on unlabeled inputs, begins or ends inside a joined word
        while on the first example it does not: ``duration_ms=`` found in ``db_duration_ms=`` is another key.
        Only the side of the match away from the position counts; the piece's own boundary is priced by
        ``_cut_penalty``. Weighted as that one."""
        far = "end" if pos.side == "start" else "start"
        probe = Match(pos.token, pos.k, far)
        at = probe.eval(self.texts[0])
        if at is None or at in self.example_inner:
            return 0.0
        hits = sum(1 for i, t in enumerate(self.utexts) if self._inner(i, probe.eval(t)))
        return self.w.input_cut_penalty * (0.5 + 0.5 * hits / len(self.utexts)) if hits else 0.0

    def _cut_penalty(self, a: int, b: int, u1: List[Optional[int]], u2: List[Optional[int]]) -> float:
        """Penalty for unlabeled inputs where a boundary of the piece falls inside a joined word (``qa|-lead``,
        ``Y|_z``, ``c_d+|1``) while the example's boundary on that side does not: the examples show the
        field as whole words, so cutting one apart is the wrong delimiter. Half the weight as soon as one row
        shows it (one hyphenated value among many is as telling as many), the other half by share."""
        if not u1:
            return 0.0
        check1, check2 = a not in self.example_inner, b not in self.example_inner
        if not (check1 or check2):
            return 0.0
        hits = sum(
            1
            for i, (x, y) in enumerate(zip(u1, u2))
            if (check1 and self._inner(i, x)) or (check2 and self._inner(i, y))
        )
        return self.w.input_cut_penalty * (0.5 + 0.5 * hits / len(u1)) if hits else 0.0

    def pair(self, c1: Cands, c2: Cands, a: int, b: int, relative: str) -> List[Pair]:
        """The cheapest ``(cost, p1, p2)`` of each behaviour on the unlabeled rows (at most
        ``_ALTERNATIVES``, cheapest first) among the kept candidates of two groups, with the penalties from
        the unlabeled inputs: null rate, swallowed bounding delimiter, new character classes, a joined word
        cut apart."""
        best: Dict[Tuple[Tuple[Optional[int], Optional[int]], ...], Pair] = {}
        w = self.w
        piece = self.texts[0][a:b]
        # Only letters or digits that the example's input has outside the piece: the example then shows
        # them left out. Separators inside a field vary legitimately (a space in a city, a hyphen in a
        # surname); a whole-column copy is never a wrong cut.
        left_out = char_classes(self.texts[0][:a] + self.texts[0][b:]) & {"L", "D"}
        allowed = char_classes(piece) | (char_classes(self.utexts_joined) - left_out)
        for k1, q1 in c1:
            for k2, q2 in c2:
                # relative: "until" (c2 holds (token, side) after each start), "since" (c1 holds them before
                # each end) or "" (two independent positions)
                p1 = Since(q2, q1[0], q1[1]) if relative == "since" else q1
                p2 = Until(q1, q2[0], q2[1]) if relative == "until" else q2
                u1 = self._relative_uvals(p1) if relative == "since" else self.uvals[p1]
                u2 = self._relative_uvals(p2) if relative == "until" else self.uvals[p2]
                bad = sum(x is None or y is None or y < x for x, y in zip(u1, u2))
                empty = sum(x is not None and x == y for x, y in zip(u1, u2))
                cost = k1 + k2 + ((w.null_penalty * bad + w.empty_penalty * empty) / len(u1) if u1 else 0.0)
                cost += self._swallow_penalty(p1, p2, u1, u2, piece)
                if (p1, p2) != (Abs(0), Abs(-1)):
                    cost += self._class_penalty(u1, u2, allowed)
                    cost += self._cut_penalty(a, b, u1, u2)
                if _whole_match(p1, p2):
                    cost -= w.whole_match_bonus * k1 + k2 - max(0.0, k2 - k1)
                elif p1.forward == p2.forward:
                    cost -= w.same_direction_bonus
                key = tuple(zip(u1, u2))
                if key not in best or cost < best[key][0]:
                    best[key] = (cost, p1, p2)
        return sorted(best.values(), key=lambda t: t[0])[:_ALTERNATIVES]

    # ---- the candidates
    def segments(self, out: str) -> Iterator[Tuple[int, int, str, int, int]]:
        """``(i, j, case, a, b)`` with ``case(s[a:b]) == out[i:j]`` on the first example."""
        s = self.texts[0]
        for case in CASES:
            self.ctx.check()
            if case == "title" and len(s) > 400:
                continue
            full = apply_case(case, s)
            if case != "title" and len(full) != len(s):
                continue
            where: Dict[str, List[int]] = {}
            for a, c in enumerate(full if case != "title" else s.upper()):
                where.setdefault(c, []).append(a)
            for i in range(len(out)):
                seen: Dict[int, int] = {}
                for a in where.get(out[i], ()):
                    fa = full[a:] if case != "title" else initcap(s[a : a + len(out) - i])
                    m = 0
                    while m < len(fa) and i + m < len(out) and fa[m] == out[i + m]:
                        m += 1
                    for ln in range(1, m + 1):
                        if seen.get(ln, 0) < _MAX_OCCURRENCES:
                            seen[ln] = seen.get(ln, 0) + 1
                            yield i, i + ln, case, a, a + ln

    def edges(self, cls: Type[SubStr]) -> Iterable[Edge]:
        ctx = self.ctx
        outs = ctx.outs
        w = self.w
        base_cost = w.atom + (self.view.cost(w) if self.view is not None else 0.0)
        for i, j, case, a, b in self.segments(outs[0]):
            combos: List[Tuple[Sig, Cands, Sig, Cands, str]] = []
            for sig1, c1 in self.groups[a].items():
                combos += [(sig1, c1, sig2, c2, "") for sig2, c2 in self.groups[b].items()]
                combos += [(sig1, c1, sig2, c2, "until") for sig2, c2 in self.relative_groups(a, b, sig1).items()]
            for sig2, c2 in self.groups[b].items():
                # only before a delimiter: "the name before '('" (before a class run or an offset it is contrived)
                lits = [(k, p) for k, p in c2 if isinstance(p, Match) and isinstance(p.token, Literal)]
                if lits:
                    combos += [(sig1, c1, sig2, lits, "since") for sig1, c1 in self.since_groups(a, b, sig2).items()]
            for sig1, c1, sig2, c2, relative in combos:
                values = [outs[0][i:j]]
                # a case change that changes no example's piece is not shown by the examples (digits,
                # punctuation, already-lower text): only the identity is proposed for it
                changed = case != "id" and values[0] != self.texts[0][a:b]
                for t, o, v1, v2 in zip(self.texts[1:], outs[1:], sig1, sig2):
                    if v1 is None or v2 is None or v2 < v1:
                        break
                    raw = t[v1:v2]
                    piece = apply_case(case, raw)
                    if piece not in o:
                        break
                    changed = changed or piece != raw
                    values.append(piece)
                else:
                    if case != "id" and not changed and not self._case_shows(case, a, b):
                        continue
                    key = (a, sig1, b, sig2, relative)
                    prs = self.pair_memo.get(key)
                    if prs is None:
                        prs = self.pair_memo[key] = self.pair(c1, c2, a, b, relative)
                    for cost, p1, p2 in prs:
                        yield Edge(
                            i,
                            j,
                            cls(self.col, p1, p2, case, self.view),
                            base_cost + w.case_cost(case) + cost,
                            tuple(values),
                        )
