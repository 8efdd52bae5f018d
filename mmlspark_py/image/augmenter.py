"""ImageSetAugmenter: a DataFrame of images plus their mirrored copies (SynapseML's ``ImageSetAugmenter``).

For every input row the output holds the original image and, as asked, its left-right and up-down mirror
images, each in ``outputCol`` with every other column copied (so 3 rows per input with both flips). Each image
crosses to Python once: one Arrow pass computes both flips, and ``explode`` in the JVM makes the rows; the
originals never leave the JVM. A flipped image keeps its origin. A null image gives null copies.
"""

from __future__ import annotations

import cv2
import pyarrow as pa
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.image_schema import IMAGE_SCHEMA, arrays_from_structs, structs_from_arrays
from mmlspark_py.core.params import HasInputCol, HasMiniBatchSize, HasOutputCol, declare, from_uid, override
from mmlspark_py.core.stage import Transformer, add_field, column, require_column

FLIP_LEFT_RIGHT = 1
"""cv2.flip code mirroring around the vertical axis."""
FLIP_UP_DOWN = 0
"""cv2.flip code mirroring around the horizontal axis."""


def _merged_image_type(input_type: StructType) -> StructType:
    # array(original, flipped...) takes each field's nullability from whichever side allows null.
    return StructType(
        [
            StructField(f.name, f.dataType, f.nullable or g.nullable)
            for f, g in zip(input_type.fields, IMAGE_SCHEMA.fields)
        ]
    )


class ImageSetAugmenter(Transformer, HasInputCol, HasOutputCol, HasMiniBatchSize):
    """Adds mirrored copies of each image as extra rows.

    ``inputCol`` is Spark's image struct; ``outputCol`` holds the original or a flipped copy.

    Example::

        augmented = ImageSetAugmenter(inputCol="image", outputCol="aug", flipUpDown=True).transform(df)
        # 3 rows per input row: the original, its left-right and its up-down mirror
    """

    inputCol = override(HasInputCol.inputCol, default="image")
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"))
    flipLeftRight = declare("Symmetric Left-Right: add mirrored copies", TypeConverters.toBoolean, default=True)
    flipUpDown = declare("Symmetric Up-Down: add upside-down copies", TypeConverters.toBoolean, default=False)
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    def _flip_codes(self):
        return [
            code
            for code, on in ((FLIP_LEFT_RIGHT, self.getFlipLeftRight()), (FLIP_UP_DOWN, self.getFlipUpDown()))
            if on
        ]

    def transformSchema(self, schema: StructType) -> StructType:
        field = require_column(schema, self.getInputCol(), IMAGE_SCHEMA)
        out_type = _merged_image_type(field.dataType) if self._flip_codes() else field.dataType
        nullable = field.nullable or bool(self._flip_codes())
        return add_field(schema, StructField(self.getOutputCol(), out_type, nullable))

    def _transform(self, df: DataFrame) -> DataFrame:
        codes = self._flip_codes()
        if not codes:
            return df.withColumn(self.getOutputCol(), column(self.getInputCol()))
        names = [f"__{self.uid}_flip{code}" for code in codes]

        def fn(batch: pa.RecordBatch) -> pa.RecordBatch:
            structs = batch.column(0)
            images = arrays_from_structs(structs)
            origins = structs.field("origin").to_pylist()
            return pa.record_batch(
                [
                    structs_from_arrays(
                        [None if im is None else cv2.flip(im, code).reshape(im.shape) for im in images], origins
                    )
                    for code in codes
                ],
                names=names,
            )

        schema = StructType([StructField(n, IMAGE_SCHEMA) for n in names])
        flipped = with_batched_columns(df, [self.getInputCol()], fn, schema, self.getMiniBatchSize())
        copies = F.array(column(self.getInputCol()), *[column(n) for n in names])
        kept = [column(c) for c in df.columns]
        return flipped.select(*kept, F.explode(copies).alias(self.getOutputCol()))
