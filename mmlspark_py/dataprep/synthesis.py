"""Synthesis of one concatenation program from examples (FlashFill's DAG, BlinkFill's ranking).

The first example's output is cut into segments; each segment is explained by a constant, a
substring of an input column (with a case change) or a semantic atom. Positions of a substring
are all token boundaries and absolute offsets that evaluate to the segment's ends in the first
example's input; they are grouped by their values on the other examples ("signatures"), which
represents the version space of FlashFill compactly. A dynamic program over states
``(offset in output 1, offset in output 2, ...)`` finds the cheapest concatenations that produce
every example's output, keeping the k best.

Ranking (lower cost is better): fewer atoms; substrings over constants for letters and digits,
constants for punctuation; token positions over absolute ones; small match indices; whole token
matches (a token's match, or the class run after a literal key). Input-driven ranking: the
unlabeled inputs penalise positions that are undefined on them, substrings that come out null on
them, and substrings that bring in letters or digits the example's input has but its substring
leaves out (BlinkFill). Each input column is also read through column views (``views``: separators
replaced, camelCase split) so a repeated pattern is one atom.

Example::

    >>> progs = learn_concats([(("Marta Quillfeather",), "Quillfeather, Marta")],
    ...                       [("Jonah P. Wexley",)], k=1)
    >>> progs[0][1].eval(("Bo Ng",))
    'Ng, Bo'
"""
from __future__ import annotations

import heapq
import time

from . import semantic, tokens
from .dsl import CASES, AbsPos, Concat, Const, SubStr, TokPos, apply_case, initcap
from .errors import SynthesisTimeout
from .ranking import char_classes, class_penalty
from .views import apply_view, candidate_views

_ATOM = 1.0
_WORD_CUT = 2.0
_NULL_PENALTY = 6.0
_CLASS_PENALTY = 2.5  # substring with letters/digits where the example's has none: below an atom's cost
_MAX_ABS = 40  # absolute offsets further than this from either end are not used
_KEEP = 4  # cheapest positions kept per signature group
_MAX_K = 20  # token matches counted further than this from either end are not used as positions
_CASE_COST = {"id": 0.0, "lower": 0.3, "upper": 0.3, "title": 0.5}
_VIEW_COST = 1.0


def const_cost(text: str) -> float:
    return _ATOM + sum(4.0 if c.isalnum() else 0.12 for c in text)


def _abs_cost(k: int) -> float:
    return 0.1 if k in (0, -1) else 1.2 + 0.3 * abs(k)


def _bounding_literals(p1, p2, piece):
    lits = {p.token[4:] for p in (p1, p2) if isinstance(p, TokPos) and p.token.startswith("lit:")}
    return [t for t in lits if t not in piece]


def _whole_match(p1, p2) -> bool:
    """The k-th match of one token (start to end), or the class run after the k-th occurrence of
    a literal (``key=`` then digits: end of the literal to end of 'literal then class')."""
    if not (isinstance(p1, TokPos) and isinstance(p2, TokPos) and p2.side == "end" and p1.k == p2.k):
        return False
    if p1.side == "start":
        return p1.token == p2.token
    return p1.token.startswith("lit:") and p2.token.startswith("seq:") \
        and p2.token.split(":", 2)[2] == p1.token[4:]


def _forward(p) -> bool:
    return p.k >= 0 if isinstance(p, AbsPos) else p.k > 0


