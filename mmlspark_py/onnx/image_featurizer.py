"""``ImageFeaturizer``: images to feature vectors with a pretrained ONNX network (``synapse.ml.onnx``).

Column in (``inputCol``): Spark's image struct, a binaryFile struct or encoded image bytes (anything
:class:`~mmlspark_py.opencv.ImageTransformer` reads). Column out (``outputCol``): a DenseVector: with
``headless`` (default) the pooled feature layer before the classifier (``featureTensorName``, found from the
graph or the repository's metadata), else the model's full output (``outputTensorName``).

Pre-processing is an ImageTransformer (resize the shorter side, centre crop to ``imageHeight`` x
``imageWidth``, scale by ``colorScaleFactor``, normalise by ``channelNormalizationMeans``/``Stds``, CHW float
tensor) feeding the inner :class:`ONNXModel` (``onnxModel``); both run fused in one Python pass per Arrow batch
(the same code as the two stages, composed), so only compressed images go to Python and only vectors come back;
the tensors between the two stay in Python (one raw buffer per row). Straight from ``read_images``, the Python
workers read the image files themselves (see :class:`~mmlspark_py.opencv.ImageTransformer`): only paths go in.
The pass is pipelined: while the model runs on one batch, the next one is read, decoded and resized.

Model: ``setModel(name)`` from the model repository (:class:`~mmlspark_py.downloader.ModelDownloader`: the
local one first, then its remote; ``setModel("EfficientNetLite0")`` works offline once
``mmlspark-py models build-default`` has run) or ``setModelLocation(path)`` for any ONNX image model (then set
the normalisation yourself). Bad images fail the job unless ``ignoreDecodingErrors``; with ``dropNa`` (default)
rows without features are dropped, otherwise they hold null (and the reason in ``errorCol`` when set).

Example::

    featurizer = ImageFeaturizer(inputCol="image", outputCol="features").setModel("EfficientNetLite0")
    features = featurizer.transform(spark.read.format("binaryFile").load("photos/*.jpg")
                                    .selectExpr("struct(*) AS image"))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple, cast

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql.types import ArrayType, BinaryType, DataType, FloatType, StringType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.params import (
    HasErrorCol,
    HasInputCol,
    HasMiniBatchSize,
    HasOutputCol,
    StageParam,
    declare,
    from_uid,
    override,
    to_non_negative_int,
    to_one_of,
)
from mmlspark_py.core.stage import SchemaError, Transformer, add_fields, column
from mmlspark_py.core.tensors import TensorInfo, fixed_dims
from mmlspark_py.downloader import ModelDownloader, ModelSchema, find_feature_node
from mmlspark_py.image import ImageFileReader, with_file_images
from mmlspark_py.onnx.graph import load_model
from mmlspark_py.onnx.onnx_model import ONNXModel
from mmlspark_py.opencv import IMAGE_BATCH_BYTES, ImageTransformer

__all__ = ["ImageFeaturizer"]

_TENSOR = "__mmlspark_image_tensor"
_FEATURES = "__mmlspark_features"
_IMAGE_ERROR = "__mmlspark_image_error"
_SCORE_ERROR = "__mmlspark_score_error"


@dataclass(frozen=True)
class FeaturizePass:
    """ImageTransformer's batch pass composed with ONNXModel's scoring plan, in one Python worker pass.

    Pipelined (core.batching): ``prepare`` reads (from files, when ``reader`` is set), decodes, resizes and
    normalises a batch into raw tensors; ``finish`` runs the model on them. While the model runs on one batch the
    next one is prepared in a background thread (OpenCV and onnxruntime release the GIL).
    """

    image_pass: Any
    scoring_plan: Any
    output_col: str
    error_col: Optional[str]
    reader: Optional[ImageFileReader] = None
    read_error_col: Optional[str] = None

    def prepare(self, batch: pa.RecordBatch) -> Tuple[Optional[pa.Array], pa.RecordBatch]:
        if self.reader is None:
            return None, self.image_pass(batch)
        origins = batch.column(0).to_pylist()
        read_errors: List[Optional[str]] = []
        tensors = self.image_pass.run(self.reader.each(origins, read_errors), origins, [None] * len(origins))
        return pa.array(read_errors, pa.string()), tensors

    def finish(self, state: Tuple[Optional[pa.Array], pa.RecordBatch]) -> pa.RecordBatch:
        read_errors, images = state
        scored = self.scoring_plan(pa.RecordBatch.from_arrays([images.column(_TENSOR)], names=[_TENSOR]))
        columns, names = [scored.column(_FEATURES)], [self.output_col]
        if self.error_col is not None:
            # The image's error where it has one, else the scorer's.
            columns.append(pc.coalesce(images.column(_IMAGE_ERROR), scored.column(_SCORE_ERROR)).cast(pa.string()))
            names.append(self.error_col)
        if read_errors is not None and self.read_error_col is not None:
            columns.insert(0, read_errors)
            names.insert(0, self.read_error_col)
        return pa.RecordBatch.from_arrays(columns, names=names)

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        return self.finish(self.prepare(batch))


class ImageFeaturizer(Transformer, HasInputCol, HasOutputCol, HasErrorCol, HasMiniBatchSize):
    """Featurizes images with a pretrained ONNX network (see the module docstring).

    The tensor the model receives is the image resized (shorter side) and centre-cropped to ``imageHeight`` x
    ``imageWidth``, in ``channelOrder``, as ``(pixel * colorScaleFactor - mean) / std`` per channel.
    """

    inputCol = override(
        HasInputCol.inputCol,
        default="image",
        doc="input column: Spark's image struct, a binaryFile struct or binary (encoded image bytes)",
    )
    outputCol = override(
        HasOutputCol.outputCol, default=from_uid("_output"), doc="output column: the features (ML vector)"
    )
    onnxModel = StageParam.declare(
        "the inner ONNXModel that computes the features (holds the model bytes, device and optimisation settings)"
    )
    headless = declare(
        "whether to output the feature layer before the classifier (true) or the model's full output (false)",
        TypeConverters.toBoolean,
        default=True,
    )
    imageHeight = declare("image height the model needs (0: from the model)", to_non_negative_int, default=0)
    imageWidth = declare("image width the model needs (0: from the model)", to_non_negative_int, default=0)
    channelNormalizationMeans = declare(
        "normalization means for color channels", TypeConverters.toListFloat, default=[0.485, 0.456, 0.406]
    )
    channelNormalizationStds = declare(
        "normalization stds for color channels", TypeConverters.toListFloat, default=[0.229, 0.224, 0.225]
    )
    colorScaleFactor = declare(
        "pixels are multiplied by this before normalization", TypeConverters.toFloat, default=1.0 / 255
    )
    channelOrder = declare(
        "channel order the model expects: RGB or BGR", to_one_of(("RGB", "BGR"), case_insensitive=True), default="RGB"
    )
    featureTensorName = declare("the feature node (empty: found from the graph)", TypeConverters.toString, default="")
    outputTensorName = declare(
        "the full output node (empty: the model's first output)", TypeConverters.toString, default=""
    )
    imageTensorName = declare(
        "the model input images feed (empty: its only input)", TypeConverters.toString, default=""
    )
    autoConvertToColor = declare(
        "whether to convert grey and BGRA images to color first", TypeConverters.toBoolean, default=True
    )
    ignoreDecodingErrors = declare(
        "whether undecodable images give no features (true) or fail the job (false)",
        TypeConverters.toBoolean,
        default=False,
    )
    dropNa = declare("whether to drop rows without features", TypeConverters.toBoolean, default=True)
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    # ------------------------------------------------------------------------------------------ the model
    def setModelLocation(self, path: str) -> ImageFeaturizer:
        """Uses the ONNX image model at ``path`` (any Hadoop path); returns this stage."""
        return self._set(onnxModel=self._inner_copy().setModelLocation(path))

    def setModelPayload(self, data: bytes) -> ImageFeaturizer:
        """Uses the ONNX image model in ``data``; returns this stage."""
        return self._set(onnxModel=self._inner_copy().setModelPayload(data))

    def setModel(self, model: Any, downloader: Optional[ModelDownloader] = None) -> ImageFeaturizer:
        """Uses a repository model: a name (looked up and downloaded by ``downloader``, default the local
        repository backed by the built-in manifest) or a :class:`ModelSchema` whose ``uri`` is a local file.
        Sets the input size, normalisation and nodes from its schema."""
        schema = model if isinstance(model, ModelSchema) else (downloader or ModelDownloader()).downloadByName(model)
        self.setModelLocation(schema.uri)
        self._set(
            channelNormalizationMeans=list(schema.channelNormalizationMeans),
            channelNormalizationStds=list(schema.channelNormalizationStds),
            colorScaleFactor=schema.colorScaleFactor,
            channelOrder=schema.channelOrder,
            featureTensorName=schema.featureNode,
            outputTensorName=schema.outputNode,
            imageTensorName=schema.inputNode,
        )
        if len(schema.inputShape) == 3:
            self._set(imageHeight=int(schema.inputShape[1]), imageWidth=int(schema.inputShape[2]))
        return self

    def setDeviceType(self, value: str) -> ImageFeaturizer:
        """The inner model's deviceType (CPU, CUDA or auto); returns this stage."""
        return self._set(onnxModel=self._inner_copy().setDeviceType(value))

    def getOnnxModel(self) -> ONNXModel:
        """The inner ONNXModel (a new, empty one until a model is set)."""
        # No param default: core persistence would save a default and a set stage into the same folder.
        return cast(ONNXModel, self.getOrDefault("onnxModel")) if self.isDefined("onnxModel") else ONNXModel()

    def _inner_copy(self) -> ONNXModel:
        return cast(ONNXModel, self.getOnnxModel().copy())

    # ------------------------------------------------------------------------------------------- the plan
    def _nodes(self):
        inner = self.getOnnxModel()
        inputs = inner.getModelInputs()
        image = self.getImageTensorName() or next(iter(inputs))
        if image not in inputs:
            raise SchemaError(f"imageTensorName: the model has no input {image!r}; inputs are {list(inputs)}")
        if self.getHeadless():
            node = self.getFeatureTensorName() or find_feature_node(load_model(inner.getModelPayload()))
        else:
            node = self.getOutputTensorName() or next(iter(inner.getModelOutputs()))
        return inputs[image], node

    def _size(self, image_info) -> tuple:
        height, width = self.getImageHeight(), self.getImageWidth()
        dims = image_info.shape[2:]
        if not (height and width):
            if len(dims) != 2 or not all(isinstance(d, int) for d in dims):
                raise SchemaError(
                    f"set imageHeight and imageWidth: the model input {image_info.describe()} does not fix them"
                )
            height, width = dims
        return height, width

    def _stages(self):
        image_info, node = self._nodes()
        height, width = self._size(image_info)
        error = self.isDefined("errorCol")
        transformer = (
            ImageTransformer(
                inputCol=self.getInputCol(),
                outputCol=_TENSOR,
                autoConvertToColor=self.getAutoConvertToColor(),
                ignoreDecodingErrors=self.getIgnoreDecodingErrors(),
                tensorChannelOrder=self.getChannelOrder(),
                tensorElementType="float",
            )
            .resize(size=max(height, width), keepAspectRatio=True)
            .centerCrop(height, width)
            .normalize(
                self.getChannelNormalizationMeans(), self.getChannelNormalizationStds(), self.getColorScaleFactor()
            )
        )
        scorer = self.getOnnxModel().copy().setFeedDict({image_info.name: _TENSOR}).setFetchDict({_FEATURES: node})
        scorer.setSoftMaxDict({}).setArgMaxDict({}).setMiniBatchSize(self.getMiniBatchSize())
        if error:
            transformer.setErrorCol(_IMAGE_ERROR)
            scorer.setErrorCol(_SCORE_ERROR)
        return transformer, scorer

    def _out_fields(self):
        fields = [StructField(self.getOutputCol(), VectorUDT(), True)]
        if self.isDefined("errorCol"):
            fields.append(StructField(self.getErrorCol(), StringType(), True))
        return fields

    def _tensor_type(self, image_info: TensorInfo) -> DataType:
        # Raw tensors (one buffer per row) when the model fixes the image size, else SynapseML's nested arrays.
        return BinaryType() if fixed_dims(image_info) is not None else ArrayType(ArrayType(ArrayType(FloatType())))

    def transformSchema(self, schema: StructType) -> StructType:
        transformer, scorer = self._stages()
        transformer.transformSchema(schema)
        scorer.transformSchema(StructType([StructField(_TENSOR, self._tensor_type(self._nodes()[0]), True)]))
        return add_fields(schema, self._out_fields())

    def _transform(self, df: DataFrame) -> DataFrame:
        transformer, scorer = self._stages()
        tensor_type = self._tensor_type(self._nodes()[0])
        plan = scorer.scoring_plan(
            StructType([StructField(_TENSOR, tensor_type, True)]), df.sparkSession, vector_outputs=True
        )
        binary = isinstance(tensor_type, BinaryType)
        image_pass = transformer._pass(
            df.schema, "binary" if binary else "nested", fixed_dims(self._nodes()[0]) if binary else None
        )
        error_col = self.getErrorCol() if self.isDefined("errorCol") else None
        source = transformer.file_source(df)
        if source is not None:
            fused = FeaturizePass(image_pass, plan, self.getOutputCol(), error_col, source.reader, source.error_col)
            out = with_file_images(df, source, fused, self._out_fields(), self.getMiniBatchSize())
        else:
            fused = FeaturizePass(image_pass, plan, self.getOutputCol(), error_col)
            out = with_batched_columns(
                df,
                [self.getInputCol()],
                fused,
                StructType(self._out_fields()),
                self.getMiniBatchSize(),
                IMAGE_BATCH_BYTES,
            )
        return out.where(column(self.getOutputCol()).isNotNull()) if self.getDropNa() else out
