"""Column-shaping stages: SelectColumns, DropColumns, RenameColumn and Explode (SynapseML's ``stages``).

All four are single Spark SQL projections (``select``, ``drop``, ``withColumnRenamed``, ``explode``): no
Python runs on executors. A column named in a param that the DataFrame lacks fails in the driver with a
:class:`~mmlspark_py.core.stage.SchemaError` naming the param, the missing column and the columns there are.

Example::

    SelectColumns(cols=["id", "text"]).transform(df)          # only id, text (in that order)
    DropColumns(cols=["raw"]).transform(df)                    # every column but raw
    RenameColumn(inputCol="text", outputCol="body").transform(df)
    Explode(inputCol="tokens", outputCol="token").transform(df)   # one row per array element
"""

from __future__ import annotations

from typing import List

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasOutputCol
from mmlspark_py.core.stage import SchemaError, Transformer, add_field, column, require_column

__all__ = ["SelectColumns", "DropColumns", "RenameColumn", "Explode", "require_columns"]


def require_columns(schema: StructType, names: List[str], param: str) -> None:
    """Raises SchemaError naming every column of ``names`` (from ``param``) that ``schema`` lacks."""
    missing = [n for n in names if n not in schema.names]
    if missing:
        raise SchemaError(f"{param}: column(s) {missing} do not exist; columns are {schema.names}")


class _HasCols(Params):
    cols = Param(Params._dummy(), "cols", "the column names", typeConverter=TypeConverters.toListString)

    def __init__(self) -> None:
        super().__init__()

    def setCol(self, value: str) -> _HasCols:
        """Sets ``cols`` to the single column ``value``; returns this stage."""
        return self._set(cols=[value])


class SelectColumns(Transformer, _HasCols):
    """Keeps only ``cols``, in the order given.

    :param cols: the columns to keep (required); each must exist.

    SynapseML's ``transformSchema`` keeps the input order while its ``transform`` uses the order of ``cols``;
    here both use the order of ``cols``.
    """

    def transformSchema(self, schema: StructType) -> StructType:
        require_columns(schema, self.getCols(), "cols")
        return StructType([schema[c] for c in self.getCols()])

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.select(*[column(c) for c in self.getCols()])


class DropColumns(Transformer, _HasCols):
    """Drops ``cols``.

    :param cols: the columns to drop (required). Unlike Spark's ``drop`` (and SynapseML), a column that does
        not exist is an error, since it is almost always a misspelt name.
    """

    def transformSchema(self, schema: StructType) -> StructType:
        require_columns(schema, self.getCols(), "cols")
        dropped = set(self.getCols())
        return StructType([f for f in schema if f.name not in dropped])

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.drop(*self.getCols())


class RenameColumn(Transformer, HasInputCol, HasOutputCol):
    """Renames ``inputCol`` to ``outputCol`` in place (same position, type, nullability and metadata).

    :param inputCol: the column to rename (required).
    :param outputCol: its new name (required); must not name another existing column.

    SynapseML's ``transformSchema`` adds ``outputCol`` and keeps ``inputCol``; here it says what transform does.
    """

    def transformSchema(self, schema: StructType) -> StructType:
        source = require_column(schema, self.getInputCol())
        target = self.getOutputCol()
        if target != source.name and target in schema.names:
            raise SchemaError(f"outputCol: column {target!r} already exists; choose another name")
        return StructType([StructField(target, f.dataType, f.nullable, f.metadata) if f.name == source.name
                           else f for f in schema])

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.withColumnRenamed(self.getInputCol(), self.getOutputCol())


class Explode(Transformer, HasInputCol, HasOutputCol):
    """One output row per element of the array ``inputCol``, the element in ``outputCol`` (Spark's explode).

    :param inputCol: an array column (required).
    :param outputCol: the element column (default ``<uid>_output``).

    Rows whose array is null or empty produce no rows, as with Spark's ``explode``.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._setDefault(outputCol=f"{self.uid}_output")

    def transformSchema(self, schema: StructType) -> StructType:
        field = require_column(schema, self.getInputCol())
        if not isinstance(field.dataType, ArrayType):
            raise SchemaError(f"inputCol: column {field.name!r} has type {field.dataType.simpleString()}, "
                              "expected an array")
        return add_field(schema, StructField(self.getOutputCol(), field.dataType.elementType,
                                             field.dataType.containsNull))

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.withColumn(self.getOutputCol(), F.explode(column(self.getInputCol())))
