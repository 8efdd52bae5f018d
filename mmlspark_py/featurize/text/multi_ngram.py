"""MultiNGram: the n-grams of a token array for several n at once, as one Spark SQL expression.

For each n of ``lengths`` (in order) it lists the n-grams of the tokens exactly as Spark's ``NGram(n)`` does
(tokens joined by one space, a null token written ``null``, none when there are fewer than n tokens) and
concatenates the lists, as SynapseML's ``MultiNGram`` does. It is built from SQL higher-order functions
(``transform``/``slice``/``array_join``), so it runs in the JVM without a Python worker or intermediate
columns.

Columns:
    in  ``inputCol``  array<string> (null -> null; [] -> []).
    out ``outputCol`` array<string>.

Errors: ``lengths`` unset, empty or holding a value < 1, or a non-array<string> input, fail in the driver.

Example::

    MultiNGram(inputCol="tokens", outputCol="grams", lengths=[1, 2]).transform(df)
    # ["the", "cat", "sat"] -> ["the", "cat", "sat", "the cat", "cat sat"]
"""

from __future__ import annotations

from typing import Any, List

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasOutputCol, Param, Params, TypeConverters
from mmlspark_py.core.stage import Transformer, add_field, column, require_column

__all__ = ["MultiNGram", "ngrams_expr"]

STRINGS = ArrayType(StringType(), True)


def _to_lengths(value: Any) -> List[int]:
    lengths = TypeConverters.toListInt(value)
    if not lengths or any(n < 1 for n in lengths):
        raise ValueError(f"lengths must be a non-empty list of integers >= 1, got {value!r}")
    return lengths


def ngrams_expr(tokens: Column, n: int) -> Column:
    """The n-grams of ``tokens`` as Spark's NGram(n) makes them (null tokens as ``null``); null for null."""
    grams = F.transform(
        F.sequence(F.lit(1), F.size(tokens) - n + 1), lambda i: F.array_join(F.slice(tokens, i, n), " ", "null")
    )
    # sequence(1, k) counts down when k < 1, so fewer than n tokens must be caught before it.
    return F.when(F.size(tokens) >= n, grams).otherwise(F.array().cast(STRINGS))


class MultiNGram(Transformer, HasInputCol, HasOutputCol):
    """The n-grams of ``inputCol`` for every n in ``lengths``, concatenated in that order.

    :param inputCol: array<string> tokens.
    :param outputCol: array<string> n-grams (default ``<uid>_output``).
    :param lengths: the n values, e.g. ``[1, 2, 3]``.
    """

    lengths = Param(
        Params._dummy(),
        "lengths",
        "the n-gram lengths to extract, in output order (each >= 1)",
        typeConverter=_to_lengths,
    )

    def __init__(self, **kwargs):
        super().__init__()
        self._setDefault(outputCol=f"{self.uid}_output")
        self.setParams(**kwargs)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), ArrayType(StringType()))
        if not self.isDefined(self.lengths):
            raise ValueError("lengths: not set; give the n-gram lengths, e.g. MultiNGram(lengths=[1, 2])")
        return add_field(schema, StructField(self.getOutputCol(), STRINGS, True))

    def _transform(self, df: DataFrame) -> DataFrame:
        tokens = column(self.getInputCol())
        grams = F.concat(*[ngrams_expr(tokens, n) for n in self.getLengths()]).cast(STRINGS)
        return df.withColumn(self.getOutputCol(), F.when(tokens.isNull(), F.lit(None).cast(STRINGS)).otherwise(grams))
