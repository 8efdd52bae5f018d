"""Re-ranking of whole candidate programs by how they behave on the unlabeled inputs (BlinkFill-style).

The synthesizer's cost ranks one atom at a time; some mistakes only show on a whole output: a program
that copies a field from one example may, on other inputs, copy a longer stretch with characters no
example output has (a ``/`` or a space in a host name, letters in a number), or come out null.
``rerank`` adds a penalty for the share of unlabeled inputs whose output is null or has a character
class (letter, digit, or a specific other character) that no example output has.

Example::

    >>> from mmlspark_py.dataprep.program import Concat
    >>> from mmlspark_py.dataprep.ops import SubStr
    >>> from mmlspark_py.dataprep.positions import Abs, Match
    >>> from mmlspark_py.dataprep.tokens import Literal
    >>> whole = Concat((SubStr(0, Abs(0), Abs(-1)),))
    >>> first = Concat((SubStr(0, Abs(0), Match(Literal(" "), 1, "start")),))
    >>> [c for c, _ in rerank([(1.0, whole), (1.5, first)], ["12"], [("7 kg",)])]
    [1.5, 5.0]
"""
from __future__ import annotations

from .ops.classes import char_classes, class_penalty
from .weights import DEFAULT, Weights


def penalty(body, outputs, unlabeled, w: Weights = DEFAULT) -> float:
    """Cost added to ``body`` (an object with ``eval(row)``) from its outputs on ``unlabeled``."""
    if not unlabeled:
        return 0.0
    allowed = frozenset().union(*(char_classes(o) for o in outputs))
    total = 0.0
    for u in unlabeled:
        v = body.eval(u)
        total += w.rerank_null if v is None else class_penalty(v, allowed, w.rerank_class, w.rerank_punct)
    return total / len(unlabeled)


def rerank(candidates, outputs, unlabeled, w: Weights = DEFAULT):
    """``[(cost, body)]`` re-sorted by cost plus ``penalty`` (stable for equal costs); of candidates with
    the same outputs on every unlabeled input only the cheapest is kept (a case change of digits is no
    alternative)."""
    scored = [(c + penalty(b, outputs, unlabeled, w), i, b) for i, (c, b) in enumerate(candidates)]
    scored.sort(key=lambda t: (t[0], t[1]))
    seen, out = set(), []
    for c, _i, b in scored:
        behaviour = tuple(b.eval(u) for u in unlabeled) if unlabeled else b
        if behaviour not in seen:
            seen.add(behaviour)
            out.append((c, b))
    return out
