"""SuperpixelTransformer: the same clusters as SynapseML's algorithm (a plain transcription here), on Spark."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from pyspark.sql.types import BinaryType, IntegerType, StructField, StructType
from skimage import data as skdata

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row
from mmlspark_py.image import SuperpixelTransformer
from mmlspark_py.image.superpixel import superpixel_clusters


def _java_int(value):
    return 0 if math.isnan(value) else int(value)


def synapseml_superpixels(rgb, cell, modifier):
    """SynapseML's Superpixel class, transcribed loop for loop: per cluster, its (x, y) pixels in row-major order."""
    height, width = rgb.shape[:2]
    red, green, blue = (rgb[:, :, k].astype(int).ravel().tolist() for k in range(3))
    distances, labels = [float(2**31 - 1)] * (height * width), [-1] * (height * width)
    means, even, y = [], False, cell / 2
    while y < height:
        x = cell / 2.0 if even else cell
        even = not even
        while x < width:
            pos = int(x + y * width)
            means.append([red[pos], green[pos], blue[pos], float(int(x)), float(int(y))])
            x += cell
        y += cell
    inv = 1.0 / ((cell / modifier) * (cell / modifier))
    members = []
    for _ in range(50):
        changed = False
        for cid, (r, g, b, cx, cy) in enumerate(means):
            for py in range(max(_java_int(cy - cell), 0), min(_java_int(cy + cell), height)):
                for px in range(max(_java_int(cx - cell), 0), min(_java_int(cx + cell), width)):
                    pos = px + width * py
                    colour = (
                        (r - red[pos]) * (r - red[pos])
                        + (g - green[pos]) * (g - green[pos])
                        + (b - blue[pos]) * (b - blue[pos])
                    )
                    d = math.sqrt(colour) + math.sqrt(((cx - px) * (cx - px) + (cy - py) * (cy - py)) * inv)
                    if d < distances[pos] and labels[pos] != cid:
                        distances[pos], labels[pos], changed = d, cid, True
        members = [[] for _ in means]
        sums = [[0.0] * 5 for _ in means]
        for py in range(height):
            for px in range(width):
                pos = px + py * width
                members[labels[pos]].append((px, py))
                for k, v in enumerate((red[pos], green[pos], blue[pos], px, py)):
                    sums[labels[pos]][k] += v
        for cid, total in enumerate(sums):
            reciprocal = 1 / len(members[cid]) if members[cid] else math.inf
            means[cid] = [v * reciprocal for v in total]  # 0 * inf = NaN for an empty cluster, as in Java
        if not changed:
            break
    return members


@pytest.mark.parametrize("cell, modifier", [(6.0, 20.0), (5.0, 130.0), (7.5, 40.0)])
def test_clusters_equal_synapseml_algorithm(cell, modifier):
    rgb = cv2.resize(skdata.astronaut(), (26, 21), interpolation=cv2.INTER_AREA)
    got = superpixel_clusters(rgb, cell, modifier)
    want = synapseml_superpixels(rgb, cell, modifier)
    assert [[(int(i % 26), int(i // 26)) for i in c] for c in got] == want
    assert sorted(int(i) for c in got for i in c) == list(range(26 * 21))


def test_transformer_on_images_and_bytes(spark):
    bgr = cv2.resize(cv2.cvtColor(skdata.coffee(), cv2.COLOR_RGB2BGR), (30, 20), interpolation=cv2.INTER_AREA)
    grey = cv2.resize(skdata.camera(), (12, 10))
    rows = [
        (0, to_image_row(bgr, "coffee")),
        (1, to_image_row(grey, "camera")),
        (2, None),
        (3, to_image_row(np.zeros((3, 3, 3), np.uint8), "tiny")),
    ]
    df = spark.createDataFrame(rows, StructType([StructField("id", IntegerType()), StructField("image", IMAGE_SCHEMA)]))
    stage = SuperpixelTransformer(inputCol="image", outputCol="sp", cellSize=8.0, modifier=50.0, errorCol="why")
    out = {r.id: r for r in stage.transform(df).collect()}
    expected = synapseml_superpixels(bgr[:, :, ::-1], 8.0, 50.0)
    assert [[(p._1, p._2) for p in c] for c in out[0].sp.clusters] == expected
    expected_grey = synapseml_superpixels(np.repeat(grey[:, :, None], 3, axis=2), 8.0, 50.0)
    assert [[(p._1, p._2) for p in c] for c in out[1].sp.clusters] == expected_grey
    assert out[2].sp is None and out[2].why is None
    assert out[3].sp is None and "too small" in out[3].why
    blobs = spark.createDataFrame(
        [(cv2.imencode(".png", bgr)[1].tobytes(),), (b"junk",)], StructType([StructField("bytes", BinaryType())])
    )
    got = SuperpixelTransformer(inputCol="bytes", outputCol="sp", cellSize=8.0, modifier=50.0).transform(blobs)
    results = [r.sp for r in got.collect()]
    assert [[(p._1, p._2) for p in c] for c in results[0].clusters] == expected and results[1] is None
