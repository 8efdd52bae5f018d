"""``learn()``: the Spark-free entry point of data preparation by example.

Params:
    examples: ``[(input tuple, output str), ...]`` (a bare string input is read as a 1-tuple).
    inputs: unlabeled input tuples of the same arity, used to rank programs (a bounded sample of
        at most ``max_inputs`` is used; rows with a value over 1,000 characters are left out).
    k: how many distinct programs to keep (``LearnedProgram.topK``).
    timeout: seconds allowed for synthesis (``SynthesisTimeout`` past it).

Errors: ``ContradictoryExamples`` (names the input and both outputs), ``DataPrepError`` on bad
arity or types, ``NoProgramFound`` listing the examples no program explains.

Example::

    >>> p = learn([(("Marta Quillfeather",), "Quillfeather, Marta")],
    ...           inputs=[("Jonah P. Wexley",), ("Bo Ng",)])
    >>> p.run(("Bo Ng",))
    'Ng, Bo'
    >>> p.toSQL(["name"]).startswith("concat(")
    True
"""

from __future__ import annotations

import random
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from mmlspark_py.core.spec import SpecError

from .conditional import learn_programs
from .errors import ContradictoryExamples, DataPrepError, InvalidProgram, NoProgramFound
from .ops import Example, Row
from .program import Program
from .ranking import Ranker
from .sql import to_sql

MAX_PROGRAMS = 64
MAX_RANKING_VALUE = 1000  # longer unlabeled values are left out of the ranking sample


class LearnedProgram:
    """A ranked list of programs; the first one is used by ``run``/``explain``/``toSQL``."""

    def __init__(self, programs: Iterable[Program]) -> None:
        if not programs:
            raise ValueError("LearnedProgram needs at least one program")
        self.programs = list(programs)

    @property
    def program(self) -> Program:
        return self.programs[0]

    def run(self, row: Any) -> Optional[str]:
        """Output for one input tuple (``None`` = null)."""
        return self.program.run(_as_tuple(row))

    def explain(self, columns: Optional[Sequence[str]] = None) -> str:
        """Readable program; ``columns`` names the inputs."""
        return self.program.explain(columns)

    def toSQL(self, columns: Sequence[str]) -> str:
        """Spark SQL expression text over the quoted input ``columns``."""
        return to_sql(self.program, columns)

    def topK(self, k: int) -> List[Program]:
        """The ``k`` best distinct programs, best first."""
        return self.programs[:k]

    def outputsFor(self, row: Any, k: int = 3) -> List[Optional[str]]:
        """Distinct candidate outputs of the top ``k`` programs for one row, best first."""
        seen: List[Optional[str]] = []
        for p in self.programs[:k]:
            v = p.run(_as_tuple(row))
            if v not in seen:
                seen.append(v)
        return seen

    def suggestExamples(
        self, inputs: Iterable[Any], n: int = 3, k: Optional[int] = None
    ) -> List[Tuple[Row, List[Optional[str]]]]:
        """The ``n`` input rows worth labelling next: where the top ``k`` programs (default: all kept) disagree
        most. Rows where the best program's output is shared by fewer of the others come first (the answer
        separates the surviving programs); ``[(row, [distinct outputs, best program's first])]``."""
        progs = self.programs[:k] if k else self.programs
        rank_weight = [0.5**i for i in range(len(progs))]  # each program weighs half the one before
        scored = []
        for i, row in enumerate(dict.fromkeys(_as_tuple(r) for r in inputs)):
            outs = [p.run(row) for p in progs]
            distinct = list(dict.fromkeys(outs))
            if len(distinct) < 2:
                continue
            # how much of the ranking (better programs weigh more) the best program's answer would eliminate
            against = sum(wt for wt, o in zip(rank_weight, outs) if o != outs[0])
            scored.append((-against, -len(distinct), i, row, distinct))
        scored.sort(key=lambda t: t[:3])
        return [(row, distinct) for _a, _d, _i, row, distinct in scored[:n]]

    def to_json(self) -> Dict[str, Any]:
        return {"programs": [p.to_json() for p in self.programs]}

    @staticmethod
    def from_json(d: Any) -> LearnedProgram:
        """Decode and validate every field; ``InvalidProgram`` names the first bad one."""
        if (
            not isinstance(d, dict)
            or not isinstance(d.get("programs"), list)
            or not 1 <= len(d["programs"]) <= MAX_PROGRAMS
        ):
            raise InvalidProgram(f"expected {{'programs': [1 to {MAX_PROGRAMS} programs]}}, got {str(d)[:80]!r}")
        try:
            return LearnedProgram([Program.decode(p, f"programs[{i}]") for i, p in enumerate(d["programs"])])
        except SpecError as e:
            raise InvalidProgram(str(e)) from None


