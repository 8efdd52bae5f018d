"""UnrollImage and UnrollBinaryImage: images to DenseVectors in SynapseML's channel-major order.

The vector of an (H, W, C) image lists channel 0 for every pixel (row by row), then channel 1, and so on:
``v[c * H * W + y * W + x] = pixel[y, x, c]``, channels in the stored order (B, G, R[, A]), exactly as
SynapseML's ``UnrollImage.unroll``. Values are the stored pixel values as doubles (0..255 for 8-bit images).
SynapseML maps a 0 byte to 256 (its signed-byte fix-up tests ``b > 0``); here 0 stays 0.

Pixels cross to Python once, in Arrow batches, and come back as Arrow ``list<double>`` (no Python float per
value), which Spark's ``array_to_vector`` turns into a vector in the JVM.
"""

from __future__ import annotations

from typing import List, Optional

import cv2
import numpy as np
import pyarrow as pa
from pyspark.ml.functions import array_to_vector
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, BinaryType, DoubleType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.error_column import RowErrors, error_col_of, error_field
from mmlspark_py.core.image_schema import IMAGE_SCHEMA, arrays_from_structs, binary_views
from mmlspark_py.core.params import (
    HasErrorCol,
    HasInputCol,
    HasMiniBatchSize,
    HasOutputCol,
    declare,
    from_uid,
    override,
    to_one_of,
    to_positive_int,
)
from mmlspark_py.core.stage import SchemaError, Transformer, add_field, column, require_column
from mmlspark_py.image import jvm_paths
from mmlspark_py.image.decoding import DEFAULT_MAX_PIXELS, ImageDecodeError, decode_image

_VALUES = ArrayType(DoubleType(), True)


def unroll(image: np.ndarray) -> np.ndarray:
    """The channel-major float64 vector of an (H, W, C) image (see the module docstring)."""
    return np.ascontiguousarray(image.transpose(2, 0, 1), dtype=np.float64).ravel()


def _vectors(vectors: List[Optional[np.ndarray]]) -> pa.Array:
    """A list<double> Arrow array from float64 vectors (None -> null), built from one flat buffer."""
    ends = np.cumsum([0] + [0 if v is None else v.size for v in vectors], dtype=np.int64)
    if ends[-1] >= 2**31:
        raise ValueError(
            f"a batch of unrolled images has {ends[-1]} values, over Arrow's 2**31 list limit; lower miniBatchSize"
        )
    offsets = pa.array(ends.astype(np.int32))
    present = [v for v in vectors if v is not None]
    values = pa.array(np.concatenate(present) if present else np.empty(0, np.float64))
    mask = pa.array([v is None for v in vectors])
    return pa.ListArray.from_arrays(offsets, values, mask=mask)


def _to_vector_column(df: DataFrame, tmp: str, out: str) -> DataFrame:
    values = column(tmp)  # Spark's array_to_vector fails on null arrays: keep nulls out of it
    return df.withColumn(out, F.when(values.isNotNull(), array_to_vector(values))).drop(tmp)


class UnrollImage(Transformer, HasInputCol, HasOutputCol, HasMiniBatchSize):
    """Unrolls an image column (Spark's image struct) into a DenseVector of its pixel values (SynapseML's
    ``UnrollImage``); null when the image is null.

    Example::

        vecs = UnrollImage(inputCol="image", outputCol="features").transform(read_images("photos"))
    """

    inputCol = override(HasInputCol.inputCol, default="image")
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"))
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), IMAGE_SCHEMA)
        return add_field(schema, StructField(self.getOutputCol(), VectorUDT(), True))

    def _transform(self, df: DataFrame) -> DataFrame:
        vectors = jvm_paths.unroll_image(df, self.getInputCol())
        if vectors is not None:  # the JVM companion's path: the same vectors, no pixel sent to Python
            return df.withColumn(self.getOutputCol(), vectors)
        tmp = f"__{self.uid}_values"

        def fn(batch: pa.RecordBatch) -> pa.RecordBatch:
            images = arrays_from_structs(batch.column(0))
            return pa.record_batch([_vectors([None if im is None else unroll(im) for im in images])], names=[tmp])

        out = with_batched_columns(
            df, [self.getInputCol()], fn, StructType([StructField(tmp, _VALUES)]), self.getMiniBatchSize()
        )
        return _to_vector_column(out, tmp, self.getOutputCol())


