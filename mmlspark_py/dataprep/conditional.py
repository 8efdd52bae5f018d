"""Conditional programs: partition the examples by input shape and learn a branch per part.

A single concatenation is chosen among the synthesizer's best candidates by ``ranking.rank`` (how they
behave on the unlabeled inputs). When no single concatenation explains every example, the examples are grouped
by the shape of their inputs (letter runs, digit runs and punctuation), groups that one program can
explain together are merged, and each branch gets the cheapest predicate (``ops.PREDICATES``) that holds
on its examples and on none of the later branches' examples. Among separating predicates the unlabeled
inputs decide (BlinkFill-style): a predicate is better when the branch it selects produces a non-null
output on the unlabeled rows it routes there. Examples whose inputs contain nulls get ``IsNull`` branches
of their own (a learned rule for nulls).

Example::

    >>> progs = learn_programs([(("482-0193",), "(206) 482-0193"), (("415-739-2210",), "(415) 739-2210")],
    ...                        [("630-1187",)])
    >>> progs[0][1].run(("390-6412",))
    '(206) 390-6412'
"""

from __future__ import annotations

import itertools
import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .ops import PREDICATES, Const, Context, Example, IsNull, Predicate, Row, one_number_columns
from .program import Branch, Concat, Program
from .ranking import Ranker, rank
from .synthesis import learn_concats
from .weights import DEFAULT, Weights

POOL = 24  # candidates ranked on the unlabeled inputs

_SHAPE = re.compile(r"[^\W\d_]+|[0-9]+|\s+")
_WORD = re.compile(r"[^\W_]{2,}")
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")


Cluster = Tuple[List[Example], Tuple[float, Concat]]  # examples and their cheapest concatenation


def shape(row: Sequence[Optional[str]]) -> Row:
    """Coarse form of an input row: letter runs -> 'a', digit runs -> '9', spaces -> ' '."""

    def one(s: Optional[str]) -> Optional[str]:
        if s is None:
            return None
        return _SHAPE.sub(lambda m: "a" if m.group()[0].isalpha() else "9" if m.group()[0].isdigit() else " ", s)

    return tuple(one(s) for s in row)


def learn_programs(
    examples: Sequence[Example],
    unlabeled: Sequence[Row] = (),
    k: int = 1,
    deadline: Optional[float] = None,
    w: Weights = DEFAULT,
    ranker: Optional[Ranker] = None,
) -> List[Tuple[float, Program]]:
    """The ``k`` best ``(score, Program)`` explaining ``examples``; ``[]`` when none is found."""
    pool = candidate_pool(examples, unlabeled, deadline, w)
    if not pool:
        return []
    return rank(pool, [o for _r, o in examples], unlabeled, w, ranker, [r for r, _o in examples])[:k]


def candidate_pool(
    examples: Sequence[Example], unlabeled: Sequence[Row] = (), deadline: Optional[float] = None, w: Weights = DEFAULT
) -> List[Tuple[float, Program]]:
    """``[(synthesis cost, Program)]``: the programs the ranker chooses from (``[]``: none found)."""
    nulls = [e for e in examples if any(v is None for v in e[0])]
    plain = [e for e in examples if all(v is not None for v in e[0])]
    null_branches = _null_branches(nulls, deadline, w)
    if null_branches is None:
        return []
    if not plain:
        return [(0.0, Program(tuple(null_branches)))] if null_branches else []
    single = learn_concats(plain, unlabeled, k=POOL, deadline=deadline, weights=w)
    if single:
        return [(c, Program(tuple(null_branches) + (Branch(None, body),))) for c, body in single]
    clusters = _clusters(plain, unlabeled, deadline, w)
    if clusters is None:
        return []
    branches = _order_and_guard(clusters, unlabeled, w)
    if branches is None:
        return []
    cost = sum(c for c, _b in branches) + w.branch * len(branches)
    return [(cost, Program(tuple(null_branches) + tuple(b for _c, b in branches)))]


def _null_branches(nulls: List[Example], deadline: Optional[float], w: Weights) -> Optional[List[Branch]]:
    """``IsNull`` branches learned from examples with null inputs; ``None`` if unexplainable."""
    out = []
    by_col: Dict[int, List[Example]] = {}
    for e in nulls:
        by_col.setdefault(next(i for i, v in enumerate(e[0]) if v is None), []).append(e)
    for col, exs in sorted(by_col.items()):
        progs = learn_concats(exs, (), k=1, deadline=deadline, allow_semantic=False, weights=w)
        if not progs:
            return None
        out.append(Branch(IsNull(col), progs[0][1]))
    return out


