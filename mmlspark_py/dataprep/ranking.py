"""Ranking whole candidate programs by how they behave on the unlabeled inputs (the learned ranker).

The synthesizer proposes a pool of programs that all explain the examples; they differ on the other rows.
Programs with the same outputs on every unlabeled row are one *behaviour*; the behaviours are the real
alternatives. Each candidate is described by features (``FEATURES``) of its outputs on the unlabeled rows
compared with the examples' outputs: nulls, letters or digits where no example output has them, other new
characters, a length the examples do not show, a length kept on the rows formatted like the examples and
broken on the others (``last 4 digits`` vs ``last digit run``), a shape (runs of upper/lower/digits/punctuation)
no example output has, empty outputs, zero-padded digits read as a number, decimals rounded off where no
example's are, capitals from a program that lower-cases where every example output is in lower case, a decimal
number cut apart and a constant minus sign where the examples copy the input's; and of the program itself: its
synthesis cost, atoms, constant letters/digits, absolute positions, branches, semantic atoms, ISO weeks
with calendar years, the end of a time unit without its start (rounding up reads more naturally), and how
many programs of the pool behave like it. The score is ``sum(weight * feature)`` (lower is better) with the
weights of ``weights.Weights.ranker``, fitted on training tasks (``benchmarks/dataprep_accuracy.py --fit``:
the non-negative weights under which the top candidate of a pool is most often correct);
``DEFAULT_RANKER`` is the fallback when no fitted weights ship.

Example (two programs of near-equal synthesis cost that agree on the example ``"12"``; on the unlabeled
``"7 kg"`` one outputs letters no example output has, and ranks below the other)::

    >>> from mmlspark_py.dataprep.program import Concat, Program
    >>> from mmlspark_py.dataprep.ops import SubStr
    >>> from mmlspark_py.dataprep.positions import Abs, Match
    >>> from mmlspark_py.dataprep.tokens import Literal
    >>> whole = Program.single(Concat((SubStr(0, Abs(0), Abs(-1)),)))
    >>> first = Program.single(Concat((SubStr(0, Abs(0), Match(Literal(" "), 1, "start")),)))
    >>> [p is first for _s, p in rank([(1.0, whole), (1.04, first)], ["12"], [("7 kg",)])]
    [True, False]
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from .ops import Const, Number, Row, SubStr
from .ops.classes import char_classes
from .ops.dates import lone_unit_end, mixes_calendars, mixes_roundings
from .ops.number import lone_step_end
from .positions import Abs
from .program import Program
from .weights import DEFAULT, Weights

Ranker = Dict[str, float]  # feature name -> weight
Behaviour = Tuple[Optional[str], ...]  # a program's outputs on the unlabeled rows

FEATURES = (
    "cost",
    "null",
    "new_class",
    "new_punct",
    "length",
    "shape",
    "empty",
    "consensus",
    "atoms",
    "const_chars",
    "absolute",
    "branches",
    "semantic",
    "identity",
    "coverage",
    "len_ratio",
    "calendar_mix",
    "lone_unit_end",
    "new_case",
    "length_break",
    "zero_strip",
    "round_loss",
    "case_mix",
    "decimal_cut",
    "copied_sign",
    "idle_view",
    "word_drop",
)
DEFAULT_RANKER = {
    "cost": 1.0,
    "empty": 1.0,
    "calendar_mix": 2.0,
    "lone_unit_end": 0.5,
    "new_case": 1.0,
    "length_break": 2.0,
    "zero_strip": 1.0,
    "round_loss": 1.0,
    "case_mix": 1.0,
    "decimal_cut": 1.0,
    "copied_sign": 1.0,
    "idle_view": 1.0,
    "word_drop": 0.5,
}
_RUN = re.compile(r"[A-Z]+|[a-z]+|[0-9]+|\s+|.", re.S)
_WORD = re.compile(r"[^\W_]+")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")


def row_words(row: Row, letters: bool = False) -> List[str]:
    """The words of an input row in lower case: letter/digit runs, or (``letters``) runs of two or more letters."""
    pattern = _LETTER_WORD if letters else _WORD
    return [m.group().lower() for v in row if v for m in pattern.finditer(v)]


def coverage(words: Sequence[str], out: str) -> float:
    """Share of ``words`` (``row_words`` of the input) that the output contains (case-insensitive); 1 for none."""
    if not words:
        return 1.0
    low = out.lower()
    return sum(w in low for w in words) / len(words)


def shape(s: str) -> str:
    """Runs of upper-case letters, lower-case letters, digits and spaces collapsed to one symbol each."""
    out = []
    for m in _RUN.finditer(s):
        c = m.group()[0]
        out.append(
            "A"
            if c.isupper()
            else "a"
            if c.islower()
            else "9"
            if c.isdigit()
            else " "
            if c.isspace()
            else "L"
            if c.isalpha()
            else c
        )
    return "".join(out)


def input_shape(row: Row) -> Tuple[str, ...]:
    """The ``shape`` of every value of an input row (``None`` as the empty string)."""
    return tuple(shape(v or "") for v in row)


class OutputProfile:
    """What the examples' outputs look like: character classes, lengths, shapes."""

    def __init__(self, outputs: Sequence[str], rows: Sequence[Row] = ()) -> None:
        self.classes: frozenset[str] = frozenset().union(*(char_classes(o) for o in outputs))
        lengths = [len(o) for o in outputs]
        self.fixed_length = lengths[0] if lengths and len(set(lengths)) == 1 and len(outputs) >= 1 else None
        self.min_len, self.max_len = (min(lengths), max(lengths)) if lengths else (0, 0)
        self.shapes = {shape(o) for o in outputs}
        self.mean_len = sum(lengths) / len(lengths) if lengths else 0.0
        self._words: Dict[Tuple[Row, bool], List[str]] = {}
        covs = [coverage(self.words(r), o) for r, o in zip(rows, outputs)]
        self.coverage = sum(covs) / len(covs) if covs else None
        self.rows = tuple(rows)
        self.input_shapes = {input_shape(r) for r in rows}
        self._alike: Dict[Row, bool] = {}
        upper = any(c.isupper() for o in outputs for c in o)
        lower = any(c.islower() for o in outputs for c in o)
        self.capitals = upper and not lower  # every letter of the examples' outputs is a capital
        self.smalls = lower and not upper  # every letter is in lower case
        # every example output keeps every word (two or more letters) of its input
        self.keeps_words = bool(rows) and all(coverage(self.words(r, True), o) == 1.0 for r, o in zip(rows, outputs))

    def words(self, row: Row, letters: bool = False) -> List[str]:
        """``row_words`` of a row (memoised: asked once per candidate)."""
        key = (row, letters)
        if key not in self._words:
            self._words[key] = row_words(row, letters)
        return self._words[key]

    def formatted_alike(self, row: Row) -> bool:
        """Whether an input row has the ``shape`` of an example's input (memoised: asked once per candidate)."""
        if row not in self._alike:
            self._alike[row] = input_shape(row) in self.input_shapes
        return self._alike[row]

    def case_off(self, v: str) -> float:
        """1 when ``v`` has lower-case letters where every example output's letters are capitals (``m`` where
        the examples show ``M``). Capitals among lower-case examples are not counted: names and identifiers
        (``loadConfig``) have them."""
        return 1.0 if self.capitals and any(c.islower() for c in v) else 0.0

    def deviations(self, v: str) -> Tuple[float, float, float, float]:
        """(new letter/digit class, new other character, length off, shape off) for one output."""
        extra = char_classes(v) - self.classes
        new_class = 1.0 if extra & {"L", "D"} else 0.0
        new_punct = 1.0 if extra - {"L", "D"} else 0.0
        if self.fixed_length is not None and self.fixed_length <= 12:
            length = 0.0 if len(v) == self.fixed_length else 1.0
        else:
            length = 0.0 if self.min_len / 2 <= len(v) <= 2 * self.max_len + 2 else 1.0
        return new_class, new_punct, length, 0.0 if shape(v) in self.shapes else 1.0


