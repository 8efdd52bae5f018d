"""Compile programs to Spark SQL expression text (built-in functions only, no Python).

Positions become 0-based integer expressions (NULL when undefined): the k-th token match from the
start is found with ``regexp_extract(col, '^((?>.*?T){k-1}.*?)(T)', g)`` whose atomic groups
reproduce Python's left-to-right non-overlapping matches; matches counted from the end run the
reversed token on ``reverse(col)``. Substrings use 1-based ``substring``; predicates use
``RLIKE``; branches ``CASE WHEN``; case changes ``upper``/``lower``/``initcap``. Atoms that have
no SQL form (``sql`` returns ``None``) make ``to_sql`` raise ``NotCompilable``; ``explain`` then
says so and the stage runs the program as Arrow-batched Python instead.

Example::

    >>> from mmlspark_py.dataprep.dsl import Program, Concat, SubStr, AbsPos
    >>> to_sql(Program(((None, Concat((SubStr(0, AbsPos(0), AbsPos(-1), "upper"),))),)), ["name"])[:22]
    'upper((CASE WHEN (CASE'
"""
from __future__ import annotations

from . import tokens
from .dsl import AbsPos, Concat, Const, HasToken, IsNull, Program, SubStr, TokPos
from .errors import DataPrepError
from .views import view_sql


class NotCompilable(DataPrepError):
    """The program uses an operator without a Spark SQL form."""


def lit(s: str) -> str:
    """A Spark SQL string literal (backslashes and quotes escaped)."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def col_ref(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _pos(p, src: str) -> str:
    n = f"length({src})"
    if isinstance(p, AbsPos):
        v = str(p.k) if p.k >= 0 else f"({n} + {1 + p.k})"
        return f"(CASE WHEN {v} BETWEEN 0 AND {n} THEN {v} END)"
    tok = tokens.by_name(p.token)
    if tok.is_literal and not _self_overlapping(tok.name[4:]):
        return _literal_pos(p, tok.name[4:], src)
    rev = p.k < 0
    t = tok.rev_java if rev else tok.java
    s = f"reverse({src})" if rev else src
    k = abs(p.k)
    # One regex scan per position where possible: the first match's start by regexp_instr, the
    # k-th match's end as the length of the atomic-group prefix ending there.
    if (p.side == "start") != rev:
        if k == 1:
            first = f"regexp_instr({s}, {lit('(?s)' + t)})"
            pre, ok = f"({first} - 1)", f"{first} > 0"
        else:
            pat = f"(?s)^((?>.*?(?:{t})){{{k - 1}}}.*?)(?:{t})"
            pre = f"length(regexp_extract({s}, {lit(pat)}, 1))"
            ok = f"length(regexp_extract({s}, {lit(pat)}, 0)) > 0"
        v = f"({n} - {pre})" if rev else pre
    else:
        upto = f"length(regexp_extract({s}, {lit(f'(?s)^(?>.*?(?:{t})){{{k}}}')}, 0))"
        v, ok = (f"({n} - {upto})" if rev else upto), f"{upto} > 0"
    return f"(CASE WHEN {ok} THEN {v} END)"


def _self_overlapping(text: str) -> bool:
    """True when two occurrences of ``text`` can overlap ('--' in '---'): then the leftmost
    non-overlapping matches of the interpreter and ``substring_index``'s counting could differ."""
    return any(text[:i] == text[-i:] for i in range(1, len(text)))


def _literal_pos(p: TokPos, text: str, src: str) -> str:
    """A literal's k-th occurrence by ``substring_index`` (one scan, no regex): the prefix before
    the k-th occurrence (k > 0) or the suffix after the k-th from the end (k < 0) is shorter than
    the string exactly when that occurrence exists."""
    n = f"length({src})"
    part = f"length(substring_index({src}, {lit(text)}, {p.k}))"
    if p.k > 0:
        v = part if p.side == "start" else f"({part} + {len(text)})"
    else:
        v = f"({n} - {part})" if p.side == "end" else f"({n} - {part} - {len(text)})"
    return f"(CASE WHEN {part} < {n} THEN {v} END)"


def _atom(a, cols) -> str:
    if isinstance(a, Const):
        return lit(a.text)
    if isinstance(a, SubStr):
        src = view_sql(a.view, col_ref(cols[a.col]))
        p1, p2 = _pos(a.p1, src), _pos(a.p2, src)
        core = f"(CASE WHEN {p2} >= {p1} THEN substring({src}, {p1} + 1, {p2} - {p1}) END)"
        return core if a.case == "id" else f"{a.case if a.case != 'title' else 'initcap'}({core})"
    sql = a.sql(cols) if hasattr(a, "sql") else None
    if sql is None:
        raise NotCompilable(f"{type(a).__name__} has no Spark SQL form")
    return sql


def _concat(c: Concat, cols) -> str:
    parts = [_atom(a, cols) for a in c.atoms]
    return parts[0] if len(parts) == 1 else f"concat({', '.join(parts)})"


def _pred(p, cols) -> str:
    src = col_ref(cols[p.col])
    if isinstance(p, IsNull):
        return f"({src} IS NULL)"
    if isinstance(p, HasToken):
        t = tokens.by_name(p.token).java
        test = f"({src} RLIKE {lit(f'(?s)^(?>.*?(?:{t})){{{p.k}}}')})"
        return f"(NOT {test})" if p.negate else test
    raise NotCompilable(f"{type(p).__name__} has no Spark SQL form")


def to_sql(program: Program, cols) -> str:
    """Spark SQL expression for ``program`` over input columns named ``cols``."""
    cols = list(cols)
    if program.arity > len(cols):
        raise DataPrepError(f"the program reads {program.arity} input column(s); got {cols!r}")
    if len(program.branches) == 1 and program.branches[0][0] is None:
        return _concat(program.branches[0][1], cols)
    whens = []
    other = "NULL"
    for pred, body in program.branches:
        if pred is None:
            other = _concat(body, cols)
        else:
            whens.append(f"WHEN {_pred(pred, cols)} THEN {_concat(body, cols)}")
    return f"(CASE {' '.join(whens)} ELSE {other} END)"


def compilable(program: Program) -> bool:
    try:
        to_sql(program, [f"c{i}" for i in range(max(program.arity, 1))])
        return True
    except NotCompilable:
        return False


def python_only_note(program: Program) -> str:
    """Empty when the program compiles to SQL; else a line saying it runs as Python."""
    if compilable(program):
        return ""
    return "\n-- no Spark SQL form for part of this program: it runs as Arrow-batched Python"
