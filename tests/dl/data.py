"""Labelled image data for the dl tests: scikit-learn digits and Debian's Fashion-MNIST, as Spark image rows."""

from __future__ import annotations

import gzip
import os
from typing import Optional, Tuple

import numpy as np
from pyspark.sql.types import IntegerType, StructField, StructType

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, to_image_row

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
SCHEMA = StructType(
    [
        StructField("id", IntegerType(), False),
        StructField("image", IMAGE_SCHEMA, True),
        StructField("label", IntegerType(), True),
    ]
)


def digits() -> Tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 8x8 digits as uint8 grey images (0..16 scaled by 16) and their labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return np.clip(d.images * 16, 0, 255).astype(np.uint8), d.target.astype(np.int64)


def fashion(split: str, limit: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST ``train`` or ``t10k`` images (uint8 [n, 28, 28]) and labels, read from the idx files."""
    with gzip.open(os.path.join(FASHION_DIR, f"{split}-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(FASHION_DIR, f"{split}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return images[:limit], labels[:limit]


def image_df(spark, images: np.ndarray, labels: np.ndarray, first_id: int = 0, partitions: int = 2):
    """A DataFrame ``id, image, label`` of grey images."""
    rows = [
        (first_id + i, to_image_row(im[:, :, None]), int(label)) for i, (im, label) in enumerate(zip(images, labels))
    ]
    return spark.createDataFrame(rows, SCHEMA).repartition(partitions, "id")


def split_indices(n: int, test_fraction: float, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = int(n * (1 - test_fraction))
    return np.sort(order[:cut]), np.sort(order[cut:])