class _Column:
    """Position candidates of one input column, grouped by their values on the other examples."""

    def __init__(self, col, examples, unlabeled, view=""):
        self.col, self.view = col, view
        texts = [apply_view(view, r[col]) for r, _ in examples]
        self.texts = texts
        self.utexts = [apply_view(view, u[col]) for u in unlabeled if u[col] is not None]
        self.utexts_joined = "".join(self.utexts + texts)
        toks = tokens.column_tokens(texts)
        self.groups = [dict() for _ in range(len(texts[0]) + 1)]
        self.uvals = {}
        s = texts[0]
        for a in range(len(s) + 1):
            if a <= _MAX_ABS:
                self._add(AbsPos(a), _abs_cost(a), a)
            if len(s) - a <= _MAX_ABS:
                self._add(AbsPos(a - len(s) - 1), _abs_cost(a - len(s) - 1), a)
        for tok in toks:
            for idx, (b, e) in enumerate(tok.spans(s)[:_MAX_K]):
                c = tok.cost + 0.35 * idx
                self._add(TokPos(tok.name, idx + 1, "start"), c, b)
                self._add(TokPos(tok.name, idx + 1, "end"), c, e)
            for idx, (b, e) in enumerate(tok.rev_spans(s)[:_MAX_K]):
                c = tok.cost + 0.05 + 0.35 * idx
                self._add(TokPos(tok.name, -idx - 1, "start"), c, b)
                self._add(TokPos(tok.name, -idx - 1, "end"), c, e)
        for g in self.groups:
            for lst in g.values():
                lst.sort(key=lambda t: t[0])
                del lst[_KEEP:]

    def _add(self, pos, cost, a):
        sig = tuple(pos.eval(t) for t in self.texts[1:])
        uv = [pos.eval(t) for t in self.utexts]
        if uv:
            cost += _NULL_PENALTY * sum(v is None for v in uv) / len(uv)
        self.uvals[pos] = uv
        self.groups[a].setdefault(sig, []).append((cost, pos))

    def _swallow_penalty(self, p1, p2, u1, u2, piece):
        lits = _bounding_literals(p1, p2, piece)
        if not lits or not u1:
            return 0.0
        hits = sum(1 for t, x, y in zip(self.utexts, u1, u2)
                   if x is not None and y is not None and any(lt in t[x:y] for lt in lits))
        return 3.0 * hits / len(u1)

    def _class_penalty(self, u1, u2, allowed):
        """Share of unlabeled inputs where the substring has letters, digits or other characters
        that the example's substring has none of (a field cut at the wrong delimiter)."""
        if not u1:
            return 0.0
        total = sum(class_penalty(t[x:y], allowed, _CLASS_PENALTY) for t, x, y in zip(self.utexts, u1, u2)
                    if x is not None and y is not None and y >= x)
        return total / len(u1)

    def pair(self, c1, c2, a, b):
        """Cheapest (cost, p1, p2) among the kept candidates of two groups. Penalties from the
        unlabeled inputs: the substring's null rate, and the rate at which it swallows a delimiter
        that bounds it (``, `` inside a field cut at ``, ``), which the example's substring does not."""
        best = None
        piece = self.texts[0][a:b]
        # Only letters or digits that the example's input has outside the piece: the example then
        # shows them left out. Separators inside a field vary legitimately (a space in a city, a
        # hyphen in a surname); a whole-column copy is never a wrong cut.
        left_out = char_classes(self.texts[0][:a] + self.texts[0][b:]) & {"L", "D"}
        allowed = char_classes(piece) | (char_classes(self.utexts_joined) - left_out)
        for k1, p1 in c1:
            u1 = self.uvals[p1]
            for k2, p2 in c2:
                u2 = self.uvals[p2]
                bad = sum(x is None or y is None or y < x for x, y in zip(u1, u2))
                cost = k1 + k2 + (_NULL_PENALTY * bad / len(u1) if u1 else 0.0)
                cost += self._swallow_penalty(p1, p2, u1, u2, piece)
                if (p1, p2) != (AbsPos(0), AbsPos(-1)):
                    cost += self._class_penalty(u1, u2, allowed)
                if _whole_match(p1, p2):
                    cost -= 0.4 * k1 + k2 - max(0.0, k2 - k1)
                elif _forward(p1) == _forward(p2):
                    cost -= 0.25
                if best is None or cost < best[0]:
                    best = (cost, p1, p2)
        return best


_MAX_OCCURRENCES = 8


def _sub_edges(col: _Column, out: str, deadline):
    """For each output offset i: (j, col, case, a, b) with case(s[a:b]) == out[i:j] in example 1;
    at most ``_MAX_OCCURRENCES`` input occurrences per output segment (periodic inputs would
    otherwise give quadratically many)."""
    s = col.texts[0]
    edges = [[] for _ in range(len(out) + 1)]
    for case in CASES:
        _check(deadline)
        if case == "title" and len(s) > 400:
            continue
        full = apply_case(case, s)
        if case != "title" and len(full) != len(s):
            continue
        where = {}
        for a, c in enumerate(full if case != "title" else s.upper()):
            where.setdefault(c, []).append(a)
        for i in range(len(out)):
            seen = {}
            for a in where.get(out[i], ()):
                fa = full[a:] if case != "title" else initcap(s[a:a + len(out) - i])
                m = 0
                while m < len(fa) and i + m < len(out) and fa[m] == out[i + m]:
                    m += 1
                for ln in range(1, m + 1):
                    if seen.get(ln, 0) < _MAX_OCCURRENCES:
                        seen[ln] = seen.get(ln, 0) + 1
                        edges[i].append((i + ln, col, case, a, a + ln))
    return edges


def _check(deadline):
    if deadline is not None and time.monotonic() > deadline:
        raise SynthesisTimeout("synthesis timed out (raise the timeout parameter or give shorter examples)")


