"""``SplitColumnByExample``: split one string column into several, learned from examples or data.

Estimator params: ``inputCol`` (string), ``outputCols`` (names of the fields) or ``prefix``
(fields named ``<prefix>_1``, ``<prefix>_2``, ...), ``examples`` (``[input, [field values]]``
pairs; optional), ``sampleSize``, ``timeout``.

With examples, each field is learned as a by-example program (``learn``) from the examples'
values of that field. Without examples, the split is proposed from the data: the delimiter (a
punctuation run) present in the most sampled rows with the most consistent count; field i is
the text between its (i-1)-th and i-th occurrence (rows with fewer fields get nulls).

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
from typing import List, Optional

from pyspark.sql import DataFrame
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core.params import (
    HasInputCol,
    HasOutputCols,
    JsonParam,
    Param,
    Params,
    TypeConverters,
    to_json_value,
    to_positive_int,
)
from mmlspark_py.core.stage import Estimator, Model, add_fields, column, require_column

from . import tokens
from .derive import program_column
from .dsl import AbsPos, Concat, Program, SubStr, TokPos
from .errors import DataPrepError
from .learn import LearnedProgram, learn


class SplitColumnByExample(Estimator, HasInputCol, HasOutputCols):
    """Learns how to split ``inputCol`` into fields; see the module docstring."""

    prefix = Param(Params._dummy(), "prefix", "output columns are <prefix>_1, <prefix>_2, ... (when outputCols "
                   "is not set)", typeConverter=TypeConverters.toString)
    examples = JsonParam(Params._dummy(), "examples", "optional list of [input string, [field strings]] pairs",
                         typeConverter=to_json_value)
    sampleSize = Param(Params._dummy(), "sampleSize", "rows of the fit DataFrame used to rank or propose splits",
                       typeConverter=to_positive_int)
    timeout = Param(Params._dummy(), "timeout", "seconds allowed for synthesis, per field",
                    typeConverter=TypeConverters.toFloat)

    def __init__(self, **kwargs):
        super().__init__()
        self._setDefault(sampleSize=200, timeout=10.0)
        self.setParams(**kwargs)

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
        if len(names) != len(programs):
            raise DataPrepError(f"outputCols has {len(names)} names but the split has {len(programs)} fields")
        return SplitColumnByExampleModel(inputCol=self.getInputCol(), outputCols=names,
                                         programs=[p.to_json() for p in programs])

    def _learn_fields(self, sample) -> List[Program]:
        exs = self.getExamples()
        n = len(exs[0][1])
        for e in exs:
            if len(e) != 2 or not isinstance(e[1], list) or len(e[1]) != n:
                raise DataPrepError(f"examples: {e!r} must be [input, [{n} field values]] like the first one")
        inputs = [(s,) for s in sample if s is not None]
        return [learn([((e[0],), e[1][i]) for e in exs], inputs=inputs, k=1,
                      timeout=self.getTimeout()).program for i in range(n)]


def propose_split(values) -> List[Program]:
    """Field programs for the delimiter that best splits ``values`` (see the module docstring)."""
    rows = [v for v in values if v]
    if not rows:
        raise DataPrepError("cannot propose a split: the sampled column has no non-empty values")
    best = None
    for lit in sorted({lit.name[4:] for v in rows[:50] for lit in tokens.literals_in([v], limit=12)}):
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
        raise DataPrepError("cannot propose a split: no delimiter (punctuation or spaces) occurs in the data; "
                            "give examples instead")
    _score, lit, n = best
    tok = tokens.literal(lit).name
    programs = []
    for i in range(n + 1):
        p1 = AbsPos(0) if i == 0 else TokPos(tok, i, "end")
        p2 = AbsPos(-1) if i == n else TokPos(tok, i + 1, "start")
        programs.append(Program(((None, Concat((SubStr(0, p1, p2),))),)))
    return programs


class SplitColumnByExampleModel(Model, HasInputCol, HasOutputCols):
    """Adds one string column per field (``outputCols``), each computed by its program as Spark SQL."""

    programs = JsonParam(Params._dummy(), "programs", "one program (JSON) per output column",
                         typeConverter=to_json_value)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), StringType())
        return add_fields(schema, [StructField(n, StringType(), True) for n in self.getOutputCols()],
                          param="outputCols")

    def _transform(self, df: DataFrame) -> DataFrame:
        for name, spec in zip(self.getOutputCols(), self.getPrograms()):
            df = program_column(df, Program.from_json(spec), [self.getInputCol()], name)
        return df

    def explain(self) -> str:
        """One line per output column: its program."""
        return "\n".join(f"{n} = {LearnedProgram([Program.from_json(s)]).explain([self.getInputCol()])}"
                         for n, s in zip(self.getOutputCols(), self.getPrograms()))