def _as_tuple(row: Any) -> Row:
    return (row,) if isinstance(row, str) or row is None else tuple(row)


def validate_examples(examples: Iterable[Any], arity: Optional[int] = None) -> List[Example]:
    """Normalise ``examples`` to ``[(tuple, str)]``; check arity, types and contradictions."""
    if not examples:
        raise DataPrepError("examples is empty: give at least one (input tuple, output) pair")
    norm: List[Example] = []
    for i, ex in enumerate(examples):
        try:
            inp, out = ex
        except (TypeError, ValueError):
            raise DataPrepError(f"example {i} is {ex!r}; expected (input tuple, output string)") from None
        inp = _as_tuple(inp)
        if arity is None:
            arity = len(inp)
        if len(inp) != arity:
            raise DataPrepError(
                f"example {i} has {len(inp)} input value(s) {inp!r}; expected {arity} (one per input column)"
            )
        if not isinstance(out, str) or not all(v is None or isinstance(v, str) for v in inp):
            raise DataPrepError(f"example {i} {ex!r}: inputs must be strings or None and the output a string")
        norm.append((inp, out))
    seen: Dict[Row, str] = {}
    for inp, out in norm:
        if inp in seen and seen[inp] != out:
            raise ContradictoryExamples(
                f"contradictory examples: input {inp!r} is given two outputs, {seen[inp]!r} and {out!r}"
            )
        seen[inp] = out
    return list(dict.fromkeys(norm))


def learn(
    examples: Iterable[Any],
    inputs: Iterable[Any] = (),
    k: int = 5,
    timeout: float = 10.0,
    max_inputs: int = 40,
    seed: int = 0,
    ranker: Optional[Ranker] = None,
) -> LearnedProgram:
    """Learn a program from ``examples``, ranked with the unlabeled ``inputs``; see module doc."""
    exs = validate_examples(examples)
    arity = len(exs[0][0])
    unl = [_as_tuple(u) for u in inputs]
    for u in unl:
        if len(u) != arity:
            raise DataPrepError(f"unlabeled input {u!r} has {len(u)} value(s); expected {arity}")
    labeled = {e[0] for e in exs}
    # Rows with very long values (documents, not fields) would cost more time than they tell the ranking.
    unl = list(
        dict.fromkeys(u for u in unl if u not in labeled and all(v is None or len(v) <= MAX_RANKING_VALUE for v in u))
    )
    if len(unl) > max_inputs:
        unl = random.Random(seed).sample(unl, max_inputs)
    deadline = time.monotonic() + timeout
    progs = learn_programs(exs, unl, k=k, deadline=deadline, ranker=ranker)
    if not progs:
        raise NoProgramFound(_no_program_message(exs, unl, deadline))
    distinct = list(dict.fromkeys(p for _c, p in progs))
    return LearnedProgram(distinct)


def _no_program_message(examples: List[Example], unl: List[Row], deadline: float) -> str:
    """Name the examples that no program explains: those that break the first example's program."""
    first = learn_programs(examples[:1], unl, k=1, deadline=deadline)
    if not first:
        bad = examples[:1]
    else:
        bad = [e for e in examples if first[0][1].run(e[0]) != e[1]]
    lines = "; ".join(f"{i!r} -> {o!r}" for i, o in bad)
    return (
        f"no program explains all {len(examples)} examples; not explained: {lines}. "
        f"Check these examples or give more examples of each input shape"
    )
