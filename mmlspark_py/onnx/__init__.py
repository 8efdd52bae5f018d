"""Deep-learning inference on ONNX models (mirrors ``synapse.ml.onnx``).

- :mod:`.onnx_model`: :class:`ONNXModel`, an ONNX model as a Spark Transformer (CPU or GPU).
- :mod:`.image_featurizer`: :class:`ImageFeaturizer`, images to feature vectors (ImageTransformer + ONNXModel).
- :mod:`.runtime`: per-worker onnxruntime sessions on CPU or the task's GPU (:func:`get_session`).
- :mod:`.graph`: model validation, description and slicing at intermediate nodes (driver side).
- :mod:`.tensors`: tensors between Arrow columns and numpy.
"""

from mmlspark_py.onnx.graph import ModelFormatError
from mmlspark_py.onnx.image_featurizer import ImageFeaturizer
from mmlspark_py.onnx.onnx_model import ONNXModel, ONNXModelError
from mmlspark_py.onnx.runtime import DeviceUnavailableError, FeedError, get_session, run_session
from mmlspark_py.onnx.tensors import TensorTypeError

__all__ = ["ONNXModel", "ImageFeaturizer", "ONNXModelError", "ModelFormatError", "TensorTypeError", "get_session", "run_session",
           "DeviceUnavailableError", "FeedError"]
