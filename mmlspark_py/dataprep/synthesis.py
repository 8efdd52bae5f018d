"""Synthesis of concatenation programs from examples: a dynamic program over candidate atoms.

Every operator proposes atoms for segments of the first example's output (``ops``, the ``propose`` of the
operator protocol), each with its value on every example. A dynamic program over states ``(offset in
output 1, offset in output 2, ...)`` finds the ``k`` cheapest concatenations that produce every example's
output exactly. Candidates with the same segment and the same values on every example are alternatives of
one behaviour on the examples: only the cheapest few are kept (they may still differ on unlabeled rows).
The ``k`` programs kept per state are the cheapest of distinct *behaviours* on (a sample of) the unlabeled
rows: two partial programs with the same outputs so far on every unlabeled row have the same futures, so
only the cheaper is kept, and the final list holds real alternatives rather than respellings
(``upper`` of a word already in capitals, ``', '`` as one constant or two).

Costs (lower is better) are the atoms' costs (``weights``) plus a charge for a piece boundary that cuts a
word of the output apart (pieces rarely end inside a word).

Example::

    >>> progs = learn_concats([(("Marta Quillfeather",), "Quillfeather, Marta")], [("Jonah P. Wexley",)], k=1)
    >>> progs[0][1].eval(("Bo Ng",))
    'Ng, Bo'
"""

from __future__ import annotations

import heapq
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .ops import ATOMS, Atom, Const, Context, Example, Row
from .ops.substring import CASES
from .program import Concat
from .weights import DEFAULT, Weights

_PER_BEHAVIOUR = 4  # candidates kept per (segment, values on the examples)
_BEHAVIOUR_ROWS = 24  # unlabeled rows that tell behaviours apart


def collect_edges(ctx: Context) -> List[List[tuple]]:
    """``edges[i]``: ``(j, atom, cost, values)`` for every kept candidate of ``out1[i:j]``."""
    rows, outs = ctx.rows, ctx.outs
    kept: Dict[tuple, list] = {}
    for op in ATOMS:
        if op.semantic and not ctx.allow_semantic:
            continue
        for e in op.propose(ctx):
            values = e.values
            if values is None:
                vals = [outs[0][e.i : e.j]]
                for r, o in zip(rows[1:], outs[1:]):
                    v = e.atom.eval(r)
                    if v is None or v not in o:
                        break
                    vals.append(v)
                else:
                    values = tuple(vals)
                if values is None:
                    continue
            key = (e.i, e.j, values)
            lst = kept.setdefault(key, [])
            lst.append((e.cost, e.atom))
            if len(lst) > 2 * _PER_BEHAVIOUR + len(CASES):
                lst[:] = _cheapest(lst)
        ctx.check()
    edges: List[List[tuple]] = [[] for _ in range(len(outs[0]) + 1)]
    probe = ctx.unlabeled[:_BEHAVIOUR_ROWS]
    for (i, j, values), lst in kept.items():
        for cost, atom in _cheapest(lst):  # distinct atoms
            edges[i].append((j, atom, cost, values, tuple(atom.eval(u) for u in probe)))
    return edges


def _cheapest(lst: List[Tuple[float, Atom]]) -> List[Tuple[float, Atom]]:
    """The ``_PER_BEHAVIOUR`` cheapest distinct candidates, plus the cheapest of each case change none of them
    has: ``upper(first letter)`` beside four spellings of the first letter as it is, for ``Male -> M`` that
    must give ``M`` for ``male`` too."""
    lst = sorted(lst, key=lambda t: t[0])
    out: List[Tuple[float, Atom]] = []
    atoms: Set[Atom] = set()
    for c, a in lst:
        if a not in atoms and len(atoms) < _PER_BEHAVIOUR:
            atoms.add(a)
            out.append((c, a))
    cases = {getattr(a, "case", None) for _c, a in out}
    for c, a in lst:
        case = getattr(a, "case", None)
        if case not in cases and a not in atoms:
            cases.add(case)
            atoms.add(a)
            out.append((c, a))
    return out


def learn_concats(
    examples: Sequence[Example],
    unlabeled: Iterable[Row] = (),
    k: int = 1,
    deadline: Optional[float] = None,
    allow_semantic: bool = True,
    weights: Weights = DEFAULT,
) -> List[Tuple[float, Concat]]:
    """The ``k`` cheapest ``(cost, Concat)`` consistent with every example (``[]`` if none).

    ``examples``: ``[(row tuple, output str)]`` with non-null inputs where used; ``unlabeled``: row tuples
    used for ranking. Raises ``SynthesisTimeout`` past ``deadline`` (``time.monotonic``).
    """
    rows = [tuple(r) for r, _ in examples]
    outs = [o for _, o in examples]
    ctx = Context(rows, outs, [tuple(u) for u in unlabeled], weights, deadline, allow_semantic)
    ctx.check()
    if outs[0] == "":
        return [(weights.atom, Concat((Const(""),)))] if all(o == "" for o in outs) else []
    edges = collect_edges(ctx)
    out1 = outs[0]
    goal = tuple(len(o) for o in outs)
    start = (0,) * len(outs)
    probe = ctx.unlabeled[:_BEHAVIOUR_ROWS]
    best: Dict[tuple, list] = {start: [(0.0, None, None, None, ("",) * len(probe))]}
    heap: List[Tuple[int, ...]] = [start]
    seen = {start}
    while heap:
        state = heapq.heappop(heap)
        ctx.check()
        if state == goal:
            continue
        base = best[state]
        for j, atom, cost, values, uv in edges[state[0]]:
            offsets = [j]
            for o, off, v in zip(outs[1:], state[1:], values[1:]):
                if not o.startswith(v, off):
                    break
                offsets.append(off + len(v))
            else:
                nxt = tuple(offsets)
                if 0 < j < len(out1) and _same_run(out1[j - 1], out1[j]):
                    cost += weights.word_cut  # pieces that cut a run of letters or digits apart are rarely the rule
                lst = best.setdefault(nxt, [])
                for idx, entry in enumerate(base):
                    bh = tuple(None if a is None or b is None else a + b for a, b in zip(entry[4], uv))
                    lst.append((entry[0] + cost, state, idx, atom, bh))
                _keep(lst, k, bool(probe))
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, nxt)
    if goal not in best:
        return []
    return [(e[0], Concat(_path(best, goal, idx))) for idx, e in enumerate(best[goal])]


def _keep(lst: list, k: int, by_behaviour: bool) -> None:
    """Keep the ``k`` cheapest entries, one per partial behaviour when there are unlabeled rows."""
    lst.sort(key=lambda t: t[0])
    if by_behaviour:
        seen, out = set(), []
        for e in lst:
            if e[4] not in seen:
                seen.add(e[4])
                out.append(e)
                if len(out) == k:
                    break
        lst[:] = out
    else:
        del lst[k:]


def _same_run(a: str, b: str) -> bool:
    return (a.isalpha() and b.isalpha()) or (a.isdigit() and b.isdigit())


def _path(best: Dict[Tuple[int, ...], List[Any]], state: Tuple[int, ...], idx: int) -> Tuple[Atom, ...]:
    atoms: List[Atom] = []
    while True:
        _cost, prev, pidx, atom, _bh = best[state][idx]
        if prev is None:
            return tuple(reversed(atoms))
        atoms.append(atom)
        state, idx = prev, pidx
