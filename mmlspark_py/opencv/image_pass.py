"""The batch pass of :class:`~mmlspark_py.opencv.ImageTransformer`: one Python worker's work on one batch.

:class:`ImagePass` holds plain values only (it is shipped to tasks). For each row it decodes the image (when the
column holds encoded bytes), converts it to colour (when asked), runs every step and makes the tensor (when
asked); the results go back as one Arrow column: image structs, SynapseML's nested ``array<array<array<>>>``
tensors, or (inside fused passes such as ``ImageFeaturizer``) one flat binary buffer per row, which the model
reads without a per-element conversion.

:class:`FileImagePass` is the same pass fed from files: a batch of paths (``read_images``' origin column) is read
and decoded by :class:`~mmlspark_py.image.ImageFileReader` in the worker, and the read errors come first in its
output (they replace ``read_images``' error column, with the same values).

Bad rows go through :class:`mmlspark_py.core.error_column.RowErrors`: with ``ignore_errors`` their output is null
and the reason is collected (into ``error_col`` when set); otherwise the first one fails the task with
:class:`ImageTransformError` naming the image's origin (or its row, for raw bytes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import pyarrow as pa

from mmlspark_py.core.error_column import RowError, RowErrors
from mmlspark_py.core.image_schema import ImageFormatError, structs_from_arrays
from mmlspark_py.core.tensors import raw_tensor_column
from mmlspark_py.image import ImageDecodeError, ImageFileReader, InputKind, decode_image, read_sources
from mmlspark_py.opencv.steps import ImageStepError, Step
from mmlspark_py.opencv.tensor import tensor_arrow_type, tensor_column, to_tensor

__all__ = ["ImagePass", "FileImagePass", "ImageTransformError", "TENSOR_FORMATS"]

ROW_ERRORS = (ImageDecodeError, ImageFormatError, ImageStepError, cv2.error)
TENSOR_FORMATS = ("nested", "binary")
_ARROW_ELEMENTS = {"float": pa.float32(), "double": pa.float64()}
_NUMPY_ELEMENTS = {"float": np.float32, "double": np.float64}


class ImageTransformError(RowError):
    """An image failed to decode or transform while ``ignoreDecodingErrors`` is false (names its origin)."""


def one_line(error: BaseException) -> str:
    """An exception's message on one line (OpenCV's span several)."""
    return re.sub(r"\s+", " ", str(error)).strip()


class _ImageErrors(RowErrors):
    """RowErrors whose failure message names the image and says how to keep going (ignoreDecodingErrors)."""

    def __init__(self, num_rows: int, image_pass: ImagePass):
        collect = (image_pass.error_col or "__ignored") if image_pass.ignore_errors else None
        super().__init__(num_rows, collect, "ImageTransformer", image_pass.input_col, ImageTransformError)
        self.image_pass = image_pass

    def error(self, row: int, row_name: Optional[str] = None) -> RowError:
        where = f"image {row_name!r}" if row_name is not None else f"row {row} of a batch (raw bytes have no origin)"
        return ImageTransformError(
            f"ImageTransformer ({self.image_pass.input_col!r} -> {self.image_pass.output_col!r}): cannot transform "
            f"{where}: {self.reasons[row]}. Set ignoreDecodingErrors=True to get a null output (and the reason in "
            f"errorCol) instead."
        )


@dataclass(frozen=True)
class ImagePass:
    """Everything one Python worker needs to transform a batch (plain values only: it is shipped to tasks)."""

    input_col: str
    kind: InputKind
    steps: Tuple[Step, ...]
    to_tensor: bool
    channel_order: str
    element_type: str
    mean: Optional[Tuple[float, ...]]
    std: Optional[Tuple[float, ...]]
    scale: Optional[float]
    auto_color: bool
    ignore_errors: bool
    error_col: Optional[str]
    max_pixels: int
    output_col: str
    tensor_format: str = "nested"

    def process(self, source: Any) -> np.ndarray:
        """Decode (when encoded), convert to colour (when asked), run every step, make the tensor (when asked)."""
        image = decode_image(source, self.max_pixels) if self.kind.encoded else source
        channels = 1 if image.ndim == 2 else image.shape[2]
        if self.auto_color and channels in (1, 4):
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR if channels == 1 else cv2.COLOR_BGRA2BGR)
        for k, step in enumerate(self.steps):
            try:
                image = step.apply(image)
            except ROW_ERRORS as e:
                raise ImageStepError(f"step {k} ({step.kind}): {one_line(e)}") from e
        if self.to_tensor:
            return to_tensor(
                image, self.channel_order, self.mean, self.std, self.scale, _NUMPY_ELEMENTS[self.element_type]
            )
        return image

    def transform(
        self, sources: Iterable[Any], origins: Sequence[Optional[str]], found: Sequence[Optional[str]]
    ) -> Tuple[List[Optional[np.ndarray]], RowErrors]:
        """Per row: the output array (None for null or failed rows); the batch's errors.

        ``sources`` may be a generator (one row per origin): each image is then decoded just before its steps
        run and dropped right after, so a batch never holds more than one full-size image.
        """
        errors = _ImageErrors(len(origins), self)
        outputs: List[Optional[np.ndarray]] = []
        for i, source in enumerate(sources):
            out = None
            try:
                if found[i] is not None:
                    raise ImageFormatError(found[i])
                if source is not None:
                    out = self.process(source)
            except ROW_ERRORS as e:
                errors.add(i, one_line(e), row_name=origins[i])
            outputs.append(out)
        return outputs, errors

    def column(self, outputs: Sequence[Optional[np.ndarray]], origins: Sequence[Optional[str]]) -> pa.Array:
        """The output column of one batch."""
        if not self.to_tensor:
            return structs_from_arrays(outputs, origins)
        if self.tensor_format == "binary":
            return raw_tensor_column(outputs)
        return tensor_column(outputs, tensor_arrow_type(_ARROW_ELEMENTS[self.element_type]))

    def run(
        self, sources: Iterable[Any], origins: Sequence[Optional[str]], found: Sequence[Optional[str]]
    ) -> pa.RecordBatch:
        """The output (and error) columns for rows given as sources (pixels or encoded bytes)."""
        outputs, errors = self.transform(sources, origins, found)
        arrays = [self.column(outputs, origins)]
        names = [self.output_col]
        if self.error_col is not None:
            arrays.append(errors.to_arrow())
            names.append(self.error_col)
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        return self.run(*read_sources(batch.column(0), self.kind))


@dataclass(frozen=True)
class FileImagePass:
    """:class:`ImagePass` over images read from the files a batch of paths names (see the module docstring)."""

    reader: ImageFileReader
    image_pass: ImagePass
    read_error_col: str

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        origins = batch.column(0).to_pylist()
        read_errors: List[Optional[str]] = []
        out = self.image_pass.run(self.reader.each(origins, read_errors), origins, [None] * len(origins))
        return pa.RecordBatch.from_arrays(
            [pa.array(read_errors, pa.string())] + out.columns, names=[self.read_error_col] + out.schema.names
        )
