"""CleanMissingData: replaces nulls and NaNs by each column's mean, median or a custom value (SynapseML's API)."""

from __future__ import annotations

from typing import Any, List

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, FloatType, NumericType, StructType

from mmlspark_py.core.params import (
    HasInputCols,
    HasOutputCols,
    TypeConverters,
    declare,
    override,
    to_json_value,
    to_one_of,
)
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.stage import Estimator, Model, SchemaError, column, require_column

MEAN, MEDIAN, CUSTOM = "Mean", "Median", "Custom"


class _CleanParams(HasInputCols, HasOutputCols):
    outputCols = override(
        HasOutputCols.outputCols, doc="output column names (default: the input columns, cleaned in place)"
    )

    def _outputs(self) -> List[str]:
        return list(self.getOutputCols() if self.isDefined("outputCols") else self.getInputCols())

    def _check(self, schema: StructType, numeric_only: bool) -> None:
        inputs, outputs = self.getInputCols(), self._outputs()
        if len(inputs) != len(outputs):
            raise SchemaError(f"outputCols: {len(outputs)} names given for {len(inputs)} inputCols {inputs}")
        for name in inputs:
            field = require_column(schema, name, param="inputCols")
            if numeric_only and not isinstance(field.dataType, NumericType):
                raise SchemaError(
                    f"inputCols: column {name!r} has type {field.dataType.simpleString()}; the "
                    "Mean and Median cleaning modes need numeric columns (use cleaningMode='Custom')"
                )


def _missing(col: Column, is_float: bool) -> Column:
    return (col.isNull() | F.isnan(col)) if is_float else col.isNull()


class CleanMissingData(Estimator, _CleanParams):
    """Learns a replacement for missing values (null, and NaN in float columns) of each input column.

    ``outputCols`` defaults to the input columns (replaced in place). ``Mean`` and ``Median`` need numeric
    columns and ignore NaN and null when learning; ``Custom`` fills ``customValue`` cast to each column's type.
    Output columns keep the input's type (a mean filled into an integer column is truncated, as SynapseML).

    Errors: SchemaError naming a missing or non-numeric column; ValueError when a column has no value to learn
    from (all missing) or ``Custom`` mode lacks ``customValue``.

    Example::

        model = CleanMissingData(inputCols=["age"], cleaningMode="Median").fit(df)
        model.transform(df)   # nulls/NaNs in "age" replaced by the median age
    """

    cleaningMode = declare(
        "cleaning mode: Mean, Median or Custom", to_one_of((MEAN, MEDIAN, CUSTOM), case_insensitive=True), default=MEAN
    )
    customValue = declare("custom value for replacement (cleaningMode=Custom), as a string", TypeConverters.toString)

    def transformSchema(self, schema: StructType) -> StructType:
        self._check(schema, self.getCleaningMode() != CUSTOM)
        placeholder = ["0"] * len(self.getInputCols())
        model = CleanMissingDataModel(inputCols=self.getInputCols(), outputCols=self._outputs(), fillValues=placeholder)
        return model.transformSchema(schema)

    def _fit(self, dataset: DataFrame) -> CleanMissingDataModel:
        inputs, mode = self.getInputCols(), self.getCleaningMode()
        if mode == CUSTOM:
            if not self.isDefined("customValue"):
                raise ValueError("CleanMissingData: cleaningMode='Custom' needs customValue")
            values: List[Any] = [self.getCustomValue()] * len(inputs)
        else:
            values = self._learn(dataset, inputs, F.avg if mode == MEAN else F.median)
        model = CleanMissingDataModel(inputCols=inputs, outputCols=self._outputs(), fillValues=values)
        model._resetUid(self.uid)
        return model

    @staticmethod
    def _learn(dataset: DataFrame, inputs: List[str], aggregate: Any) -> List[float]:
        """One pass: the aggregate of each column over its non-missing values."""
        exprs = []
        for i, name in enumerate(inputs):
            is_float = isinstance(dataset.schema[name].dataType, (FloatType, DoubleType))
            value = column(name).cast("double")
            exprs.append(aggregate(F.when(~_missing(value, is_float), value)).alias(f"c{i}"))
        row = dataset.agg(*exprs).collect()[0]
        empty = [name for i, name in enumerate(inputs) if row[f"c{i}"] is None]
        if empty:
            raise ValueError(
                f"CleanMissingData: column(s) {empty} have no non-missing values to learn a "
                "replacement from; use cleaningMode='Custom' with a customValue"
            )
        return [float(row[f"c{i}"]) for i in range(len(inputs))]


class CleanMissingDataModel(Model, _CleanParams):
    """Replaces missing values (null; NaN in float columns) of ``inputCols`` by ``fillValues`` (cast to each
    column's type)."""

    fillValues = declare("what to replace in each input column (one number or string per column)", to_json_value)

    def transformSchema(self, schema: StructType) -> StructType:
        self._check(schema, numeric_only=False)
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        out = dataset
        for name, target, value in zip(self.getInputCols(), self._outputs(), self.getFillValues()):
            data_type = dataset.schema[name].dataType
            is_float = isinstance(data_type, (FloatType, DoubleType))
            fill = F.lit(value).cast(data_type)
            out = out.withColumn(target, F.when(_missing(column(name), is_float), fill).otherwise(column(name)))
        return out
