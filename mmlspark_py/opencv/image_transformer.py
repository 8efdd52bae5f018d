"""``ImageTransformer``: OpenCV steps over an image column, SynapseML's fluent API (``synapse.ml.opencv``).

Input (``inputCol``) may be Spark's image struct, a binaryFile struct (a struct with ``path`` string and
``content`` binary, as ``F.struct(*spark.read.format("binaryFile").load(d).columns)`` gives, or SynapseML's
``path``/``bytes``) or raw encoded bytes (``binary``, e.g. the binaryFile source's ``content``). Encoded images
cross from the JVM to Python compressed and are decoded there; each Arrow batch is decoded, put through every
step and encoded in one pass, so pixels cross the JVM/Python boundary once, on the way out.

Output (``outputCol``): Spark's image struct (origin kept: the struct's origin or the file's path; null for
raw bytes), or with ``toTensor`` SynapseML's ``array<array<array<float>>>`` CxHxW tensor (``double`` with
``tensorElementType="double"``), channels in ``tensorChannelOrder``, normalised by ``normalize``.

Bad rows: a null input gives a null output. An image that cannot be decoded (corrupt, truncated, empty, not an
image, over ``maxPixels``) or that a step cannot apply to (a crop outside it, a colour code for other
channels) fails the job with a message naming the image's origin, unless ``ignoreDecodingErrors`` is true: then
its output is null and, when ``errorCol`` is set, that column holds the reason (null for good rows).

Example::

    t = (ImageTransformer(inputCol="image", outputCol="small")
         .resize(256, keepAspectRatio=True).centerCrop(224, 224).blur(3, 3))
    small = t.transform(spark.read.format("image").load("photos/"))
    tensors = ImageTransformer(inputCol="image", outputCol="x").resize(224, 224) \\
        .normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1 / 255).transform(df)
    t.write().overwrite().save("/tmp/t"); ImageTransformer.load("/tmp/t")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import pyarrow as pa
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql.pandas.types import to_arrow_type
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    DataType,
    DoubleType,
    FloatType,
    StringType,
    StructField,
    StructType,
)

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.image_schema import (
    IMAGE_SCHEMA,
    ImageFormatError,
    arrays_from_structs,
    binary_views,
    structs_from_arrays,
)
from mmlspark_py.core.params import (
    HasErrorCol,
    HasInputCol,
    HasMiniBatchSize,
    HasOutputCol,
    SpecListParam,
    declare,
    from_uid,
    override,
    to_one_of,
    to_positive_int,
)
from mmlspark_py.core.stage import SchemaError, Transformer, add_fields
from mmlspark_py.image.decoding import DEFAULT_MAX_PIXELS, ImageDecodeError, decode_image
from mmlspark_py.opencv.steps import (
    Blur,
    CenterCrop,
    ColorFormat,
    Crop,
    Flip,
    GaussianKernel,
    ImageStepError,
    Resize,
    Step,
    Threshold,
)
from mmlspark_py.opencv.tensor import tensor_arrow_type, tensor_column, to_tensor

__all__ = ["ImageTransformer", "ImageTransformError"]

_ROW_ERRORS = (ImageDecodeError, ImageFormatError, ImageStepError, cv2.error)
_ELEMENT_TYPES = {"float": FloatType(), "double": DoubleType()}


class ImageTransformError(RuntimeError):
    """An image failed to decode or transform while ``ignoreDecodingErrors`` is false (names its origin)."""


def _to_element_type(value: Any) -> str:
    """``"float"`` or ``"double"`` from those names or from ``FloatType()``/``DoubleType()`` (SynapseML's form)."""
    if isinstance(value, DataType):
        value = value.typeName()
    name = TypeConverters.toString(value).lower().replace("type", "")
    if name not in _ELEMENT_TYPES:
        raise ValueError(f"tensorElementType must be FloatType()/'float' or DoubleType()/'double', got {value!r}")
    return name


def _to_floats(value: Any) -> List[float]:
    values = TypeConverters.toListFloat(value)
    if not values or not all(np.isfinite(values)):
        raise ValueError(f"expected a non-empty list of finite numbers, got {value!r}")
    return values


def _to_scale(value: Any) -> float:
    scale = TypeConverters.toFloat(value)
    if not scale > 0 or not np.isfinite(scale):
        raise ValueError(f"colorScaleFactor must be a finite number > 0, got {value!r}")
    return scale


# --------------------------------------------------------------------------------------------- input kinds
def _binary_file_fields(dtype: DataType) -> Optional[Tuple[str, str]]:
    """``(path field, bytes field)`` when ``dtype`` is a binaryFile struct, else None."""
    if not isinstance(dtype, StructType):
        return None
    types = {f.name: f.dataType for f in dtype.fields}
    content = next((n for n in ("content", "bytes") if isinstance(types.get(n), BinaryType)), None)
    return ("path", content) if content and isinstance(types.get("path"), StringType) else None


def _input_kind(dtype: DataType, col: str) -> Tuple[str, Optional[str]]:
    """``(kind, field holding the encoded bytes)``: ("image", None), ("binaryfile", name) or ("binary", None)."""
    if isinstance(dtype, StructType) and [(f.name, f.dataType) for f in dtype.fields] == [
        (f.name, f.dataType) for f in IMAGE_SCHEMA.fields
    ]:
        return "image", None
    fields = _binary_file_fields(dtype)
    if fields:
        return "binaryfile", fields[1]
    if isinstance(dtype, BinaryType):
        return "binary", None
    raise SchemaError(
        f"inputCol: column {col!r} has type {dtype.simpleString()}; expected Spark's image struct, "
        f"a binaryFile struct (path string, content binary) or binary (encoded image bytes)"
    )


# ---------------------------------------------------------------------------------------- the batch pass
@dataclass(frozen=True)
class _ImagePass:
    """Everything one Python worker needs to transform a batch (plain values only: it is shipped to tasks)."""

    input_col: str
    input_kind: str
    content_field: Optional[str]
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

    def _sources(self, column: pa.Array) -> Tuple[List[Optional[Any]], List[Optional[str]], List[Optional[str]]]:
        """Per row: the pixels or encoded bytes (None for null), the origin, and an error already found."""
        if self.input_kind == "binary":
            views = binary_views(column)
            return views, [None] * len(views), [None] * len(views)
        if self.input_kind == "binaryfile":
            children = dict(zip([f.name for f in column.type], column.flatten()))  # with the struct's nulls
            origins = children["path"].to_pylist()
            return binary_views(children[self.content_field]), origins, [None] * len(origins)
        origins = column.field("origin").to_pylist()
        try:
            return arrays_from_structs(column), origins, [None] * len(origins)
        except ImageFormatError:  # find the bad struct(s); the others still count
            images, errors = [], []
            for i in range(len(column)):
                try:
                    images.append(arrays_from_structs(column.slice(i, 1))[0])
                    errors.append(None)
                except ImageFormatError as e:
                    images.append(None)
                    errors.append(str(e))
            return images, origins, errors

    def _process(self, source: Any) -> np.ndarray:
        """Decode (when encoded), convert to colour (when asked), run every step, make the tensor (when asked)."""
        image = source if self.input_kind == "image" else decode_image(source, self.max_pixels)
        channels = 1 if image.ndim == 2 else image.shape[2]
        if self.auto_color and channels in (1, 4):
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR if channels == 1 else cv2.COLOR_BGRA2BGR)
        for k, step in enumerate(self.steps):
            try:
                image = step.apply(image)
            except _ROW_ERRORS as e:
                raise ImageStepError(f"step {k} ({step.kind}): {_one_line(e)}") from e
        if self.to_tensor:
            dtype = np.float32 if self.element_type == "float" else np.float64
            return to_tensor(image, self.channel_order, self.mean, self.std, self.scale, dtype)
        return image

    def _fail(self, origin: Optional[str], row: int, reason: str) -> ImageTransformError:
        where = f"image {origin!r}" if origin is not None else f"row {row} of a batch (raw bytes have no origin)"
        return ImageTransformError(
            f"ImageTransformer ({self.input_col!r} -> {self.output_col!r}): cannot transform {where}: {reason}. "
            f"Set ignoreDecodingErrors=True to get a null output (and the reason in errorCol) instead."
        )

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        sources, origins, errors = self._sources(batch.column(0))
        outputs: List[Optional[np.ndarray]] = []
        for i, source in enumerate(sources):
            out = None
            if errors[i] is None and source is not None:
                try:
                    out = self._process(source)
                except _ROW_ERRORS as e:
                    errors[i] = _one_line(e)
            if errors[i] is not None and not self.ignore_errors:
                raise self._fail(origins[i], i, errors[i])
            outputs.append(out)
        if self.to_tensor:
            column = tensor_column(outputs, tensor_arrow_type(to_arrow_type(_ELEMENT_TYPES[self.element_type])))
        else:
            column = structs_from_arrays(outputs, origins)
        if self.error_col is None:
            return pa.RecordBatch.from_arrays([column], names=[self.output_col])
        return pa.RecordBatch.from_arrays(
            [column, pa.array(errors, pa.string())], names=[self.output_col, self.error_col]
        )


