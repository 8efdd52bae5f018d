"""``DeepVisionClassifier``: train an image classifier with TensorFlow on Spark executors (SynapseML's name).

Columns:
    in  ``imageCol``: Spark's image struct, a binaryFile struct or encoded image bytes (anything
        :class:`~mmlspark_py.opencv.ImageTransformer` reads); ``labelCol``: the class index (a number holding
        0, 1, ..., ``numClasses - 1``).
    out (the fitted :class:`DeepVisionModel`) ``probabilityCol``: class probabilities (ML vector);
        ``predictionCol``: the most probable class (double). Rows with a null image get nulls.

Backbones (``backbone``):

* ``cnn`` (default): a small convolutional network trained end to end on ``imageHeight`` x ``imageWidth``
  images with ``imageChannels`` (1: grey, 3: RGB) channels, pixels scaled to [0, 1].
* ``featurizer``: transfer learning: the pretrained :class:`~mmlspark_py.onnx.ImageFeaturizer` in
  ``featurizer`` (e.g. ``ImageFeaturizer().setModel("EfficientNetLite0")``) computes frozen features on the
  executors and a dense head is trained on them.

Training (see :mod:`mmlspark_py.dl.vision_training`) runs through :class:`~mmlspark_py.dl.TensorFlowDistributor`
on ``numWorkers`` barrier tasks (``useGpu``: one GPU each) as one data-parallel job: images are decoded and
preprocessed on the executors and stream from the DataFrame's partitions to the workers in Arrow batches (no
collect to the driver). ``batchSize`` is the global batch: each step takes ``batchSize`` rows summed over the
workers, so 1 or N workers take the same optimisation steps (Adam from ``learningRate``, decayed along a cosine
to 1% over the epochs) and N are faster.
``validationFraction`` of the rows is held out and scored after every epoch (``getTrainingHistory``). With
``checkpointDir`` (a folder every worker reads: local path on one machine, HDFS/S3/NFS on a cluster) the
state is saved after every epoch and a re-run, or Spark's retry of a failed barrier stage, resumes from the
newest checkpoint; a folder holding another configuration's checkpoints is an error.

The fitted model scores with onnxruntime through :class:`~mmlspark_py.onnx.ONNXModel` (no TensorFlow needed to
predict); ``exportOnnx()`` gives the whole network (for the featurizer backbone, the featurizer's graph and the
head merged) from the preprocessed tensor of ``getPreprocessor()`` to ``logits``, and ``getOnnxModel()`` an
``ONNXModel`` running it; ``getKerasModel()`` is the trained Keras network (``.keras`` bytes).

Errors (in the driver, before training): a missing or mistyped column, a label that is null, negative, not a
whole number or not below ``numClasses``, ``backbone="featurizer"`` without a featurizer.

Example::

    classifier = DeepVisionClassifier(imageCol="image", labelCol="label", imageHeight=28, imageWidth=28,
                                      imageChannels=1, epochs=5, numWorkers=2, checkpointDir="/shared/ckpt")
    model = classifier.fit(train)                 # DeepVisionModel
    model.transform(test).select("prediction", "probability")
    model.write().overwrite().save("/models/fashion")
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Dict, List, Tuple

from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, NumericType, StructField, StructType

from mmlspark_py.core.params import (
    BytesParam,
    HasImageCol,
    HasLabelCol,
    HasMiniBatchSize,
    HasPredictionCol,
    HasProbabilityCol,
    HasSeed,
    StageParam,
    declare,
    override,
    to_non_negative_int,
    to_one_of,
    to_positive_int,
)
from mmlspark_py.core.stage import Estimator, Model, SchemaError, add_fields, column, require_column
from mmlspark_py.dl.distributor import TensorFlowDistributor
from mmlspark_py.dl.vision_training import LABEL_COL, TENSOR_COL, VisionTrainingConfig, train_vision
from mmlspark_py.onnx import ImageFeaturizer, ONNXModel
from mmlspark_py.opencv import ImageTransformer

__all__ = ["DeepVisionClassifier", "DeepVisionModel"]

BACKBONES = ("cnn", "featurizer")
_LOGITS = "logits"


def _positive_float(value: Any) -> float:
    out = TypeConverters.toFloat(value)
    if not out > 0:
        raise ValueError(f"expected a number > 0, got {value!r}")
    return out


def _holdout_fraction(value: Any) -> float:
    out = TypeConverters.toFloat(value)
    if not 0.0 <= out < 1.0:
        raise ValueError(f"expected a fraction in [0, 1), got {value!r}")
    return out


def _channels(value: Any) -> int:
    out = TypeConverters.toInt(value)
    if out not in (1, 3):
        raise ValueError(f"imageChannels must be 1 (grey) or 3 (RGB), got {value!r}")
    return out


def _featurizer(value: Any) -> Any:
    if not isinstance(value, ImageFeaturizer):
        raise TypeError(f"featurizer must be an ImageFeaturizer, got {type(value).__name__}")
    return value


def _featurizer_param() -> Any:
    param = StageParam.declare(
        "the pretrained ImageFeaturizer whose frozen features the featurizer backbone trains a head on"
    )
    param.typeConverter = _featurizer
    param.type_name = "ImageFeaturizer"
    return param


def _validate_onnx(data: bytes) -> None:
    import onnx
    from google.protobuf.message import DecodeError

    try:
        model = onnx.load_from_string(data)
    except (DecodeError, ValueError) as e:
        raise ValueError(f"modelPayload is not an ONNX model: {e}") from None
    if not model.graph.output:
        raise ValueError("modelPayload is an ONNX model without outputs")


def _validate_keras(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as e:
        raise ValueError(f"kerasModel is not a .keras archive: {e}") from None
    if "config.json" not in names:
        raise ValueError("kerasModel is a zip file without the config.json of a .keras archive")


class _VisionParams(HasImageCol, HasPredictionCol, HasProbabilityCol, HasMiniBatchSize):
    """Params the classifier and its model share: columns, backbone and preprocessing."""

    imageCol = override(
        HasImageCol.imageCol,
        default="image",
        doc="images: Spark's image struct, a binaryFile struct or encoded image bytes",
    )
    miniBatchSize = override(
        HasMiniBatchSize.miniBatchSize, default=64, doc="rows per Arrow batch and per onnxruntime call when predicting"
    )
    backbone = declare(
        "network: 'cnn' (trained end to end) or 'featurizer' (a head trained on the frozen "
        "features of the featurizer param)",
        to_one_of(BACKBONES),
        default="cnn",
        type_name="str",
    )
    featurizer = _featurizer_param()
    imageHeight = declare("height images are resized to (cnn backbone)", to_positive_int, default=32)
    imageWidth = declare("width images are resized to (cnn backbone)", to_positive_int, default=32)
    imageChannels = declare(
        "channels the cnn backbone sees: 1 (grey) or 3 (RGB); images are converted", _channels, default=3
    )
    numClasses = declare("number of classes (0: the largest label + 1)", to_non_negative_int, default=0)
    deviceType = declare(
        "device the fitted model predicts on: CPU, CUDA or auto (onnxruntime)",
        to_one_of(("CPU", "CUDA", "auto"), case_insensitive=True),
        default="CPU",
        type_name="str",
    )

    def _tmp(self, what: str) -> str:
        return f"__{self.uid}_{what}"

    def _get_featurizer(self) -> ImageFeaturizer:
        if self.getBackbone() != "featurizer":
            raise ValueError("this stage's backbone is 'cnn'; it has no featurizer")
        if not self.isDefined("featurizer"):
            raise ValueError(
                "backbone='featurizer' needs the featurizer param: an ImageFeaturizer with a "
                "pretrained model, e.g. ImageFeaturizer().setModel('EfficientNetLite0')"
            )
        return self.getOrDefault("featurizer")

    def _inner_featurizer(self) -> ImageFeaturizer:
        """The featurizer on ``imageCol``, keeping every row (nulls instead of dropped rows), no error column."""
        inner = self._get_featurizer().copy()
        inner.clear(inner.getParam("errorCol"))
        return inner.setInputCol(self.getImageCol()).setOutputCol(self._tmp("features")).setDropNa(False)

    def _cnn_preprocessor(self, output_col: str) -> ImageTransformer:
        channels = self.getImageChannels()
        stage = ImageTransformer(
            inputCol=self.getImageCol(), outputCol=output_col, autoConvertToColor=True, tensorElementType="float"
        ).resize(height=self.getImageHeight(), width=self.getImageWidth())
        if channels == 1:
            stage = stage.colorFormat("BGR2GRAY")
        return stage.normalize([0.0] * channels, [1.0] * channels, 1.0 / 255)

    def _preprocessor(self) -> Tuple[Any, str]:
        """The stage turning ``imageCol`` into the network's input column, and that column's name."""
        if self.getBackbone() == "featurizer":
            return self._inner_featurizer(), self._tmp("features")
        return self._cnn_preprocessor(self._tmp("tensor")), self._tmp("tensor")

    def _output_fields(self) -> List[StructField]:
        return [
            StructField(self.getProbabilityCol(), VectorUDT(), True),
            StructField(self.getPredictionCol(), DoubleType(), True),
        ]


class DeepVisionModel(_VisionParams, Model):
    """A classifier trained by :class:`DeepVisionClassifier` (see the module docstring): ``imageCol`` in,
    ``probabilityCol`` (vector) and ``predictionCol`` (double) out, scored with onnxruntime."""

    modelPayload = BytesParam.declare(
        "the trained network as ONNX bytes (network input -> logits)", validate=_validate_onnx
    )
    kerasModel = BytesParam.declare("the trained network as .keras archive bytes", validate=_validate_keras)
    trainingHistory = declare(
        "per-epoch training metrics as JSON (loss, val_loss, val_accuracy, samplesPerSecond, ...)",
        TypeConverters.toString,
        default="[]",
    )

    def getHistory(self) -> List[Dict[str, Any]]:
        """The per-epoch metrics of training (a list of dicts)."""
        return json.loads(self.getTrainingHistory())

    def _scorer(self, input_col: str) -> ONNXModel:
        if not self.isDefined("modelPayload"):
            raise SchemaError("DeepVisionModel has no network (modelPayload); fit a DeepVisionClassifier")
        feed = "features" if self.getBackbone() == "featurizer" else "image"
        logits = self._tmp(_LOGITS)
        return ONNXModel(
            feedDict={feed: input_col},
            fetchDict={logits: _LOGITS},
            softMaxDict={logits: self.getProbabilityCol()},
            argMaxDict={logits: self.getPredictionCol()},
            deviceType=self.getDeviceType(),
            miniBatchSize=self.getMiniBatchSize(),
            modelPayload=self.getModelPayload(),
        )

    def _stages(self) -> Tuple[Any, ONNXModel, List[str]]:
        pre, tensor_col = self._preprocessor()
        return pre, self._scorer(tensor_col), [tensor_col, self._tmp(_LOGITS)]

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getImageCol(), param="imageCol")
        pre, scorer, temporary = self._stages()
        add_fields(schema, self._output_fields(), param="predictionCol/probabilityCol")
        out = scorer.transformSchema(pre.transformSchema(schema))
        return StructType([f for f in out if f.name not in temporary])

    def _transform(self, dataset: DataFrame) -> DataFrame:
        pre, scorer, temporary = self._stages()
        scored = scorer.transform(pre.transform(dataset))
        return scored.select(*[column(c) for c in scored.columns if c not in temporary])

    # ------------------------------------------------------------------------------------------ export
    def getPreprocessor(self, outputCol: str = "tensor") -> ImageTransformer:
        """The ImageTransformer giving :meth:`exportOnnx`'s input (a CxHxW float tensor) from ``imageCol``."""
        if self.getBackbone() == "cnn":
            return self._cnn_preprocessor(outputCol)
        featurizer = self._get_featurizer()
        inputs = featurizer.getOnnxModel().getModelInputs()
        image = inputs[featurizer.getImageTensorName() or next(iter(inputs))]
        height = featurizer.getImageHeight() or int(image.shape[2] or 0)
        width = featurizer.getImageWidth() or int(image.shape[3] or 0)
        # the steps ImageFeaturizer runs before its network (see mmlspark_py.onnx.image_featurizer)
        return (
            ImageTransformer(
                inputCol=self.getImageCol(),
                outputCol=outputCol,
                autoConvertToColor=featurizer.getAutoConvertToColor(),
                ignoreDecodingErrors=featurizer.getIgnoreDecodingErrors(),
                tensorChannelOrder=featurizer.getChannelOrder(),
                tensorElementType="float",
            )
            .resize(size=max(height, width), keepAspectRatio=True)
            .centerCrop(height, width)
            .normalize(
                featurizer.getChannelNormalizationMeans(),
                featurizer.getChannelNormalizationStds(),
                featurizer.getColorScaleFactor(),
            )
        )

    def exportOnnx(self) -> bytes:
        """The whole network as ONNX: the preprocessed image tensor [N, C, H, W] (input ``image`` for the cnn
        backbone, the featurizer's own input name otherwise) -> ``logits`` [N, numClasses]."""
        if self.getBackbone() == "cnn":
            return self.getModelPayload()
        import onnx

        from mmlspark_py.dl.onnx_export import merge_featurizer_and_head
        from mmlspark_py.downloader import find_feature_node

        featurizer = self._get_featurizer()
        base = featurizer.getOnnxModel().getModelPayload()
        node = featurizer.getFeatureTensorName() or find_feature_node(onnx.load_from_string(base))
        return merge_featurizer_and_head(base, node, self.getModelPayload(), "features")

    def getOnnxModel(self, tensorCol: str = "tensor") -> ONNXModel:
        """An ONNXModel running :meth:`exportOnnx` on ``tensorCol`` (from :meth:`getPreprocessor`), adding
        ``logits`` and this model's probability and prediction columns."""
        data = self.exportOnnx()
        model = ONNXModel(
            modelPayload=data,
            fetchDict={_LOGITS: _LOGITS},
            softMaxDict={_LOGITS: self.getProbabilityCol()},
            argMaxDict={_LOGITS: self.getPredictionCol()},
            deviceType=self.getDeviceType(),
            miniBatchSize=self.getMiniBatchSize(),
        )
        return model.setFeedDict({next(iter(model.getModelInputs())): tensorCol})


