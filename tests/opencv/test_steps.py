"""The typed steps: validation when built, JSON round-trip, and pixels equal to OpenCV called directly."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from mmlspark_py.core.spec import SpecError
from mmlspark_py.opencv import (
    Blur,
    CenterCrop,
    ColorFormat,
    Crop,
    Flip,
    GaussianKernel,
    ImageStepError,
    ImageTransformer,
    Resize,
    Step,
    Threshold,
)
from tests.opencv.conftest import decoded, photo_files

ALL_STEPS = [
    Resize(height=40, width=50),
    Resize(size=32),
    Resize(size=32, keepAspectRatio=False),
    Crop(5, 10, 30, 40),
    CenterCrop(40, 60),
    ColorFormat(cv2.COLOR_BGR2GRAY),
    Blur(3, 7),
    Threshold(100, 200, cv2.THRESH_BINARY_INV),
    GaussianKernel(5, 1.5),
    Flip(0),
    Flip(1),
    Flip(-1),
]


@pytest.fixture(scope="module")
def chelsea():
    return decoded(photo_files()["chelsea.png"])


@pytest.mark.parametrize("step", ALL_STEPS, ids=lambda s: json.dumps(s.to_json()))
def test_json_round_trip(step):
    text = json.dumps(step.to_json())
    assert Step.from_json(json.loads(text)) == step
    assert json.loads(text)["kind"] == step.kind


def test_kinds_are_synapseml_stage_names():
    assert set(Step.kinds()) == {
        "resize",
        "crop",
        "centercrop",
        "colorformat",
        "blur",
        "threshold",
        "gaussiankernel",
        "flip",
    }


def test_pixels_equal_opencv(chelsea):
    img = chelsea
    h, w = img.shape[:2]
    assert (h, w) == (75, 113)
    short = 32 / min(h, w)
    expected = {
        "resize40x50": cv2.resize(img, (50, 40)),
        "resize32keep": cv2.resize(img, (math.floor(w * short + 0.5), 32)),
        "resize32square": cv2.resize(img, (32, 32)),
        "crop": img[10:40, 5:45],
        "centercrop": img[h // 2 - 20 : h // 2 + 20, w // 2 - 30 : w // 2 + 30],
        "grey": cv2.cvtColor(img, cv2.COLOR_BGR2GRAY),
        "blur": cv2.blur(img, (7, 3)),
        "threshold": cv2.threshold(img, 100, 200, cv2.THRESH_BINARY_INV)[1],
        "gauss": cv2.GaussianBlur(img, (5, 5), 1.5, sigmaY=1.5),
        "flip0": img[::-1],
        "flip1": img[:, ::-1],
        "flip-1": img[::-1, ::-1],
    }
    for step, (name, want) in zip(ALL_STEPS, expected.items()):
        got = step.apply(img)
        assert got.dtype == want.dtype and np.array_equal(got, want), name
    assert ALL_STEPS[1].apply(img).shape == (32, 48, 3)  # 113 * 32 / 75 = 48.2


def test_resize_rounds_half_up_like_scala():
    # 3x5 image, size 3: width 5 -> 5.0; 2x5 image, size 5: ratio 2.5, width 12.5 -> 13 (round() would give 12)
    assert Resize(size=5).target(2, 5) == (5, 13)
    assert Resize(size=3).target(3, 5) == (3, 5)


def test_center_crop_larger_than_image_keeps_side(chelsea):
    assert CenterCrop(500, 20).apply(chelsea).shape == (75, 20, 3)


def test_crop_outside_image_is_a_row_error(chelsea):
    with pytest.raises(ImageStepError, match="does not fit in a 113x75 image"):
        Crop(100, 0, 10, 20).apply(chelsea)


def test_names_accepted_for_codes():
    assert ColorFormat("BGR2GRAY") == ColorFormat(cv2.COLOR_BGR2GRAY)
    assert ColorFormat("COLOR_BGR2HSV").format == cv2.COLOR_BGR2HSV
    assert Threshold(1, 2, "binary_inv|otsu").thresholdType == cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU
    assert Step.from_json({"kind": "flip", "flipCode": np.int64(-1)}).to_json() == {"kind": "flip", "flipCode": -1}


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Resize(height=-1, width=10), "resize.height must be > 0"),
        (lambda: Resize(height=10, width=0), "resize.width must be > 0"),
        (lambda: Resize(size=0), "resize.size must be > 0"),
        (lambda: Resize(height=10), "resize needs height and width"),
        (lambda: Resize(height=10, width=10, size=5), "not both"),
        (lambda: Resize(size=10, keepAspectRatio="yes"), "keepAspectRatio must be a bool"),
        (lambda: Resize(height=True, width=3), "must be an integer"),
        (lambda: Resize(height=2.5, width=3), "must be a whole number"),
        (lambda: Crop(-1, 0, 10, 10), "crop.x must be >= 0"),
        (lambda: Crop(0, -3, 10, 10), "crop.y must be >= 0"),
        (lambda: Crop(0, 0, 0, 10), "crop.height must be > 0"),
        (lambda: CenterCrop(10, -10), "centercrop.width must be > 0"),
        (lambda: ColorFormat(9999), "not a cvtColor code"),
        (lambda: ColorFormat(-1), "not a cvtColor code"),
        (lambda: ColorFormat(42), "not a cvtColor code"),  # a gap in OpenCV's numbering
        (lambda: ColorFormat("BGR2PURPLE"), "unknown OpenCV colour conversion name"),
        (lambda: ColorFormat("COLORCVT_MAX"), "unknown OpenCV colour conversion name"),
        (lambda: Blur(0, 3), "blur.height must be > 0"),
        (lambda: Blur(3, -3), "blur.width must be > 0"),
        (lambda: Threshold(1, 2, 5), "thresholdType must be one of"),
        (lambda: Threshold(1, 2, cv2.THRESH_OTSU | cv2.THRESH_TRIANGLE), "thresholdType must be one of"),
        (lambda: Threshold(1, 2, "median"), "unknown name"),
        (lambda: Threshold(float("nan"), 2, 0), "finite number"),
        (lambda: GaussianKernel(4, 1.0), "apertureSize must be odd"),
        (lambda: GaussianKernel(0, 1.0), "apertureSize must be > 0"),
        (lambda: GaussianKernel(3, -1.0), "sigma must be >= 0"),
        (lambda: Flip("x"), "flip.flipCode must be an integer"),
        (lambda: Step.from_json({"kind": "rotate", "angle": 3}), "unknown Step kind 'rotate'"),
        (lambda: Step.from_json({"kind": "blur", "height": 3, "width": 3, "depth": 1}), "no field"),
    ],
)
def test_bad_arguments_fail_when_built(build, message):
    with pytest.raises(SpecError, match=message):
        build()


@pytest.mark.parametrize(
    "add, message",
    [
        (lambda t: t.resize(-5, 10), "resize.height must be > 0"),
        (lambda t: t.resize(-5, True), "resize.size must be > 0"),
        (lambda t: t.crop(0, 0, -1, 4), "crop.height must be > 0"),
        (lambda t: t.centerCrop(0, 0), "centercrop.height must be > 0"),
        (lambda t: t.colorFormat(12345), "not a cvtColor code"),
        (lambda t: t.blur(-1, 3), "blur.height must be > 0"),
        (lambda t: t.threshold(1, 2, 99), "thresholdType"),
        (lambda t: t.gaussianKernel(2, 1), "apertureSize must be odd"),
    ],
)
def test_fluent_methods_fail_when_step_is_added(add, message):
    t = ImageTransformer().flip(1)
    with pytest.raises(SpecError, match=message):
        add(t)
    assert t.getStages() == (Flip(1),)  # nothing was added


def test_fluent_resize_forms():
    t = (
        ImageTransformer()
        .resize(10, 20)
        .resize(30, True)
        .resize(40)
        .resize(50, keepAspectRatio=False)
        .resize((60, 70))
        .resize(size=80)
    )
    assert t.getStages() == (
        Resize(height=10, width=20),
        Resize(size=30, keepAspectRatio=True),
        Resize(size=40, keepAspectRatio=True),
        Resize(size=50, keepAspectRatio=False),
        Resize(height=70, width=60),
        Resize(size=80, keepAspectRatio=True),
    )


def test_fluent_steps_are_copy_on_write():
    base = ImageTransformer().flip(0)
    copy = base.copy()
    base.blur(3, 3)
    assert copy.getStages() == (Flip(0),)
    assert base.getStages() == (Flip(0), Blur(3, 3))
