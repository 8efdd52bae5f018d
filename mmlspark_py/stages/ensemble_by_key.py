"""EnsembleByKey: average score columns over the rows that share key values (SynapseML's ``EnsembleByKey``).

``keys`` are the columns to group by and ``cols`` the columns to ensemble (double, float or ML vector), both
required and non-empty (as in SynapseML, which fails with "keys must be set and non-empty"). With
``collapseGroup`` (the default) the output is one row per key group: ``keys`` + the ensembled columns. Without
it every input row is kept, in SynapseML's column order: ``keys``, the other input columns, the ensembled
columns (an input column named like an ensembled one is replaced). ``vectorDims`` (``{col: size}``) records
the size of a vector output in its Spark ML attribute metadata, so later stages know it without looking at the
data.

Columns out: the ensembled columns are double (for double/float inputs) or vector (for vector inputs).
Nulls are left out of the mean (a group of nulls gives null); NaN or infinities in a group give NaN/inf.
Null keys form their own group (SQL grouping semantics).

Group means are one Spark aggregation (``groupBy().agg``; Spark ML's ``Summarizer`` for vectors); with
``collapseGroup=False`` they are window aggregates over the key partition, so no join is needed.
Where we differ from SynapseML: a vector column whose group holds only nulls gives null (SynapseML's
Summarizer fails the job), so vector outputs are nullable; key and column names are exact top-level column
names (SynapseML also resolves nested ``a.b`` paths and dataset qualifiers).

Example::

    EnsembleByKey(keys=["id"], cols=["score"]).transform(df)      # id, mean(score)
"""

from __future__ import annotations

from typing import List

from pyspark.ml.functions import array_to_vector
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.stat import Summarizer
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, FloatType, StructField, StructType

from mmlspark_py.core.params import TypeConverters, declare, to_one_of
from mmlspark_py.core.stage import SchemaError, Transformer, column
from mmlspark_py.stages.columns import require_columns

__all__ = ["EnsembleByKey"]

_TMP = "__ensemble_by_key_"


def _to_vector_dims(value) -> dict:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise TypeError(f"vectorDims: expected a dict of column name -> size, got {value!r}")
    return {k: TypeConverters.toInt(v) for k, v in value.items()}


class EnsembleByKey(Transformer):
    """Means of ``cols`` per group of ``keys`` (see the module docstring)."""

    keys = declare("keys to group by", TypeConverters.toListString)
    cols = declare("cols to ensemble", TypeConverters.toListString)
    colNames = declare("names of the result of each col (default '<strategy>(<col>)')", TypeConverters.toListString)
    strategy = declare("how to ensemble the scores: 'mean'", to_one_of(["mean"]), default="mean")
    collapseGroup = declare(
        "whether to collapse all items in group to one entry", TypeConverters.toBoolean, default=True
    )
    vectorDims = declare(
        "the sizes of vector columns {col: size}, recorded in the output's ML attribute metadata", _to_vector_dims
    )

    def setKey(self, value: str) -> EnsembleByKey:
        """Sets ``keys`` to the one column ``value``."""
        self._set(keys=[value])
        return self

    def setCol(self, value: str) -> EnsembleByKey:
        """Sets ``cols`` to the one column ``value``."""
        self._set(cols=[value])
        return self

    def setColName(self, value: str) -> EnsembleByKey:
        """Sets ``colNames`` to the one name ``value``."""
        self._set(colNames=[value])
        return self

    def getColNames(self) -> List[str]:
        """The output names: ``colNames`` if set, else ``"<strategy>(<col>)"`` for each of ``cols``."""
        if self.isSet(self.colNames):
            return self.getOrDefault(self.colNames)
        return [f"{self.getStrategy()}({c})" for c in self.getCols()]

    def _output_fields(self, schema: StructType) -> List[StructField]:
        for name in ("keys", "cols"):
            if not self.isDefined(self.getParam(name)) or not self.getOrDefault(name):
                raise ValueError(f"EnsembleByKey: {name} must be set and non-empty (a list of column names)")
        require_columns(schema, self.getKeys(), "keys")
        require_columns(schema, self.getCols(), "cols")
        names = self.getColNames()
        if len(names) != len(self.getCols()):
            raise ValueError(f"EnsembleByKey: colNames {names} must have one name per col of {self.getCols()}")
        dims = self.getVectorDims() if self.isDefined(self.vectorDims) else {}
        fields = []
        for col, name in zip(self.getCols(), names):
            dtype = schema[col].dataType
            if isinstance(dtype, (DoubleType, FloatType)):
                fields.append(StructField(name, DoubleType(), True))
            elif isinstance(dtype, VectorUDT):
                metadata = {"ml_attr": {"num_attrs": dims[col]}} if col in dims else {}
                fields.append(StructField(name, VectorUDT(), True, metadata))
            else:
                raise SchemaError(
                    f"cols: column {col!r} has type {dtype.simpleString()}; strategy "
                    f"{self.getStrategy()!r} needs double, float or vector columns"
                )
        return fields

    def transformSchema(self, schema: StructType) -> StructType:
        out = self._output_fields(schema)
        if self.getCollapseGroup():
            return StructType([schema[k] for k in self.getKeys()] + out)
        skipped = {f.name for f in out} | set(self.getKeys())
        return StructType([schema[k] for k in self.getKeys()] + [f for f in schema if f.name not in skipped] + out)

    def _means(self, schema: StructType, window=None) -> List[Column]:
        """The ensembled columns; vector inputs must first get the helper columns of :meth:`_prepare`."""
        result = []
        for i, (col, field) in enumerate(zip(self.getCols(), self._output_fields(schema))):
            if isinstance(field.dataType, VectorUDT):
                summary = Summarizer.metrics("mean").summary(F.col(f"{_TMP}{i}_vec"), F.col(f"{_TMP}{i}_w"))
                count = F.count(column(col))
                agg = F.when(
                    (count.over(window) if window is not None else count) > 0,
                    (summary.over(window) if window is not None else summary)["mean"],
                )
            else:
                agg = F.mean(column(col))
                agg = agg.over(window) if window is not None else agg
            result.append(agg.alias(field.name, metadata=field.metadata))
        return result

    def _prepare(self, df: DataFrame) -> DataFrame:
        """``df`` plus, per vector column, the vector and weight Spark's Summarizer aggregates.

        Summarizer fails on null vectors and on groups where nothing was added. Null rows therefore get a
        placeholder vector with weight 0 (skipped), except in groups with no vector at all, where weight 1
        keeps the summarizer non-empty and the result is masked to null.
        """
        group = Window.partitionBy(*[column(k) for k in self.getKeys()])
        placeholder = array_to_vector(F.array(F.lit(0.0)))
        for i, col in enumerate(self.getCols()):
            if isinstance(df.schema[col].dataType, VectorUDT):
                value = column(col)
                empty_group = F.count(value).over(group) == 0
                df = df.withColumn(f"{_TMP}{i}_vec", F.coalesce(value, placeholder)).withColumn(
                    f"{_TMP}{i}_w", F.when(value.isNotNull(), 1.0).when(empty_group, 1.0).otherwise(0.0)
                )
        return df

    def _transform(self, df: DataFrame) -> DataFrame:
        keys = [column(k) for k in self.getKeys()]
        prepared = self._prepare(df)
        if self.getCollapseGroup():
            return prepared.groupBy(*keys).agg(*self._means(df.schema))
        means = self._means(df.schema, Window.partitionBy(*keys))
        skipped = set(self.getColNames()) | set(self.getKeys())
        return prepared.select(*keys, *[column(c) for c in df.columns if c not in skipped], *means)