def length_break(profile: OutputProfile, unlabeled: Sequence[Row], outs: Behaviour) -> float:
    """1 when a program that keeps the examples' one output length on every unlabeled row formatted like an
    example input (the same ``shape``; at least 2 such rows) gives another length on a row formatted
    otherwise: ``last digit run`` for ``912-45-6789 -> 6789`` gives 9 digits for ``967310518`` where ``last 4
    characters`` gives 4 (the issue's "output-length consistency"). 0 where the rows formatted like the
    examples already vary in length (a last word, a variable-length id)."""
    fixed = profile.fixed_length
    if fixed is None or not unlabeled:
        return 0.0
    same, broken = 0, 0
    for u, v in zip(unlabeled, outs):
        if v is None:
            continue
        if profile.formatted_alike(u):
            if len(v) != fixed:
                return 0.0
            same += 1
        elif len(v) != fixed:
            broken += 1
    return 1.0 if same >= 2 and broken else 0.0


def _unlabeled_only(
    program: Program,
    profile: OutputProfile,
    unlabeled: Sequence[Row],
    check: Callable[[Any, Row], bool],
    kind: type = Number,
) -> float:
    """1 when ``check`` holds for an atom of type ``kind`` of the program on an unlabeled row and on no
    example row: something the examples could not show."""
    for b in program.branches:
        for a in b.body.atoms:
            if (
                isinstance(a, kind)
                and not any(check(a, r) for r in profile.rows)
                and any(check(a, u) for u in unlabeled)
            ):
                return 1.0
    return 0.0