class DeepVisionClassifier(_VisionParams, HasLabelCol, HasSeed, Estimator):
    """Trains an image classifier with TensorFlow on Spark executors (see the module docstring): ``imageCol``
    and ``labelCol`` (class index) in; the fitted :class:`DeepVisionModel` adds ``probabilityCol`` and
    ``predictionCol``. The same seed and data give the same model."""

    labelCol = override(HasLabelCol.labelCol, default="label", doc="class index of each row: 0..numClasses-1")
    epochs = declare("passes over the training data", to_positive_int, default=10)
    batchSize = declare("rows per training step, summed over all workers", to_positive_int, default=64)
    learningRate = declare(
        "initial Adam learning rate (decayed along a cosine to 1% over the epochs)", _positive_float, default=0.001
    )
    numWorkers = declare("training processes (Spark barrier tasks)", to_positive_int, default=1)
    useGpu = declare(
        "train with one GPU per worker (needs Spark GPU scheduling)", TypeConverters.toBoolean, default=False
    )
    validationFraction = declare(
        "fraction of rows held out for validation after each epoch", _holdout_fraction, default=0.0
    )
    checkpointDir = declare(
        "folder every worker can read for per-epoch checkpoints; a re-run resumes from the "
        "newest ('' : no checkpoints)",
        TypeConverters.toString,
        default="",
    )

    def transformSchema(self, schema: StructType) -> StructType:
        label = require_column(schema, self.getLabelCol(), param="labelCol")
        if not isinstance(label.dataType, NumericType):
            raise SchemaError(
                f"labelCol: column {self.getLabelCol()!r} has type {label.dataType.simpleString()}; "
                "it must hold class indices 0..numClasses-1 (index strings with StringIndexer)"
            )
        if self.getBatchSize() < self.getNumWorkers():
            raise ValueError(f"batchSize {self.getBatchSize()} must be at least numWorkers {self.getNumWorkers()}")
        require_column(schema, self.getImageCol(), param="imageCol")
        pre, _ = self._preprocessor()
        pre.transformSchema(schema)
        return add_fields(schema, self._output_fields(), param="predictionCol/probabilityCol")

    # ------------------------------------------------------------------------------------------ fitting
    def _num_classes(self, dataset: DataFrame) -> int:
        """Checks every label in one Spark pass; returns numClasses (given, or the largest label + 1)."""
        label = column(self.getLabelCol()).cast("double")
        given = self.getNumClasses()
        bad = label.isNull() | F.isnan(label) | (label < 0) | (label != F.floor(label))
        if given:
            bad = bad | (label >= given)
        row = dataset.agg(
            F.count(F.when(bad, 1)).alias("bad"),
            F.max(label).alias("top"),
            F.first(
                F.when(bad, F.coalesce(column(self.getLabelCol()).cast("string"), F.lit("null"))), ignorenulls=True
            ).alias("example"),
        ).first()
        assert row is not None  # a global aggregation always has one row
        if row["bad"]:
            limit = f"0..{given - 1}" if given else "whole numbers >= 0"
            raise ValueError(
                f"labelCol {self.getLabelCol()!r}: {row['bad']} row(s) hold a label that is not a class "
                f"index ({limit}), e.g. {row['example']}"
            )
        if row["top"] is None:
            raise ValueError("the training DataFrame has no rows")
        classes = given or int(row["top"]) + 1
        if classes < 2:
            raise ValueError(f"labelCol {self.getLabelCol()!r} holds a single class; a classifier needs two or more")
        return classes

    def _training_frame(self, dataset: DataFrame) -> Tuple[DataFrame, Tuple[int, ...], int]:
        """The rows the workers stream (``x``, ``y``), the network's input shape and the ONNX opset."""
        import onnx

        from mmlspark_py.dl.onnx_export import DEFAULT_OPSET, opset_of

        pre, tensor_col = self._preprocessor()
        prepared = pre.transform(dataset)
        label = column(self.getLabelCol()).cast("int").alias(LABEL_COL)
        if self.getBackbone() == "featurizer":
            x = vector_to_array(column(tensor_col), "float32").alias(TENSOR_COL)
            frame = prepared.select(x, label).where(F.col(TENSOR_COL).isNotNull())
            width = frame.select(F.size(TENSOR_COL).alias("d")).first()
            if width is None:
                raise ValueError("no image of the training DataFrame could be featurized")
            base = onnx.load_from_string(self._get_featurizer().getOnnxModel().getModelPayload())
            return frame, (int(width["d"]),), max(13, min(18, opset_of(base)))
        frame = prepared.select(column(tensor_col).alias(TENSOR_COL), label).where(F.col(TENSOR_COL).isNotNull())
        return frame, (self.getImageChannels(), self.getImageHeight(), self.getImageWidth()), DEFAULT_OPSET

    def _fit(self, dataset: DataFrame) -> DeepVisionModel:
        classes = self._num_classes(dataset)
        frame, shape, opset = self._training_frame(dataset)
        config = VisionTrainingConfig(
            backbone=self.getBackbone(),
            inputShape=shape,
            numClasses=classes,
            epochs=self.getEpochs(),
            batchSize=self.getBatchSize(),
            learningRate=self.getLearningRate(),
            validationFraction=self.getValidationFraction(),
            seed=self.getSeed(),
            checkpointDir=self.getCheckpointDir(),
            opset=opset,
        )
        result = TensorFlowDistributor(self.getNumWorkers(), useGpu=self.getUseGpu()).runOnDataFrame(
            frame, train_vision, config
        )
        model = DeepVisionModel(
            modelPayload=result["onnx"],
            kerasModel=result["keras"],
            trainingHistory=json.dumps(result["history"]),
            numClasses=classes,
        )
        shared = (
            "imageCol",
            "predictionCol",
            "probabilityCol",
            "backbone",
            "imageHeight",
            "imageWidth",
            "imageChannels",
            "miniBatchSize",
            "deviceType",
        )
        model._set(**{name: self.getOrDefault(name) for name in shared})
        if self.getBackbone() == "featurizer":
            model._set(featurizer=self._get_featurizer())
        return model
