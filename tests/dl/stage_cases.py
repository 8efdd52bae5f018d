"""Stage-harness cases of the dl area (tiny, seeded networks: the harness fits several times and compares
outputs exactly, which training's op determinism makes hold)."""

from __future__ import annotations

from mmlspark_py.dl import DeepVisionClassifier, DeepVisionModel
from tests.dl.data import digits, image_df
from tests.harness.stage_harness import StageCase


def _cnn(spark, tmp):
    images, labels = digits()
    df = image_df(spark, images[:24], labels[:24] % 3, partitions=1)
    df = df.union(spark.createDataFrame([(99, None, 1)], df.schema))  # a null image scores null
    stage = DeepVisionClassifier(
        imageHeight=8, imageWidth=8, imageChannels=1, epochs=1, batchSize=8, seed=5, numWorkers=1
    )
    return stage, df


CASES = [
    StageCase("DeepVisionClassifier.tiny_cnn", _cnn, covers=(DeepVisionClassifier, DeepVisionModel), sort_by=("id",))
]
