"""SummarizeData: summary statistics of every column, one output row per input column (SynapseML's
``SummarizeData``).

Output columns (the groups are switched by the boolean params of the same name, all on by default):

* ``Feature`` (string, not null): the input column's name;
* ``counts``: ``Count`` (non-missing values), ``Unique_Value_Count`` (distinct non-missing values, exact),
  ``Missing_Value_Count`` (nulls, plus NaNs in float/double columns); doubles, not null;
* ``basic``: ``Min``, ``1st_Quartile``, ``Median``, ``3rd_Quartile``, ``Max``;
* ``sample``: ``Sample_Variance``, ``Sample_Standard_Deviation`` (n - 1 denominators), ``Sample_Skewness``,
  ``Sample_Kurtosis`` (Spark's ``skewness``/``kurtosis``: the moment estimators g1 and excess g2, without
  small-sample correction, as in SynapseML);
* ``percentiles``: ``P0_5``, ``P1``, ``P5``, ``P95``, ``P99``, ``P99_5``.

Quantiles are Spark's ``percentile_approx``: the smallest value v with at least a fraction q of the values
<= v (numpy's ``inverted_cdf``); ``errorThreshold`` is the relative rank error (0, the default, is exact).

Missing values (null, NaN) are left out of every statistic; infinities are values (Min may be -inf and the
variance NaN). Statistics that do not exist are null: numeric statistics of non-numeric columns (SynapseML
gives NaN there, indistinguishable from a NaN computed from data) and of columns without a non-missing value,
the variance of one value. Everything is computed by Spark in one aggregation pass; nothing is collected.

Example::

    SummarizeData(percentiles=False).transform(df).show()
"""

from __future__ import annotations

from typing import List, Tuple

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, FloatType, NumericType, StringType, StructField, StructType

from mmlspark_py.core.params import TypeConverters, declare
from mmlspark_py.core.stage import Transformer, column

__all__ = ["SummarizeData"]

FEATURE = StructField("Feature", StringType(), False)
COUNT_FIELDS = ("Count", "Unique_Value_Count", "Missing_Value_Count")
BASIC = (("Min", 0.0), ("1st_Quartile", 0.25), ("Median", 0.5), ("3rd_Quartile", 0.75), ("Max", 1.0))
SAMPLE_FIELDS = ("Sample_Variance", "Sample_Standard_Deviation", "Sample_Skewness", "Sample_Kurtosis")
PERCENTILES = (("P0_5", 0.005), ("P1", 0.01), ("P5", 0.05), ("P95", 0.95), ("P99", 0.99), ("P99_5", 0.995))
# percentile_approx's accuracy is 1 / relative error; its largest value makes the quantiles exact.
_EXACT_ACCURACY = 2147483647


def _to_error_threshold(value) -> float:
    out = TypeConverters.toFloat(value)
    if not 0.0 <= out < 1.0:
        raise ValueError(f"errorThreshold: expected a relative error in [0, 1), got {value!r}")
    return out


class SummarizeData(Transformer):
    """One row of statistics per input column (see the module docstring for the columns)."""

    counts = declare(
        "compute count statistics (Count, Unique_Value_Count, Missing_Value_Count)",
        TypeConverters.toBoolean,
        default=True,
    )
    basic = declare("compute basic statistics (Min, quartiles, Median, Max)", TypeConverters.toBoolean, default=True)
    sample = declare(
        "compute sample statistics (variance, standard deviation, skewness, kurtosis)",
        TypeConverters.toBoolean,
        default=True,
    )
    percentiles = declare("compute percentiles (P0_5, P1, P5, P95, P99, P99_5)", TypeConverters.toBoolean, default=True)
    errorThreshold = declare("relative rank error of the quantiles; 0 is exact", _to_error_threshold, default=0.0)

    def _quantiles(self) -> List[Tuple[str, float]]:
        return (list(BASIC) if self.getBasic() else []) + (list(PERCENTILES) if self.getPercentiles() else [])

    def transformSchema(self, schema: StructType) -> StructType:
        fields = [FEATURE]
        if self.getCounts():
            fields += [StructField(n, DoubleType(), False) for n in COUNT_FIELDS]
        fields += [StructField(n, DoubleType(), True) for n, _ in BASIC if self.getBasic()]
        fields += [StructField(n, DoubleType(), True) for n in SAMPLE_FIELDS if self.getSample()]
        fields += [StructField(n, DoubleType(), True) for n, _ in PERCENTILES if self.getPercentiles()]
        return StructType(fields)

    def _column_stats(self, field: StructField) -> Column:
        """A struct of every statistic of ``field``, in output order (an aggregate expression)."""
        c = column(field.name)
        missing = c.isNull() | F.isnan(c) if isinstance(field.dataType, (FloatType, DoubleType)) else c.isNull()
        present = F.when(~missing, c)
        numeric = isinstance(field.dataType, NumericType)
        value = present.cast("double")
        null = F.lit(None).cast("double")
        stats: List[Column] = [F.lit(field.name).alias(FEATURE.name)]
        if self.getCounts():
            stats += [
                F.count(present).cast("double").alias("Count"),
                F.count_distinct(present).cast("double").alias("Unique_Value_Count"),
                F.count_if(missing).cast("double").alias("Missing_Value_Count"),
            ]
        quantiles = self._quantiles()
        if quantiles:
            error = self.getErrorThreshold()
            accuracy = F.lit(_EXACT_ACCURACY if error == 0.0 else max(1, int(round(1.0 / error))))
            values = F.percentile_approx(value, [q for _, q in quantiles], accuracy)
            quantile_cols = {
                name: (values[i] if numeric else null).alias(name) for i, (name, _) in enumerate(quantiles)
            }
            stats += [quantile_cols[name] for name, _ in BASIC if name in quantile_cols]
        if self.getSample():
            moments = (F.var_samp, F.stddev_samp, F.skewness, F.kurtosis)
            stats += [(fn(value) if numeric else null).alias(name) for fn, name in zip(moments, SAMPLE_FIELDS)]
        if quantiles:
            stats += [quantile_cols[name] for name, _ in PERCENTILES if name in quantile_cols]
        return F.struct(*stats)

    def _transform(self, df: DataFrame) -> DataFrame:
        out_schema = self.transformSchema(df.schema)
        if not df.schema.fields:
            return df.sparkSession.createDataFrame([], out_schema)
        per_column = df.agg(F.array(*[self._column_stats(f) for f in df.schema]).alias("stats"))
        return per_column.select(F.inline("stats"))
