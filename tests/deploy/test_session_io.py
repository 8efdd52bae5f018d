"""Reading, writing, saving and loading through whatever session the tests run on: classic, or a Spark Connect
client (``MMLSPARK_TEST_REMOTE=local[2]``, where no JVM is in this process). Values are checked against OpenCV
decoding the same files."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel

from mmlspark_py.core.image_schema import to_ndarray
from mmlspark_py.image import read_images, write_images
from mmlspark_py.opencv import ImageTransformer
from tests.image.data import decoded, encode, sample_images


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    for name, data in sample_images().items():
        if name.endswith((".png", ".jpg")):
            (folder / name).write_bytes(data)
    (folder / "broken.png").write_bytes(b"not an image at all")
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.png").write_bytes(encode(np.full((3, 5, 3), 7, np.uint8), ".png"))
    return folder


def _pixels(row) -> np.ndarray:
    return to_ndarray(row.height, row.width, row.mode, row.data)


def test_read_images_decodes_like_opencv_and_reports_bad_files(spark, photos):
    df = read_images(str(photos), recursive=True)
    rows = {r.origin.rsplit("/", 1)[-1]: r for r in df.collect()}
    files = sorted(p.name for p in photos.rglob("*") if p.is_file())
    assert sorted(rows) == files
    assert rows["broken.png"].image is None and "broken.png" in rows["broken.png"].error
    for path in (p for p in photos.rglob("*.*") if p.name != "broken.png"):
        assert np.array_equal(_pixels(rows[path.name].image), decoded(path)), path.name
    only_nested = read_images(str(photos / "*" / "*.png")).collect()
    assert [r.origin.rsplit("/", 1)[-1] for r in only_nested] == ["nested.png"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_images(str(photos / "missing" / "*.png"))


def test_write_images_is_atomic_and_round_trips(spark, photos, tmp_path):
    images = read_images(str(photos), dropInvalid=True)
    target = tmp_path / "out"
    count = write_images(images, str(target), format="png")
    written = sorted(target.glob("*.png"))
    assert count == len(written) == images.count()
    for path in written:
        stem = path.name.rsplit("_", 1)[0]
        source = next(p for p in photos.iterdir() if p.is_file() and p.stem == stem)
        assert np.array_equal(decoded(path), decoded(source)), path.name
    with pytest.raises(FileExistsError, match="exists"):
        write_images(images, str(target))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left behind


def test_a_pipeline_saves_and_loads_with_its_outputs(spark, photos, tmp_path):
    images = read_images(str(photos), dropInvalid=True)
    pipeline = Pipeline(
        stages=[ImageTransformer(inputCol="image", outputCol="small").resize(height=8, width=6).flip(1)]
    )
    model = pipeline.fit(images)
    model.write().overwrite().save(str(tmp_path / "model"))
    loaded = PipelineModel.load(str(tmp_path / "model"))
    got = {r.origin: _pixels(r.small) for r in loaded.transform(images).collect()}
    for origin, pixels in got.items():
        path = origin.split(":", 1)[-1]
        image = decoded(path)
        expected = cv2.flip(cv2.resize(image, (6, 8), interpolation=cv2.INTER_LINEAR), 1)
        assert np.array_equal(pixels, expected if expected.ndim == 3 else expected[:, :, None]), origin
