"""Small stages used only to test the core machinery (not part of the package)."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.params import (
    BytesParam,
    HasInputCol,
    HasMiniBatchSize,
    HasOutputCol,
    Param,
    Params,
    SpecListParam,
    StageListParam,
    StageParam,
    to_dict_string,
)
from mmlspark_py.core.persistence import register_stage_class
from mmlspark_py.core.spec import Spec, require
from mmlspark_py.core.stage import Estimator, Model, Transformer, add_field, require_column


@dataclasses.dataclass(frozen=True)
class Op(Spec):
    """Family root of the toy ops."""


@dataclasses.dataclass(frozen=True)
class Add(Op):
    kind = "add"
    amount: int = 1

    def __post_init__(self):
        require(self.amount > 0, "amount must be > 0", self.amount)


@dataclasses.dataclass(frozen=True)
class Scale(Op):
    kind = "scale"
    factor: int = 2
    labels: tuple = ()


class LengthPlus(Transformer, HasInputCol, HasOutputCol, HasMiniBatchSize):
    """outputCol = utf8 length of inputCol plus the sum of the Add ops, in Arrow batches."""

    ops = SpecListParam(Params._dummy(), "ops", "ops applied to the length", Op)
    payload = BytesParam(Params._dummy(), "payload", "an opaque binary payload")
    inner = StageParam(Params._dummy(), "inner", "a nested stage")
    others = StageListParam(Params._dummy(), "others", "nested stages")
    table = Param(Params._dummy(), "table", "a str -> str mapping", typeConverter=to_dict_string)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._setDefault(outputCol="length", ops=[], miniBatchSize=3)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), StringType())
        return add_field(schema, StructField(self.getOutputCol(), IntegerType(), True))

    def _transform(self, df: DataFrame) -> DataFrame:
        extra, out = sum(o.amount for o in self.getOps() if isinstance(o, Add)), self.getOutputCol()

        def fn(batch: pa.RecordBatch) -> pa.RecordBatch:
            return pa.record_batch([pc.add(pc.utf8_length(batch.column(0)), extra).cast(pa.int32())], names=[out])

        schema = StructType([StructField(out, IntegerType(), True)])
        return with_batched_columns(df, [self.getInputCol()], fn, schema, self.getMiniBatchSize())


class MaxLength(Estimator, HasInputCol, HasOutputCol):
    """Learns the longest string length; its model flags longer-than-seen strings."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._setDefault(outputCol="tooLong")

    def transformSchema(self, schema: StructType) -> StructType:
        return MaxLengthModel(inputCol=self.getInputCol(), outputCol=self.getOutputCol(), maxLength=0).transformSchema(
            schema
        )

    def _fit(self, df: DataFrame) -> MaxLengthModel:
        from pyspark.sql import functions as F

        longest = df.agg(F.max(F.length(self.getInputCol()))).head()[0] or 0
        return self._copyValues(MaxLengthModel(maxLength=longest))


class MaxLengthModel(Model, HasInputCol, HasOutputCol):
    maxLength = Param(Params._dummy(), "maxLength", "the longest length seen in fit", typeConverter=int)

    def transformSchema(self, schema: StructType) -> StructType:
        from pyspark.sql.types import BooleanType

        require_column(schema, self.getInputCol(), StringType())
        return add_field(schema, StructField(self.getOutputCol(), BooleanType(), True))

    def _transform(self, df: DataFrame) -> DataFrame:
        from pyspark.sql import functions as F

        return df.withColumn(self.getOutputCol(), F.length(self.getInputCol()) > self.getMaxLength())


# Test stages live outside mmlspark_py: loading them from saved metadata must be allowed explicitly.
for _cls in (LengthPlus, MaxLength, MaxLengthModel):
    register_stage_class(_cls)
