"""OpenCV image processing stages (mirrors ``synapse.ml.opencv``).

- :class:`ImageTransformer`: fluent OpenCV steps (resize, crop, centerCrop, colorFormat, blur, threshold,
  gaussianKernel, flip) over image structs, binaryFile structs or encoded bytes; image or tensor output.
- :class:`ImageSetAugmenter`: originals plus mirrored copies (implemented in :mod:`mmlspark_py.image`, importable
  from here as in SynapseML).
- :mod:`.steps`: the typed, validated, JSON-serialisable steps.
- :func:`toNDArray`, :func:`toImage`, :data:`ImageSchema`: SynapseML's numpy helpers for image rows.
"""

from mmlspark_py.image import ImageSetAugmenter
from mmlspark_py.opencv.image_transformer import IMAGE_BATCH_BYTES, ImageTransformer, ImageTransformError
from mmlspark_py.opencv.ndarray import ImageFields, ImageSchema, toImage, toNDArray
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

__all__ = [
    "ImageTransformer",
    "ImageTransformError",
    "IMAGE_BATCH_BYTES",
    "ImageSetAugmenter",
    "ImageSchema",
    "ImageFields",
    "toNDArray",
    "toImage",
    "Step",
    "Resize",
    "Crop",
    "CenterCrop",
    "ColorFormat",
    "Blur",
    "Threshold",
    "GaussianKernel",
    "Flip",
    "ImageStepError",
]
