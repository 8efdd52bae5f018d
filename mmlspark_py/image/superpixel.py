"""``SuperpixelTransformer``: an image decomposed into superpixels (``synapse.ml.image.SuperpixelTransformer``).

The clustering is SynapseML's (a SLIC variant, after popscan's "Superpixel algorithm implemented in Java"),
reproduced step for step so the clusters are the same:

1. cluster centres on a hexagonal grid: rows at ``y = cellSize/2, 3 cellSize/2, ...``; within a row ``x`` starts
   at ``cellSize`` on the first row and alternates with ``cellSize/2``, stepping by ``cellSize``; each centre
   takes the colour of the pixel at flat index ``int(x + y * width)``;
2. up to 50 rounds: for each cluster in order, every pixel in the window ``[centre - cellSize, centre +
   cellSize)`` (clipped) moves to the cluster when its distance ``sqrt(colour distance^2) + sqrt(spatial
   distance^2 / (cellSize / modifier)^2)`` is strictly below the best distance it has seen so far (never reset
   between rounds); then every cluster's mean colour and position are recomputed from its pixels; stop when no
   pixel moved;
3. the output lists, per cluster, its pixels as ``(x, y)`` pairs in row-major order.

Colours are R, G, B as Java's ``getRGB`` gives them for 8-bit colour images (grey images use the grey value for
all three; the alpha channel is ignored). Distances are computed in float64 in SynapseML's order of operations.

Columns: ``inputCol`` Spark's image struct or binary (encoded bytes); ``outputCol``
``struct<clusters: array<array<struct<_1: int, _2: int>>>>`` (SynapseML's ``SuperpixelData``: ``_1`` is x,
``_2`` is y); null when the image is null, does not decode, or is too small for one cluster (the reason in
``errorCol`` when set). ``cellSize`` (default 16) is the grid spacing in pixels, ``modifier`` (default 130)
trades colour against spatial distance.

Example::

    sp = SuperpixelTransformer(inputCol="image", outputCol="superpixels", cellSize=32.0).transform(images)
"""

from __future__ import annotations

import math
from typing import List, Optional

import cv2
import numpy as np
import pyarrow as pa
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql.pandas.types import to_arrow_type
from pyspark.sql.types import ArrayType, IntegerType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.error_column import RowErrors, error_col_of, error_field
from mmlspark_py.core.params import (
    HasErrorCol,
    HasInputCol,
    HasMiniBatchSize,
    HasOutputCol,
    declare,
    from_uid,
    override,
    to_positive_int,
)
from mmlspark_py.core.stage import SchemaError, Transformer, add_fields
from mmlspark_py.image.decoding import DEFAULT_MAX_PIXELS, ImageDecodeError, decode_image
from mmlspark_py.image.inputs import InputKind, input_kind, read_sources

__all__ = ["SuperpixelTransformer", "SUPERPIXEL_SCHEMA", "superpixel_clusters", "SuperpixelError"]

_PIXEL = StructType([StructField("_1", IntegerType(), False), StructField("_2", IntegerType(), False)])
SUPERPIXEL_SCHEMA = StructType([StructField("clusters", ArrayType(ArrayType(_PIXEL, True), True), True)])
"""SynapseML's ``SuperpixelData`` type: per cluster, its pixels as ``(x, y)`` pairs."""
MAX_ROUNDS = 50
_NO_DISTANCE = float(2**31 - 1)  # Java's Integer.MAX_VALUE, the initial best distance of every pixel


class SuperpixelError(ValueError):
    """An image the clustering cannot apply to (too small for one cluster)."""


def _to_int(value: float) -> int:
    """Java's ``double.toInt``: truncation toward zero, NaN -> 0."""
    return 0 if math.isnan(value) else int(value)


def _grid(height: int, width: int, cell: float) -> List[tuple]:
    """``(x, y)`` of the initial cluster centres (doubles), in id order."""
    centres, even, y = [], False, cell / 2
    while y < height:
        x = cell / 2.0 if even else cell
        even = not even
        while x < width:
            centres.append((x, y))
            x += cell
        y += cell
    return centres


