"""read_images as a streaming source: a query unrolls images as they arrive in a folder."""

from __future__ import annotations

import os

import numpy as np
import pytest

from mmlspark_py.image import UnrollImage, read_images
from tests.image.data import encode


def _drop(folder, name, image):
    # Write beside the folder, then rename in: the stream must never see a half-written file.
    staging = folder.parent / f".{name}"
    staging.write_bytes(encode(image, ".png"))
    os.rename(staging, folder / name)


def test_streaming_query_transforms_arriving_images(spark, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    rng = np.random.default_rng(7)
    images = {f"img{i}.png": rng.integers(0, 256, (3, 4, 3), dtype=np.uint8) for i in range(4)}
    names = sorted(images)
    _drop(folder, names[0], images[names[0]])
    stream = read_images(str(folder), streaming=True)
    assert stream.isStreaming
    vectors = UnrollImage(inputCol="image", outputCol="v").transform(stream).select("origin", "v", "error")
    query = vectors.writeStream.format("memory").queryName("image_stream_test").outputMode("append").start()
    try:
        query.processAllAvailable()
        assert spark.table("image_stream_test").count() == 1
        for name in names[1:]:
            _drop(folder, name, images[name])
        (folder / "broken.png").write_bytes(b"\x89PNG broken")
        query.processAllAvailable()
        rows = {r["origin"].rsplit("/", 1)[-1]: r for r in spark.table("image_stream_test").collect()}
    finally:
        query.stop()
    assert set(rows) == set(names) | {"broken.png"}
    for name in names:
        expected = images[name].transpose(2, 0, 1).ravel().astype(float)
        np.testing.assert_array_equal(rows[name]["v"].toArray(), expected)
    assert rows["broken.png"]["v"] is None and "not a decodable image" in rows["broken.png"]["error"]


def test_streaming_needs_one_existing_folder(spark, tmp_path):
    with pytest.raises(FileNotFoundError):
        read_images(str(tmp_path / "missing"), streaming=True)
    with pytest.raises(ValueError, match="one folder"):
        read_images([str(tmp_path), str(tmp_path)], streaming=True)
