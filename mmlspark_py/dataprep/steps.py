"""Minimal prep-package steps: fill missing values, filter rows, convert types, select/rename.

They exist so a prep package (``package.py``) is one Spark Pipeline; each is a thin, SQL-only
Transformer named for data preparation.

* ``DataPrepFillMissing(inputCols, value)``: nulls in ``inputCols`` become ``value`` (cast to
  each column's type); columns and types unchanged.
* ``DataPrepFilter(condition)``: keeps rows where the Spark SQL boolean ``condition`` is true. A condition
  that calls one of Spark's functions that run Java methods (``reflect``, ``java_method``,
  ``try_reflect``) is refused: a package shared with others must not run code.
* ``DataPrepConvertType(inputCols, dataType)``: ``try_cast`` each column to ``dataType``
  (``string``, ``int``, ``bigint``, ``double``, ``boolean``, ``date``, ``timestamp``); values
  that do not convert become null.
* ``DataPrepSelect(columns, renames)``: keeps ``columns`` (all when empty) in order, then
  renames per the ``renames`` dict {old: new}.

Errors: a missing column names the param and the existing columns; an unknown type lists the
valid ones.

Example::

    >>> DataPrepConvertType(inputCols=["age"], dataType="int").transform(df)  # doctest: +SKIP
"""

from __future__ import annotations

import re

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType, _parse_datatype_string

from mmlspark_py.core.params import HasInputCols, TypeConverters, declare, to_dict_string, to_one_of
from mmlspark_py.core.stage import SchemaError, Transformer, column, require_column

from .errors import DataPrepError

TYPES = ("string", "int", "bigint", "double", "boolean", "date", "timestamp")


class DataPrepFillMissing(Transformer, HasInputCols):
    """Replaces nulls in ``inputCols`` with ``value`` (a string, cast to each column's type)."""

    value = declare("replacement for nulls, as a string (cast to the column type)", TypeConverters.toString)

    def transformSchema(self, schema: StructType) -> StructType:
        cols = set(self.getInputCols())
        for c in cols:
            require_column(schema, c, param="inputCols")
        # coalesce with a constant is never null (an unconvertible value fails the cast instead).
        return StructType(
            [StructField(f.name, f.dataType, False, f.metadata) if f.name in cols else f for f in schema.fields]
        )

    def _transform(self, df: DataFrame) -> DataFrame:
        types = {f.name: f.dataType for f in df.schema.fields}
        cols = set(self.getInputCols())
        return df.select(
            *[
                F.coalesce(column(f), F.lit(self.getValue()).cast(types[f])).alias(f) if f in cols else column(f)
                for f in df.columns
            ]
        )


class DataPrepFilter(Transformer):
    """Keeps the rows where the Spark SQL boolean expression ``condition`` holds."""

    condition = declare("Spark SQL boolean expression over the columns", TypeConverters.toString)

    def transformSchema(self, schema: StructType) -> StructType:
        if not self.isDefined(self.condition):
            raise ValueError("condition: not set; give a Spark SQL boolean expression")
        return schema

    def _transform(self, df: DataFrame) -> DataFrame:
        refuse_code_calls(df.sparkSession, self.getCondition(), "condition")
        return df.filter(F.expr(self.getCondition()))


_CODE_CALL = re.compile(r"^'(?:[\w`]+\.)*`?(java_method|reflect|try_reflect)`?\(", re.I)


def refuse_code_calls(spark: SparkSession, expression: str, param: str) -> None:
    """Raise ``DataPrepError`` when the Spark SQL ``expression`` calls a function that runs Java methods
    (checked on Spark's own parse tree, so quoting or case cannot hide the call)."""
    jss = getattr(spark, "_jsparkSession", None)
    if jss is None:  # Spark Connect: no parser in reach; fall back to the text
        lines = [expression.replace("`", "")]
        pattern = re.compile(r"\b(java_method|reflect|try_reflect)\s*\(", re.I)
    else:
        lines = [
            ln.lstrip(" :|+-")
            for ln in jss.sessionState().sqlParser().parseExpression(expression).treeString().splitlines()
        ]
        pattern = _CODE_CALL
    for ln in lines:
        m = pattern.search(ln)
        if m:
            raise DataPrepError(f"{param}: calls {m.group(1)}(), which runs Java code; not allowed in a prep package")


class DataPrepConvertType(Transformer, HasInputCols):
    """Converts ``inputCols`` to ``dataType`` with ``try_cast`` (failed conversions are null)."""

    dataType = declare(f"target type, one of {TYPES}", to_one_of(TYPES))

    def transformSchema(self, schema: StructType) -> StructType:
        cols = set(self.getInputCols())
        for c in cols:
            require_column(schema, c, param="inputCols")
        target = _parse_datatype_string(self.getDataType())
        return StructType([StructField(f.name, target, True) if f.name in cols else f for f in schema.fields])

    def _transform(self, df: DataFrame) -> DataFrame:
        cols = set(self.getInputCols())
        t = self.getDataType()
        return df.select(
            *[F.expr(f"try_cast({_ref(f)} AS {t})").alias(f) if f in cols else column(f) for f in df.columns]
        )


def _ref(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class DataPrepSelect(Transformer):
    """Keeps ``columns`` (all when empty), in order, then applies ``renames`` {old: new}."""

    columns = declare("columns to keep, in order (empty: all)", TypeConverters.toListString, default=[])
    renames = declare("dict of old name -> new name", to_dict_string, default={})

    def transformSchema(self, schema: StructType) -> StructType:
        keep = self.getColumns() or schema.names
        for c in keep:
            require_column(schema, c, param="columns")
        renames = self.getRenames()
        for old in renames:
            if old not in keep:
                raise SchemaError(f"renames: column {old!r} is not among the selected columns {keep}")
        names = [renames.get(c, c) for c in keep]
        if len(set(names)) != len(names):
            raise SchemaError(f"renames: the result would have duplicate column names {names}")
        return StructType(
            [StructField(renames.get(c, c), schema[c].dataType, schema[c].nullable, schema[c].metadata) for c in keep]
        )

    def _transform(self, df: DataFrame) -> DataFrame:
        keep = self.getColumns() or df.columns
        renames = self.getRenames()
        return df.select(*[column(c).alias(renames.get(c, c)) for c in keep])