def superpixel_clusters(rgb: np.ndarray, cell: float, modifier: float) -> List[np.ndarray]:
    """The clusters of an ``(H, W, 3)`` RGB image: per cluster, the flat row-major indices of its pixels.

    :raises SuperpixelError: when the image is too small for the grid to place a cluster on every pixel.
    """
    height, width = rgb.shape[:2]
    colours = rgb.reshape(-1, 3).astype(np.float64)
    centres = _grid(height, width, cell)
    if not centres:
        raise SuperpixelError(f"a {width}x{height} image is too small for cellSize {cell}")
    inv = 1.0 / ((cell / modifier) * (cell / modifier))
    count = len(centres)
    # mean R, G, B, x, y of each cluster; a new cluster holds its one centre pixel
    means = np.empty((count, 5), np.float64)
    for c, (x, y) in enumerate(centres):
        pos = int(x + y * width)
        means[c, :3] = colours[pos]
        means[c, 3:] = (int(x), int(y))
    distances = np.full(height * width, _NO_DISTANCE)
    labels = np.full(height * width, -1, np.int64)
    ys, xs = np.divmod(np.arange(height * width), width)
    grid_x, grid_y = xs.reshape(height, width).astype(np.float64), ys.reshape(height, width).astype(np.float64)
    flat = np.arange(height * width).reshape(height, width)
    for _ in range(MAX_ROUNDS):
        moved = False
        for c in range(count):
            red, green, blue, cx, cy = means[c]
            x0, y0 = max(_to_int(cx - cell), 0), max(_to_int(cy - cell), 0)
            x1, y1 = min(_to_int(cx + cell), width), min(_to_int(cy + cell), height)
            if x1 <= x0 or y1 <= y0:
                continue
            window = flat[y0:y1, x0:x1].ravel()
            pixels = colours[window]
            dr, dg, db = red - pixels[:, 0], green - pixels[:, 1], blue - pixels[:, 2]
            dx, dy = cx - grid_x[y0:y1, x0:x1].ravel(), cy - grid_y[y0:y1, x0:x1].ravel()
            d = np.sqrt(dr * dr + dg * dg + db * db) + np.sqrt((dx * dx + dy * dy) * inv)
            better = (d < distances[window]) & (labels[window] != c)
            if better.any():
                distances[window[better]] = d[better]
                labels[window[better]] = c
                moved = True
        if (labels < 0).any():
            raise SuperpixelError(f"cellSize {cell} leaves pixels of a {width}x{height} image outside every cluster")
        sizes = np.bincount(labels, minlength=count).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):  # an empty cluster gets NaN means, as in SynapseML
            reciprocal = 1 / sizes
            for k, values in enumerate((colours[:, 0], colours[:, 1], colours[:, 2], xs, ys)):
                means[:, k] = np.bincount(labels, weights=values.astype(np.float64), minlength=count) * reciprocal
        if not moved:
            break
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.cumsum(np.bincount(labels, minlength=count))[:-1])


def _rgb(image: np.ndarray) -> np.ndarray:
    channels = image.shape[2]
    if channels == 1:
        return np.repeat(image, 3, axis=2)
    return image[:, :, 2::-1]  # BGR[A] -> RGB


def _clusters_column(results: List[Optional[List[np.ndarray]]], widths: List[int]) -> pa.Array:
    """The SUPERPIXEL_SCHEMA column of per-image cluster lists (None -> null), built from flat buffers."""
    arrow_type = to_arrow_type(SUPERPIXEL_SCHEMA)
    clusters_type = arrow_type.field("clusters").type
    pixel_type = clusters_type.value_type.value_type
    members = [c for r in results if r is not None for c in r]
    flat = np.concatenate(members) if members else np.empty(0, np.int64)
    per_image = [0 if r is None else len(r) for r in results]
    offsets_x = np.concatenate(
        [np.full(sum(len(c) for c in r), w) for r, w in zip(results, widths) if r is not None]
        or [np.empty(0, np.int64)]
    )
    ys, xs = np.divmod(flat, np.maximum(offsets_x, 1))
    pixels = pa.StructArray.from_arrays(
        [pa.array(xs.astype(np.int32)), pa.array(ys.astype(np.int32))], fields=list(pixel_type)
    )
    inner = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum([len(c) for c in members])]).astype(np.int32)),
        pixels,
        type=clusters_type.value_type,
    )
    outer = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum(per_image)]).astype(np.int32)), inner, type=clusters_type
    )
    mask = pa.array([r is None for r in results])
    return pa.StructArray.from_arrays([outer], fields=list(arrow_type), mask=mask)