_CHANNEL_CONVERSIONS = {
    (1, 3): cv2.COLOR_GRAY2BGR,
    (1, 4): cv2.COLOR_GRAY2BGRA,
    (3, 1): cv2.COLOR_BGR2GRAY,
    (3, 4): cv2.COLOR_BGR2BGRA,
    (4, 1): cv2.COLOR_BGRA2GRAY,
    (4, 3): cv2.COLOR_BGRA2BGR,
}


def decode_resize_unroll(
    data, width: Optional[int], height: Optional[int], channels: Optional[int], max_pixels: int
) -> np.ndarray:
    """Decode encoded bytes, convert to ``channels`` (1, 3 or 4), resize to ``width`` x ``height``, unroll.

    Resizing uses ``cv2.resize`` with ``INTER_LINEAR``. :raises ImageDecodeError: undecodable bytes.
    """
    image = decode_image(data, max_pixels)
    if channels is not None and channels != image.shape[2]:
        image = cv2.cvtColor(image, _CHANNEL_CONVERSIONS[(image.shape[2], channels)])
    if width is not None and (width, height) != (image.shape[1], image.shape[0]):
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    return unroll(image if image.ndim == 3 else image[:, :, None])


class UnrollBinaryImage(Transformer, HasInputCol, HasOutputCol, HasErrorCol, HasMiniBatchSize):
    """Decodes encoded image bytes, optionally resizes them, and unrolls them (SynapseML's ``UnrollBinaryImage``).

    ``inputCol`` holds encoded images (binary, e.g. binaryFile's ``content``); ``outputCol`` the channel-major
    vector (see the module docstring), null when the bytes do not decode (the reason in ``errorCol`` when set).

    Example::

        files = spark.read.format("binaryFile").load("photos")
        vecs = UnrollBinaryImage(inputCol="content", outputCol="v", width=32, height=32).transform(files)
    """

    inputCol = override(HasInputCol.inputCol, default="image")
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"))
    width = declare("the width of the image (positive)", to_positive_int)
    height = declare("the height of the image (positive)", to_positive_int)
    nChannels = declare(
        "the number of channels of the target image: 1, 3 or 4",
        lambda v: int(to_one_of(("1", "3", "4"))(str(TypeConverters.toInt(v)))),
        type_name="int",
    )
    maxPixels = declare(
        "largest width * height decoded; larger images give null", to_positive_int, default=DEFAULT_MAX_PIXELS
    )
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), BinaryType())
        if self.isDefined(self.width) != self.isDefined(self.height):
            raise SchemaError("UnrollBinaryImage: set both width and height, or neither")
        out = add_field(schema, StructField(self.getOutputCol(), VectorUDT(), True))
        error_col = error_col_of(self)
        return add_field(out, error_field(error_col), "errorCol") if error_col else out

    def _transform(self, df: DataFrame) -> DataFrame:
        tmp = f"__{self.uid}_values"
        # SynapseML gives null for undecodable bytes without failing: reasons are always collected.
        error_col = error_col_of(self) or f"__{self.uid}_error"
        width = self.getWidth() if self.isDefined(self.width) else None
        height = self.getHeight() if self.isDefined(self.height) else None
        channels = self.getNChannels() if self.isDefined(self.nChannels) else None
        max_pixels = self.getMaxPixels()
        column_name = self.getInputCol()

        def fn(batch: pa.RecordBatch) -> pa.RecordBatch:
            vectors: List[Optional[np.ndarray]] = []
            errors = RowErrors(batch.num_rows, error_col, "UnrollBinaryImage", column_name)
            for i, data in enumerate(binary_views(batch.column(0))):
                vector = None
                try:
                    if data is None:
                        raise ImageDecodeError("null input")
                    vector = decode_resize_unroll(data, width, height, channels, max_pixels)
                except ImageDecodeError as e:
                    errors.add(i, str(e))
                vectors.append(vector)
            return pa.record_batch([_vectors(vectors), errors.to_arrow()], names=[tmp, error_col])

        schema = StructType([StructField(tmp, _VALUES), error_field(error_col)])
        out = with_batched_columns(df, [self.getInputCol()], fn, schema, self.getMiniBatchSize())
        out = _to_vector_column(out, tmp, self.getOutputCol())
        if error_col_of(self):  # move the error column after the output, as transformSchema says
            return out.select(*[column(c) for c in out.columns if c != error_col], column(error_col))
        return out.drop(error_col)