def learn_concats(examples, unlabeled=(), k=1, deadline=None, allow_semantic=True):
    """The ``k`` cheapest ``(cost, Concat)`` consistent with every example (``[]`` if none).

    ``examples``: ``[(row tuple, output str)]`` with non-null inputs where used; ``unlabeled``:
    row tuples used for ranking. Raises ``SynthesisTimeout`` past ``deadline`` (time.monotonic).
    """
    _check(deadline)
    rows = [r for r, _ in examples]
    outs = [o for _, o in examples]
    n = len(examples)
    out1 = outs[0]
    if out1 == "":
        return _empty_program(examples)
    arity = len(rows[0])
    cols = [_Column(c, examples, unlabeled, v) for c in range(arity)
            if all(r[c] is not None for r in rows) for v in [""] + candidate_views(rows[0][c], out1)]
    sub_edges = [[] for _ in range(len(out1) + 1)]
    for col in cols:
        for i, lst in enumerate(_sub_edges(col, out1, deadline)):
            sub_edges[i].extend(lst)
    generic = [[] for _ in range(len(out1) + 1)]
    for i in range(len(out1)):
        for j in range(i + 1, len(out1) + 1):
            generic[i].append((j, Const(out1[i:j]), const_cost(out1[i:j])))
    if allow_semantic:
        for i, j, atom, cost in semantic.candidates(rows[0], out1, unlabeled):
            generic[i].append((j, atom, cost))

    goal = tuple(len(o) for o in outs)
    start = (0,) * n
    best = {start: [(0.0, None, None, None)]}
    heap = [start]
    seen = {start}
    pair_memo = {}
    while heap:
        state = heapq.heappop(heap)
        _check(deadline)
        if state == goal:
            continue
        base = best[state]
        i = state[0]
        nexts = []
        for j, atom, cost in generic[i]:
            nxt = _advance_generic(atom, rows, outs, state, j)
            if nxt is not None:
                nexts.append((nxt, cost, atom))
        for j, col, case, a, b in sub_edges[i]:
            for sig1, c1 in col.groups[a].items():
                for sig2, c2 in col.groups[b].items():
                    nxt = _advance_sub(col, case, sig1, sig2, outs, state, j)
                    if nxt is None:
                        continue
                    key = (col.col, col.view, a, sig1, b, sig2)
                    pr = pair_memo.get(key)
                    if pr is None:
                        pr = pair_memo[key] = col.pair(c1, c2, a, b)
                    cost = _ATOM + _CASE_COST[case] + pr[0] + (_VIEW_COST if col.view else 0.0)
                    nexts.append((nxt, cost, SubStr(col.col, pr[1], pr[2], case, col.view)))
        for nxt, cost, atom in nexts:
            if 0 < nxt[0] < len(out1) and out1[nxt[0] - 1].isalnum() and out1[nxt[0]].isalnum():
                cost += _WORD_CUT  # pieces that cut a word of the output apart are rarely the rule
            lst = best.setdefault(nxt, [])
            for idx, entry in enumerate(base):
                lst.append((entry[0] + cost, state, idx, atom))
            lst.sort(key=lambda t: t[0])
            del lst[k:]
            if nxt not in seen:
                seen.add(nxt)
                heapq.heappush(heap, nxt)
    if goal not in best:
        return []
    return [(c, Concat(_path(best, goal, idx))) for idx, (c, *_r) in enumerate(best[goal])]


def _path(best, state, idx):
    atoms = []
    while True:
        cost, prev, pidx, atom = best[state][idx]
        if prev is None:
            return tuple(reversed(atoms))
        atoms.append(atom)
        state, idx = prev, pidx


def _advance_generic(atom, rows, outs, state, j):
    nxt = [j]
    for r, o, off in zip(rows[1:], outs[1:], state[1:]):
        v = atom.eval(r)
        if v is None or not o.startswith(v, off):
            return None
        nxt.append(off + len(v))
    return tuple(nxt)


def _advance_sub(col, case, sig1, sig2, outs, state, j):
    nxt = [j]
    for t, o, off, v1, v2 in zip(col.texts[1:], outs[1:], state[1:], sig1, sig2):
        if v1 is None or v2 is None or v2 < v1:
            return None
        piece = apply_case(case, t[v1:v2])
        if not o.startswith(piece, off):
            return None
        nxt.append(off + len(piece))
    return tuple(nxt)


def _empty_program(examples):
    if all(o == "" for _, o in examples):
        return [(_ATOM, Concat((Const(""),)))]
    return []
