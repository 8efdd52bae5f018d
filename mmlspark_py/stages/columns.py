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

import warnings
from typing import List

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasOutputCol, Params, TypeConverters, declare, from_uid, override
from mmlspark_py.core.stage import SchemaError, Transformer, add_field, column, require_column

__all__ = ["SelectColumns", "DropColumns", "RenameColumn", "Explode", "require_columns"]


def require_columns(schema: StructType, names: List[str], param: str) -> None:
    """Raises SchemaError naming every column of ``names`` (from ``param``) that ``schema`` lacks."""
    missing = [n for n in names if n not in schema.names]
    if missing:
        raise SchemaError(f"{param}: column(s) {missing} do not exist; columns are {schema.names}")


class _HasCols(Params):
    cols = declare("the column names", TypeConverters.toListString)

    def setCol(self, value: str) -> _HasCols:
        """Sets ``cols`` to the single column ``value``; returns this stage."""
        self._set(cols=[value])
        return self

    def _cols(self) -> List[str]:
        if not self.isDefined(self.cols):
            raise ValueError(f"{type(self).__name__}: param cols (a list of column names) is not set")
        return self.getOrDefault(self.cols)


class SelectColumns(Transformer, _HasCols):
    """Keeps only ``cols`` (each must exist), in the order given.

    SynapseML's ``transformSchema`` keeps the input order while its ``transform`` uses the order of ``cols``;
    here both use the order of ``cols``.
    """

    def transformSchema(self, schema: StructType) -> StructType:
        require_columns(schema, self._cols(), "cols")
        return StructType([schema[c] for c in self._cols()])

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.select(*[column(c) for c in self._cols()])


class DropColumns(Transformer, _HasCols):
    """Drops ``cols``.

    Unlike Spark's ``drop`` and SynapseML (which ignore them), a column that does not exist is an error: it is
    almost always a misspelt name, and ignoring it would leave the column in the output unnoticed.
    """

    def transformSchema(self, schema: StructType) -> StructType:
        require_columns(schema, self._cols(), "cols")
        dropped = set(self._cols())
        return StructType([f for f in schema if f.name not in dropped])

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.drop(*self._cols())


class RenameColumn(Transformer, HasInputCol, HasOutputCol):
    """Renames ``inputCol`` to ``outputCol`` in place (same position, type, nullability and metadata).

    Renaming onto the name of another existing column behaves as in SynapseML (and Spark's
    ``withColumnRenamed``): both columns stay, under the same name, so selecting that name afterwards is
    ambiguous; a warning says so. Drop the other column first to replace it.
    SynapseML's ``transformSchema`` appends ``outputCol`` and keeps ``inputCol``; here it says what
    ``transform`` does.
    """

    def _names(self, schema: StructType):
        source = require_column(schema, self.getInputCol())
        if not self.isDefined(self.outputCol):
            raise ValueError("RenameColumn: param outputCol (the new name) is not set")
        target = self.getOutputCol()
        if target != source.name and target in schema.names:
            warnings.warn(
                f"RenameColumn: outputCol {target!r} already exists; the result has two columns named "
                f"{target!r} (as in SynapseML and Spark's withColumnRenamed)",
                UserWarning,
                stacklevel=3,
            )
        return source, target

    def transformSchema(self, schema: StructType) -> StructType:
        source, target = self._names(schema)
        return StructType(
            [StructField(target, f.dataType, f.nullable, f.metadata) if f.name == source.name else f for f in schema]
        )

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.withColumnRenamed(self.getInputCol(), self.getOutputCol())


class Explode(Transformer, HasInputCol, HasOutputCol):
    """One output row per element of the array ``inputCol``, the element in ``outputCol`` (Spark's explode).

    Rows whose array is null or empty produce no rows, as with Spark's ``explode``.
    """

    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"))

    def transformSchema(self, schema: StructType) -> StructType:
        field = require_column(schema, self.getInputCol())
        if not isinstance(field.dataType, ArrayType):
            raise SchemaError(
                f"inputCol: column {field.name!r} has type {field.dataType.simpleString()}, expected an array"
            )
        return add_field(
            schema, StructField(self.getOutputCol(), field.dataType.elementType, field.dataType.containsNull)
        )

    def _transform(self, df: DataFrame) -> DataFrame:
        return df.withColumn(self.getOutputCol(), F.explode(column(self.getInputCol())))
