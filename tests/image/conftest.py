"""Fixtures of the image tests: a folder of real images and bad files, read once per session."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from tests.image.data import huge_png, sample_images


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory) -> Path:
    """A folder with good images of every kind, the bad files of BAD_FILES, a zip, a sub-folder."""
    root = tmp_path_factory.mktemp("images")
    good = sample_images()
    for name, blob in good.items():
        (root / name).write_bytes(blob)
    (root / "truncated.jpg").write_bytes(good["astronaut.jpg"][: len(good["astronaut.jpg"]) // 2])
    (root / "text.png").write_text("this is not a png\n")
    (root / "empty.png").write_bytes(b"")
    (root / "huge.png").write_bytes(huge_png(20000, 20000))
    (root / "corrupt.zip").write_bytes(b"PK\x03\x04" + os.urandom(200))
    (root / "ünïcödé 漢字 #1.png").write_bytes(good["coffee.png"])
    with zipfile.ZipFile(root / "bundle.zip", "w") as zf:
        zf.writestr("inner/camera.png", good["camera.png"])
        zf.writestr("../evil.png", good["coffee.png"])
        zf.writestr("notes.txt", b"not an image")
    (root / "sub").mkdir()
    (root / "sub" / "nested.png").write_bytes(good["coffee.png"])
    return root


@pytest.fixture(scope="session")
def images_df(spark, image_dir):
    """read_images over image_dir (not recursive), cached: it is read by several tests."""
    from mmlspark_py.image import read_images

    df = read_images(str(image_dir), maxPixels=10_000_000).cache()
    yield df
    df.unpersist()
