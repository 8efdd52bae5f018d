"""Categorical columns with their levels in the column metadata: ValueIndexer, ValueIndexerModel, IndexToValue.

A categorical column is an integer index column whose metadata lists the levels (the original values), in two
forms: Spark ML's nominal attribute (``ml_attr``, so tree learners treat it as categorical) and ours (``mml``:
the typed levels and their Spark type, so :class:`IndexToValue` can restore the original values)::

    {"ml_attr": {"name": c, "type": "nominal", "vals": ["a", "b"]},
     "mml": {"levels": ["a", "b"], "dataType": "string", "hasNullLevel": false}}

Levels are the sorted distinct values (as SynapseML's ValueIndexer); when the column held nulls at fit time,
null is one more level, the last (SynapseML's ``null_exists``). A value not seen at fit time indexes to null.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    ByteType,
    DataType,
    DateType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from mmlspark_py.core.params import (
    HasInputCol,
    HasOutputCol,
    TypeConverters,
    declare,
    from_uid,
    override,
    to_json_value,
)
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.spark_compat import with_column
from mmlspark_py.core.stage import Estimator, Model, SchemaError, Transformer, column, require_column

NULL_LEVEL_NAME = "__null"
_SIMPLE_TYPES = {
    t().simpleString(): t
    for t in (
        StringType,
        BooleanType,
        ByteType,
        ShortType,
        IntegerType,
        LongType,
        FloatType,
        DoubleType,
        DateType,
        TimestampType,
    )
}
_INDEXABLE_TYPES = tuple(
    t() for t in (StringType, BooleanType, ByteType, ShortType, IntegerType, LongType, FloatType, DoubleType)
)


def spark_type(simple_string: str) -> DataType:
    """The atomic Spark type named ``simple_string`` (e.g. ``"int"``); no JVM needed."""
    if simple_string not in _SIMPLE_TYPES:
        raise ValueError(f"unsupported level type {simple_string!r}; supported: {sorted(_SIMPLE_TYPES)}")
    return _SIMPLE_TYPES[simple_string]()


def levels_metadata(name: str, levels: List[Any], data_type: str, has_null_level: bool) -> Dict[str, Any]:
    """The metadata of a categorical column ``name`` with ``levels`` (of Spark type ``data_type``)."""
    names = [NULL_LEVEL_NAME if v is None else str(v) for v in levels]
    # Spark's Metadata holds no nulls in arrays: the null level is the flag, appended again when read
    known = [v for v in levels if v is not None]
    return {
        "ml_attr": {"name": name, "type": "nominal", "vals": names},
        "mml": {"levels": known, "dataType": data_type, "hasNullLevel": has_null_level},
    }


def get_levels(schema: StructType, name: str) -> Optional[List[Any]]:
    """The levels of categorical column ``name`` of ``schema``, or None if it carries no levels."""
    if name not in schema.names:
        return None
    mml = schema[name].metadata.get("mml", {})
    if "levels" not in mml:
        return None
    return list(mml["levels"]) + ([None] if mml.get("hasNullLevel") else [])


def get_level_type(schema: StructType, name: str) -> Optional[str]:
    """The Spark type (simple string) of the original values of categorical column ``name``."""
    return schema[name].metadata.get("mml", {}).get("dataType") if name in schema.names else None


def sort_levels(values: List[Any]) -> List[Any]:
    """Distinct non-null values in ascending order (NaN last), as the levels of a categorical column."""
    return sorted(set(values), key=lambda v: (isinstance(v, float) and math.isnan(v), v))


def index_column(col: Column, levels: List[Any], data_type: DataType) -> Column:
    """An integer index of ``col`` into ``levels`` (null level included); unseen values give null."""
    known = [v for v in levels if v is not None]
    if not known:
        lookup = F.lit(None).cast(IntegerType())
    else:
        pairs = [x for i, v in enumerate(known) for x in (F.lit(v).cast(data_type), F.lit(i))]
        lookup = F.try_element_at(F.create_map(*pairs), col)
    null_index = F.lit(levels.index(None) if None in levels else None).cast(IntegerType())
    return F.when(col.isNull(), null_index).otherwise(lookup).cast(IntegerType())


def value_column(index: Column, levels: List[Any], data_type: DataType) -> Column:
    """The level at (integer-valued) ``index``; null for a null or out-of-range index."""
    values = (
        F.array(*[F.lit(v).cast(data_type) for v in levels])
        if levels
        else F.array().cast("array<" + data_type.simpleString() + ">")
    )
    return F.try_element_at(values, (index.cast("int") + F.lit(1)))


class _IndexParams(HasInputCol, HasOutputCol):
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"))


class ValueIndexer(Estimator, _IndexParams):
    """Learns the levels of ``inputCol`` and indexes it into a categorical ``outputCol`` (SynapseML's API).

    Columns: ``inputCol`` a string, numeric or boolean column; ``outputCol`` receives the integer index
    (nullable) with the levels in its metadata.

    Errors: SchemaError naming the column when it is missing or of another type.

    Example::

        model = ValueIndexer(inputCol="color", outputCol="color_idx").fit(df)
        model.getLevels()                       # ['blue', 'red']
        IndexToValue(inputCol="color_idx", outputCol="color2").transform(model.transform(df))
    """

    def transformSchema(self, schema: StructType) -> StructType:
        """The fitted model's output schema, except the levels in the metadata: they depend on the data
        (as with Spark's StringIndexer), so this lists none."""
        field = require_column(schema, self.getInputCol(), *_INDEXABLE_TYPES)
        levels_md = levels_metadata(self.getOutputCol(), [], field.dataType.simpleString(), False)
        return _with_index_field(schema, self.getOutputCol(), levels_md)

    def _fit(self, dataset: DataFrame) -> ValueIndexerModel:
        name = self.getInputCol()
        row = dataset.agg(
            F.collect_set(column(name)).alias("values"), F.max(column(name).isNull()).alias("has_null")
        ).collect()[0]
        levels = sort_levels(list(row["values"]))
        if row["has_null"]:
            levels.append(None)
        model = ValueIndexerModel(
            inputCol=name,
            outputCol=self.getOutputCol(),
            levels=levels,
            dataType=dataset.schema[name].dataType.simpleString(),
        )
        model._resetUid(self.uid)  # as Spark's models: the fitted model keeps its estimator's uid
        return model


def _with_index_field(schema: StructType, name: str, metadata: Dict[str, Any]) -> StructType:
    fields = [f for f in schema.fields if f.name != name]
    return StructType(fields + [StructField(name, IntegerType(), True, metadata)])


class ValueIndexerModel(Model, _IndexParams):
    """Indexes ``inputCol`` into ``levels``: integer ``outputCol`` with the levels in its metadata.

    A value not among the levels gives a null index. ``outputCol`` may equal ``inputCol`` (replaced in place).
    """

    levels = declare("the levels (distinct values, sorted; null last if present)", to_json_value)
    dataType = declare(
        "Spark type (simple string) of the levels, e.g. 'string'", TypeConverters.toString, default="string"
    )

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol())
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        levels, data_type = self.getLevels(), spark_type(self.getDataType())
        md = levels_metadata(self.getOutputCol(), levels, self.getDataType(), None in levels)
        index = index_column(column(self.getInputCol()), levels, data_type)
        return with_column(dataset, self.getOutputCol(), index, md)


class IndexToValue(Transformer, _IndexParams):
    """Maps a categorical index column back to its original values, read from the column's metadata.

    Columns: ``inputCol`` an index column with levels in its metadata (made by :class:`ValueIndexerModel`, or
    the ``prediction`` of a trained classifier); ``outputCol`` receives the original values (their original
    type; null for a null or unknown index).

    Errors: SchemaError when ``inputCol`` carries no levels metadata.
    """

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol())
        if get_levels(schema, self.getInputCol()) is None:
            raise SchemaError(
                f"inputCol: column {self.getInputCol()!r} has no categorical levels in its metadata; "
                "index it with ValueIndexer first"
            )
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        name = self.getInputCol()
        levels = get_levels(dataset.schema, name) or []
        data_type = spark_type(get_level_type(dataset.schema, name) or "string")
        return dataset.withColumn(self.getOutputCol(), value_column(column(name), levels, data_type))
