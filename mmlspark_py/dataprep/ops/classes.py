"""Character classes of values, the measure behind input-driven ranking.

Letters become ``L``, digits ``D`` and every other character stands for itself. A piece of output on an
unlabeled row that has a class no example's piece has (letters in a number, a ``/`` in a host name) is
evidence of a wrong cut.

Example::

    >>> sorted(char_classes("ab-12"))
    ['-', 'D', 'L']
    >>> class_penalty("12a", frozenset("D"), 4.0, 0.5)
    4.0
"""
from __future__ import annotations


def char_classes(s: str) -> frozenset:
    """Letters -> 'L', digits -> 'D', every other character stands for itself."""
    return frozenset("L" if c.isalpha() else "D" if c.isdigit() else c for c in s)


def class_penalty(value: str, allowed: frozenset, weight: float, punct: float) -> float:
    """``weight`` when ``value`` has a letter or digit class not in ``allowed``; ``punct`` for another
    new character; 0 otherwise."""
    extra = char_classes(value) - allowed
    if not extra:
        return 0.0
    return weight if extra & {"L", "D"} else punct
