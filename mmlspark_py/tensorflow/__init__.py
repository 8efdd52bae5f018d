"""TensorFlow models as Spark stages (``TFModel``); TensorFlow itself (the ``tf`` extra) is imported lazily."""

from mmlspark_py.tensorflow.tf_model import TFDeviceError, TFModel

__all__ = ["TFModel", "TFDeviceError"]
