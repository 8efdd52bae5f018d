"""The program language of data preparation by example: AST, interpreter and JSON form.

A ``Program`` is a list of branches ``(predicate, Concat)``; the first branch whose predicate holds
produces the output (the last branch's predicate is ``None``: "otherwise"). A ``Concat`` joins
atoms: constants (``Const``), substrings of an input column between two positions with an
optional case change (``SubStr``), and semantic formats (``semantic.NumFormat``, ``semantic.DateFormat``).
Positions are absolute (``AbsPos``) or token boundaries (``TokPos``: start or end of the k-th match
of a token, from the start when k > 0 and from the end when k < 0).

Null semantics (shared with the SQL compiler): a null input, an undefined position, an end
before the start or a failed parse make the atom null, and any null atom makes the output null.

Every node is a frozen dataclass; ``to_json``/``from_json`` give plain JSON-compatible dicts.

Example::

    >>> p = Program(((None, Concat((SubStr(0, TokPos("alpha", -1, "start"), AbsPos(-1)),
    ...                             Const(", "),
    ...                             SubStr(0, AbsPos(0), TokPos("space", -1, "start")))),),))
    >>> p.run(("Jonah P. Wexley",))
    'Wexley, Jonah P.'
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Optional

from . import tokens
from .views import apply_view, view_explain

CASES = ("id", "lower", "upper", "title")


def initcap(s: str) -> str:
    """Spark's ``initcap``: lower-case, then upper-case the first letter of each space-separated word."""
    low = s.lower()
    return "".join(c.upper() if i == 0 or low[i - 1] == " " else c for i, c in enumerate(low))


def apply_case(case: str, s: str) -> str:
    if case == "id":
        return s
    if case == "lower":
        return s.lower()
    if case == "upper":
        return s.upper()
    return initcap(s)


@dataclass(frozen=True)
class AbsPos:
    """Absolute position: ``k`` >= 0 counts from the start; ``k`` < 0 from the end (-1 = end)."""

    k: int

    def eval(self, s: str) -> Optional[int]:
        p = self.k if self.k >= 0 else len(s) + 1 + self.k
        return p if 0 <= p <= len(s) else None

    def explain(self) -> str:
        return "start" if self.k == 0 else "end" if self.k == -1 else f"pos({self.k})"


@dataclass(frozen=True)
class TokPos:
    """Start or end (``side``) of the ``k``-th match of ``token`` (k < 0: counted from the end)."""

    token: str
    k: int
    side: str

    def eval(self, s: str) -> Optional[int]:
        tok = tokens.by_name(self.token)
        spans = tok.spans(s) if self.k > 0 else tok.rev_spans(s)
        i = abs(self.k) - 1
        if i >= len(spans):
            return None
        return spans[i][0 if self.side == "start" else 1]

    def explain(self) -> str:
        return f"{self.side}({self.token!r}, {self.k})"


@dataclass(frozen=True)
class Const:
    """A constant string."""

    text: str

    def eval(self, row) -> Optional[str]:
        return self.text

    def explain(self, cols) -> str:
        return repr(self.text)


@dataclass(frozen=True)
class SubStr:
    """``case(view(input[col])[p1:p2])``; null when a position is undefined or ``p2 < p1``
    (``view``: see ``views``; ``""`` reads the column as is)."""

    col: int
    p1: object
    p2: object
    case: str = "id"
    view: str = ""

    def eval(self, row) -> Optional[str]:
        s = apply_view(self.view, row[self.col])
        if s is None:
            return None
        a, b = self.p1.eval(s), self.p2.eval(s)
        if a is None or b is None or b < a:
            return None
        return apply_case(self.case, s[a:b])

    def explain(self, cols) -> str:
        core = _explain_sub(view_explain(self.view, cols[self.col]), self.p1, self.p2)
        return core if self.case == "id" else f"{self.case}({core})"


def _explain_sub(col, p1, p2) -> str:
    if isinstance(p1, TokPos) and isinstance(p2, TokPos) and (p1.token, p1.k) == (p2.token, p2.k) \
            and (p1.side, p2.side) == ("start", "end"):
        return f"match({col}, {p1.token!r}, {p1.k})"
    if p1 == AbsPos(0) and p2 == AbsPos(-1):
        return col
    return f"substr({col}, {p1.explain()}, {p2.explain()})"


