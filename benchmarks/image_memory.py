"""Peak memory of Python workers reading and featurizing many images: it must not grow with their number.

Writes N small real JPEGs (64x64 crops of skimage's astronaut), then on a fresh local[2] session runs one
pipeline over all of them (noop sink: every value computed) while a thread samples the peak resident memory
(``VmHWM`` in /proc) of every Python worker process. Each size runs in its own process so no worker carries
memory over from a previous run. Pipelines (``--pipeline``):

* ``featurize`` (default): ``read_images -> ImageFeaturizer`` (EfficientNet-Lite0, 1280-d features);
* ``augment``: ``read_images -> ImageSetAugmenter -> UnrollImage`` (pixels through the JVM and back).

Prints ``image_memory: ratio=<peak at N2 / peak at N1> (ours N2 images ..., baseline N1 images ...)``; a ratio
near 1 means worker memory is bounded by the batch, not by the data.

    python benchmarks/image_memory.py            # featurizer, 2,000 vs 20,000 images
    python benchmarks/image_memory.py --quick    # 200 vs 2,000
    python benchmarks/image_memory.py --pipeline augment
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict


def _python_workers() -> Dict[int, int]:
    """pid -> VmHWM (KiB) of every pyspark Python worker/daemon process started by this process's Spark."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"pyspark.daemon" not in cmdline and b"pyspark.worker" not in cmdline:
                continue
            if not _descends_from_us(int(pid)):  # other engineers' Spark workers run on this machine too
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out[int(pid)] = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return out


def _descends_from_us(pid: int, depth: int = 8) -> bool:
    """Whether this process is among the first ``depth`` ancestors of ``pid`` (worker -> daemon -> JVM -> us)."""
    for _ in range(depth):
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if pid == os.getpid():
            return True
    return False


def make_images(folder: Path, count: int) -> None:
    import cv2
    from skimage import data

    photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    blobs = [
        cv2.imencode(".jpg", photo[y : y + 64, x : x + 64])[1].tobytes()
        for y in range(0, 448, 64)
        for x in range(0, 448, 64)
    ]
    for i in range(count):
        (folder / f"img{i:06d}.jpg").write_bytes(blobs[i % len(blobs)])


MODEL = Path(__file__).resolve().parent.parent.parent / "shared" / "models" / "efficientnet_lite0.onnx"


def _pipeline(name: str, folder: str):
    from mmlspark_py.image import ImageSetAugmenter, UnrollImage, read_images
    from mmlspark_py.onnx import ImageFeaturizer

    images = read_images(folder)
    if name == "featurize":
        stage = ImageFeaturizer(inputCol="image", outputCol="features").setModelLocation(str(MODEL))
        return stage.setDeviceType("CPU").transform(images).select("origin", "features")
    augmented = ImageSetAugmenter(inputCol="image", outputCol="aug", flipUpDown=True).transform(images)
    return UnrollImage(inputCol="aug", outputCol="v").transform(augmented)


def child(count: int, pipeline: str) -> None:
    """Run the pipeline over ``count`` images in this process and print a JSON line of figures."""
    from mmlspark_py.core.session import get_spark

    with tempfile.TemporaryDirectory() as tmp:
        make_images(Path(tmp), count)
        spark = get_spark(
            "local[2]",
            conf={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2", "spark.driver.memory": "2g"},
        )
        peaks: Dict[int, int] = {}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                for pid, hwm in _python_workers().items():
                    peaks[pid] = max(peaks.get(pid, 0), hwm)
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.time()
        _pipeline(pipeline, tmp).write.format("noop").mode("overwrite").save()
        seconds = time.time() - start
        stop.set()
        sampler.join()
        spark.stop()
    print(
        json.dumps(
            {
                "images": count,
                "seconds": seconds,
                "workers": len(peaks),
                "peak_kib": max(peaks.values()) if peaks else 0,
            }
        )
    )


def run(count: int, pipeline: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(count), "--pipeline", pipeline],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 vs 2,000 images")
    parser.add_argument("--pipeline", choices=("featurize", "augment"), default="featurize")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.pipeline)
        return
    small_n, large_n = (200, 2000) if args.quick else (2000, 20000)
    small, large = run(small_n, args.pipeline), run(large_n, args.pipeline)
    for r in (small, large):
        print(
            f"  {r['images']} images: {r['images'] / r['seconds']:.0f} img/s through read_images -> {args.pipeline}, "
            f"{r['workers']} Python worker processes, peak worker RSS {r['peak_kib'] / 1024:.0f} MiB"
        )
    print(
        f"image_memory: ratio={large['peak_kib'] / small['peak_kib']:.2f} (ours {large_n} images: peak "
        f"{large['peak_kib'] / 1024:.0f} MiB/worker, baseline {small_n} images: {small['peak_kib'] / 1024:.0f} "
        f"MiB/worker); pipeline={args.pipeline}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
