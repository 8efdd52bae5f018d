"""ImageFeaturizer end to end (JPEG files -> EfficientNet-Lite0 feature vectors) against plain Python.

JPEG files (640x480, cut from scikit-image's real photos with a fixed seed) are featurized:

1. ours: ``spark.read.format("binaryFile")`` -> ``ImageFeaturizer`` (headless, 1280-d) on ``local[2]`` ->
   the ``noop`` sink;
2. baseline: the plain-Python equivalent in 2 processes (``multiprocessing``), each reading its half of the
   files, decoding with OpenCV, resizing/cropping/normalising, and running onnxruntime (1 thread) in batches.

Prints ``image_featurizer: ratio=ours/baseline (ours X/s, baseline Y/s)``. With ``--memory N`` it instead
featurizes N images (the files listed repeatedly) and samples every Python worker's RSS during the run, printing
each worker's RSS at 25/50/75/100% of the run and its peak (flat = no growth with the number of images).

    python benchmarks/image_featurizer.py [--images 1000] [--quick] [--memory 20000]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from typing import Dict, List

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

DEFAULT_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "models",
                             "efficientnet_lite0.onnx")
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
        crop = photo[y:y + 480, x:x + 640]
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
    rgb = resized[top:top + 224, left:left + 224, ::-1].astype(np.float32)
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
        batch = np.stack([_preprocess(p) for p in paths[i:i + BATCH]])
        session.run([node], {"image": batch})
        done += len(batch)
    return done


def baseline_rate(model: str, sliced_model: str, paths: List[str]) -> float:
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_baseline_worker, [(sliced_model, paths[:8]), (sliced_model, paths[8:16])])  # warm imports
        start = time.perf_counter()
        done = sum(pool.map(_baseline_worker, [(sliced_model, paths[0::2]), (sliced_model, paths[1::2])]))
        return done / (time.perf_counter() - start)


def sliced_model_file(model: str, folder: str) -> str:
    """The model with the feature node as an output, so the baseline computes exactly what ours does."""
    from mmlspark_py.onnx.graph import prepare_model

    path = os.path.join(folder, "features.onnx")
    with open(model, "rb") as f, open(path, "wb") as out:
        out.write(prepare_model(f.read(), ["/Reshape_output_0"]).data)
    return path


def featurizer(model: str):
    from mmlspark_py.onnx import ImageFeaturizer

    # dropNa=False: until core.batching marks its Arrow UDF nondeterministic, Spark pushes the dropNa filter
    # below the projection and evaluates the whole pass twice (see the report to the lead).
    return ImageFeaturizer(inputCol="content", outputCol="features", channelNormalizationMeans=[0.5] * 3,
                           channelNormalizationStds=[0.5] * 3, miniBatchSize=BATCH, dropNa=False) \
        .setModelLocation(model).setDeviceType("CPU")


def ours_rate(spark, model: str, folder: str, count: int) -> float:
    stage = featurizer(model)
    files = spark.read.format("binaryFile").load(folder).select("content")
    stage.transform(files.limit(64).repartition(2)).write.format("noop").mode("overwrite").save()  # warm-up
    start = time.perf_counter()
    stage.transform(files.repartition(2 * 4)).write.format("noop").mode("overwrite").save()
    return count / (time.perf_counter() - start)


def _python_workers() -> Dict[int, int]:
    """RSS (bytes) of each pyspark Python worker process (children of pyspark.daemon) on this machine."""
    out = {}
    me = os.getpid()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            if b"pyspark.daemon" not in cmd and b"pyspark.worker" not in cmd or int(pid) == me:
                continue
            with open(f"/proc/{pid}/status") as f:
                rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
            out[int(pid)] = rss * 1024
        except (OSError, StopIteration):
            continue
    return out


def memory_run(spark, model: str, folder: str, count: int, files: int) -> None:
    from pyspark.sql import functions as F

    repeats = math.ceil(count / files)
    base = spark.read.format("binaryFile").load(folder).select("content")
    df = spark.range(repeats).crossJoin(base).limit(count).select("content").repartition(8)
    samples: List[Dict[int, int]] = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(_python_workers())
            time.sleep(0.5)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    start = time.perf_counter()
    n = featurizer(model).transform(df).select(F.size(F.col("features").cast("string"))).count()
    elapsed = time.perf_counter() - start
    stop.set()
    thread.join()
    pids = sorted({pid for s in samples for pid in s})
    print(f"image_featurizer_memory: {n} images in {elapsed:.0f}s ({n / elapsed:.1f}/s); python workers' RSS "
          "(MiB) at 25/50/75/100% of the run, and peak:")
    for pid in pids:
        series = [s[pid] for s in samples if pid in s]
        points = [series[min(len(series) - 1, int(len(series) * q))] >> 20 for q in (0.25, 0.5, 0.75, 0.999)]
        print(f"  worker {pid}: {points} peak {max(series) >> 20}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--quick", action="store_true", help="128 images (a smoke run)")
    parser.add_argument("--memory", type=int, default=0, help="featurize this many images and report worker RSS")
    args = parser.parse_args()
    if args.quick:
        args.images = 128

    from mmlspark_py.core.session import get_spark

    model = os.path.abspath(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "jpegs")
        os.makedirs(folder)
        paths = write_jpegs(folder, min(args.images, 1000) if args.memory else args.images)
        spark = get_spark("local[2]", "image_featurizer", {"spark.driver.memory": "4g"})
        if args.memory:
            memory_run(spark, model, folder, args.memory, len(paths))
            return
        ours = ours_rate(spark, model, folder, len(paths))
        base = baseline_rate(model, sliced_model_file(model, tmp), paths)
    print(f"image_featurizer: ratio={ours / base:.2f} (ours {ours:.1f}/s, baseline {base:.1f}/s) "
          f"images={len(paths)}")


if __name__ == "__main__":
    main()
