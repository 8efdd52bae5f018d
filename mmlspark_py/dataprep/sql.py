"""Compile programs to Spark SQL expression text (built-in functions only, no Python).

Each node compiles itself (the operator protocol's ``sql``): positions become 0-based integer
expressions (NULL when undefined), the k-th token match is found with ``regexp_extract`` and atomic
groups that reproduce Python's left-to-right non-overlapping matches, matches counted from the end run
the reversed token on ``reverse(col)``; substrings use 1-based ``substring`` (a span that ends before it
starts is NULL by ``nullif(greatest(...))``, so each position is evaluated once), predicates ``RLIKE``
(literal counts: ``instr``/``substring_index``), branches ``CASE WHEN``. Every value in the text comes from
a validated field, quoted by ``sqltext``.

Example::

    >>> from mmlspark_py.dataprep.program import Program, Concat
    >>> from mmlspark_py.dataprep.ops import SubStr
    >>> from mmlspark_py.dataprep.positions import Abs
    >>> to_sql(Program.single(Concat((SubStr(0, Abs(0), Abs(-1), "upper"),))), ["name"])
    'upper(`name`)'
"""

from __future__ import annotations

from typing import Sequence

from .errors import DataPrepError
from .program import Program


def to_sql(program: Program, cols: Sequence[str]) -> str:
    """Spark SQL expression for ``program`` over input columns named ``cols``."""
    cols = list(cols)
    if program.arity > len(cols):
        raise DataPrepError(f"the program reads {program.arity} input column(s); got {cols!r}")
    return program.sql(cols)
