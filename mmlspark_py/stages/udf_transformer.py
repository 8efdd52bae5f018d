"""UDFTransformer: applies a Spark user-defined function to one or more columns (SynapseML's ``UDFTransformer``).

It is by definition a wrapper of a UDF: prefer Spark SQL functions, or an Arrow/pandas UDF
(``pandas_udf``/``arrow_udf``), over a row-at-a-time ``udf`` on large data; the stage runs whichever it is given.

The UDF is saved **by reference**: ``udf`` holds ``"package.module:name"``, the module-level name the UDF
object is bound to (``my_udf = udf(f, IntegerType())`` or ``@udf(...) def my_udf``), and loading the stage
imports that module and takes the UDF from it. Nothing is pickled into the saved stage (a pickled function
would run arbitrary code on load); so a UDF that is not bound to a module-level name of an importable module
(e.g. built inside a function, or from a lambda without binding it) is rejected when set.

Params:
    ``udf``: the UDF (a scalar Python, pandas or Arrow UDF), or its reference string (required).
    ``inputCol`` or ``inputCols`` (exactly one): the argument column(s), in order.
    ``outputCol``: the result column (default ``<uid>_output``), of the UDF's return type, nullable.

Example (``my_package/udfs.py``: ``plus_one = pandas_udf(lambda s: s + 1, LongType())``)::

    UDFTransformer(inputCol="x", outputCol="y", udf=my_package.udfs.plus_one).transform(df)
"""

from __future__ import annotations

from typing import Any, List

from pyspark.ml.param import Param, Params
from pyspark.sql import DataFrame
from pyspark.sql.types import StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasInputCols, HasOutputCol
from mmlspark_py.core.spark_compat import python_eval_type
from mmlspark_py.core.stage import Transformer, add_field, column
from mmlspark_py.stages.columns import require_columns
from mmlspark_py.stages.references import resolve, to_reference

__all__ = ["UDFTransformer"]

_SCALAR_EVAL_TYPES = {v for k, v in vars(python_eval_type()).items()
                      if k in ("SQL_BATCHED_UDF", "SQL_ARROW_BATCHED_UDF") or k.startswith("SQL_SCALAR_")}


def _check_udf(obj: Any) -> None:
    if not (callable(obj) and hasattr(obj, "returnType") and hasattr(obj, "evalType")):
        raise TypeError(f"udf: expected a Spark UDF (from udf, pandas_udf or arrow_udf), got "
                        f"{type(obj).__name__}: {obj!r}")
    if obj.evalType not in _SCALAR_EVAL_TYPES:
        raise TypeError(f"udf: {obj!r} has evalType {obj.evalType}; only scalar UDFs (one value per row) can "
                        "compute a column")


class UDFTransformer(Transformer, HasInputCol, HasInputCols, HasOutputCol):
    """Adds ``outputCol`` = ``udf(inputCol)`` or ``udf(*inputCols)``."""

    udf = Param(Params._dummy(), "udf", "scalar Spark UDF applied to the input column(s); saved by reference "
                "'module:name' to its module-level binding, never pickled", typeConverter=to_reference(_check_udf))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._setDefault(outputCol=f"{self.uid}_output")

    def getUdf(self) -> Any:
        """The UDF ``udf`` refers to (imported)."""
        return resolve(self.getOrDefault(self.udf))

    def getUDF(self) -> Any:
        """SynapseML's name for :meth:`getUdf`."""
        return self.getUdf()

    def setUDF(self, value: Any) -> "UDFTransformer":
        """SynapseML's name for :meth:`setUdf`."""
        return self._set(udf=value)

    def _input_cols(self) -> List[str]:
        has_one, has_many = self.isSet(self.inputCol), self.isSet(self.inputCols)
        if has_one == has_many:
            raise ValueError("UDFTransformer: set exactly one of inputCol and inputCols "
                             f"(inputCol set: {has_one}, inputCols set: {has_many})")
        return [self.getInputCol()] if has_one else self.getInputCols()

    def transformSchema(self, schema: StructType) -> StructType:
        if not self.isDefined(self.udf):
            raise ValueError("UDFTransformer: param udf (a module-level Spark UDF) is not set")
        cols = self._input_cols()
        require_columns(schema, cols, "inputCol" if self.isSet(self.inputCol) else "inputCols")
        return add_field(schema, StructField(self.getOutputCol(), self.getUdf().returnType, True))

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.withColumn(self.getOutputCol(), self.getUdf()(*[column(c) for c in self._input_cols()]))
