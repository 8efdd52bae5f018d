"""Column views: a whole input column rewritten before positions are taken (repeated patterns).

Some rules act on every occurrence of a pattern (``customerShipDate`` -> ``customer_ship_date``,
``order_total`` -> ``Order Total``), which no fixed concatenation of substrings covers for inputs
with more words. A view rewrites the column first and a ``SubStr`` then reads from the view
(with its usual case change), so ``lower(camel:_(col))`` and ``title(rep:_ (col))`` are one atom.

Views (a short string, ``""`` = the column as is):
    ``rep:<c><d>``: every ``c`` replaced by ``d`` (``d`` may be empty: ``c`` removed);
    ``camel:<d>``: ``d`` inserted between an ASCII lower-case letter or digit and the ASCII
    upper-case letter after it (Python ``re.sub`` and Spark ``regexp_replace`` agree on ASCII
    classes and leftmost non-overlapping matches).

Example::

    >>> apply_view("camel:_", "customerShipDate")
    'customer_Ship_Date'
    >>> apply_view("rep:_ ", "order_total")
    'order total'
    >>> candidate_views("order_total", "Order Total")
    ['rep:_ ', 'rep:_']
"""
from __future__ import annotations

import re

SEPARATORS = "_- ./"
MAX_VIEW_INPUT = 64  # identifiers and short codes; long texts (log lines) would only cost time
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_JAVA = "([a-z0-9])([A-Z])"


def apply_view(view: str, s):
    """``s`` seen through ``view`` (``None`` stays ``None``)."""
    if not view or s is None:
        return s
    kind, arg = view.split(":", 1)
    if kind == "rep":
        return s.replace(arg[0], arg[1:])
    if kind == "camel":
        return _CAMEL.sub(lambda m: m.group(1) + arg + m.group(2), s)
    raise ValueError(f"unknown column view {view!r}; valid: 'rep:<c><d>' or 'camel:<d>'")


def view_sql(view: str, src: str) -> str:
    """Spark SQL for ``src`` (an SQL expression) seen through ``view``."""
    from .sql import lit
    if not view:
        return src
    kind, arg = view.split(":", 1)
    if kind == "rep":
        return f"replace({src}, {lit(arg[0])}, {lit(arg[1:])})"
    # Java's replacement string treats '$' and '\\' specially; separators never include them.
    return f"regexp_replace({src}, {lit(_CAMEL_JAVA)}, {lit('$1' + arg + '$2')})"


def view_explain(view: str, col: str) -> str:
    return col if not view else f"{view}({col})"


def candidate_views(s: str, out: str) -> list:
    """Views worth trying for input ``s`` of an example whose output is ``out``: replace a
    separator of the input that the output lacks by one the output has (or drop it), and split
    camelCase with a separator the output has. None for inputs longer than ``MAX_VIEW_INPUT``."""
    views = []
    if len(s) > MAX_VIEW_INPUT:
        return views
    for c in SEPARATORS:
        if c in s and c not in out:
            views += [f"rep:{c}{d}" for d in SEPARATORS if d != c and d in out] + [f"rep:{c}"]
    if _CAMEL.search(s):
        views += [f"camel:{d}" for d in SEPARATORS if d in out and d != "."]
    return views
