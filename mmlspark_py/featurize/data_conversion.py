"""DataConversion: converts columns to another type, to/from categorical, or parses dates (SynapseML's API)."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructType

from mmlspark_py.core.params import TypeConverters, declare, to_one_of
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.stage import Transformer, column, require_column
from mmlspark_py.featurize.categorical import IndexToValue, ValueIndexer

_CASTS = {
    "boolean": "boolean",
    "byte": "tinyint",
    "short": "smallint",
    "integer": "int",
    "long": "bigint",
    "float": "float",
    "double": "double",
    "string": "string",
}
TO_CATEGORICAL, CLEAR_CATEGORICAL, DATE = "toCategorical", "clearCategorical", "date"


class DataConversion(Transformer):
    """Converts ``cols`` in place to ``convertTo``.

    ``boolean``, ``byte``, ``short``, ``integer``, ``long``, ``float``, ``double``, ``string`` are Spark casts
    (with ANSI mode on, Spark's default, a value that cannot be converted is an error naming it); ``date``
    gives a timestamp (strings parsed with ``dateTimeFormat``); ``toCategorical`` a :class:`ValueIndexer` index
    with levels in the metadata; ``clearCategorical`` the values back.

    ``toCategorical`` learns the levels from the DataFrame being transformed (as SynapseML does), so
    ``transformSchema`` cannot list them in the metadata; it gives the right type.

    Example::

        DataConversion(cols=["age"], convertTo="double").transform(df)
        DataConversion(cols=["when"], convertTo="date", dateTimeFormat="dd/MM/yyyy").transform(df)
    """

    cols = declare("comma separated list of columns whose type will be converted", TypeConverters.toListString)
    convertTo = declare(
        "the result type: " + ", ".join(list(_CASTS) + [TO_CATEGORICAL, CLEAR_CATEGORICAL, DATE]),
        to_one_of(list(_CASTS) + [TO_CATEGORICAL, CLEAR_CATEGORICAL, DATE]),
    )
    dateTimeFormat = declare(
        "format for DateTime when making DateTime:String conversions (Spark datetime pattern)",
        TypeConverters.toString,
        default="yyyy-MM-dd HH:mm:ss",
    )

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
                value = (
                    F.to_timestamp(column(name), self.getDateTimeFormat())
                    if is_string
                    else column(name).cast("timestamp")
                )
                out = out.withColumn(name, value)
            else:
                out = out.withColumn(name, column(name).cast(_CASTS[target]))
        return out
