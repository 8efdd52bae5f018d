"""Programs: branches of concatenations of atoms, with their interpreter, SQL form and JSON form.

A ``Program`` is a tuple of ``Branch(pred, body)``; the first branch whose predicate holds produces the
output (the last branch's predicate may be ``None``: "otherwise"; no branch: null). A ``Concat`` joins
atoms (``ops``): constants, substrings, numbers, dates. Null semantics, shared with the SQL: a null atom
makes the output null; a null (unknown) predicate does not hold, and a row on which one was unknown gets
null instead of the "otherwise" branch (``n/a`` through ``if number(in0) >= 90: 'A' ... otherwise: 'B'``
is null, not ``'B'``).

Every node is a validated ``core.spec`` node: ``Program.from_json`` checks every field of a saved program
(and says which one is wrong), and SQL is built from checked values only.

Example::

    >>> from mmlspark_py.dataprep.ops import Const, SubStr
    >>> from mmlspark_py.dataprep.positions import Abs, Match
    >>> from mmlspark_py.dataprep.tokens import CharClass
    >>> last = SubStr(0, Match(CharClass("alpha"), -1, "start"), Abs(-1))
    >>> first = SubStr(0, Abs(0), Match(CharClass("space"), -1, "start"))
    >>> p = Program((Branch(None, Concat((last, Const(", "), first))),))
    >>> p.run(("Jonah P. Wexley",))
    'Wexley, Jonah P.'
    >>> Program.from_json(p.to_json()) == p
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple

from mmlspark_py.core.spec import Spec, SpecError

from . import legacy
from .fields import decode, nested, nested_seq
from .ops import Atom, Predicate

MAX_BRANCHES = 64


@dataclass(frozen=True)
class Concat(Spec):
    """Concatenation of atoms; null if any atom is null."""

    kind = "concat"
    atoms: Tuple[Atom, ...]

    def __post_init__(self) -> None:
        nested_seq(self, "atoms", Atom)

    def eval(self, row: Sequence[Optional[str]]) -> Optional[str]:
        out = []
        for a in self.atoms:
            v = a.eval(row)
            if v is None:
                return None
            out.append(v)
        return "".join(out)

    def explain(self, cols: Sequence[str]) -> str:
        parts = [a.explain(cols) for a in self.atoms]
        return parts[0] if len(parts) == 1 else f"concat({', '.join(parts)})"

    def sql(self, cols: Sequence[str]) -> str:
        parts = [a.sql(cols) for a in self.atoms]
        return parts[0] if len(parts) == 1 else f"concat({', '.join(parts)})"

    def columns(self) -> Tuple[int, ...]:
        return tuple(c for a in self.atoms for c in a.columns())


@dataclass(frozen=True)
class Branch(Spec):
    """``body`` when ``pred`` holds (``pred`` ``None``: always)."""

    kind = "branch"
    pred: Optional[Predicate]
    body: Concat

    def __post_init__(self) -> None:
        nested(self, "pred", Predicate, optional=True)
        nested(self, "body", Concat)


@dataclass(frozen=True)
class Program(Spec):
    """Branches; the first branch whose predicate holds gives the output."""

    kind = "program"
    branches: Tuple[Branch, ...]

    def __post_init__(self) -> None:
        nested_seq(self, "branches", Branch, 1, MAX_BRANCHES)

    @staticmethod
    def single(body: Concat) -> Program:
        return Program((Branch(None, body),))

    @property
    def arity(self) -> int:
        cols = [c for b in self.branches for c in b.body.columns()]
        cols += [c for b in self.branches if b.pred is not None for c in b.pred.columns()]
        return max(cols, default=-1) + 1

    def run(self, row: Sequence[Optional[str]]) -> Optional[str]:
        """Output for one input tuple (``None`` = null)."""
        row = tuple(row)
        unknown = False
        for b in self.branches:
            if b.pred is None:
                return None if unknown else b.body.eval(row)
            held = b.pred.eval(row)
            if held:
                return b.body.eval(row)
            unknown = unknown or held is None
        return None

    def explain(self, cols: Optional[Sequence[str]] = None) -> str:
        """Readable program text; ``cols`` names the inputs (default ``in0, in1, ...``)."""
        names = list(cols) if cols is not None else [f"in{i}" for i in range(max(self.arity, 1))]
        if len(self.branches) == 1 and self.branches[0].pred is None:
            return self.branches[0].body.explain(names)
        lines = []
        for b in self.branches:
            head = "otherwise" if b.pred is None else f"if {b.pred.explain(names)}"
            lines.append(f"{head}: {b.body.explain(names)}")
        return "\n".join(lines)

    def sql(self, cols: Sequence[str]) -> str:
        """Spark SQL expression over the input columns named ``cols``."""
        whens, other, unknown = [], "NULL", []
        for b in self.branches:
            if b.pred is None:
                other = b.body.sql(cols)
                break
            whens.append(f"WHEN {b.pred.sql(cols)} THEN {b.body.sql(cols)}")
            u = b.pred.unknown_sql(cols)
            if u is not None and u not in unknown:
                unknown.append(u)
        if unknown and other != "NULL":
            whens.append(f"WHEN {' OR '.join(unknown)} THEN NULL")
        return f"(CASE {' '.join(whens)} ELSE {other} END)" if whens else other

    @staticmethod
    def decode(obj: Any, where: str = "program") -> Program:
        """A program from its JSON form (or the first release's, see ``legacy``); ``SpecError`` naming the
        bad field (prefixed by ``where``)."""
        if legacy.is_legacy(obj):
            try:
                obj = legacy.upgrade(obj)
            except SpecError as e:
                raise SpecError(f"{where}: {e}") from None
        out = decode(Program, obj, where)
        assert isinstance(out, Program)
        return out