def zero_strip(program: Program, profile: OutputProfile, unlabeled: Sequence[Row]) -> float:
    """1 when the program reads a number whose text is zero-padded (``0042``) on an unlabeled row and no
    example's is: formatting it drops the zeros (``42``) that the examples could not show, where a substring
    keeps them. Identifiers, card and account numbers are zero-padded digit strings, not quantities."""
    return _unlabeled_only(program, profile, unlabeled, Number.reads_zero_padded)


def round_loss(program: Program, profile: OutputProfile, unlabeled: Sequence[Row]) -> float:
    """1 when the program prints a number with fixed decimals that drop digits of an unlabeled row's number
    (``12.5% -> 0.1``) while no example's loses any: ``50% -> 0.5`` shows one decimal and as few decimals as
    needed alike, and only the second keeps ``0.125``. A program that rounds on purpose or prints whole
    numbers (``0.333 -> 33%``) is not counted."""
    return _unlabeled_only(program, profile, unlabeled, Number.rounds_off)


def decimal_cut(program: Program, profile: OutputProfile, unlabeled: Sequence[Row]) -> float:
    """1 when a substring of the program starts or ends inside a decimal number on an unlabeled row and on no
    example row: the digit runs of ``W30 H200 -> 30x200`` give ``7`` for ``W7.5``, where the number token
    keeps ``7.5``. An example that cuts a number (``12.50 -> 12``) shows that the cut is meant."""
    return _unlabeled_only(program, profile, unlabeled, SubStr.cuts_decimal, SubStr)


def copied_sign(program: Program, profile: OutputProfile, unlabeled: Sequence[Row]) -> float:
    """1 when a constant ``-`` comes right before a substring that follows a ``-`` of the input on every example
    and does not on an unlabeled row: the sign is the data's, so a constant gives ``-20.1`` for ``Temp: 20.1C``
    where ``Temp: -3.5C -> -3.5`` shows a copy."""
    for b in program.branches:
        atoms = b.body.atoms
        for c, a in zip(atoms, atoms[1:]):
            if (
                isinstance(c, Const)
                and c.text.endswith("-")
                and isinstance(a, SubStr)
                and profile.rows
                and all(a.after_minus(r) for r in profile.rows)
                and any(a.after_minus(u) is False for u in unlabeled)
            ):
                return 1.0
    return 0.0


def idle_view(program: Program, profile: OutputProfile, unlabeled: Sequence[Row]) -> float:
    """1 when a substring read through a column view (a separator replaced or removed, camelCase split) is a
    piece of the column as it is on every example and not on an unlabeled row: the examples never needed the
    rewrite, yet it shows on other rows (``replace('/', '', url)`` then the second identifier gives
    ``api.test.iov2users`` for ``http://api.test.io/v2/users``)."""
    return _unlabeled_only(program, profile, unlabeled, SubStr.reads_rewrite, SubStr)


def word_drop(profile: OutputProfile, unlabeled: Sequence[Row], outs: Behaviour) -> float:
    """1 when every example's output keeps every word (two or more letters) of its input and the program drops
    one on an unlabeled row: the examples reorder or reformat, they do not select (``Smith, John -> John
    Smith``; the last word gives ``Ann O'Neil`` for ``O'Neil, Mary Ann``)."""
    if not profile.keeps_words or not any(profile.words(r, True) for r in profile.rows):
        return 0.0
    return (
        1.0
        if any(v is not None and coverage(profile.words(u, True), v) < 1.0 for u, v in zip(unlabeled, outs))
        else 0.0
    )


def case_mix(program: Program, profile: OutputProfile, outs: Behaviour) -> float:
    """1 when a program lower-cases a piece, every example output is in lower case, and the program gives a
    capital on an unlabeled row: it copies another piece as it is where the examples show a lower-case output
    (``lower(first) + '.' + lower(last) + '@' + domain`` gives ``Helixbio.Example``). Capitals are not
    counted for a program that lower-cases nothing: names and identifiers (``loadConfig``) keep theirs."""
    if not profile.smalls or not any(
        getattr(a, "case", "id") == "lower" for b in program.branches for a in b.body.atoms
    ):
        return 0.0
    return 1.0 if any(v is not None and any(c.isupper() for c in v) for v in outs) else 0.0


def behaviour(program: Program, unlabeled: Sequence[Row]) -> Behaviour:
    return tuple(program.run(u) for u in unlabeled)


