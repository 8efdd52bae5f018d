"""Typed image transformation steps of :class:`~mmlspark_py.opencv.ImageTransformer` (one OpenCV call each).

Each step is a frozen dataclass of the :class:`Step` spec family: it validates its arguments when it is built
(so a bad argument fails where the user wrote it, not in a Spark task), saves as plain JSON
(``{"kind": "resize", "height": 224, ...}``) and applies exactly one OpenCV operation to a decoded array in
OpenCV's layout ((H, W) or (H, W, C), BGR order) through :meth:`Step.apply`.

The kinds are SynapseML's stage names: ``resize``, ``crop``, ``centercrop``, ``colorformat``, ``blur``,
``threshold``, ``gaussiankernel``, ``flip``. Codes (``ColorFormat.format``, ``Threshold.thresholdType``) are
OpenCV's integer constants, checked against the installed ``cv2``: opencv-python 5 kept the ``COLOR_*`` and
``THRESH_*`` numbers of OpenCV 3/4 (``COLOR_BGR2GRAY == 6``), but some rarely used codes were dropped, and a
code this OpenCV does not know is refused when the step is built. Names are accepted too
(``ColorFormat("BGR2GRAY")``) and stored as the number.

Example::

    steps = [Resize(size=256, keepAspectRatio=True), CenterCrop(224, 224), Blur(3, 3)]
    out = steps[2].apply(steps[1].apply(steps[0].apply(cv2.imread("cat.jpg"))))
    Step.from_json(steps[0].to_json()) == steps[0]
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import cv2
import numpy as np

from mmlspark_py.core.spec import Spec, SpecError, require

__all__ = [
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
    "COLOR_CODES",
    "THRESHOLD_TYPES",
]

_COLOR_NAMES: Dict[str, int] = {
    name: value for name, value in vars(cv2).items() if name.startswith("COLOR_") and name != "COLOR_COLORCVT_MAX"
}
COLOR_CODES: Dict[int, str] = {}
for _name, _value in sorted(_COLOR_NAMES.items()):
    COLOR_CODES.setdefault(_value, _name)
"""cvtColor conversion codes of the installed OpenCV: code -> its first ``COLOR_*`` name."""

THRESHOLD_TYPES: Dict[str, int] = {
    n: getattr(cv2, n)
    for n in ("THRESH_BINARY", "THRESH_BINARY_INV", "THRESH_TRUNC", "THRESH_TOZERO", "THRESH_TOZERO_INV")
}
"""The basic threshold types; each may be combined (``|``) with one of :data:`THRESHOLD_FLAGS`."""

THRESHOLD_FLAGS: Dict[str, int] = {"THRESH_OTSU": cv2.THRESH_OTSU, "THRESH_TRIANGLE": cv2.THRESH_TRIANGLE}
"""Automatic threshold selection (8-bit single-channel images only; ``threshold`` is then ignored)."""


class ImageStepError(ValueError):
    """A valid step (or tensor conversion) that cannot apply to one particular image (e.g. a crop outside it)."""


def _int(value: Any, name: str) -> int:
    """``value`` as a plain int (numpy ints and integral floats accepted; bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SpecError(f"{name} must be an integer (got {value!r})")
    if isinstance(value, numbers.Integral):
        return int(value)
    require(float(value).is_integer(), f"{name} must be a whole number", value)
    return int(value)


def _float(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise SpecError(f"{name} must be a finite number (got {value!r})")
    return float(value)


def _set(step: Step, **values: Any) -> None:
    """Store normalised field values on a frozen dataclass (only ever from ``__post_init__``)."""
    for name, value in values.items():
        object.__setattr__(step, name, value)


def _positive(step: Step, *names: str) -> None:
    for name in names:
        value = _int(getattr(step, name), f"{step.kind}.{name}")
        require(value > 0, f"{step.kind}.{name} must be > 0", value)
        _set(step, **{name: value})


@dataclass(frozen=True)
class Step(Spec):
    """Family root of image steps: ``apply(image) -> image`` on OpenCV arrays ((H, W) or (H, W, C))."""

    def apply(self, image: np.ndarray) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class Resize(Step):
    """``cv2.resize`` (bilinear) to ``height`` x ``width``, or by ``size``.

    With ``size`` and ``keepAspectRatio=True`` the shorter side becomes ``size`` and the other side keeps the
    aspect ratio (rounded half up, as SynapseML's ``math.round``); with ``keepAspectRatio=False`` the image
    becomes ``size`` x ``size``. Give either ``height`` and ``width`` or ``size``.
    """

    kind = "resize"
    height: Optional[int] = None
    width: Optional[int] = None
    size: Optional[int] = None
    keepAspectRatio: Optional[bool] = None

    def __post_init__(self) -> None:
        if self.size is None:
            require(
                self.height is not None and self.width is not None and self.keepAspectRatio is None,
                "resize needs height and width, or size (with keepAspectRatio)",
            )
            _positive(self, "height", "width")
        else:
            require(self.height is None and self.width is None, "resize takes height and width, or size, not both")
            _positive(self, "size")
            keep = True if self.keepAspectRatio is None else self.keepAspectRatio
            require(isinstance(keep, (bool, np.bool_)), "resize.keepAspectRatio must be a bool", keep)
            _set(self, keepAspectRatio=bool(keep))

    def target(self, height: int, width: int) -> Tuple[int, int]:
        """``(height, width)`` this step gives an image of ``height`` x ``width``."""
        if self.size is None:
            return self.height, self.width
        if not self.keepAspectRatio:
            return self.size, self.size
        ratio = self.size / min(height, width)
        # floor(x + 0.5): Scala's math.round, which SynapseML uses (Python's round() rounds half to even).
        return max(1, math.floor(ratio * height + 0.5)), max(1, math.floor(ratio * width + 0.5))

    def apply(self, image: np.ndarray) -> np.ndarray:
        height, width = self.target(image.shape[0], image.shape[1])
        return cv2.resize(image, (width, height))


@dataclass(frozen=True)
class Crop(Step):
    """The ``height`` x ``width`` region whose top-left corner is (``x``, ``y``); must lie inside the image."""

    kind = "crop"
    x: int
    y: int
    height: int
    width: int

    def __post_init__(self) -> None:
        for name in ("x", "y"):
            value = _int(getattr(self, name), f"crop.{name}")
            require(value >= 0, f"crop.{name} must be >= 0", value)
            _set(self, **{name: value})
        _positive(self, "height", "width")

    def apply(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        if self.x + self.width > w or self.y + self.height > h:
            raise ImageStepError(
                f"crop x={self.x} y={self.y} width={self.width} height={self.height} does not fit in a {w}x{h} image"
            )
        return image[self.y : self.y + self.height, self.x : self.x + self.width]


@dataclass(frozen=True)
class CenterCrop(Step):
    """The centred ``height`` x ``width`` region (each side at most the image's), as SynapseML computes it."""

    kind = "centercrop"
    height: int
    width: int

    def __post_init__(self) -> None:
        _positive(self, "height", "width")

    def apply(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        ch, cw = min(self.height, h), min(self.width, w)
        y, x = h // 2 - ch // 2, w // 2 - cw // 2
        return image[y : y + ch, x : x + cw]


def _color_code(value: Any) -> int:
    if isinstance(value, str):
        name = value if value.upper().startswith("COLOR_") else "COLOR_" + value
        lookup = {n.upper(): v for n, v in _COLOR_NAMES.items()}
        require(
            name.upper() in lookup, "colorformat.format: unknown OpenCV colour conversion name (see cv2.COLOR_*)", value
        )
        return lookup[name.upper()]
    code = _int(value, "colorformat.format")
    require(
        code in COLOR_CODES,
        f"colorformat.format: {code} is not a cvtColor code of OpenCV {cv2.__version__} "
        f"(use a cv2.COLOR_* constant, e.g. cv2.COLOR_BGR2GRAY = {cv2.COLOR_BGR2GRAY})",
        code,
    )
    return code


@dataclass(frozen=True)
class ColorFormat(Step):
    """``cv2.cvtColor(image, format)``; ``format`` is a ``cv2.COLOR_*`` code (or its name, e.g. "BGR2GRAY")."""

    kind = "colorformat"
    format: int

    def __post_init__(self) -> None:
        _set(self, format=_color_code(self.format))

    def apply(self, image: np.ndarray) -> np.ndarray:
        return cv2.cvtColor(image, self.format)


@dataclass(frozen=True)
class Blur(Step):
    """``cv2.blur`` with a ``height`` x ``width`` normalised box filter.

    SynapseML builds ``new Size(height, width)``, whose first argument OpenCV reads as the *width*, so it
    swaps the two sides of the box; here ``height`` is the box's height, as the names say.
    """

    kind = "blur"
    height: int
    width: int

    def __post_init__(self) -> None:
        _positive(self, "height", "width")

    def apply(self, image: np.ndarray) -> np.ndarray:
        return cv2.blur(image, (self.width, self.height))


def _threshold_type(value: Any) -> int:
    if isinstance(value, str):
        parts = [p.strip().upper() for p in value.split("|")]
        known = {**THRESHOLD_TYPES, **THRESHOLD_FLAGS}
        names = [p if p.startswith("THRESH_") else "THRESH_" + p for p in parts]
        require(all(n in known for n in names), f"threshold.thresholdType: unknown name; valid: {sorted(known)}", value)
        value = sum(known[n] for n in set(names))
    code = _int(value, "threshold.thresholdType")
    base, flags = code & cv2.THRESH_MASK, code & ~cv2.THRESH_MASK
    require(
        base in THRESHOLD_TYPES.values() and flags in (0, *THRESHOLD_FLAGS.values()),
        f"threshold.thresholdType must be one of {THRESHOLD_TYPES}, optionally | one of {THRESHOLD_FLAGS}",
        code,
    )
    return code


@dataclass(frozen=True)
class Threshold(Step):
    """``cv2.threshold(image, threshold, maxVal, thresholdType)`` (the thresholded image)."""

    kind = "threshold"
    threshold: float
    maxVal: float
    thresholdType: int = cv2.THRESH_BINARY

    def __post_init__(self) -> None:
        _set(
            self,
            threshold=_float(self.threshold, "threshold.threshold"),
            maxVal=_float(self.maxVal, "threshold.maxVal"),
            thresholdType=_threshold_type(self.thresholdType),
        )

    def apply(self, image: np.ndarray) -> np.ndarray:
        return cv2.threshold(image, self.threshold, self.maxVal, self.thresholdType)[1]


@dataclass(frozen=True)
class GaussianKernel(Step):
    """``cv2.GaussianBlur`` with an ``apertureSize`` x ``apertureSize`` kernel of standard deviation ``sigma``.

    ``apertureSize`` is odd and > 0; ``sigma`` >= 0 (0: computed from the aperture, as OpenCV does).
    SynapseML filters with the 1-D column kernel of ``getGaussianKernel`` alone (``filter2D``), which blurs
    vertically only; a Gaussian blur filters both directions, which ``GaussianBlur`` does.
    """

    kind = "gaussiankernel"
    apertureSize: int
    sigma: float

    def __post_init__(self) -> None:
        _positive(self, "apertureSize")
        require(self.apertureSize % 2 == 1, "gaussiankernel.apertureSize must be odd", self.apertureSize)
        sigma = _float(self.sigma, "gaussiankernel.sigma")
        require(sigma >= 0, "gaussiankernel.sigma must be >= 0", sigma)
        _set(self, sigma=sigma)

    def apply(self, image: np.ndarray) -> np.ndarray:
        size = (self.apertureSize, self.apertureSize)
        return cv2.GaussianBlur(image, size, sigmaX=self.sigma, sigmaY=self.sigma)


@dataclass(frozen=True)
class Flip(Step):
    """``cv2.flip``: ``flipCode`` 0 flips up-down, > 0 (e.g. 1) left-right, < 0 (e.g. -1) both."""

    kind = "flip"
    flipCode: int = 1

    def __post_init__(self) -> None:
        _set(self, flipCode=_int(self.flipCode, "flip.flipCode"))

    def apply(self, image: np.ndarray) -> np.ndarray:
        return cv2.flip(image, self.flipCode)
