"""Images read by the Python workers from their files: read_images' lazy image column, and ImageTransformer /
ImageFeaturizer reading the files themselves when given it, with results identical to the in-JVM path."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.sql import functions as F

from mmlspark_py.core import batching
from mmlspark_py.core.spark_compat import HAS_ARROW_UDF
from mmlspark_py.image import FileReadError, ImageFileReader, image_to_array, lazy_source, read_images
from mmlspark_py.image.file_images import local_path, read_file_bytes
from mmlspark_py.onnx import ImageFeaturizer
from mmlspark_py.opencv import ImageTransformer
from tests.image.data import decoded, huge_png, sample_images
from tests.onnx.models import tiny_image_model


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("files")
    good = sample_images()
    for name in ("astronaut.jpg", "coffee.png", "camera.png", "alpha.png", "deep16.png"):
        (root / name).write_bytes(good[name])
    (root / "empty.png").write_bytes(b"")
    (root / "text.png").write_text("not an image")
    (root / "huge.png").write_bytes(huge_png(5000, 5000))
    (root / "big file #2.png").write_bytes(good["coffee.png"])
    return root


def _in_jvm(images):
    """The same frame with the image column's tag dropped: stages then receive decoded pixels from the JVM."""
    return images.select("origin", F.coalesce(F.col("image")).alias("image"), "error")  # no metadata, on 3.5 too


def _python_stages(df):
    plan = df._jdf.queryExecution().executedPlan().toString()
    return plan.count("ArrowEvalPython") + plan.count("MapInArrow")


def test_local_paths_and_read_errors(folder):
    assert local_path("file:/a b/c #1.png") == "/a b/c #1.png" and local_path("file:///x/y") == "/x/y"
    assert local_path("/plain/path") == "/plain/path" and local_path("hdfs://nn/x") is None
    assert read_file_bytes(f"file:{folder}/coffee.png", 10**9) == (folder / "coffee.png").read_bytes()
    with pytest.raises(FileReadError, match="empty file"):
        read_file_bytes(f"file:{folder}/empty.png", 10**9)
    with pytest.raises(FileReadError, match="over the limit of 10 "):
        read_file_bytes(f"file:{folder}/coffee.png", 10)
    with pytest.raises(FileReadError, match="could not be read"):
        read_file_bytes(f"file:{folder}/missing.png", 10)
    image, error = ImageFileReader(10**8, 10**9).read(f"file:{folder}/text.png")
    assert image is None and error.startswith(f"file:{folder}/text.png: ") and "not a decodable image" in error


@pytest.mark.parametrize("arrow_udf", [True, False] if HAS_ARROW_UDF else [False])
def test_image_transformer_reads_files_itself_with_identical_results(spark, folder, monkeypatch, arrow_udf):
    monkeypatch.setattr(batching, "USE_ARROW_UDF", arrow_udf)  # pyspark < 4.1 has only the second path
    images = read_images(str(folder), maxPixels=10_000_000)
    assert lazy_source(images, "image") is not None and lazy_source(_in_jvm(images), "image") is None
    assert _python_stages(images.select("origin")) == 0  # the decode is pruned: no file is read
    stage = (
        ImageTransformer(outputCol="out", errorCol="why", ignoreDecodingErrors=True, autoConvertToColor=True)
        .resize(12, True)
        .centerCrop(10, 8)
        .blur(3, 3)
    )
    lazy = stage.transform(images)
    assert lazy.schema == stage.transformSchema(images.schema)
    assert lazy.schema["error"].metadata == images.schema["error"].metadata  # the tag survives for later stages
    # files read once, no decode into the JVM (pyspark < 4.1 too: its mapInArrow, which moves whole rows, is
    # given the rows without the image column, which is put back as a projection Spark prunes)
    assert _python_stages(lazy.select("origin", "error", "out")) == 1
    assert lazy.schema["image"] == images.schema["image"]  # same type, nullability and tag
    jvm = stage.transform(_in_jvm(images))
    got = {r.origin: r for r in lazy.collect()}
    want = {r.origin: r for r in jvm.collect()}
    assert set(got) == set(want) and len(got) == 9
    for origin, row in want.items():
        assert got[origin].error == row.error and got[origin].why == row.why, origin
        if row.out is None:
            assert got[origin].out is None, origin
        else:
            assert got[origin].out.origin == row.out.origin == origin
            np.testing.assert_array_equal(image_to_array(got[origin].out), image_to_array(row.out))
    assert got[f"file:{folder}/empty.png"].error.endswith("empty file (0 bytes) or not a regular file")
    assert "over the limit" in got[f"file:{folder}/huge.png"].error
    # the image column is still there, decoded only when selected
    (row,) = lazy.where(F.col("origin").endswith("coffee.png")).select("image").collect()
    np.testing.assert_array_equal(image_to_array(row.image), decoded(folder / "coffee.png"))


def test_tensor_output_and_tags_dropped_by_cache(spark, folder):
    images = read_images(str(folder), pathGlobFilter="*.png", dropInvalid=True)
    stage = (
        ImageTransformer(outputCol="t", autoConvertToColor=True).resize(6, 5).normalize([0.5] * 3, [0.2] * 3, 1 / 255)
    )
    lazy = {r.origin: r.t for r in stage.transform(images).collect()}
    jvm = {r.origin: r.t for r in stage.transform(_in_jvm(images)).collect()}
    assert lazy == jvm and len(lazy) == 6  # the 5000x5000 PNG is under the default maxPixels
    cached = read_images(str(folder)).cache()
    try:
        assert lazy_source(cached, "image") is None  # cached pixels are cheaper than the files
    finally:
        cached.unpersist()


def test_image_featurizer_reads_files_itself_with_identical_features(spark, folder):
    stage = (
        ImageFeaturizer(
            inputCol="image",
            outputCol="features",
            errorCol="why",
            ignoreDecodingErrors=True,
            dropNa=False,
            miniBatchSize=3,
        )
        .setModelPayload(tiny_image_model().SerializeToString())
        .setDeviceType("CPU")
    )
    images = read_images(str(folder), maxPixels=10_000_000)
    lazy = stage.transform(images)
    assert _python_stages(lazy.select("origin", "features")) == 1  # each file read once, on 3.5 too
    got = {r.origin: r for r in lazy.collect()}
    want = {r.origin: r for r in stage.transform(_in_jvm(images)).collect()}
    assert set(got) == set(want)
    for origin, row in want.items():
        assert (got[origin].error, got[origin].why) == (row.error, row.why), origin
        assert (got[origin].features is None) == (row.features is None), origin
        if row.features is not None:
            np.testing.assert_array_equal(got[origin].features.toArray(), row.features.toArray())
    assert sum(r.features is not None for r in got.values()) == 6
    dropped = (
        ImageFeaturizer(inputCol="image", outputCol="f")
        .setModelPayload(tiny_image_model().SerializeToString())
        .setDeviceType("CPU")
        .transform(read_images(str(folder), pathGlobFilter="*.jpg"))
    )
    assert dropped.count() == 1
