"""The operator protocol: every atom and predicate of the program language implements it.

An **atom** produces one piece of the output from a row of input values; a **predicate** chooses a
branch of a conditional program. Both are typed, validated nodes (``core.spec``) with:

    ``eval(row)``        the value on a tuple of input strings (``None``: null);
    ``explain(cols)``    readable text over the input column names;
    ``sql(cols)``        a Spark SQL expression (built-in functions only) equal to ``eval`` on every row,
                         built from validated fields through ``sqltext``;
    ``cost(w)``          the static part of its ranking cost, from the weights ``w`` (``weights.py``);
    ``columns()``        the input columns it reads;
    ``unknown_sql(cols)`` (predicates) SQL true exactly where ``eval`` gives ``None``;
    ``propose(ctx)``     (class method) the candidates that explain pieces of the first example's output:
                         ``Edge(i, j, atom, cost, values)`` says ``atom`` yields ``out[i:j]`` on the first
                         example (``values``: its value on every example, or ``None`` to evaluate it).

A new operator is one module defining such a class (imported by ``ops/__init__``); synthesis, SQL
compilation, persistence and ranking find it through the protocol. ``semantic = True`` marks atoms that
read meaning into values (numbers, dates): they are not proposed for rules learned on null inputs.

Example::

    >>> from mmlspark_py.dataprep.ops import Const
    >>> Const("-").sql(["a"]), Const("-").eval(("x",))
    ("'-'", '-')
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from mmlspark_py.core.spec import Spec

from ..errors import SynthesisTimeout
from ..fields import check_int
from ..sqltext import ident
from ..weights import DEFAULT, Weights

MAX_COLUMNS = 64

Row = Tuple[Optional[str], ...]  # one input row: a value per input column (None: null)
Example = Tuple[Row, str]  # an input row and the output wanted for it


class Edge(NamedTuple):
    """A candidate atom for ``out[i:j]`` of the first example (``values``: its value on each example)."""

    i: int
    j: int
    atom: Atom
    cost: float
    values: Optional[Tuple[str, ...]] = None


@dataclass
class Context:
    """What proposers see: the examples (``rows`` -> ``outs``), unlabeled rows, weights, time budget."""

    rows: List[Row]
    outs: List[str]
    unlabeled: List[Row] = field(default_factory=list)
    weights: Weights = DEFAULT
    deadline: Optional[float] = None
    allow_semantic: bool = True
    memo: Dict[Any, Any] = field(default_factory=dict)

    @property
    def arity(self) -> int:
        return len(self.rows[0])

    def check(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise SynthesisTimeout("synthesis timed out (raise the timeout parameter or give shorter examples)")

    def unlabeled_col(self, col: int) -> List[str]:
        return [v for v in (u[col] for u in self.unlabeled) if v is not None]


def null_rate(atom: Atom, unlabeled: Sequence[Row]) -> float:
    """Share of the unlabeled rows on which ``atom`` gives null (a proposer's penalty)."""
    if not unlabeled:
        return 0.0
    return sum(atom.eval(u) is None for u in unlabeled) / len(unlabeled)


class _Protocol:
    """What atoms and predicates share: evaluate, explain, compile to SQL, cost, columns read."""

    def eval(self, row: Sequence[Optional[str]]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def explain(self, cols: Sequence[str]) -> str:  # pragma: no cover
        raise NotImplementedError

    def sql(self, cols: Sequence[str]) -> str:  # pragma: no cover
        raise NotImplementedError

    def cost(self, w: Weights = DEFAULT) -> float:  # pragma: no cover
        raise NotImplementedError

    def columns(self) -> Tuple[int, ...]:
        return ()


class OneColumn:
    """Mixin for nodes that read the single input column ``col`` (a validated field)."""

    col: int

    def columns(self) -> Tuple[int, ...]:
        return (self.col,)

    def check_col(self) -> None:
        check_int(type(self).__name__, "col", self.col, 0, MAX_COLUMNS - 1)


@dataclass(frozen=True)
class Atom(_Protocol, Spec):
    """A piece of output (family root): ``eval`` gives a string or ``None``; see the module docstring."""

    semantic: ClassVar[bool] = False

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:  # pragma: no cover
        return ()


@dataclass(frozen=True)
class Predicate(_Protocol, Spec):
    """A branch condition (family root): ``eval`` gives a bool or ``None`` (unknown: the row holds nothing the
    condition can be read on), ``unknown_sql(cols)`` the SQL that is true exactly where ``eval`` gives ``None``,
    and ``propose(pos, neg, ctx)`` the predicates true on every row of ``pos`` and false on every row of
    ``neg``."""

    def unknown_sql(self, cols: Sequence[str]) -> Optional[str]:
        """SQL true where the predicate is null (``None``: never). Default: one of its columns is null."""
        tests = [f"({ident(cols[c])} IS NULL)" for c in self.columns()]
        return " OR ".join(tests) if tests else None

    @classmethod
    def propose(cls, pos: List[Row], neg: List[Row], ctx: Context) -> Iterable[Predicate]:  # pragma: no cover
        return ()