def _clusters(
    examples: List[Example], unlabeled: Sequence[Row], deadline: Optional[float], w: Weights
) -> Optional[List[Cluster]]:
    """Greedy merge of shape groups into clusters, each with its best concatenation. A shape group of
    quantities (a column with one number per row) or with category labels as outputs that no single
    concatenation explains is merged example by example instead: same shape, another rule by value (``200 ->
    ok``, ``404 -> error``; ``3 -> <5``) or by prefix (``INV-2023-001 -> invoice``, ``PO-2023-002 -> order``).
    Any other shape group that no single concatenation explains is split example by example too (``Y -> Yes``,
    ``yes -> Yes``, ``n -> No``), as long as two of its examples still share a branch. ``None`` when that
    leaves two or more examples alone with a constant number each, or every example of such a group alone: a
    lookup table, not a rule."""
    groups: Dict[Row, List[Example]] = {}
    for e in examples:
        groups.setdefault(shape(e[0]), []).append(e)
    units: List[List[Example]] = []
    split: List[Example] = []
    others: List[List[Example]] = []  # groups split example by example that are neither quantities nor labels
    named: List[Example] = []  # examples of split groups whose outputs are category labels
    for exs in groups.values():
        if len(exs) > 1 and not learn_concats(exs, unlabeled, k=1, deadline=deadline, weights=w):
            units.extend([e] for e in exs)
            if one_number_columns([r for r, _o in exs]) or _labels(exs):
                split.extend(exs)
                named.extend(exs if _categories(exs) else [])
            else:
                others.append(exs)
                named.extend(e for e in exs if _categories([e]))
        else:
            units.append(exs)
    clusters: List[Cluster] = []
    labels = _threshold_labels(split)
    constant = split if labels else named
    for exs in units:
        # a range or category label is a constant, never computed from the input (``M -> Male`` is not
        # ``M + 'ale'``, which gives ``male`` for ``m``)
        if exs[0] in constant:
            same = [n for n, (cl_exs, _b) in enumerate(clusters) if cl_exs[0] in constant and cl_exs[0][1] == exs[0][1]]
            if same:
                clusters[same[0]] = (clusters[same[0]][0] + exs, clusters[same[0]][1])
            else:
                label = Const(exs[0][1])
                clusters.append((list(exs), (label.cost(w), Concat((label,)))))
            continue
        for n, (cl_exs, _best) in enumerate(clusters):
            merged = learn_concats(cl_exs + exs, unlabeled, k=1, deadline=deadline, weights=w)
            if merged:
                clusters[n] = (cl_exs + exs, merged[0])
                break
        else:
            alone = learn_concats(exs, unlabeled, k=1, deadline=deadline, weights=w)
            if not alone:
                return None
            clusters.append((list(exs), alone[0]))
    if not labels and sum(_lookup(c, split) for c in clusters) >= 2:
        return None  # a table of constants, one per example, is not a rule
    if any(all(sum(e in cl_exs for e in exs) < 2 for cl_exs, _b in clusters) for exs in others):
        return None  # one rule per example of one shape is a table too: no two share a branch
    return clusters


def _threshold_labels(split: List[Example]) -> bool:
    """Outputs of a group split by value that all name the same one number, in two texts or more (``3 -> <5``,
    ``7 -> 5+``; ``12 -> under 18``, ``40 -> 18 and over``): labels of the ranges on each side of a threshold,
    constants of their branches. Without this, each label would read as a number computed from its one example
    (``7 -> 5`` rounded down to a multiple of 5, giving ``10+`` for 12), and two constant numbers would be
    refused as a lookup table."""
    numbers = {tuple(_NUMBER.findall(o)) for _r, o in split}
    return len({o for _r, o in split}) >= 2 and len(numbers) == 1 and len(next(iter(numbers))) == 1


def _labels(examples: List[Example]) -> bool:
    """Outputs that are category labels: no digits, and not a piece of the input (``INV-2023-001 -> invoice``)."""
    return all(
        o and not any(c.isdigit() for c in o) and not any(v is not None and o.lower() in v.lower() for v in r)
        for r, o in examples
    )


def _categories(examples: List[Example]) -> bool:
    """Category labels that hold no word of their input either (``M -> Male``; not ``John Smith, M -> Mr.
    Smith``, which computes its output from the input). A word counts whole: ``on`` of ``CA-ON-55`` is not
    a word of ``international``."""
    if not _labels(examples):
        return False
    for r, o in examples:
        words = {x.lower() for x in _WORD.findall(o)}
        if any(w.lower() in words for v in r if v is not None for w in _WORD.findall(v)):
            return False
    return True


def _lookup(cluster: Cluster, split: List[Example]) -> bool:
    """One example of a split group whose branch outputs a constant with digits (a row of a lookup table: a
    category such as ``A`` or ``warm`` may be constant, a number in the output is computed)."""
    exs, (_cost, body) = cluster
    return (
        len(exs) == 1
        and exs[0] in split
        and all(isinstance(a, Const) for a in body.atoms)
        and any(c.isdigit() for a in body.atoms if isinstance(a, Const) for c in a.text)
    )