def features(
    program: Program, cost: float, profile: OutputProfile, unlabeled: Sequence[Row], outs: Behaviour, consensus: float
) -> Dict[str, float]:
    """The feature values of one candidate (``outs``: its outputs on ``unlabeled``)."""
    f = dict.fromkeys(FEATURES, 0.0)
    f["cost"] = cost
    f["consensus"] = consensus
    n = len(unlabeled)
    if n:
        for u, v in zip(unlabeled, outs):
            if v is None:
                f["null"] += 1
                continue
            if v == "":
                f["empty"] += 1
            new_class, new_punct, length, shape_off = profile.deviations(v)
            f["new_class"] += new_class
            f["new_punct"] += new_punct
            f["length"] += length
            f["shape"] += shape_off
            if any(v == x for x in u if x is not None):
                f["identity"] += 1
            if profile.coverage is not None:
                f["coverage"] += abs(coverage(profile.words(u), v) - profile.coverage)
            f["len_ratio"] += min(abs(math.log((len(v) + 1) / (profile.mean_len + 1))), 3.0)
            f["new_case"] += profile.case_off(v)
        for k in (
            "null",
            "empty",
            "new_class",
            "new_punct",
            "length",
            "shape",
            "identity",
            "coverage",
            "len_ratio",
            "new_case",
        ):
            f[k] /= n
    for b in program.branches:
        f["branches"] += 1
        for a in b.body.atoms:
            f["atoms"] += 1
            if isinstance(a, Const):
                f["const_chars"] += sum(c.isalnum() for c in a.text)
            elif isinstance(a, SubStr):
                f["absolute"] += isinstance(a.start, Abs) and a.start.k not in (0, -1)
                f["absolute"] += isinstance(a.end, Abs) and a.end.k not in (0, -1)
            elif a.semantic:
                f["semantic"] += 1
    f["calendar_mix"] = float(
        mixes_calendars(x for b in program.branches for a in b.body.atoms for x in getattr(a, "fields", ()))
    )
    f["lone_unit_end"] = float(
        any(
            lone_unit_end(b.body.atoms) or lone_step_end(b.body.atoms) or mixes_roundings(b.body.atoms)
            for b in program.branches
        )
    )
    f["length_break"] = length_break(profile, unlabeled, outs)
    f["zero_strip"] = zero_strip(program, profile, unlabeled)
    f["round_loss"] = round_loss(program, profile, unlabeled)
    f["case_mix"] = case_mix(program, profile, outs)
    f["decimal_cut"] = decimal_cut(program, profile, unlabeled)
    f["copied_sign"] = copied_sign(program, profile, unlabeled)
    f["idle_view"] = idle_view(program, profile, unlabeled)
    f["word_drop"] = word_drop(profile, unlabeled, outs)
    f["branches"] -= 1
    return f


def score(f: Dict[str, float], ranker: Ranker) -> float:
    return sum(ranker.get(k, 0.0) * v for k, v in f.items())


def pool_features(
    candidates: Sequence[Tuple[float, Program]],
    outputs: Sequence[str],
    unlabeled: Sequence[Row],
    rows: Sequence[Row] = (),
) -> List[Tuple[Dict[str, float], Program, Behaviour]]:
    """``(features, program, behaviour)`` for every candidate of a pool (``rows``: the examples' inputs)."""
    profile = OutputProfile(outputs, rows)
    behaviours = [behaviour(p, unlabeled) for _c, p in candidates]
    counts: Dict[Behaviour, int] = {}
    for b in behaviours:
        counts[b] = counts.get(b, 0) + 1
    n = max(len(candidates), 1)
    return [(features(p, c, profile, unlabeled, b, counts[b] / n), p, b) for (c, p), b in zip(candidates, behaviours)]


def rank(
    candidates: Sequence[Tuple[float, Program]],
    outputs: Sequence[str],
    unlabeled: Sequence[Row],
    w: Weights = DEFAULT,
    ranker: Optional[Ranker] = None,
    rows: Sequence[Row] = (),
) -> List[Tuple[float, Program]]:
    """``[(score, program)]`` best first: the best of each behaviour first (in score order), then the other
    programs (distinct programs, for ``topK``)."""
    ranker = ranker if ranker is not None else (w.ranker or DEFAULT_RANKER)
    feats = pool_features(candidates, outputs, unlabeled, rows)
    scored = [(score(f, ranker), i, p, b) for i, (f, p, b) in enumerate(feats)]
    scored.sort(key=lambda t: (t[0], t[1]))
    first: List[Tuple[float, Program]] = []
    rest: List[Tuple[float, Program]] = []
    seen: Set[Behaviour] = set()
    programs: Set[Program] = set()
    for s, _i, p, b in scored:
        if p in programs:
            continue
        programs.add(p)
        (rest if b in seen else first).append((s, p))
        seen.add(b)
    return first + rest
