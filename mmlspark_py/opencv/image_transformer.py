"""``ImageTransformer``: OpenCV steps over an image column, SynapseML's fluent API (``synapse.ml.opencv``).

Input (``inputCol``) may be Spark's image struct, a binaryFile struct (a struct with ``path`` string and
``content`` binary, as ``F.struct(*spark.read.format("binaryFile").load(d).columns)`` gives, or SynapseML's
``path``/``bytes``) or raw encoded bytes (``binary``, e.g. the binaryFile source's ``content``). Encoded images
cross from the JVM to Python compressed and are decoded there; each batch (at most ``miniBatchSize`` rows and
64 MB of input) is decoded, put through every step and encoded in one pass (:mod:`.image_pass`), so pixels
cross the JVM/Python boundary once, on the way out.

Straight from ``read_images``: when ``inputCol`` is the image column :func:`mmlspark_py.image.read_images`
returned (untouched and not cached), the Python workers read the files named by its ``origin`` column
themselves and decode, transform and encode them in one pass; the pixels of the input never enter the JVM, and
``read_images``' error column is recomputed by the same reader in that pass (same values). The outputs are the
same as on the in-JVM path.

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

from typing import Any, List, Optional, Sequence

import numpy as np
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    ArrayType,
    DataType,
    DoubleType,
    FloatType,
    StringType,
    StructField,
    StructType,
)

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.image_schema import IMAGE_SCHEMA
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
from mmlspark_py.image import DEFAULT_MAX_PIXELS, LazySource, input_kind, lazy_source, with_file_images
from mmlspark_py.opencv.image_pass import FileImagePass, ImagePass, ImageTransformError
from mmlspark_py.opencv.steps import (
    Blur,
    CenterCrop,
    ColorFormat,
    Crop,
    Flip,
    GaussianKernel,
    Resize,
    Step,
    Threshold,
)

IMAGE_BATCH_BYTES = 64 * 1024 * 1024
"""Input bytes (encoded files or pixels) one slice of an image pass holds at most, whatever its row count."""

__all__ = ["ImageTransformer", "ImageTransformError", "IMAGE_BATCH_BYTES"]

_ELEMENT_TYPES = {"float": FloatType(), "double": DoubleType()}


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
        input_kind(schema[self.getInputCol()].dataType, self.getInputCol())
        self._check_normalization()
        fields = self._output_fields()
        if len({f.name for f in fields}) != len(fields):
            raise SchemaError(f"errorCol must differ from outputCol (both are {self.getOutputCol()!r})")
        return add_fields(schema, fields)

    # ------------------------------------------------------------------------------------- transform
    def _pass(self, schema: StructType, tensor_format: str = "nested") -> ImagePass:
        """The batch pass over a DataFrame of ``schema`` (``tensor_format="binary"`` inside fused passes)."""

        def optional(name: str) -> Any:
            value = self.getOrDefault(name) if self.isDefined(name) else None
            return tuple(value) if isinstance(value, list) else value

        return ImagePass(
            input_col=self.getInputCol(),
            kind=input_kind(schema[self.getInputCol()].dataType, self.getInputCol()),
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
            tensor_format=tensor_format,
        )

    def file_source(self, df: DataFrame) -> Optional[LazySource]:
        """The files behind the input column when it is ``read_images``' lazy image column (see the module
        docstring), else None."""
        return lazy_source(df, self.getInputCol())

    def _transform(self, df: DataFrame) -> DataFrame:
        image_pass = self._pass(df.schema)
        fields = self._output_fields()
        source = self.file_source(df)
        if source is not None:
            return with_file_images(
                df, source, FileImagePass(source.reader, image_pass, source.error_col), fields, self.getMiniBatchSize()
            )
        return with_batched_columns(
            df, [self.getInputCol()], image_pass, StructType(fields), self.getMiniBatchSize(), IMAGE_BATCH_BYTES
        )