def _one_line(error: BaseException) -> str:
    """An exception's message on one line (OpenCV's span several)."""
    return re.sub(r"\s+", " ", str(error)).strip()


def _one_of_names(method: str, **given: Any) -> Any:
    """The value given under either name of an argument (SynapseML's snake_case or camelCase), or None."""
    values = {name: value for name, value in given.items() if value is not None}
    if len(values) > 1:
        raise TypeError(f"{method}() got {' and '.join(values)}, two names for one argument; give one")
    return next(iter(values.values()), None)


# ----------------------------------------------------------------------------------------------- the stage
class ImageTransformer(Transformer, HasInputCol, HasOutputCol, HasErrorCol, HasMiniBatchSize):
    """Applies OpenCV steps to images; outputs images or CxHxW tensors (``synapse.ml.opencv.ImageTransformer``).

    Steps are added fluently and run in order: :meth:`resize`, :meth:`crop`, :meth:`centerCrop`,
    :meth:`colorFormat`, :meth:`blur`, :meth:`threshold`, :meth:`gaussianKernel`, :meth:`flip`; each returns
    this stage. :meth:`normalize` sets the tensor normalisation (and ``toTensor``). A step's arguments are
    checked when it is added (``SpecError``); each method takes SynapseML's Python keyword names
    (``keep_aspect_ratio``, ``max_val``, ``threshold_type``, ``aperture_size``, ``flip_code``,
    ``color_scale_factor``) and the camelCase forms. See the module docstring for columns and bad-row handling.
    The tensor is ``(pixel * colorScaleFactor - normalizeMean) / normalizeStd`` per channel.
    """

    inputCol = override(
        HasInputCol.inputCol,
        default="image",
        doc="input column: Spark's image struct, a binaryFile struct or binary (encoded image bytes)",
    )
    outputCol = override(
        HasOutputCol.outputCol,
        default=from_uid("_output"),
        doc="output column: Spark's image struct, or the tensor with toTensor",
    )
    stages = SpecListParam.declare(
        "image transformation steps, applied in order (typed Step objects or their JSON dicts)", Step, default=()
    )
    toTensor = declare(
        "convert the output image to a tensor in the shape of (C * H * W)", TypeConverters.toBoolean, default=False
    )
    tensorChannelOrder = declare(
        "the color channel order of the output tensor: RGB or BGR",
        to_one_of(("RGB", "BGR"), case_insensitive=True),
        default="RGB",
    )
    tensorElementType = declare(
        "the element type of the output tensor: float or double (FloatType()/DoubleType() accepted)",
        _to_element_type,
        default="float",
        type_name="str",
    )
    normalizeMean = declare(
        "the mean to subtract from each channel of the tensor (one value per channel)",
        _to_floats,
        type_name="list[float]",
    )
    normalizeStd = declare(
        "the standard deviation to divide each channel of the tensor by (one value per channel)",
        _to_floats,
        type_name="list[float]",
    )
    colorScaleFactor = declare(
        "the factor pixel values are multiplied by before the mean is subtracted", _to_scale, type_name="float"
    )
    autoConvertToColor = declare(
        "whether to convert grey and BGRA images to 3-channel BGR before the steps",
        TypeConverters.toBoolean,
        default=False,
    )
    ignoreDecodingErrors = declare(
        "whether an image that cannot be decoded or transformed gives a null output (true) or fails the job (false)",
        TypeConverters.toBoolean,
        default=False,
    )
    maxPixels = declare(
        "largest width * height decoded; larger images are errors", to_positive_int, default=DEFAULT_MAX_PIXELS
    )
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    # ------------------------------------------------------------------------------------ fluent steps
    def addStep(self, step: Step) -> ImageTransformer:
        """Appends ``step`` (a :class:`Step` or its JSON dict); returns this stage."""
        return self._set(stages=tuple(self.getStages()) + (Step.from_json(step),))

    def resize(
        self,
        height: Any = None,
        width: Any = None,
        size: Any = None,
        keepAspectRatio: Any = None,
        *,
        keep_aspect_ratio: Any = None,
    ) -> ImageTransformer:
        """Adds a resize (bilinear) step; returns this stage.

        ``resize(height, width)``; ``resize(size, keepAspectRatio=True)``: the shorter side becomes ``size``
        (``keepAspectRatio=False``: ``size`` x ``size``); or ``resize(size=(width, height))``, a tuple as
        SynapseML's Python ``resize`` takes it (width first, as OpenCV's ``Size``). ``keep_aspect_ratio`` is
        SynapseML's Python name of ``keepAspectRatio``.
        """
        keep = _one_of_names("resize", keep_aspect_ratio=keep_aspect_ratio, keepAspectRatio=keepAspectRatio)
        if isinstance(height, tuple) and size is None:
            height, size = None, height
        if isinstance(size, tuple):
            if len(size) != 2 or height is not None or width is not None or keep is not None:
                raise ValueError(f"resize(size=(width, height)) takes a pair and nothing else, got size={size!r}")
            width, height = size
            size = None
        elif size is None and (width is None or isinstance(width, (bool, np.bool_))):
            size, keep = height, width if keep is None else keep
            height, width = None, None
        return self.addStep(Resize(height=height, width=width, size=size, keepAspectRatio=keep))

    def crop(self, x: int, y: int, height: int, width: int) -> ImageTransformer:
        """Crops the ``height`` x ``width`` region at (``x``, ``y``) (which must fit in each image)."""
        return self.addStep(Crop(x, y, height, width))

    def centerCrop(self, height: int, width: int) -> ImageTransformer:
        """Crops the centred ``height`` x ``width`` region (smaller images keep their side)."""
        return self.addStep(CenterCrop(height, width))

    def colorFormat(self, format: Any) -> ImageTransformer:
        """Converts colours with ``cv2.cvtColor``; ``format`` is a ``cv2.COLOR_*`` code or name."""
        return self.addStep(ColorFormat(format))

    def blur(self, height: int, width: int) -> ImageTransformer:
        """Box-filter blur with a ``height`` x ``width`` kernel."""
        return self.addStep(Blur(height, width))

    def threshold(
        self,
        threshold: float,
        max_val: Any = None,
        threshold_type: Any = None,
        *,
        maxVal: Any = None,
        thresholdType: Any = None,
    ) -> ImageTransformer:
        """``cv2.threshold``; ``threshold_type`` (``thresholdType``) a ``cv2.THRESH_*`` code or name, e.g.
        ``cv2.THRESH_BINARY``; ``max_val`` (``maxVal``) the value given to pixels above ``threshold``."""
        high = _one_of_names("threshold", max_val=max_val, maxVal=maxVal)
        kind = _one_of_names("threshold", threshold_type=threshold_type, thresholdType=thresholdType)
        if high is None or kind is None:
            raise TypeError("threshold(threshold, max_val, threshold_type) needs all three values")
        return self.addStep(Threshold(threshold, high, kind))

    def gaussianKernel(
        self, aperture_size: Any = None, sigma: Any = None, *, apertureSize: Any = None
    ) -> ImageTransformer:
        """Gaussian blur with an odd ``aperture_size`` (``apertureSize``) and standard deviation ``sigma``."""
        size = _one_of_names("gaussianKernel", aperture_size=aperture_size, apertureSize=apertureSize)
        if size is None or sigma is None:
            raise TypeError("gaussianKernel(aperture_size, sigma) needs both values")
        return self.addStep(GaussianKernel(size, sigma))

    def flip(self, flip_code: Any = None, *, flipCode: Any = None) -> ImageTransformer:
        """Flips: ``flip_code`` (``flipCode``) 0 up-down, 1 (> 0) left-right (default), -1 (< 0) both."""
        code = _one_of_names("flip", flip_code=flip_code, flipCode=flipCode)
        return self.addStep(Flip(1 if code is None else code))

    def normalize(
        self,
        mean: Sequence[float],
        std: Sequence[float],
        color_scale_factor: Any = None,
        *,
        colorScaleFactor: Any = None,
    ) -> ImageTransformer:
        """Tensor output, normalised per channel as ``(pixel * color_scale_factor - mean) / std``
        (``colorScaleFactor`` is the camelCase name)."""
        scale = _one_of_names("normalize", color_scale_factor=color_scale_factor, colorScaleFactor=colorScaleFactor)
        if scale is None:
            raise TypeError("normalize(mean, std, color_scale_factor) needs color_scale_factor")
        self._set(normalizeMean=mean, normalizeStd=std, colorScaleFactor=scale)
        self._check_normalization()
        return self._set(toTensor=True)

    # --------------------------------------------------------------------------------------- schema
    def _check_normalization(self) -> None:
        mean = self.getOrDefault("normalizeMean") if self.isDefined("normalizeMean") else None
        std = self.getOrDefault("normalizeStd") if self.isDefined("normalizeStd") else None
        if mean is not None and std is not None and len(mean) != len(std):
            raise ValueError(
                f"normalizeMean has {len(mean)} values and normalizeStd {len(std)}; give one per channel to both"
            )
        if std is not None and any(s == 0 for s in std):
            raise ValueError(f"normalizeStd must not contain 0, got {std}")

    def _output_fields(self) -> List[StructField]:
        if self.getToTensor():
            element = _ELEMENT_TYPES[self.getTensorElementType()]
            out_type: DataType = ArrayType(ArrayType(ArrayType(element)))
        else:
            out_type = IMAGE_SCHEMA
        fields = [StructField(self.getOutputCol(), out_type, True)]
        if self.isDefined("errorCol"):
            fields.append(StructField(self.getErrorCol(), StringType(), True))
        return fields

    def transformSchema(self, schema: StructType) -> StructType:
        if self.getInputCol() not in schema.names:
            raise SchemaError(f"inputCol: column {self.getInputCol()!r} does not exist; columns are {schema.names}")
        _input_kind(schema[self.getInputCol()].dataType, self.getInputCol())
        self._check_normalization()
        fields = self._output_fields()
        if len({f.name for f in fields}) != len(fields):
            raise SchemaError(f"errorCol must differ from outputCol (both are {self.getOutputCol()!r})")
        return add_fields(schema, fields)

    # ------------------------------------------------------------------------------------- transform
    def _pass(self, schema: StructType) -> _ImagePass:
        def optional(name: str) -> Any:
            value = self.getOrDefault(name) if self.isDefined(name) else None
            return tuple(value) if isinstance(value, list) else value

        kind, content_field = _input_kind(schema[self.getInputCol()].dataType, self.getInputCol())
        return _ImagePass(
            input_col=self.getInputCol(),
            input_kind=kind,
            content_field=content_field,
            steps=tuple(self.getStages()),
            to_tensor=self.getToTensor(),
            channel_order=self.getTensorChannelOrder(),
            element_type=self.getTensorElementType(),
            mean=optional("normalizeMean"),
            std=optional("normalizeStd"),
            scale=optional("colorScaleFactor"),
            auto_color=self.getAutoConvertToColor(),
            ignore_errors=self.getIgnoreDecodingErrors(),
            error_col=self.getErrorCol() if self.isDefined("errorCol") else None,
            max_pixels=self.getMaxPixels(),
            output_col=self.getOutputCol(),
        )

    def _transform(self, df: DataFrame) -> DataFrame:
        return with_batched_columns(
            df, [self.getInputCol()], self._pass(df.schema), StructType(self._output_fields()), self.getMiniBatchSize()
        )
