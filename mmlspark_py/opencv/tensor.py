"""Images to CxHxW tensors (SynapseML's ``toTensor`` output) and their nested Arrow column.

The conversion follows SynapseML's ``ImageTransformer`` exactly: a 4-channel image loses its alpha channel
(``COLOR_BGRA2RGB`` or ``COLOR_BGRA2BGR``), a 3-channel one is reordered to RGB when asked, a grey one is kept;
then each channel ``c`` becomes ``(pixel * colorScaleFactor - mean[c]) / std[c]`` computed in float64 and
stored as the element type (float32 or float64). The column type is SynapseML's
``array<array<array<float|double>>>``; :func:`tensor_column` builds it from one flat buffer and offset
arrays, with no Python object per element.

Example::

    chw = to_tensor(image_bgr, "RGB", mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), scale=1 / 255,
                    dtype=np.float32)
    column = tensor_column([chw, None], tensor_arrow_type(pa.float32()))
"""

from __future__ import annotations

from typing import Optional, Sequence

import cv2
import numpy as np
import pyarrow as pa

from mmlspark_py.opencv.steps import ImageStepError


def _channel_ordered(image: np.ndarray, channel_order: str) -> np.ndarray:
    """(H, W, C) with alpha dropped and channels in ``channel_order`` ("RGB" or "BGR"), as SynapseML does."""
    channels = 1 if image.ndim == 2 else image.shape[2]
    rgb = channel_order.upper() == "RGB"
    if channels == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB if rgb else cv2.COLOR_BGRA2BGR)
    elif channels == 3 and rgb:
        image = image[:, :, ::-1]
    return image if image.ndim == 3 else image[:, :, None]


def to_tensor(
    image: np.ndarray,
    channel_order: str,
    mean: Optional[Sequence[float]],
    std: Optional[Sequence[float]],
    scale: Optional[float],
    dtype: np.dtype,
) -> np.ndarray:
    """The (C, H, W) tensor of ``image`` (OpenCV layout), normalised per channel, as ``dtype``.

    :raises ImageStepError: when ``mean`` or ``std`` has another length than the image has channels.
    """
    chw = np.moveaxis(_channel_ordered(image, channel_order), 2, 0)
    channels = chw.shape[0]
    for name, values in (("normalizeMean", mean), ("normalizeStd", std)):
        if values is not None and len(values) != channels:
            raise ImageStepError(
                f"{name} has {len(values)} values but the image has {channels} channel(s) "
                f"(set autoConvertToColor=True to make every image 3-channel)"
            )
    if mean is None and std is None and scale is None:
        return np.ascontiguousarray(chw, dtype=dtype)
    # The order and precision of SynapseML's normalizeChannels: float64 multiply, subtract, divide.
    out = chw.astype(np.float64)
    if scale is not None:
        out *= scale
    if mean is not None:
        out -= np.asarray(mean, np.float64)[:, None, None]
    if std is not None:
        out /= np.asarray(std, np.float64)[:, None, None]
    return out.astype(dtype, copy=False)


def tensor_arrow_type(element: pa.DataType) -> pa.DataType:
    """``list<list<list<element>>>`` with nullable items: Spark's ``array<array<array<...>>>`` in Arrow."""
    return pa.list_(
        pa.field("element", pa.list_(pa.field("element", pa.list_(pa.field("element", element, True)), True)), True)
    )


def _offsets(lengths: np.ndarray) -> pa.Array:
    out = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=out[1:])
    if out[-1] > np.iinfo(np.int32).max:
        raise ValueError(
            f"a batch of tensors has {out[-1]} values, more than an Arrow list column holds; lower miniBatchSize"
        )
    return pa.array(out.astype(np.int32), pa.int32())


def tensor_column(tensors: Sequence[Optional[np.ndarray]], arrow_type: pa.DataType) -> pa.Array:
    """A nested list column (``arrow_type`` from :func:`tensor_arrow_type`) of (C, H, W) arrays; None -> null."""
    element = arrow_type.value_type.value_type.value_type
    present = [t for t in tensors if t is not None]
    shapes = np.array([t.shape for t in present], np.int64).reshape(-1, 3)
    dtype = element.to_pandas_dtype()
    values = np.concatenate([t.ravel() for t in present]).astype(dtype, copy=False) if present else np.empty(0, dtype)
    rows = pa.ListArray.from_arrays(
        _offsets(np.repeat(shapes[:, 2], shapes[:, 0] * shapes[:, 1])),
        pa.array(values, element),
        type=arrow_type.value_type.value_type,
    )
    planes = pa.ListArray.from_arrays(_offsets(np.repeat(shapes[:, 1], shapes[:, 0])), rows, type=arrow_type.value_type)
    counts = np.array([0 if t is None else t.shape[0] for t in tensors], np.int64)
    mask = pa.array([t is None for t in tensors], pa.bool_())
    return pa.ListArray.from_arrays(_offsets(counts), planes, type=arrow_type, mask=mask)
