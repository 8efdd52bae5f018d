"""Benchmark: ImageTransformer (decode + resize + centerCrop + blur) on Spark local[2] vs a plain 2-process loop.

Both sides run the same OpenCV calls on the same 640x480 JPEG files in the same run:

* ours: ``read_images(folder)`` -> ``ImageTransformer(resize(256, keepAspectRatio=True), centerCrop(224, 224),
  blur(3, 3))`` -> the ``noop`` sink (every output image is computed, none is kept); the transformer reads the
  files in its Python workers (read_images' lazy image column). ``--path binaryfile`` times the other way in:
  ``spark.read.format("binaryFile")`` structs, the bytes read by the JVM;
* baseline: ``multiprocessing.Pool(2)``, each worker reading a file, ``cv2.imdecode`` and the same three calls.

The JPEGs (crops of skimage's photos with flips, brightness jitter and noise, so that no two are alike) are
generated once into a cache folder; generation is not timed. Each side runs once to warm up (JVM, Python
workers, page cache), then ``--repeats`` times alternately; the median time of each counts.

Spark settings of this benchmark's own session: ``arrow.maxRecordsPerBatch=64`` (the JVM feeds, Python
transforms and the JVM consumes the next batch concurrently, instead of one batch per partition) and
``files.openCostInBytes=1MB`` (about 120 small files per task instead of 31, fewer task start-ups).

On a shared machine wall-clock ratios swing with the load, so the CPU seconds each side's processes used
(JVM + Python workers vs the pool's workers, from /proc) are printed too: ``cpu_ratio`` = baseline CPU per
image / ours, the throughput ratio the two would have on two otherwise idle cores.

Usage::

    python benchmarks/image_transform.py            # 2,000 images, 3 repeats
    python benchmarks/image_transform.py --quick    # 300 images, one repeat

Prints ``image_transform: ratio=... (ours X img/s, baseline Y img/s)``; ratio = ours / baseline.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import pathlib
import statistics
import sys
import tempfile
import time
from typing import List, Tuple

import cv2
import numpy as np

WIDTH, HEIGHT = 640, 480
RESIZE, CROP, BLUR = 256, 224, 3
SOURCES = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry", "retina", "cat")


# ------------------------------------------------------------------------------------------------- data
def _sources() -> List[np.ndarray]:
    import skimage.data

    return [cv2.cvtColor(getattr(skimage.data, name)(), cv2.COLOR_RGB2BGR) for name in SOURCES]


def _variant(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random 4:3 crop of ``photo`` resized to 640x480, maybe flipped, brightness-jittered and noisy."""
    h, w = photo.shape[:2]
    ch = int(min(h, w * 3 / 4) * rng.uniform(0.6, 1.0))
    cw = int(ch * 4 / 3)
    y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
    out = cv2.resize(photo[y : y + ch, x : x + cw], (WIDTH, HEIGHT), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        out = out[:, ::-1]
    noise = rng.normal(0, 4, out.shape)
    return np.clip(out * rng.uniform(0.8, 1.2) + noise, 0, 255).astype(np.uint8)


def generate(folder: pathlib.Path, count: int) -> List[str]:
    """``count`` distinct 640x480 JPEGs in ``folder`` (kept between runs); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"img_{i:05d}.jpg" for i in range(count)]
    missing = [i for i, p in enumerate(paths) if not p.exists()]
    if missing:
        photos, rng = _sources(), np.random.default_rng(1234)
        for i in range(count):
            image = _variant(photos[i % len(photos)], rng)  # drawn for every i so the files never depend on gaps
            if i in set(missing):
                ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(80, 96))])
                tmp = paths[i].with_suffix(".tmp")
                tmp.write_bytes(buf.tobytes())
                os.replace(tmp, paths[i])  # atomic: an interrupted run never leaves half a JPEG
    return [str(p) for p in paths]


# --------------------------------------------------------------------------------------------- baseline
def _plain_ops(image: np.ndarray) -> np.ndarray:
    """resize(256, keepAspectRatio) + centerCrop(224, 224) + blur(3, 3) with OpenCV directly."""
    h, w = image.shape[:2]
    ratio = RESIZE / min(h, w)
    image = cv2.resize(image, (math.floor(w * ratio + 0.5), math.floor(h * ratio + 0.5)))
    h, w = image.shape[:2]
    y, x = h // 2 - CROP // 2, w // 2 - CROP // 2
    return cv2.blur(image[y : y + CROP, x : x + CROP], (BLUR, BLUR))


def _plain_file(path: str) -> Tuple[int, int, int]:
    with open(path, "rb") as f:
        data = np.frombuffer(f.read(), np.uint8)
    return _plain_ops(cv2.imdecode(data, cv2.IMREAD_UNCHANGED)).shape


def run_baseline(pool, paths: List[str]) -> float:
    start = time.perf_counter()
    shapes = list(pool.imap_unordered(_plain_file, paths, chunksize=16))
    elapsed = time.perf_counter() - start
    assert len(shapes) == len(paths) and all(s == (CROP, CROP, 3) for s in shapes)
    return elapsed


# -------------------------------------------------------------------------------------------------- ours
def tree_cpu_seconds() -> float:
    """CPU seconds (user + system) used so far by this process's live descendants (and children they reaped)."""
    tick, parents, cpu = os.sysconf("SC_CLK_TCK"), {}, {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = sum(int(x) for x in fields[11:15]) / tick
    total, todo = 0.0, list(parents.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo.extend(parents.get(pid, []))
    return total


def measured(run, *args) -> Tuple[float, float]:
    """(wall seconds, CPU seconds of the child processes) of ``run(*args)``."""
    cpu = tree_cpu_seconds()
    wall = run(*args)
    return wall, tree_cpu_seconds() - cpu


def spark_session():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from mmlspark_py.core.session import get_spark

    return get_spark(
        master="local[2]",
        app_name="bench-image-transform",
        conf={
            "spark.ui.enabled": "false",
            "spark.driver.memory": "2g",
            "spark.driver.extraJavaOptions": "-XX:+UseSerialGC",
            "spark.sql.execution.arrow.maxRecordsPerBatch": "64",
            "spark.sql.files.openCostInBytes": str(1 << 20),
        },
    )


def _transformer():
    from mmlspark_py.opencv import ImageTransformer

    return ImageTransformer(outputCol="out").resize(RESIZE, True).centerCrop(CROP, CROP).blur(BLUR, BLUR)


def _ours_frame(spark, folder: pathlib.Path, path: str):
    from pyspark.sql import functions as F

    from mmlspark_py.image import read_images

    if path == "read_images":
        return _transformer().setInputCol("image").transform(read_images(str(folder), pathGlobFilter="*.jpg"))
    files = spark.read.format("binaryFile").option("pathGlobFilter", "*.jpg").load(str(folder))
    return _transformer().setInputCol("file").transform(files.select(F.struct(*files.columns).alias("file")))


def run_ours(spark, folder: pathlib.Path, count: int, path: str = "read_images") -> float:
    start = time.perf_counter()
    _ours_frame(spark, folder, path).select("out").write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def check_same_pixels(spark, folder: pathlib.Path, paths: List[str], path: str) -> None:
    """Outputs of a few files equal the baseline's, so both sides do the same work."""
    from mmlspark_py.core.image_schema import to_ndarray

    some = {os.path.basename(p) for p in paths[:3]}
    rows = _ours_frame(spark, folder, path).select("out").collect()
    checked = 0
    for row in rows:
        out = row["out"]
        if os.path.basename(out["origin"]) not in some:
            continue
        got = to_ndarray(out["height"], out["width"], out["mode"], bytes(out["data"]))
        file = str(folder / os.path.basename(out["origin"]))
        want = _plain_ops(cv2.imdecode(np.fromfile(file, np.uint8), cv2.IMREAD_UNCHANGED))
        assert np.array_equal(got, want), file
        checked += 1
    assert checked == len(some) and len(rows) == len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 images, one timed repeat")
    parser.add_argument("--count", type=int, default=None, help="number of images (default 2000; quick 300)")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per side (default 3; quick 1)")
    parser.add_argument(
        "--path",
        choices=("read_images", "binaryfile"),
        default="read_images",
        help="how our side gets the files (default: read_images)",
    )
    parser.add_argument(
        "--cache",
        default=os.path.join(tempfile.gettempdir(), "mmlspark_py_bench_images"),
        help="folder of generated JPEGs (reused between runs)",
    )
    args = parser.parse_args()
    count = args.count or (300 if args.quick else 2000)
    repeats = args.repeats or (1 if args.quick else 3)
    folder = pathlib.Path(args.cache) / f"{WIDTH}x{HEIGHT}_{count}"
    paths = generate(folder, count)

    spark = spark_session()
    try:
        check_same_pixels(spark, folder, paths, args.path)
        with multiprocessing.get_context("fork").Pool(2) as pool:
            run_baseline(pool, paths), run_ours(spark, folder, count, args.path)  # warm-up
            ours, plain = [], []
            for _ in range(repeats):
                ours.append(measured(run_ours, spark, folder, count, args.path))
                plain.append(measured(run_baseline, pool, paths))
    finally:
        spark.stop()
    ours_ips, plain_ips = count / statistics.median(w for w, _ in ours), count / statistics.median(w for w, _ in plain)
    cpu_ratio = statistics.median(c for _, c in plain) / statistics.median(c for _, c in ours)
    for name, runs in (("ours", ours), ("baseline", plain)):
        print(f"  {name} runs: " + ", ".join(f"{w:.2f} s wall / {c:.2f} s CPU" for w, c in runs))
    print(
        f"image_transform: ratio={ours_ips / plain_ips:.2f} (ours {ours_ips:.0f} img/s, "
        f"baseline {plain_ips:.0f} img/s); cpu_ratio={cpu_ratio:.2f}; path={args.path}; median of {repeats}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
