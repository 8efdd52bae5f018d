"""Re-ranking of whole candidate programs with the unlabeled inputs (BlinkFill-style).

The synthesizer's cost ranks one atom at a time; some mistakes only show on a whole output: a
program that copies a field from one example may, on other inputs, copy a longer stretch with
characters no example output has (a ``/`` or a space in a host name, letters in a number), or come
out null. ``rerank`` adds a penalty for the share of unlabeled inputs whose output is null or has a
character class (letter, digit, or a specific other character) that no example output has.

Example::

    >>> from mmlspark_py.dataprep.dsl import AbsPos, Concat, SubStr, TokPos
    >>> whole = Concat((SubStr(0, AbsPos(0), AbsPos(-1)),))
    >>> first = Concat((SubStr(0, AbsPos(0), TokPos("lit: ", 1, "start")),))
    >>> [c for c, _ in rerank([(1.0, whole), (1.5, first)], ["12"], [("7 kg",)])]
    [1.5, 5.0]
"""
from __future__ import annotations

_NULL_WEIGHT = 2.0
_CLASS_WEIGHT = 4.0  # a letter or digit where no example output has one
_PUNCT_WEIGHT = 0.5  # another new character (separators legitimately vary more: '1,280.00')


def char_classes(s: str) -> frozenset:
    """Letters -> 'L', digits -> 'D', every other character stands for itself."""
    return frozenset("L" if c.isalpha() else "D" if c.isdigit() else c for c in s)


def class_penalty(value: str, allowed: frozenset, weight: float = _CLASS_WEIGHT) -> float:
    """Penalty for the character classes of ``value`` not in ``allowed``: ``weight`` for a new
    letter or digit class, less for another character."""
    extra = char_classes(value) - allowed
    if not extra:
        return 0.0
    return weight if extra & {"L", "D"} else _PUNCT_WEIGHT


def penalty(body, outputs, unlabeled) -> float:
    """Cost added to ``body`` (an object with ``eval(row)``) from its outputs on ``unlabeled``."""
    if not unlabeled:
        return 0.0
    allowed = frozenset().union(*(char_classes(o) for o in outputs))
    total = 0.0
    for u in unlabeled:
        v = body.eval(u)
        total += _NULL_WEIGHT if v is None else class_penalty(v, allowed)
    return total / len(unlabeled)


def rerank(candidates, outputs, unlabeled):
    """``[(cost, body)]`` re-sorted by cost plus ``penalty`` (stable for equal costs); of
    candidates with the same outputs on every unlabeled input only the cheapest is kept (a case
    change of digits is no alternative)."""
    scored = [(c + penalty(b, outputs, unlabeled), i, b) for i, (c, b) in enumerate(candidates)]
    scored.sort(key=lambda t: (t[0], t[1]))
    seen, out = set(), []
    for c, _i, b in scored:
        behaviour = tuple(b.eval(u) for u in unlabeled) if unlabeled else b
        if behaviour not in seen:
            seen.add(behaviour)
            out.append((c, b))
    return out
