"""ClassBalancer: per-row weights that balance the classes of a label column (SynapseML's ``ClassBalancer``).

``fit`` counts the rows of each class of ``inputCol``; the weight of a class is ``max class count / its count``
(the largest class gets 1.0; a class half its size gets 2.0). The ClassBalancerModel adds ``outputCol``
(double) with the weight of each row's class, for weighted learners (``weightCol``).

``inputCol`` is the label column (string, boolean or numeric). ``broadcastJoin`` is kept for SynapseML
compatibility: the weights are applied as a literal map lookup, which is as cheap as a broadcast join and needs
no join at all.

Nulls: null labels are not a class; their rows get a null weight (SynapseML's inner join drops them). A class
the model has not seen also gets null. NaN is a class of its own, like any other value.

The class -> weight table is a model param (JSON), so the model saves and loads through core persistence.

Example::

    model = ClassBalancer(inputCol="label").fit(train)
    LogisticRegression(weightCol="weight").fit(model.transform(train))
"""

from __future__ import annotations

import math
from typing import Any, List

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, DoubleType, NumericType, StringType, StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasOutputCol, JsonParam, Params, TypeConverters, declare, override
from mmlspark_py.core.stage import Estimator, Model, SchemaError, add_field, column, require_column

__all__ = ["ClassBalancer", "ClassBalancerModel"]


class _BalancerParams(HasInputCol, HasOutputCol):
    outputCol = override(HasOutputCol.outputCol, default="weight")
    broadcastJoin = declare(
        "whether to broadcast the class to weight mapping to the workers (kept for SynapseML "
        "compatibility; the mapping is always a literal)",
        TypeConverters.toBoolean,
        default=True,
    )

    def _label_field(self, schema: StructType) -> StructField:
        field = require_column(schema, self.getOrDefault(self.inputCol))
        if not isinstance(field.dataType, (StringType, BooleanType, NumericType)):
            raise SchemaError(
                f"inputCol: column {field.name!r} has type {field.dataType.simpleString()}; class "
                "labels must be string, boolean or numeric"
            )
        return field

    def _balanced_schema(self, schema: StructType) -> StructType:
        self._label_field(schema)
        return add_field(schema, StructField(self.getOrDefault(self.outputCol), DoubleType(), True))


def _json_label(value: Any) -> Any:
    """A label as JSON can hold it: NaN/infinities as strings, decimals as floats."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, bool, int, float)):
        return value
    return float(value)


def _to_weights(value: Any) -> List[List[Any]]:
    pairs = [list(p) for p in TypeConverters.toList(value)]
    if not all(len(p) == 2 and isinstance(p[1], (int, float)) for p in pairs):
        raise TypeError(f"weights: expected a list of [label, weight] pairs, got {value!r}")
    return [[p[0], float(p[1])] for p in pairs]


class ClassBalancer(Estimator, _BalancerParams):
    """Learns class weights ``max count / class count`` from ``inputCol`` (see the module docstring)."""

    def transformSchema(self, schema: StructType) -> StructType:
        return self._balanced_schema(schema)

    def _fit(self, df: DataFrame) -> ClassBalancerModel:
        self._label_field(df.schema)
        label = column(self.getInputCol())
        # One aggregation; only the (few) per-class counts reach the driver.
        counts = df.where(label.isNotNull()).groupBy(label.alias("label")).count().collect()
        largest = max((r["count"] for r in counts), default=0)
        weights = [[_json_label(r["label"]), largest / r["count"]] for r in counts]
        weights.sort(key=lambda p: str(p[0]))
        return ClassBalancerModel(
            inputCol=self.getInputCol(),
            outputCol=self.getOutputCol(),
            broadcastJoin=self.getBroadcastJoin(),
            weights=weights,
        )


class ClassBalancerModel(Model, _BalancerParams):
    """Adds ``outputCol``: the weight of each row's class (null for null or unseen labels)."""

    weights = JsonParam(
        Params._dummy(), "weights", "the class weights, a list of [label, weight] pairs", typeConverter=_to_weights
    )

    def transformSchema(self, schema: StructType) -> StructType:
        return self._balanced_schema(schema)

    def _transform(self, df: DataFrame) -> DataFrame:
        dtype = self._label_field(df.schema).dataType
        pairs = self.getWeights()
        if not pairs:
            return df.withColumn(self.getOutputCol(), F.lit(None).cast(DoubleType()))
        lookup = F.create_map(*[x for label, weight in pairs for x in (F.lit(label).cast(dtype), F.lit(weight))])
        return df.withColumn(self.getOutputCol(), lookup[column(self.getInputCol())])
