"""CleanMissingData: replaces nulls and NaNs by each column's mean, median or a custom value (SynapseML's API)."""

from __future__ import annotations

from typing import Any, List

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, FloatType, NumericType, StructType

from mmlspark_py.core.params import HasInputCols, HasOutputCols, Param, Params, TypeConverters, to_json_value, \
    to_one_of
from mmlspark_py.core.stage import Estimator, Model, SchemaError, column, require_column
from mmlspark_py.core.schema import planned_schema

MEAN, MEDIAN, CUSTOM = "Mean", "Median", "Custom"


class _CleanParams(HasInputCols, HasOutputCols):
    def _check(self, schema: StructType, numeric_only: bool) -> None:
        inputs, outputs = self.getInputCols(), self.getOrDefault("outputCols")
        if len(inputs) != len(outputs):
            raise SchemaError(f"outputCols: {len(outputs)} names given for {len(inputs)} inputCols {inputs}")
        for name in inputs:
            field = require_column(schema, name, param="inputCols")
            if numeric_only and not isinstance(field.dataType, NumericType):
                raise SchemaError(f"inputCols: column {name!r} has type {field.dataType.simpleString()}; the "
                                  "Mean and Median cleaning modes need numeric columns (use cleaningMode='Custom')")

    def _default_outputs(self) -> None:
        if self.isSet("inputCols") and not self.isSet("outputCols"):
            self._set(outputCols=list(self.getInputCols()))


def _missing(col: Column, is_float: bool) -> Column:
    return (col.isNull() | F.isnan(col)) if is_float else col.isNull()


class CleanMissingData(Estimator, _CleanParams):
    """Learns a replacement for missing values (null, and NaN in float columns) of each input column.

    :param inputCols: the columns to clean.
    :param outputCols: where the cleaned columns go (default: the input columns, replaced in place).
    :param cleaningMode: ``"Mean"`` or ``"Median"`` (numeric columns; NaN and null ignored when learning) or
        ``"Custom"`` (``customValue``, cast to each column's type).
    :param customValue: the replacement for ``Custom`` mode, as a string (e.g. ``"0"`` or ``"unknown"``).

    Output columns keep the input's type (a mean filled into an integer column is truncated, as SynapseML).

    Errors: SchemaError naming a missing or non-numeric column; ValueError when a column has no value to learn
    from (all missing) or ``Custom`` mode lacks ``customValue``.

    Example::

        model = CleanMissingData(inputCols=["age"], cleaningMode="Median").fit(df)
        model.transform(df)   # nulls/NaNs in "age" replaced by the median age
    """

    cleaningMode = Param(Params._dummy(), "cleaningMode", "how to learn the replacement: Mean, Median or Custom",
                         typeConverter=to_one_of((MEAN, MEDIAN, CUSTOM), case_insensitive=True))
    customValue = Param(Params._dummy(), "customValue", "replacement value for cleaningMode=Custom, as a string",
                        typeConverter=TypeConverters.toString)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._setDefault(cleaningMode=MEAN)

    def setParams(self, **kwargs: Any) -> "CleanMissingData":
        super().setParams(**kwargs)
        self._default_outputs()
        return self

    def transformSchema(self, schema: StructType) -> StructType:
        self._check(schema, self.getCleaningMode() != CUSTOM)
        placeholder = ["0"] * len(self.getInputCols())
        model = CleanMissingDataModel(inputCols=self.getInputCols(), outputCols=self.getOutputCols(),
                                      fillValues=placeholder)
        return model.transformSchema(schema)

    def _fit(self, dataset: DataFrame) -> "CleanMissingDataModel":
        inputs, mode = self.getInputCols(), self.getCleaningMode()
        if mode == CUSTOM:
            if not self.isDefined("customValue"):
                raise ValueError("CleanMissingData: cleaningMode='Custom' needs customValue")
            values: List[Any] = [self.getCustomValue()] * len(inputs)
        else:
            values = self._learn(dataset, inputs, F.avg if mode == MEAN else F.median)
        model = CleanMissingDataModel(inputCols=inputs, outputCols=self.getOutputCols(), fillValues=values)
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
        row = dataset.agg(*exprs).head()
        empty = [name for i, name in enumerate(inputs) if row[f"c{i}"] is None]
        if empty:
            raise ValueError(f"CleanMissingData: column(s) {empty} have no non-missing values to learn a "
                             "replacement from; use cleaningMode='Custom' with a customValue")
        return [float(row[f"c{i}"]) for i in range(len(inputs))]


class CleanMissingDataModel(Model, _CleanParams):
    """Replaces missing values (null; NaN in float columns) of ``inputCols`` by ``fillValues``.

    :param fillValues: one replacement per input column (number or string), cast to the column's type.
    """

    fillValues = Param(Params._dummy(), "fillValues", "replacement value of each input column",
                       typeConverter=to_json_value)

    def setParams(self, **kwargs: Any) -> "CleanMissingDataModel":
        super().setParams(**kwargs)
        self._default_outputs()
        return self

    def transformSchema(self, schema: StructType) -> StructType:
        self._check(schema, numeric_only=False)
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        out = dataset
        for name, target, value in zip(self.getInputCols(), self.getOutputCols(), self.getFillValues()):
            data_type = dataset.schema[name].dataType
            is_float = isinstance(data_type, (FloatType, DoubleType))
            fill = F.lit(value).cast(data_type)
            out = out.withColumn(target, F.when(_missing(column(name), is_float), fill).otherwise(column(name)))
        return out
