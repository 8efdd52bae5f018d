"""The main job, run in-process through the real CLI on real photos, checked against OpenCV."""

from __future__ import annotations

import pathlib

import cv2
import numpy as np
import pytest

from mmlspark_py.jobs.cli import main
from mmlspark_py.jobs.quickstart import default_images_dir


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    for name in ("chelsea.png", "camera.png", "rocket.jpg"):
        (folder / name).write_bytes((pathlib.Path(default_images_dir()) / name).read_bytes())
    (folder / "notes.png").write_text("not an image")
    return folder


def _expected(path: pathlib.Path, size: int) -> np.ndarray:
    image = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_UNCHANGED)
    h, w = image.shape[:2]
    scale = size / min(h, w)
    image = cv2.resize(image, (round(w * scale), round(h * scale)))
    y, x = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
    return cv2.blur(image[y : y + size, x : x + size], (3, 3))


def test_quickstart_writes_transformed_images_and_contact_sheet(spark, photos, tmp_path, capsys):
    assert main(["quickstart", "--images", str(photos), "--output", str(tmp_path), "--size", "64"]) == 0
    printed = capsys.readouterr().out
    assert "images                4" in printed and "transformed           3" in printed
    assert "notes.png" in printed and "not a decodable image" in printed
    written = sorted(p.name for p in (tmp_path / "transformed").iterdir() if p.suffix == ".png")
    assert len(written) == 3
    cat = next(p for p in (tmp_path / "transformed").iterdir() if "chelsea" in p.name)
    got = cv2.imread(str(cat), cv2.IMREAD_UNCHANGED)
    want = _expected(photos / "chelsea.png", 64)
    assert got.shape == (64, 64, 3)
    assert np.array_equal(got, want)
    sheet = cv2.imread(str(tmp_path / "contact_sheet.png"))
    assert sheet is not None and sheet.shape[1] == 6 * 168
