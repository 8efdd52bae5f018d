"""DataConversion: converts columns to another type, to/from categorical, or parses dates (SynapseML's API)."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructType

from mmlspark_py.core.params import Param, Params, TypeConverters, to_one_of
from mmlspark_py.core.stage import Transformer, column, require_column
from mmlspark_py.featurize.categorical import IndexToValue, ValueIndexer
from mmlspark_py.core.schema import planned_schema

_CASTS = {"boolean": "boolean", "byte": "tinyint", "short": "smallint", "integer": "int", "long": "bigint",
          "float": "float", "double": "double", "string": "string"}
TO_CATEGORICAL, CLEAR_CATEGORICAL, DATE = "toCategorical", "clearCategorical", "date"


class DataConversion(Transformer):
    """Converts ``cols`` in place to ``convertTo``.

    :param cols: the columns to convert.
    :param convertTo: ``boolean``, ``byte``, ``short``, ``integer``, ``long``, ``float``, ``double``, ``string``
        (Spark casts; with ANSI mode on, Spark's default, a value that cannot be converted is an error naming
        it), ``date`` (a timestamp; strings parsed with ``dateTimeFormat``), ``toCategorical`` (a
        :class:`ValueIndexer` index with levels in the metadata) or ``clearCategorical`` (back to the values).
    :param dateTimeFormat: the pattern strings are parsed with for ``date`` (default ``yyyy-MM-dd HH:mm:ss``).

    ``toCategorical`` learns the levels from the DataFrame being transformed (as SynapseML does), so
    ``transformSchema`` cannot list them in the metadata; it gives the right type.

    Example::

        DataConversion(cols=["age"], convertTo="double").transform(df)
        DataConversion(cols=["when"], convertTo="date", dateTimeFormat="dd/MM/yyyy").transform(df)
    """

    cols = Param(Params._dummy(), "cols", "the columns to convert", typeConverter=TypeConverters.toListString)
    convertTo = Param(Params._dummy(), "convertTo", "the type to convert to: " + ", ".join(
        list(_CASTS) + [TO_CATEGORICAL, CLEAR_CATEGORICAL, DATE]),
        typeConverter=to_one_of(list(_CASTS) + [TO_CATEGORICAL, CLEAR_CATEGORICAL, DATE]))
    dateTimeFormat = Param(Params._dummy(), "dateTimeFormat", "pattern strings are parsed with for convertTo="
                           "date (Spark datetime pattern)", typeConverter=TypeConverters.toString)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._setDefault(dateTimeFormat="yyyy-MM-dd HH:mm:ss")

    def transformSchema(self, schema: StructType) -> StructType:
        for name in self.getCols():
            require_column(schema, name, param="cols")
        if self.getConvertTo() == TO_CATEGORICAL:
            for name in self.getCols():
                schema = ValueIndexer(inputCol=name, outputCol=name).transformSchema(schema)
            return schema
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        target, out = self.getConvertTo(), dataset
        for name in self.getCols():
            if target == TO_CATEGORICAL:
                out = ValueIndexer(inputCol=name, outputCol=name).fit(out).transform(out)
            elif target == CLEAR_CATEGORICAL:
                out = IndexToValue(inputCol=name, outputCol=name).transform(out)
            elif target == DATE:
                is_string = isinstance(out.schema[name].dataType, StringType)
                value = F.to_timestamp(column(name), self.getDateTimeFormat()) if is_string else \
                    column(name).cast("timestamp")
                out = out.withColumn(name, value)
            else:
                out = out.withColumn(name, column(name).cast(_CASTS[target]))
        return out
