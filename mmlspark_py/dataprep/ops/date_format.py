"""``DateFormat``: one moment read as ``DateTime`` reads it, printed in a format of several fields.

``DateFormat(col, layout, fields, seps, unit, mode, bound, zone, case)``: the moment of column ``col`` read in
``layout``, converted to ``zone`` and rounded (``unit``, ``mode``, ``bound``) exactly as
:class:`~mmlspark_py.dataprep.ops.DateTime` does, printed as ``fields[0] + seps[0] + fields[1] + ... +
fields[-1]``: DateTime's field letters (``yyyy``, ``MM``, ``dd``, ``HH``, ``mm``, ``MMM``, ...; ``case``
applies to names) joined by short separators without letters or digits (``-``, ``/``, ``:``, ``, ``, none) or ISO's ``T``.

Why one atom for a whole format: every field comes from the same parsed moment, so a conversion that crosses
midnight changes the date as well as the hour (``2019-11-01 23:50 -03:00 -> 2019-11-02 02:50``), which a copy
of the input's date text would not; and a reformatting shown once (``3/17/2022 -> 2022-03-17``) is one
choice, not five that each must be right on their own.

The SQL form is ``concat`` of DateTime's field expressions and the separators (any null field makes the
whole null, as in the interpreter; Spark evaluates the shared moment once per row).

Example::

    >>> DateFormat(0, "%m/%d/%Y", ("yyyy", "MM", "dd"), ("-", "-")).eval(("3/7/2022",))
    '2022-03-07'
    >>> DateFormat(0, "%Y-%m-%d %H:%M %z", ("yyyy", "MM", "dd", "HH", "mm"), ("-", "-", " ", ":"), zone=0).eval(
    ...     ("2019-11-01 23:50 -03:00",))
    '2019-11-02 02:50'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from mmlspark_py.core.spec import SpecError

from ..sqltext import lit
from ..weights import DEFAULT, Weights
from .base import Atom, Context, Edge, OneColumn
from .dates import DateTime, field_cost, field_hits, field_sql, mixes_calendars, render

MAX_FIELDS = 8
MAX_SEP = 3


def is_separator(text: str) -> bool:
    """0 to ``MAX_SEP`` characters that are neither letters nor digits, or the ``T`` of ISO 8601: a letter
    next to a field would let a format cut a name apart (``Mar`` + ``ch `` + ``6``)."""
    return text == "T" or (len(text) <= MAX_SEP and not any(c.isalnum() for c in text))


_NAMES = ("MMMM", "MMM", "EEEE", "EEE", "a")
MAX_CHAINS = 400  # formats proposed per candidate moment (a bound on synthesis time, far above real outputs)


@dataclass(frozen=True)
class DateFormat(OneColumn, Atom):
    """Fields of one date/time of column ``col`` joined by separators (see the module docstring)."""

    kind = "dateformat"
    semantic = True
    col: int
    layout: str
    fields: Tuple[str, ...]
    seps: Tuple[str, ...]
    unit: str = ""
    mode: str = "floor"
    bound: str = "start"
    zone: Optional[int] = None
    case: str = "id"

    def __post_init__(self) -> None:
        for name in ("fields", "seps"):
            value = getattr(self, name)
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise SpecError(f"DateFormat.{name}: expected a list of strings, got {value!r}")
            object.__setattr__(self, name, tuple(value))  # JSON gives lists; atoms are hashed
        if not 2 <= len(self.fields) <= MAX_FIELDS or len(self.seps) != len(self.fields) - 1:
            raise SpecError(
                f"DateFormat: expected 2 to {MAX_FIELDS} fields and one separator between each two, got "
                f"fields={list(self.fields)!r}, seps={list(self.seps)!r}"
            )
        for sep in self.seps:
            if not is_separator(sep):
                raise SpecError(
                    f"DateFormat.seps: {sep!r} is not 0 to {MAX_SEP} characters without letters or digits (or 'T')"
                )
        # Validates col, layout, every field, the rounding, the zone and the case (DateTime's own checks).
        parts = tuple(
            DateTime(self.col, self.layout, f, self.unit, self.mode, self.bound, self.zone, self.case)
            for f in self.fields
        )
        object.__setattr__(self, "_parts", parts)

    @property
    def parts(self) -> Tuple[DateTime, ...]:
        """One ``DateTime`` per field (the same moment each)."""
        return self._parts  # type: ignore[attr-defined]

    def pattern(self) -> str:
        """The format as one text: ``yyyy-MM-dd HH:mm``."""
        return "".join(f + s for f, s in zip(self.fields, self.seps + ("",)))

    def eval(self, row: Sequence[Optional[str]]) -> Optional[str]:
        d = self.parts[0].moment(row[self.col])
        if d is None:
            return None
        return "".join(render(d, f, self.case) + s for f, s in zip(self.fields, self.seps + ("",)))

    def explain(self, cols: Sequence[str]) -> str:
        text = f"format({self.parts[0].explain_moment(cols)}, {self.pattern()!r})"
        return text if self.case == "id" else f"{self.case}({text})"

    def sql(self, cols: Sequence[str]) -> str:
        moment = self.parts[0].moment_sql(cols)
        pieces: List[str] = []
        for f, sep in zip(self.fields, self.seps + ("",)):
            pieces.append(field_sql(moment, f, self.case))
            if sep:
                pieces.append(lit(sep))
        return f"concat({', '.join(pieces)})"

    def cost(self, w: Weights = DEFAULT) -> float:
        first = self.parts[0].cost(w)
        return (
            first
            + sum(w.date_format_field + field_cost(f, w) for f in self.fields[1:])
            + (w.date_clock_mix if clock_mix(self.fields) else 0.0)
        )

    @classmethod
    def propose(cls, ctx: Context) -> Iterable[Edge]:
        out = ctx.outs[0]
        for moment in field_hits(ctx):
            starts: Dict[int, List[Tuple[int, DateTime]]] = {}
            for i, j, atom in moment.hits:
                starts.setdefault(i, []).append((j, atom))
            proposed = 0  # every chain is new: hits differ in (start, end, field, case)
            for i, j, first in moment.hits:
                for end, fields, seps, case in _chains(out, starts, j, (first.field,), (), first.case):
                    fmt = cls(
                        first.col, first.layout, fields, seps, first.unit, first.mode, first.bound, first.zone, case
                    )
                    yield Edge(i, end, fmt, fmt.cost(ctx.weights) + moment.penalty)
                    proposed += 1
                    if proposed >= MAX_CHAINS:
                        return


def clock_mix(fields: Sequence[str]) -> bool:
    """Whether a format prints a 24-hour hour beside AM/PM (``H:mm a``) or a 12-hour hour without it (``h:mm``):
    ``9:41 AM`` from ``09:41`` reads as either hour, and the other rows (``14:03``) tell them apart."""
    ampm = "a" in fields
    return any((f in ("H", "HH") and ampm) or (f in ("h", "hh") and not ampm) for f in fields)


def _chains(
    out: str,
    starts: Dict[int, List[Tuple[int, DateTime]]],
    j: int,
    fields: Tuple[str, ...],
    seps: Tuple[str, ...],
    case: str,
) -> Iterator[Tuple[int, Tuple[str, ...], Tuple[str, ...], str]]:
    """Formats that extend ``fields`` (ending at ``out[j]``) by a separator and another field of the same
    moment, each field used once and every name in one case: ``(end, fields, seps, case)``, two fields or more."""
    if len(fields) >= MAX_FIELDS:
        return
    named = any(f in _NAMES for f in fields)
    for width in range(MAX_SEP + 1):
        sep = out[j : j + width]
        if len(sep) < width or not is_separator(sep):
            break
        for end, atom in starts.get(j + width, ()):
            if atom.field in fields or (atom.field in _NAMES and named and atom.case != case):
                continue
            if mixes_calendars(fields + (atom.field,)):
                continue
            grown, joined = fields + (atom.field,), seps + (sep,)
            merged = atom.case if atom.field in _NAMES else case
            yield end, grown, joined, merged
            yield from _chains(out, starts, end, grown, joined, merged)
