"""OpenCV image processing stages (mirrors ``synapse.ml.opencv``).

- :class:`ImageTransformer`: fluent OpenCV steps (resize, crop, centerCrop, colorFormat, blur, threshold,
  gaussianKernel, flip) over image structs, binaryFile structs or encoded bytes; image or tensor output.
- :mod:`.steps`: the typed, validated, JSON-serialisable steps.
"""

from mmlspark_py.opencv.image_transformer import ImageTransformer, ImageTransformError
from mmlspark_py.opencv.steps import (Blur, CenterCrop, ColorFormat, Crop, Flip, GaussianKernel, ImageStepError,
                                      Resize, Step, Threshold)

__all__ = ["ImageTransformer", "ImageTransformError", "Step", "Resize", "Crop", "CenterCrop", "ColorFormat",
           "Blur", "Threshold", "GaussianKernel", "Flip", "ImageStepError"]
