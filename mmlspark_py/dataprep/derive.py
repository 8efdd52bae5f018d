"""``DeriveColumnByExample``: learn a string column from a few examples; run it as Spark SQL.

Estimator params: ``inputCols`` (string columns), ``outputCol``, ``examples`` (``[[input values], output]``
pairs, one input value per input column), ``sampleSize`` (unlabeled rows of the fit DataFrame used to rank
programs), ``timeout`` (seconds of synthesis), ``numPrograms`` (programs kept for
``topK``/``suggestExamples``/``outputsFor``).

Model: adds ``outputCol`` (string, nullable). The learned program compiles to built-in Spark SQL
functions (no Python in the plan). The program is saved as JSON and validated field by field when it is
set or loaded (``InvalidProgram`` names the file and the field): a saved model cannot carry SQL.

Errors (in ``fit``): ``ContradictoryExamples``, ``DataPrepError`` (arity or types), ``NoProgramFound``
(lists the examples not explained), ``SynthesisTimeout``.

Example::

    >>> model = DeriveColumnByExample(inputCols=["name"], outputCol="short",
    ...     examples=[[["Marta Quillfeather"], "M. Quillfeather"]]).fit(df)   # doctest: +SKIP
    >>> model.explain()                                                          # doctest: +SKIP
    "concat(substr(name, start, pos(1)), '. ', match(name, word, -1))"
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core.params import HasInputCols, HasOutputCol, declare, to_json_value, to_positive_int
from mmlspark_py.core.stage import Estimator, Model, add_field, column, require_column

from .learn import LearnedProgram, learn, validate_examples
from .program import Program


def _checked_inputs(stage: HasInputCols, schema: StructType) -> List[str]:
    cols: List[str] = stage.getInputCols()
    for c in cols:
        require_column(schema, c, StringType(), param="inputCols")
    return cols


def program_column(df: DataFrame, program: Program, cols: Sequence[str], name: str) -> DataFrame:
    """``df`` plus column ``name``: ``program`` over ``cols`` as one Spark SQL expression."""
    return df.withColumn(name, F.expr(LearnedProgram([program]).toSQL(cols)))


def to_learned_json(value: Any) -> Dict[str, Any]:
    """Type converter of ``program``: validates every field and keeps the canonical JSON."""
    return LearnedProgram.from_json(value).to_json()


def to_seconds(value: Any) -> float:
    """A time budget in seconds (>= 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"expected a number of seconds >= 0, got {value!r}")
    return float(value)


class DeriveColumnByExample(Estimator, HasInputCols, HasOutputCol):
    """Learns ``outputCol`` from ``examples`` over ``inputCols``; see the module docstring."""

    examples = declare("list of [[input value per inputCol], output string] pairs", to_json_value)
    sampleSize = declare("unlabeled rows of the fit DataFrame used to rank programs", to_positive_int, default=200)
    timeout = declare("seconds allowed for program synthesis", to_seconds, default=10.0)
    numPrograms = declare("distinct programs kept, best first (topK, suggestExamples)", to_positive_int, default=5)

    def transformSchema(self, schema: StructType) -> StructType:
        _checked_inputs(self, schema)
        return add_field(schema, StructField(self.getOutputCol(), StringType(), True))

    def _fit(self, df: DataFrame) -> DeriveColumnByExampleModel:
        cols = self.getInputCols()
        if not self.isDefined(self.examples):
            raise ValueError("examples: not set; give [[input values], output] pairs")
        examples = validate_examples(
            [(tuple(i) if isinstance(i, list) else i, o) for i, o in self.getExamples()], arity=len(cols)
        )
        sample = [tuple(r) for r in df.select(*[column(c) for c in cols]).limit(self.getSampleSize()).collect()]
        learned = learn(examples, inputs=sample, k=self.getNumPrograms(), timeout=self.getTimeout())
        return DeriveColumnByExampleModel(inputCols=cols, outputCol=self.getOutputCol(), program=learned.to_json())


class DeriveColumnByExampleModel(Model, HasInputCols, HasOutputCol):
    """Adds ``outputCol`` computed by the learned program (compiled to Spark SQL)."""

    program = declare(
        "the learned programs as JSON (best first), every field validated when set or loaded", to_learned_json
    )

    def transformSchema(self, schema: StructType) -> StructType:
        _checked_inputs(self, schema)
        return add_field(schema, StructField(self.getOutputCol(), StringType(), True))

    @property
    def learned(self) -> LearnedProgram:
        return LearnedProgram.from_json(self.getProgram())

    def _transform(self, df: DataFrame) -> DataFrame:
        return program_column(df, self.learned.program, self.getInputCols(), self.getOutputCol())

    def explain(self) -> str:
        """The program in readable form, over the input column names."""
        return self.learned.explain(self.getInputCols())

    def toSQL(self) -> str:
        """The Spark SQL expression computing ``outputCol``."""
        return self.learned.toSQL(self.getInputCols())

    def topK(self, k: int) -> List[str]:
        """The ``k`` best distinct programs, in readable form."""
        return [p.explain(self.getInputCols()) for p in self.learned.topK(k)]

    def outputsFor(self, row: Any, k: int = 3) -> List[Optional[str]]:
        """Distinct outputs of the top ``k`` programs for one row of input values."""
        return self.learned.outputsFor(row, k)

    def suggestExamples(self, df: DataFrame, n: int = 5) -> DataFrame:
        """The ``n`` rows of ``df`` where the top programs disagree most (label these next): the input
        columns, ``candidates`` (distinct outputs, best program's first) and ``disagreement``."""
        cols = self.getInputCols()
        progs = self.learned.programs
        out = df.select(*[column(c) for c in cols])
        names = [f"__dp_candidate_{i}" for i in range(len(progs))]
        for p, name in zip(progs, names):
            out = program_column(out, p, cols, name)
        cands = F.array_distinct(F.array(*[F.col(nm) for nm in names]))
        return (
            out.select(*[column(c) for c in cols], cands.alias("candidates"))
            .withColumn("disagreement", F.size("candidates"))
            .orderBy(F.desc("disagreement"))
            .limit(n)
        )