def _order_and_guard(
    clusters: List[Cluster], unlabeled: Sequence[Row], w: Weights
) -> Optional[List[Tuple[float, Branch]]]:
    """Branches ``[(cost, Branch)]`` with a separating predicate for all but the last."""
    best: Optional[Tuple[float, List[Tuple[float, Branch]]]] = None
    orders: Iterable[Sequence[Cluster]] = itertools.permutations(clusters) if len(clusters) <= 4 else [clusters]
    for order in orders:
        guarded = _guarded(order, unlabeled, w)
        if guarded is not None and (best is None or guarded[0] < best[0]):
            best = guarded
    return None if best is None else best[1]


def _guarded(
    order: Sequence[Cluster], unlabeled: Sequence[Row], w: Weights
) -> Optional[Tuple[float, List[Tuple[float, Branch]]]]:
    """``(score, branches)`` of clusters in this order (``None``: a cluster cannot be told from the later
    ones). The score counts the predicates twice (in their branch and on their own): orders that need
    cheaper guards win."""
    branches: List[Tuple[float, Branch]] = []
    guards = 0.0
    for i, (exs, (cost, body)) in enumerate(order):
        if i == len(order) - 1:
            branches.append((cost, Branch(None, body)))
            break
        rest = [e for cl in order[i + 1 :] for e in cl[0]]
        pred = _predicate(exs, rest, body, unlabeled, w)
        if pred is None:
            return None
        branches.append((cost + pred[0], Branch(pred[1], body)))
        guards += pred[0]
    return guards + sum(b[0] for b in branches), branches


def _predicate(
    pos: List[Example], neg: List[Example], body: Concat, unlabeled: Sequence[Row], w: Weights
) -> Optional[Tuple[float, Predicate]]:
    """Cheapest ``(cost, predicate)`` true on every row of ``pos`` and false on every row of ``neg``."""
    ctx = Context([r for r, _ in pos], [o for _, o in pos], list(unlabeled), w)
    found: Optional[Tuple[float, Predicate]] = None
    sides = _shape_sides(pos, neg, unlabeled)
    for op in PREDICATES:
        for pred in op.propose([r for r, _ in pos], [r for r, _ in neg], ctx):
            if any(pred.eval(r) is not False for r, _o in neg):
                continue  # unknown on a later branch's example: that row would get null
            cost = pred.cost(w) + _routing_penalty(pred, body, unlabeled, w) + _one_row_penalty(pred, pos, neg, w)
            cost += _shape_penalty(pred, sides, w)
            if found is None or cost < found[0]:
                found = (cost, pred)
    return found


def _shape_sides(pos: List[Example], neg: List[Example], unlabeled: Sequence[Row]) -> List[Tuple[Row, bool]]:
    """``(row, side)`` for the unlabeled rows whose ``shape`` only one side's examples have (``side``: this
    branch's)."""
    ps, ns = {shape(r) for r, _ in pos}, {shape(r) for r, _ in neg}
    out = []
    for u in unlabeled:
        s = shape(u)
        if (s in ps) != (s in ns):
            out.append((u, s in ps))
    return out


def _shape_penalty(pred: Predicate, sides: List[Tuple[Row, bool]], w: Weights) -> float:
    """The share of unlabeled rows formatted like one side's examples only (BlinkFill's input clusters) that
    the predicate sends to the other side: ``count(url, 'http:')`` of ``http://x.org`` against ``example.com``
    sends ``https://a.b`` where the bare host names go, ``starts_with(url, 'http')`` does not."""
    if not sides:
        return 0.0
    return w.pred_shape * sum(bool(pred.eval(u)) != side for u, side in sides) / len(sides)


def _one_row_penalty(pred: Predicate, pos: List[Example], neg: List[Example], w: Weights) -> float:
    """A condition read from one row (the rows it holds on, or those of a negated one, are a single example)
    is a guess about that row (``starts_with(path, 'b')`` of ``b/photo.jpg``); one shared by two rows or more
    is evidence (``ends_with(path, 'pdf')`` of ``a/report.pdf`` and ``c/x.pdf``)."""
    side = neg if getattr(pred, "negate", False) else pos
    return w.pred_one_row if len(side) == 1 else 0.0


def _routing_penalty(pred: Predicate, body: Concat, unlabeled: Sequence[Row], w: Weights) -> float:
    routed = [u for u in unlabeled if pred.eval(u)]
    if not routed:
        return 0.0
    return w.routing_penalty * sum(body.eval(u) is None for u in routed) / len(routed)
