"""CountSelector: drops the vector slots that are zero in every row (SynapseML's API).

Typical after hashing (HashingTF, TextFeaturizer): of 2^18 hash slots a data set uses a few thousand; the
others carry nothing but cost memory and, for tree learners, crowd the used slots out of each split's random
feature subset.
"""

from __future__ import annotations

from typing import List

from pyspark.ml.feature import VectorSlicer
from pyspark.ml.functions import array_to_vector
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.stat import Summarizer
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType

from mmlspark_py.core.params import HasInputCol, HasOutputCol, TypeConverters, declare, from_uid, override
from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.stage import Estimator, Model, add_field, column, require_column


class _CountSelectorParams(HasInputCol, HasOutputCol):
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"))

    def _check(self, schema: StructType) -> None:
        require_column(schema, self.getInputCol(), VectorUDT())


class CountSelector(Estimator, _CountSelectorParams):
    """Learns which slots of vector column ``inputCol`` are non-zero in at least one row; its model keeps only
    those slots (in order) in ``outputCol``.

    A NaN counts as non-zero; null rows are ignored when learning. ``fit`` is one pass over the data in the JVM
    (Spark's ``Summarizer``, sparse-aware).

    Errors: SchemaError when ``inputCol`` is missing or not a vector column.

    Example::

        model = CountSelector(inputCol="hashed", outputCol="used").fit(df)
        model.getIndices()           # e.g. [17, 4093, 60002]
        model.transform(df)          # + used: vector of 3 slots
    """

    def transformSchema(self, schema: StructType) -> StructType:
        self._check(schema)
        # the number of kept slots is known only after fitting, so the size metadata is not promised here
        return add_field(schema, StructField(self.getOutputCol(), VectorUDT(), True))

    def _fit(self, dataset: DataFrame) -> CountSelectorModel:
        name = self.getInputCol()
        present = dataset.where(column(name).isNotNull())
        indices: List[int] = []
        if present.limit(1).count():  # Spark's Summarizer fails on no rows
            counts = present.select(Summarizer.metrics("numNonZeros").summary(column(name)).alias("s")).collect()[0]
            indices = [int(i) for i in counts["s"]["numNonZeros"].toArray().nonzero()[0]]
        model = CountSelectorModel(inputCol=name, outputCol=self.getOutputCol(), indices=indices)
        model._resetUid(self.uid)
        return model


class CountSelectorModel(Model, _CountSelectorParams):
    """Keeps the slots ``indices`` of vector column ``inputCol`` in ``outputCol`` (Spark's ``VectorSlicer``).

    No slot kept (every row was zero when fitting): ``outputCol`` holds empty vectors (size 0). A null input
    gives a null output.
    """

    indices = declare("an array of indices to select features from a vector column", TypeConverters.toListInt)

    def transformSchema(self, schema: StructType) -> StructType:
        self._check(schema)
        return planned_schema(self._transform, schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        name, out, indices = self.getInputCol(), self.getOutputCol(), self.getIndices()
        present = column(name).isNotNull()
        if not indices:
            empty = array_to_vector(F.array().cast("array<double>"))
            return dataset.withColumn(out, F.when(present, empty).alias(out, metadata={"ml_attr": {"num_attrs": 0}}))
        # VectorSlicer fails on null rows: slice a stand-in zero vector there and put the null back after
        temp = f"__{self.uid}_input"
        zeros = array_to_vector(F.array_repeat(F.lit(0.0), max(indices) + 1))
        sliced = VectorSlicer(inputCol=temp, outputCol=out, indices=indices).transform(
            dataset.withColumn(
                temp, F.coalesce(column(name), zeros).alias(temp, metadata=dataset.schema[name].metadata)
            )
        )
        metadata = sliced.schema[out].metadata
        return sliced.withColumn(out, F.when(present, column(out)).alias(out, metadata=metadata)).drop(temp)