class SuperpixelTransformer(Transformer, HasInputCol, HasOutputCol, HasErrorCol, HasMiniBatchSize):
    """Decomposes images into superpixels as SynapseML does (see the module docstring)."""

    inputCol = override(HasInputCol.inputCol, doc="input column: Spark's image struct or binary (encoded image bytes)")
    outputCol = override(
        HasOutputCol.outputCol,
        default=from_uid("_output"),
        doc="output column: the superpixels (SynapseML's SuperpixelData struct)",
    )
    cellSize = declare("Number that controls the size of the superpixels", TypeConverters.toFloat, default=16.0)
    modifier = declare(
        "Controls the trade-off between spatial and color distance", TypeConverters.toFloat, default=130.0
    )
    maxPixels = declare(
        "largest width * height decoded from bytes; larger images give null",
        to_positive_int,
        default=DEFAULT_MAX_PIXELS,
    )
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=16)

    def _kind(self, schema: StructType) -> InputKind:
        if not self.isDefined("inputCol") or self.getInputCol() not in schema.names:
            raise SchemaError(f"inputCol: set it to an image or binary column; columns are {schema.names}")
        if not (self.getCellSize() > 0 and self.getModifier() > 0):
            raise SchemaError(f"cellSize ({self.getCellSize()}) and modifier ({self.getModifier()}) must be > 0")
        return input_kind(schema[self.getInputCol()].dataType, self.getInputCol(), structs_only=True)

    def _fields(self) -> List[StructField]:
        error_col = error_col_of(self)
        return [StructField(self.getOutputCol(), SUPERPIXEL_SCHEMA, True)] + (
            [error_field(error_col)] if error_col else []
        )

    def transformSchema(self, schema: StructType) -> StructType:
        self._kind(schema)
        return add_fields(schema, self._fields())

    def _transform(self, df: DataFrame) -> DataFrame:
        kind, fields = self._kind(df.schema), self._fields()
        cell, modifier, max_pixels = self.getCellSize(), self.getModifier(), self.getMaxPixels()
        output_col, error_col, column = self.getOutputCol(), error_col_of(self), self.getInputCol()
        reasons = error_col or "__superpixel_error"  # SynapseML gives null for bad images without failing

        def fn(batch: pa.RecordBatch) -> pa.RecordBatch:
            sources, origins, found = read_sources(batch.column(0), kind)
            errors = RowErrors(batch.num_rows, reasons, "SuperpixelTransformer", column)
            results: List[Optional[List[np.ndarray]]] = []
            widths: List[int] = []
            for i, source in enumerate(sources):
                result, width = None, 0
                try:
                    if found[i]:
                        raise ImageDecodeError(found[i])
                    if source is not None:
                        image = decode_image(source, max_pixels) if kind.encoded else source
                        width = image.shape[1]
                        result = superpixel_clusters(_rgb(image), cell, modifier)
                except (ImageDecodeError, SuperpixelError, cv2.error) as e:
                    errors.add(i, str(e), row_name=origins[i])
                    result = None
                results.append(result)
                widths.append(width)
            arrays = [_clusters_column(results, widths)] + ([errors.to_arrow()] if error_col else [])
            return pa.RecordBatch.from_arrays(arrays, names=[output_col] + ([error_col] if error_col else []))

        return with_batched_columns(df, [column], fn, StructType(fields), self.getMiniBatchSize())
