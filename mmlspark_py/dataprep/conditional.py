"""Conditional programs: partition the examples by input shape and learn a branch per part.

A single concatenation is chosen among the synthesizer's best candidates by ``ranking.rerank``
(outputs on the unlabeled inputs). When no single concatenation explains every example, the
examples are grouped by the shape of their inputs (letter runs, digit runs and punctuation),
groups that one program can explain together are merged, and each branch gets the simplest
token-count predicate (``HasToken``) that holds on its examples and on none of the later branches'
examples. Among separating predicates the unlabeled inputs decide (BlinkFill-style): a predicate
is better when the branch it selects produces a non-null output on the unlabeled rows it routes
there. Examples whose inputs contain nulls get ``IsNull`` branches of their own (a learned rule
for nulls).

Example::

    >>> progs = learn_programs([(("482-0193",), "(206) 482-0193"), (("415-739-2210",), "(415) 739-2210")],
    ...                        [("630-1187",)])
    >>> progs[0][1].run(("390-6412",))
    '(206) 390-6412'
"""
from __future__ import annotations

import itertools
import re

from . import tokens
from .dsl import HasToken, IsNull, Program
from .ranking import rerank
from .synthesis import learn_concats

_RERANK_POOL = 12  # candidates re-ranked on the unlabeled inputs

_SHAPE = re.compile(r"[^\W\d_]+|[0-9]+|\s+")


def shape(row) -> tuple:
    """Coarse form of an input row: letter runs -> 'a', digit runs -> '9', spaces -> ' '."""
    def one(s):
        if s is None:
            return None
        return _SHAPE.sub(lambda m: "a" if m.group()[0].isalpha() else "9" if m.group()[0].isdigit()
                          else " ", s)
    return tuple(one(s) for s in row)


def learn_programs(examples, unlabeled=(), k=1, deadline=None):
    """The ``k`` best ``(cost, Program)`` explaining ``examples``; ``[]`` when none is found."""
    nulls = [e for e in examples if any(v is None for v in e[0])]
    plain = [e for e in examples if all(v is not None for v in e[0])]
    null_branches = _null_branches(nulls, deadline)
    if null_branches is None:
        return []
    if not plain:
        return [(0.0, Program(tuple(null_branches)))] if null_branches else []
    single = learn_concats(plain, unlabeled, k=max(k, _RERANK_POOL), deadline=deadline)
    single = rerank(single, [o for _r, o in plain], unlabeled)[:k]
    if single:
        return [(c, Program(tuple(null_branches) + ((None, body),))) for c, body in single]
    clusters = _clusters(plain, unlabeled, deadline)
    if clusters is None:
        return []
    branches = _order_and_guard(clusters, unlabeled)
    if branches is None:
        return []
    cost = sum(c for c, _p, _b in branches) + 2.0 * len(branches)
    body = tuple((p, b) for _c, p, b in branches)
    return [(cost, Program(tuple(null_branches) + body))]


def _null_branches(nulls, deadline):
    """``IsNull`` branches learned from examples with null inputs; ``None`` if unexplainable."""
    out = []
    by_col = {}
    for e in nulls:
        by_col.setdefault(next(i for i, v in enumerate(e[0]) if v is None), []).append(e)
    for col, exs in sorted(by_col.items()):
        progs = learn_concats(exs, (), k=1, deadline=deadline, allow_semantic=False)
        if not progs:
            return None
        out.append((IsNull(col), progs[0][1]))
    return out


def _clusters(examples, unlabeled, deadline):
    """Greedy merge of shape groups into clusters, each with its best concatenation."""
    groups = {}
    for e in examples:
        groups.setdefault(shape(e[0]), []).append(e)
    clusters = []
    for exs in groups.values():
        for cl in clusters:
            merged = learn_concats(cl[0] + exs, unlabeled, k=1, deadline=deadline)
            if merged:
                cl[0].extend(exs)
                cl[1] = merged[0]
                break
        else:
            alone = learn_concats(exs, unlabeled, k=1, deadline=deadline)
            if not alone:
                return None
            clusters.append([list(exs), alone[0]])
    return clusters


def _order_and_guard(clusters, unlabeled):
    """Branches ``[(cost, predicate, body)]`` with a separating predicate for all but the last."""
    best = None
    for order in itertools.permutations(clusters) if len(clusters) <= 4 else [clusters]:
        branches = []
        total = 0.0
        for i, (exs, (cost, body)) in enumerate(order):
            if i == len(order) - 1:
                branches.append((cost, None, body))
                break
            rest = [e for cl in order[i + 1:] for e in cl[0]]
            pred = _predicate(exs, rest, body, unlabeled)
            if pred is None:
                branches = None
                break
            branches.append((cost + pred[0], pred[1], body))
            total += pred[0]
        if branches is not None:
            total += sum(b[0] for b in branches)
            if best is None or total < best[0]:
                best = (total, branches)
    return None if best is None else best[1]


def _predicate(pos, neg, body, unlabeled):
    """Cheapest ``(cost, HasToken)`` true on every row of ``pos`` and false on every row of ``neg``."""
    arity = len(pos[0][0])
    found = None
    for col in range(arity):
        texts = [e[0][col] for e in pos + neg]
        toks = list(tokens.CLASSES) + _literal_tokens(texts)
        for tok in toks:
            pc = [len(tok.spans(e[0][col])) for e in pos]
            for kk, negate in ((min(pc), False), (max(pc) + 1, True)):
                if kk < 1:
                    continue
                pred = HasToken(col, tok.name, kk, negate)
                if not all(pred.eval(e[0]) for e in pos) or any(pred.eval(e[0]) for e in neg):
                    continue
                cost = tok.cost + 0.3 * kk + (0.2 if negate else 0.0) + _routing_penalty(pred, body, unlabeled)
                if found is None or cost < found[0]:
                    found = (cost, pred)
    return found


def _literal_tokens(texts):
    seen = {}
    for t in texts:
        for lit in tokens.literals_in([t], limit=12):
            seen[lit.name] = lit
    return list(seen.values())


def _routing_penalty(pred, body, unlabeled):
    routed = [u for u in unlabeled if pred.eval(u)]
    if not routed:
        return 0.0
    return 4.0 * sum(body.eval(u) is None for u in routed) / len(routed)
