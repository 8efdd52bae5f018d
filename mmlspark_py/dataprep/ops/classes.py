"""Character classes of values, the measure behind input-driven ranking.

Runs of letters become ``L``, runs of digits ``D`` (a run mixing both, like ``x12``, is a word: ``L``) and
every other character stands for itself. A piece of output on an unlabeled row that has a class no
example's piece has (letters in a number, a ``/`` in a host name) is evidence of a wrong cut.

Example::

    >>> sorted(char_classes("ab-12"))
    ['-', 'D', 'L']
    >>> class_penalty("12a", frozenset("D"), 4.0, 0.5)
    4.0
"""

from __future__ import annotations

import re

_RUN = re.compile(r"[^\W_]+|.", re.S)


def char_classes(s: str) -> frozenset:
    """Letter runs -> 'L', digit runs -> 'D', mixed runs -> 'L', every other character stands for itself."""
    out = set()
    for m in _RUN.finditer(s):
        g = m.group()
        if g[0].isalnum() or g[-1].isalnum():
            out.add("D" if g.isdigit() else "L")
        else:
            out.add(g)
    return frozenset(out)


def class_penalty(value: str, allowed: frozenset, weight: float, punct: float) -> float:
    """``weight`` when ``value`` has a letter or digit class not in ``allowed``; ``punct`` for another
    new character; 0 otherwise."""
    extra = char_classes(value) - allowed
    if not extra:
        return 0.0
    return weight if extra & {"L", "D"} else punct
