"""Deep-learning inference on ONNX models (mirrors ``synapse.ml.onnx``).

- :mod:`.onnx_model`: :class:`ONNXModel`, an ONNX model as a Spark Transformer (CPU or GPU).
- :mod:`.image_featurizer`: :class:`ImageFeaturizer`, images to feature vectors (ImageTransformer + ONNXModel).
- :mod:`.graph`: model validation, description and slicing at intermediate nodes (driver side).

Sessions, tensors and the scoring path are shared with the other model-running areas and live in ``core``
(:mod:`mmlspark_py.core.onnx_sessions`, :mod:`mmlspark_py.core.tensors`, :mod:`mmlspark_py.core.scoring`);
the names users need are re-exported here.
"""

from mmlspark_py.core.onnx_sessions import DeviceUnavailableError, get_session, run_session
from mmlspark_py.core.tensors import FeedError, TensorTypeError
from mmlspark_py.onnx.graph import ModelFormatError
from mmlspark_py.onnx.image_featurizer import ImageFeaturizer
from mmlspark_py.onnx.onnx_model import ONNXModel, ONNXModelError

__all__ = [
    "ONNXModel",
    "ImageFeaturizer",
    "ONNXModelError",
    "ModelFormatError",
    "TensorTypeError",
    "get_session",
    "run_session",
    "DeviceUnavailableError",
    "FeedError",
]
