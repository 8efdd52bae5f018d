"""Column views: a whole input column rewritten before positions are taken (repeated patterns).

Some rules act on every occurrence of a pattern (``customerShipDate`` -> ``customer_ship_date``,
``order_total`` -> ``Order Total``), which no fixed concatenation of substrings covers for inputs with
more words. A view rewrites the column first and a substring then reads from the view (with its usual
case change), so ``lower(camel_split('_', col))`` is one atom.

Views (typed nodes; a substring without a view reads the column as is):
    ``Replace(old, new)``: every ``old`` separator replaced by ``new`` (``new`` may be empty: removed);
    ``CamelSplit(sep)``: ``sep`` inserted between an ASCII lower-case letter or digit and the ASCII
    upper-case letter after it (Python ``re.sub`` and Spark ``regexp_replace`` agree on ASCII classes and
    leftmost non-overlapping matches);
    ``Digits()``: only the ASCII digits (a phone number in any format read as its digits);
    ``Squeeze()``: runs of ASCII white space made one space, none at either end (``'  a   b '`` -> ``'a b'``).
Separators are one of ``SEPARATORS``, checked on load.

Example::

    >>> CamelSplit("_").apply("customerShipDate")
    'customer_Ship_Date'
    >>> Replace("_", " ").apply("order_total")
    'order total'
    >>> [v.explain("c") for v in propose("order_total", "Order Total")]
    ["replace('_', ' ', c)", "replace('_', '', c)"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

from mmlspark_py.core.spec import Spec

from .fields import check_enum
from .sqltext import lit
from .weights import DEFAULT, Weights

SEPARATORS = ("_", "-", " ", ".", "/")
MAX_VIEW_INPUT = 64  # identifiers and short codes; long texts (log lines) would only cost time
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_JAVA = "([a-z0-9])([A-Z])"


@dataclass(frozen=True)
class View(Spec):
    """A rewrite of a whole column (family root): ``apply``, ``sql``, ``explain``, ``cost``."""

    def apply(self, s: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def sql(self, src: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def explain(self, col: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.view


@dataclass(frozen=True)
class Replace(View):
    """Every ``old`` separator replaced by ``new`` (one separator, or empty)."""

    kind = "replace"
    old: str
    new: str

    def __post_init__(self) -> None:
        check_enum("Replace", "old", self.old, SEPARATORS)
        check_enum("Replace", "new", self.new, SEPARATORS + ("",))

    def apply(self, s: str) -> str:
        return s.replace(self.old, self.new)

    def sql(self, src: str) -> str:
        return f"replace({src}, {lit(self.old)}, {lit(self.new)})"

    def explain(self, col: str) -> str:
        return f"replace({self.old!r}, {self.new!r}, {col})"


@dataclass(frozen=True)
class CamelSplit(View):
    """``sep`` inserted at each lower-to-upper case boundary of ASCII camelCase."""

    kind = "camel"
    sep: str

    def __post_init__(self) -> None:
        # '$' and '\\' are special in Java's replacement strings: the separators never include them.
        check_enum("CamelSplit", "sep", self.sep, ("_", "-", " ", "/"))

    def apply(self, s: str) -> str:
        return _CAMEL.sub(lambda m: m.group(1) + self.sep + m.group(2), s)

    def sql(self, src: str) -> str:
        return f"regexp_replace({src}, {lit(_CAMEL_JAVA)}, {lit('$1' + self.sep + '$2')})"

    def explain(self, col: str) -> str:
        return f"camel_split({self.sep!r}, {col})"


@dataclass(frozen=True)
class Digits(View):
    """Only the ASCII digits of the column."""

    kind = "digits"

    def apply(self, s: str) -> str:
        return "".join(c for c in s if "0" <= c <= "9")

    def sql(self, src: str) -> str:
        return f"regexp_replace({src}, '[^0-9]', '')"

    def explain(self, col: str) -> str:
        return f"digits({col})"


# ASCII white space, spelled alike for Python's ``re`` and Java's regex (``\s`` differs between them)
_SPACE_RUN = re.compile("[ \t\n\r\f\v]+")
_SPACE_RUN_JAVA = "[ \\t\\n\\r\\f\\x0B]+"
_LOOSE_SPACE = re.compile("^[ \t\n\r\f\v]|[ \t\n\r\f\v]$|[ \t\n\r\f\v]{2,}|[\t\n\r\f\v]")


@dataclass(frozen=True)
class Squeeze(View):
    """The column with each run of ASCII white space (space, tab, line breaks, form feed, vertical tab) made
    one space and none at either end. Other spaces (no-break, em space) are kept as they are."""

    kind = "squeeze"

    def apply(self, s: str) -> str:
        return _SPACE_RUN.sub(" ", s).strip(" ")

    def sql(self, src: str) -> str:
        # Spark's one-argument trim removes spaces only: after the runs became one space, that is all there is
        return f"trim(regexp_replace({src}, {lit(_SPACE_RUN_JAVA)}, ' '))"

    def explain(self, col: str) -> str:
        return f"squeeze({col})"


_DIGITS_APART = re.compile(r"[0-9][^0-9]+[0-9]")


def propose(s: str, out: str) -> List[View]:
    """Views worth trying for input ``s`` of an example whose output is ``out``: replace a separator of
    the input that the output lacks by one the output has (or drop it), split camelCase with a
    separator the output has, and squeeze loose white space the output does not have. None for inputs
    longer than ``MAX_VIEW_INPUT``."""
    views: List[View] = []
    if len(s) > MAX_VIEW_INPUT:
        return views
    for c in SEPARATORS:
        if c in s and c not in out:
            views += [Replace(c, d) for d in SEPARATORS if d != c and d in out] + [Replace(c, "")]
    if _CAMEL.search(s):
        views += [CamelSplit(d) for d in ("_", "-", " ", "/") if d in out]
    if _DIGITS_APART.search(s) and sum(c.isdigit() for c in out) >= 4:
        views.append(Digits())
    if _LOOSE_SPACE.search(s) and not _LOOSE_SPACE.search(out):
        views.append(Squeeze())
    return views
