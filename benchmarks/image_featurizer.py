"""ImageFeaturizer end to end (JPEG files -> EfficientNet-Lite0 feature vectors) against plain Python.

JPEG files (640x480, cut from scikit-image's real photos with a fixed seed) are featurized:

1. ours: ``read_images(folder)`` -> ``ImageFeaturizer`` (headless, 1280-d) on ``local[2]`` -> the ``noop``
   sink (the Python workers read, decode, resize and featurize each file in one pipelined pass);
2. baseline: the plain-Python equivalent in 2 processes (``multiprocessing``), each reading its half of the
   files, decoding with OpenCV, resizing/cropping/normalising, and running onnxruntime (1 thread) in batches.

Each side runs once to warm up, then ``--repeats`` times alternately (default 3); medians count. Prints
``image_featurizer: ratio=ours/baseline (ours X/s, baseline Y/s)`` with the load average. Worker memory at 2,000
and 20,000 images is measured by ``image_memory.py``.

    python benchmarks/image_featurizer.py [--images 1000] [--repeats 3] [--quick]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from typing import List, Tuple

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

DEFAULT_MODEL = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "models", "efficientnet_lite0.onnx"
)
BATCH = 64


def write_jpegs(folder: str, count: int, seed: int = 0) -> List[str]:
    """``count`` 640x480 JPEGs cut from scikit-image's photos (random crops and flips)."""
    import cv2
    from skimage import data

    photos = [getattr(data, n)() for n in ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field")]
    photos = [cv2.resize(p if p.ndim == 3 else np.dstack([p] * 3), (960, 720))[:, :, :3] for p in photos]
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        photo = photos[i % len(photos)]
        y, x = rng.integers(0, 240), rng.integers(0, 320)
        crop = photo[y : y + 480, x : x + 640]
        path = os.path.join(folder, f"img_{i:05d}.jpg")
        cv2.imwrite(path, np.ascontiguousarray(crop[:, ::-1] if i % 2 else crop)[:, :, ::-1])
        paths.append(path)
    return paths


def _preprocess(path: str) -> np.ndarray:
    import cv2

    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    h, w = bgr.shape[:2]
    ratio = 224 / min(h, w)
    nh, nw = max(1, math.floor(ratio * h + 0.5)), max(1, math.floor(ratio * w + 0.5))
    resized = cv2.resize(bgr, (nw, nh))
    top, left = nh // 2 - 112, nw // 2 - 112
    rgb = resized[top : top + 224, left : left + 224, ::-1].astype(np.float32)
    return ((rgb * np.float32(1 / 255) - 0.5) / 0.5).transpose(2, 0, 1)


def _baseline_worker(args) -> int:
    import onnxruntime as ort

    model, paths = args
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    node = "/Reshape_output_0"
    done = 0
    for i in range(0, len(paths), BATCH):
        batch = np.stack([_preprocess(p) for p in paths[i : i + BATCH]])
        session.run([node], {"image": batch})
        done += len(batch)
    return done


def baseline_rates(sliced_model: str, paths: List[str], repeats: int, ours=None) -> Tuple[List[float], List[float]]:
    """Baseline images/s per repeat (and ours, run alternately when ``ours`` is given)."""
    base, mine = [], []
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_baseline_worker, [(sliced_model, paths[:8]), (sliced_model, paths[8:16])])  # warm imports
        for _ in range(repeats):
            if ours is not None:
                mine.append(ours())
            start = time.perf_counter()
            done = sum(pool.map(_baseline_worker, [(sliced_model, paths[0::2]), (sliced_model, paths[1::2])]))
            base.append(done / (time.perf_counter() - start))
    return base, mine


def sliced_model_file(model: str, folder: str) -> str:
    """The model with the feature node as an output, so the baseline computes exactly what ours does."""
    from mmlspark_py.onnx.graph import prepare_model

    path = os.path.join(folder, "features.onnx")
    with open(model, "rb") as f, open(path, "wb") as out:
        out.write(prepare_model(f.read(), ["/Reshape_output_0"]).data)
    return path


def featurizer(model: str):
    from mmlspark_py.onnx import ImageFeaturizer

    return (
        ImageFeaturizer(
            inputCol="image",
            outputCol="features",
            channelNormalizationMeans=[0.5] * 3,
            channelNormalizationStds=[0.5] * 3,
            miniBatchSize=BATCH,
        )
        .setModelLocation(model)
        .setDeviceType("CPU")
    )


def ours_rate(spark, model: str, folder: str, count: int) -> float:
    from mmlspark_py.image import read_images

    stage = featurizer(model)
    start = time.perf_counter()
    stage.transform(read_images(folder)).select("origin", "features").write.format("noop").mode("overwrite").save()
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--quick", action="store_true", help="128 images (a smoke run)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.images, args.repeats = 128, 1

    from mmlspark_py.core.session import get_spark

    model = os.path.abspath(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "jpegs")
        os.makedirs(folder)
        paths = write_jpegs(folder, args.images)
        spark = get_spark("local[2]", "image_featurizer", {"spark.driver.memory": "4g"})
        sliced = sliced_model_file(model, tmp)
        ours_rate(spark, model, folder, len(paths))  # warm-up: workers, session, page cache
        base, ours = baseline_rates(sliced, paths, args.repeats, lambda: ours_rate(spark, model, folder, len(paths)))
    o, b = statistics.median(ours), statistics.median(base)
    print(
        f"  ours runs (img/s): {', '.join(f'{r:.1f}' for r in ours)}; baseline: {', '.join(f'{r:.1f}' for r in base)}"
    )
    print(
        f"image_featurizer: ratio={o / b:.2f} (ours {o:.1f}/s, baseline {b:.1f}/s) images={len(paths)} "
        f"median of {args.repeats}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
