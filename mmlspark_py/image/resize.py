"""``ResizeImageTransformer``: images (or encoded bytes) resized to a fixed size (``synapse.ml.image``).

SynapseML resizes with Java's ``Image.getScaledInstance(w, h, SCALE_DEFAULT)``, which is nearest-neighbour
sampling of each output pixel's centre (``ReplicateScaleFilter``: source row ``(2 y + 1) * H // (2 h)``, the
same for columns). This stage samples the same source pixels, so its outputs equal SynapseML's for images that
keep their channels. ``nChannels`` converts the channel count first with OpenCV (grey <-> BGR <-> BGRA;
``cvtColor`` weights where Java's colour management differs for grey). An image of the target size and
channels is returned unchanged.

Columns: ``inputCol`` Spark's image struct or binary (encoded bytes: decoded with OpenCV); ``outputCol`` Spark's
image struct (origin kept from an image struct, null for bytes), null when the input is null or does not
decode; ``errorCol`` (optional) says why.

Example::

    small = ResizeImageTransformer(inputCol="image", outputCol="small", width=64, height=48).transform(df)
"""

from __future__ import annotations

from typing import List, Optional

import cv2
import numpy as np
import pyarrow as pa
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql.types import StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.error_column import RowErrors, error_col_of, error_field
from mmlspark_py.core.image_schema import IMAGE_SCHEMA, structs_from_arrays
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
from mmlspark_py.core.stage import SchemaError, Transformer, add_fields
from mmlspark_py.image.decoding import DEFAULT_MAX_PIXELS, ImageDecodeError, decode_image
from mmlspark_py.image.inputs import InputKind, input_kind, read_sources

__all__ = ["ResizeImageTransformer", "replicate_resize", "convert_channels"]

_CONVERSIONS = {
    (1, 3): cv2.COLOR_GRAY2BGR,
    (1, 4): cv2.COLOR_GRAY2BGRA,
    (3, 1): cv2.COLOR_BGR2GRAY,
    (3, 4): cv2.COLOR_BGR2BGRA,
    (4, 1): cv2.COLOR_BGRA2GRAY,
    (4, 3): cv2.COLOR_BGRA2BGR,
}


def replicate_resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """``image`` (H, W, C) resized to ``height`` x ``width`` by sampling each output pixel's centre."""
    rows = (2 * np.arange(height) * image.shape[0] + image.shape[0]) // (2 * height)
    cols = (2 * np.arange(width) * image.shape[1] + image.shape[1]) // (2 * width)
    return np.ascontiguousarray(image[rows[:, None], cols[None, :]])


def convert_channels(image: np.ndarray, channels: Optional[int]) -> np.ndarray:
    """``image`` with ``channels`` channels (1, 3 or 4; None: unchanged), converted with OpenCV."""
    have = image.shape[2]
    if channels is None or channels == have:
        return image
    converted = cv2.cvtColor(image, _CONVERSIONS[(have, channels)])
    return converted if converted.ndim == 3 else converted[:, :, None]


class ResizeImageTransformer(Transformer, HasInputCol, HasOutputCol, HasErrorCol, HasMiniBatchSize):
    """Resizes images to ``width`` x ``height`` as SynapseML does (see the module docstring)."""

    inputCol = override(
        HasInputCol.inputCol, default="image", doc="input column: Spark's image struct or binary (encoded image bytes)"
    )
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"), doc="output column: Spark's image struct")
    width = declare("the width of the image", to_positive_int)
    height = declare("the height of the image", to_positive_int)
    nChannels = declare(
        "the number of channels of the target image: 1, 3 or 4 (default: as the input)",
        lambda v: int(to_one_of(("1", "3", "4"))(str(TypeConverters.toInt(v)))),
        type_name="int",
    )
    maxPixels = declare(
        "largest width * height decoded from bytes; larger images give null",
        to_positive_int,
        default=DEFAULT_MAX_PIXELS,
    )
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    def _kind(self, schema: StructType) -> InputKind:
        if self.getInputCol() not in schema.names:
            raise SchemaError(f"inputCol: column {self.getInputCol()!r} does not exist; columns are {schema.names}")
        return input_kind(schema[self.getInputCol()].dataType, self.getInputCol(), structs_only=True)

    def _fields(self) -> List[StructField]:
        if not (self.isDefined("width") and self.isDefined("height")):
            raise SchemaError("ResizeImageTransformer: set width and height")
        error_col = error_col_of(self)
        return [StructField(self.getOutputCol(), IMAGE_SCHEMA, True)] + ([error_field(error_col)] if error_col else [])

    def transformSchema(self, schema: StructType) -> StructType:
        self._kind(schema)
        return add_fields(schema, self._fields())

    def _transform(self, df: DataFrame) -> DataFrame:
        kind, fields = self._kind(df.schema), self._fields()
        width, height, max_pixels = self.getWidth(), self.getHeight(), self.getMaxPixels()
        channels = self.getNChannels() if self.isDefined("nChannels") else None
        output_col, error_col, column = self.getOutputCol(), error_col_of(self), self.getInputCol()
        # SynapseML gives null for undecodable bytes without failing: reasons are always collected.
        reasons = error_col or "__resize_error"

        def fn(batch: pa.RecordBatch) -> pa.RecordBatch:
            sources, origins, found = read_sources(batch.column(0), kind)
            errors = RowErrors(batch.num_rows, reasons, "ResizeImageTransformer", column)
            out: List[Optional[np.ndarray]] = []
            for i, source in enumerate(sources):
                image = None
                try:
                    if found[i]:
                        raise ImageDecodeError(found[i])
                    if source is not None:
                        image = decode_image(source, max_pixels) if kind.encoded else source
                        image = replicate_resize(convert_channels(image, channels), width, height)
                except (ImageDecodeError, cv2.error) as e:
                    errors.add(i, str(e), row_name=origins[i])
                    image = None
                out.append(image)
            arrays = [structs_from_arrays(out, origins)] + ([errors.to_arrow()] if error_col else [])
            return pa.RecordBatch.from_arrays(arrays, names=[output_col] + ([error_col] if error_col else []))

        return with_batched_columns(df, [column], fn, StructType(fields), self.getMiniBatchSize())
