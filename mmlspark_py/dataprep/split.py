"""``SplitColumnByExample``: split one string column into several, learned from examples or data.

Estimator params: ``inputCol`` (string), ``outputCols`` (names of the fields) or ``prefix``
(fields named ``<prefix>_1``, ``<prefix>_2``, ...), ``examples`` (``[input, [field values]]``
pairs; optional), ``sampleSize``, ``timeout``.

With examples, a delimiter that splits every example's input into exactly its fields is used when
there is one (field i is the text between the (i-1)-th and i-th delimiter, the last field the rest);
otherwise each field is learned as a by-example program (``learn``) from the examples' values of that
field. Without examples, the split is proposed from the data: the delimiter (a punctuation run)
present in the most sampled rows with the most consistent count (rows with fewer fields get nulls).

Model: adds one nullable string column per field, computed by Spark SQL. With ``prefix`` and no
examples the number of fields is only known after ``fit``: the estimator's ``transformSchema``
then checks the input column and cannot list the new columns.

Errors: ``DataPrepError`` when examples have a different number of fields than ``outputCols``,
when no delimiter is found in the data, or when neither ``outputCols`` nor ``prefix`` is set.

Example::

    >>> SplitColumnByExample(inputCol="sku", outputCols=["maker", "item"],
    ...     examples=[["ACM-00421", ["ACM", "00421"]]]).fit(df).transform(df)  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from typing import Any, List, Optional, Sequence, Tuple

from pyspark.sql import DataFrame
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasOutputCols, TypeConverters, declare, to_json_value, to_positive_int
from mmlspark_py.core.spec import SpecError
from mmlspark_py.core.stage import Estimator, Model, add_fields, column, require_column

from . import tokens
from .derive import program_column, to_seconds
from .errors import DataPrepError, InvalidProgram
from .learn import MAX_PROGRAMS, learn
from .ops import SubStr
from .positions import Abs, Match
from .program import Concat, Program


class SplitColumnByExample(Estimator, HasInputCol, HasOutputCols):
    """Learns how to split ``inputCol`` into fields; see the module docstring."""

    prefix = declare(
        "output columns are <prefix>_1, <prefix>_2, ... (when outputCols is not set)", TypeConverters.toString
    )
    examples = declare("optional list of [input string, [field strings]] pairs", to_json_value)
    sampleSize = declare("rows of the fit DataFrame used to rank or propose splits", to_positive_int, default=200)
    timeout = declare("seconds allowed for synthesis, per field", to_seconds, default=10.0)

    def _names(self, n: Optional[int]) -> Optional[List[str]]:
        if self.isDefined(self.outputCols):
            return self.getOutputCols()
        if not self.isDefined(self.prefix):
            raise DataPrepError("SplitColumnByExample: set outputCols or prefix")
        if n is None and self.isDefined(self.examples) and self.getExamples():
            n = len(self.getExamples()[0][1])
        return None if n is None else [f"{self.getPrefix()}_{i + 1}" for i in range(n)]

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), StringType())
        names = self._names(None)
        if names is None:
            return schema
        return add_fields(schema, [StructField(n, StringType(), True) for n in names], param="outputCols")

    def _fit(self, df: DataFrame) -> SplitColumnByExampleModel:
        sample = [r[0] for r in df.select(column(self.getInputCol())).limit(self.getSampleSize()).collect()]
        if self.isDefined(self.examples) and self.getExamples():
            programs = self._learn_fields(sample)
        else:
            programs = propose_split(sample)
        names = self._names(len(programs))
        assert names is not None  # a known field count always names the fields
        if len(names) != len(programs):
            raise DataPrepError(f"outputCols has {len(names)} names but the split has {len(programs)} fields")
        return SplitColumnByExampleModel(
            inputCol=self.getInputCol(), outputCols=names, programs=[p.to_json() for p in programs]
        )

    def _learn_fields(self, sample: List[Optional[str]]) -> List[Program]:
        exs = self.getExamples()
        n = len(exs[0][1])
        for e in exs:
            if len(e) != 2 or not isinstance(e[1], list) or len(e[1]) != n:
                raise DataPrepError(f"examples: {e!r} must be [input, [{n} field values]] like the first one")
        delimited = delimiter_split(exs, [s for s in sample if s is not None])
        if delimited is not None:
            return delimited
        inputs = [(s,) for s in sample if s is not None]
        return [
            learn([((e[0],), e[1][i]) for e in exs], inputs=inputs, k=1, timeout=self.getTimeout()).program
            for i in range(n)
        ]


def delimiter_split(examples: Sequence[Any], sample: Sequence[str]) -> Optional[List[Program]]:
    """Field programs for a delimiter that splits every example's input into exactly its fields (the one
    whose count is most consistent on ``sample`` when several do); ``None`` when none does."""
    inputs = [e[0] for e in examples]
    if any(not isinstance(x, str) for x in inputs):
        return None
    n = len(examples[0][1])
    best: Optional[Tuple[Tuple[float, bool, int], str]] = None
    for lit in tokens.literals_in(inputs) + [tokens.literal(" ")]:
        d = lit.text
        if not all(x.split(d, n - 1) == list(fields) for x, fields in examples):
            continue
        fit = sum(v.count(d) == n - 1 for v in sample) / len(sample) if sample else 0.0
        score = (fit, d.strip() != "", len(d))
        if best is None or score > best[0]:
            best = (score, d)
    return None if best is None else _field_programs(best[1], n - 1)


def _field_programs(delim: str, count: int) -> List[Program]:
    tok = tokens.literal(delim)
    programs = []
    for i in range(count + 1):
        p1 = Abs(0) if i == 0 else Match(tok, i, "end")
        p2 = Abs(-1) if i == count else Match(tok, i + 1, "start")
        programs.append(Program.single(Concat((SubStr(0, p1, p2),))))
    return programs


def propose_split(values: Sequence[Optional[str]]) -> List[Program]:
    """Field programs for the delimiter that best splits ``values`` (see the module docstring)."""
    rows = [v for v in values if v]
    if not rows:
        raise DataPrepError("cannot propose a split: the sampled column has no non-empty values")
    best: Optional[Tuple[Tuple[float, bool, int], str, int]] = None
    for lit in sorted({lit.text for v in rows[:50] for lit in tokens.literals_in([v], limit=12)}):
        if lit.strip() == "" and lit != " ":
            continue
        counts = Counter(v.count(lit) for v in rows)
        nonzero = [(c, f) for c, f in counts.most_common() if c > 0]
        if not nonzero:
            continue
        n, freq = nonzero[0]
        # The delimiter with the most rows at one field count wins; real punctuation beats spaces.
        score = (freq / len(rows), lit != " ", len(lit))
        if best is None or score > best[0]:
            best = (score, lit, n)
    if best is None:
        raise DataPrepError(
            "cannot propose a split: no delimiter (punctuation or spaces) occurs in the data; give examples instead"
        )
    _score, lit, n = best
    return _field_programs(lit, n)


def to_program_list(value: Any) -> List[Any]:
    """Type converter of ``programs``: validates every field of every program (canonical JSON kept)."""
    if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= MAX_PROGRAMS:
        raise InvalidProgram(f"expected a list of 1 to {MAX_PROGRAMS} programs, got {str(value)[:80]!r}")
    try:
        return [Program.decode(p, f"programs[{i}]").to_json() for i, p in enumerate(value)]
    except SpecError as e:
        raise InvalidProgram(str(e)) from None


class SplitColumnByExampleModel(Model, HasInputCol, HasOutputCols):
    """Adds one string column per field (``outputCols``), each computed by its program as Spark SQL."""

    programs = declare(
        "one program (JSON) per output column, every field validated when set or loaded", to_program_list
    )

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), StringType())
        return add_fields(
            schema, [StructField(n, StringType(), True) for n in self.getOutputCols()], param="outputCols"
        )

    def _transform(self, df: DataFrame) -> DataFrame:
        for name, spec in zip(self.getOutputCols(), self.getPrograms()):
            df = program_column(df, Program.decode(spec), [self.getInputCol()], name)
        return df

    def explain(self) -> str:
        """One line per output column: its program."""
        return "\n".join(
            f"{n} = {Program.decode(s).explain([self.getInputCol()])}"
            for n, s in zip(self.getOutputCols(), self.getPrograms())
        )
