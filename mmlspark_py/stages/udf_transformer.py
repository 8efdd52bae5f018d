"""UDFTransformer: applies a Spark user-defined function to one or more columns (SynapseML's ``UDFTransformer``).

It is by definition a wrapper of a UDF: prefer Spark SQL functions, or an Arrow/pandas UDF
(``pandas_udf``/``arrow_udf``), over a row-at-a-time ``udf`` on large data; the stage runs whichever it is given.

Any scalar UDF works in memory, ``udf(lambda x: 1)`` included, as SynapseML users write it. Saving follows
:mod:`mmlspark_py.stages.references`: by reference ``"package.module:name"`` when the UDF is bound at module
level of an allowed module (``plus_one = pandas_udf(lambda s: s + 1, LongType())`` in ``my_package/udfs.py``,
then ``allow_function_modules("my_package")``), by pickling only with ``allowPickle=True``; anything else fails
when saved, not when set.

``inputCol`` or ``inputCols`` (exactly one) name the argument column(s), in order; ``outputCol`` (default
``<uid>_output``) receives the result, of the UDF's return type, nullable.

Example (``my_package/udfs.py``: ``plus_one = pandas_udf(lambda s: s + 1, LongType())``)::

    UDFTransformer(inputCol="x", outputCol="y", udf=my_package.udfs.plus_one).transform(df)
"""

from __future__ import annotations

from typing import Any, List

from pyspark.sql import DataFrame
from pyspark.sql.types import StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasInputCols, HasOutputCol, from_uid, override
from mmlspark_py.core.spark_compat import python_eval_type
from mmlspark_py.core.stage import Transformer, add_field, column
from mmlspark_py.stages.columns import require_columns
from mmlspark_py.stages.references import FunctionParam, HasFunctionParams

__all__ = ["UDFTransformer"]

_SCALAR_EVAL_TYPES = {
    v
    for k, v in vars(python_eval_type()).items()
    if k in ("SQL_BATCHED_UDF", "SQL_ARROW_BATCHED_UDF") or k.startswith("SQL_SCALAR_")
}


def _check_udf(obj: Any) -> None:
    if not (callable(obj) and hasattr(obj, "returnType") and hasattr(obj, "evalType")):
        raise TypeError(
            f"udf: expected a Spark UDF (from udf, pandas_udf or arrow_udf), got {type(obj).__name__}: {obj!r}"
        )
    if obj.evalType not in _SCALAR_EVAL_TYPES:
        raise TypeError(
            f"udf: {obj!r} has evalType {obj.evalType}; only scalar UDFs (one value per row) can compute a column"
        )


class UDFTransformer(HasFunctionParams, Transformer, HasInputCol, HasInputCols, HasOutputCol):
    """Adds ``outputCol`` = ``udf(inputCol)`` or ``udf(*inputCols)``."""

    udf = FunctionParam.declare("scalar Spark UDF applied to the input column(s)", _check_udf)
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"))

    def getUdf(self) -> Any:
        """The UDF ``udf`` holds."""
        return self._function("udf")

    def getUDF(self) -> Any:
        """SynapseML's name for :meth:`getUdf`."""
        return self.getUdf()

    def setUDF(self, value: Any) -> UDFTransformer:
        """SynapseML's name for :meth:`setUdf`."""
        self._set(udf=value)
        return self

    def _input_cols(self) -> List[str]:
        has_one, has_many = self.isSet(self.inputCol), self.isSet(self.inputCols)
        if has_one == has_many:
            raise ValueError(
                "UDFTransformer: set exactly one of inputCol and inputCols "
                f"(inputCol set: {has_one}, inputCols set: {has_many})"
            )
        return [self.getInputCol()] if has_one else self.getInputCols()

    def transformSchema(self, schema: StructType) -> StructType:
        if not self.isDefined(self.udf):
            raise ValueError("UDFTransformer: param udf (a scalar Spark UDF) is not set")
        cols = self._input_cols()
        require_columns(schema, cols, "inputCol" if self.isSet(self.inputCol) else "inputCols")
        return add_field(schema, StructField(self.getOutputCol(), self.getUdf().returnType, True))

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.withColumn(self.getOutputCol(), self.getUdf()(*[column(c) for c in self._input_cols()]))