@dataclass(frozen=True)
class Concat:
    """Concatenation of atoms; null if any atom is null."""

    atoms: tuple

    def eval(self, row) -> Optional[str]:
        out = []
        for a in self.atoms:
            v = a.eval(row)
            if v is None:
                return None
            out.append(v)
        return "".join(out)

    def explain(self, cols) -> str:
        parts = [a.explain(cols) for a in self.atoms]
        return parts[0] if len(parts) == 1 else f"concat({', '.join(parts)})"


@dataclass(frozen=True)
class HasToken:
    """Predicate: column ``col`` has at least ``k`` matches of ``token`` (``negate``: fewer than k)."""

    col: int
    token: str
    k: int
    negate: bool = False

    def eval(self, row) -> Optional[bool]:
        s = row[self.col]
        if s is None:
            return None
        has = len(tokens.by_name(self.token).spans(s)) >= self.k
        return has != self.negate

    def explain(self, cols) -> str:
        op = "<" if self.negate else ">="
        return f"count({cols[self.col]}, {self.token!r}) {op} {self.k}"


@dataclass(frozen=True)
class IsNull:
    """Predicate: column ``col`` is null."""

    col: int

    def eval(self, row) -> bool:
        return row[self.col] is None

    def explain(self, cols) -> str:
        return f"isnull({cols[self.col]})"


@dataclass(frozen=True)
class Program:
    """Branches ``((predicate or None, Concat), ...)``; the first branch whose predicate holds wins."""

    branches: tuple

    @property
    def arity(self) -> int:
        cols = [a.col for _, c in self.branches for a in c.atoms if hasattr(a, "col")]
        cols += [p.col for p, _ in self.branches if p is not None]
        return max(cols, default=-1) + 1

    def run(self, row) -> Optional[str]:
        """Output for one input tuple (``None`` = null)."""
        row = tuple(row)
        for pred, body in self.branches:
            if pred is None or pred.eval(row):
                return body.eval(row)
        return None

    def explain(self, cols=None) -> str:
        """Readable program text; ``cols`` names the inputs (default ``in0, in1, ...``)."""
        cols = list(cols) if cols is not None else [f"in{i}" for i in range(max(self.arity, 1))]
        if len(self.branches) == 1 and self.branches[0][0] is None:
            return self.branches[0][1].explain(cols)
        lines = []
        for pred, body in self.branches:
            head = "otherwise" if pred is None else f"if {pred.explain(cols)}"
            lines.append(f"{head}: {body.explain(cols)}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"branches": [[to_json(p) if p is not None else None, to_json(c)]
                             for p, c in self.branches]}

    @staticmethod
    def from_json(d: dict) -> Program:
        return Program(tuple((from_json(p) if p is not None else None, from_json(c))
                             for p, c in d["branches"]))


NODES = {c.__name__: c for c in (AbsPos, TokPos, Const, SubStr, Concat, HasToken, IsNull)}


def register(cls):
    """Class decorator adding a node type (e.g. semantic atoms) to the JSON codec."""
    NODES[cls.__name__] = cls
    return cls


def to_json(node) -> dict:
    """JSON-compatible dict for an AST node."""
    out = {"node": type(node).__name__}
    for f in fields(node):
        v = getattr(node, f.name)
        if isinstance(v, tuple):
            v = [to_json(x) if hasattr(x, "__dataclass_fields__") else x for x in v]
        elif hasattr(v, "__dataclass_fields__"):
            v = to_json(v)
        out[f.name] = v
    return out


def from_json(d: dict):
    """AST node from ``to_json`` output; raises ``ValueError`` on unknown node types."""
    try:
        cls = NODES[d["node"]]
    except KeyError:
        raise ValueError(f"unknown program node {d.get('node')!r}; valid: {sorted(NODES)}")
    kw = {}
    for f in fields(cls):
        if f.name not in d and f.default is not MISSING:
            continue  # written before the field existed: its default
        v = d[f.name]
        if isinstance(v, list):
            v = tuple(from_json(x) if isinstance(x, dict) else x for x in v)
        elif isinstance(v, dict):
            v = from_json(v)
        kw[f.name] = v
    return cls(**kw)
