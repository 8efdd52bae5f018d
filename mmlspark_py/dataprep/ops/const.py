"""``Const(text)``: a constant piece of output.

Cost: one atom plus a charge per character, high for letters and digits (they usually come from the
input) and low for punctuation and spaces (separators usually do not). Proposed for every segment of the
first example's output.

Example::

    >>> Const(", ").explain(["name"]), Const(", ").sql(["name"])
    ("', '", "', '")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from ..fields import MAX_TEXT, check_text
from ..sqltext import lit
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge


@dataclass(frozen=True)
class Const(Atom):
    """The constant ``text`` (up to 4,096 characters)."""

    kind = "const"
    text: str

    def __post_init__(self) -> None:
        check_text("Const", "text", self.text, MAX_TEXT)

    def eval(self, row: Sequence[Optional[str]]) -> Optional[str]:
        return self.text

    def explain(self, cols: Sequence[str]) -> str:
        return repr(self.text)

    def sql(self, cols: Sequence[str]) -> str:
        return lit(self.text)

    def cost(self, w: Weights = DEFAULT) -> float:
        return w.atom + sum(w.const_alnum_char if c.isalnum() else w.const_other_char for c in self.text)

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        out = ctx.outs[0]
        n = len(ctx.rows)
        for i in range(len(out)):
            for j in range(i + 1, len(out) + 1):
                text = out[i:j]
                atom = cls(text)
                yield Edge(i, j, atom, atom.cost(ctx.weights), (text,) * n)
