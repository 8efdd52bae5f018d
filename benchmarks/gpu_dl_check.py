"""GPU check for distributed training: a few data-parallel steps with ``useGpu=True`` against CPU.

Self-contained (no network, no files): synthetic 64x64 RGB images whose class is the brightest quadrant, the
DeepVisionClassifier CNN, Adam. Starts a ``local[N]`` Spark session whose driver owns the machine's GPUs
(``spark.driver.resource.gpu.*`` with a discovery script written to a temp folder, ``nvidia-smi`` listing the
GPUs), runs :class:`~mmlspark_py.dl.TensorFlowDistributor` with ``useGpu=True`` on ``min(2, GPUs)`` processes
(each gets its own GPU through ``CUDA_VISIBLE_DEVICES``), then the same with ``useGpu=False``, and prints the
steady-state samples/s of both and the speed-up. Each worker reports the GPU TensorFlow placed it on.

    python benchmarks/gpu_dl_check.py [--steps 60] [--batch 256]
    python benchmarks/gpu_dl_check.py --dry-run      # both runs on CPU: checks the script without a GPU

Exits 0 after printing why when there is nothing to check (no ``nvidia-smi`` GPU, or a TensorFlow without
CUDA: install ``tensorflow[and-cuda]``), 1 when a run fails or does not learn.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def synthetic(n: int, size: int = 64, seed: int = 0):
    """Noise images (NHWC float) with one brighter quadrant; the label is that quadrant."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 0.6, size=(n, size, size, 3)).astype(np.float32)
    y = rng.integers(0, 4, size=n)
    half = size // 2
    for i, label in enumerate(y):
        r, c = divmod(int(label), 2)
        x[i, r * half : (r + 1) * half, c * half : (c + 1) * half] += 0.4
    return x, y.astype(np.int64)


def train_steps(x, y, steps: int, batch: int):
    """Runs in each worker: the CNN, ``steps`` data-parallel steps; returns rate, losses and the device."""
    import keras
    import tensorflow as tf

    from mmlspark_py.dl import DataParallelTrainer, local_batch_size, make_strategy, worker_info
    from mmlspark_py.dl.vision_training import VisionTrainingConfig, build_network

    strategy = make_strategy()
    info = worker_info()
    config = VisionTrainingConfig(
        backbone="cnn",
        inputShape=(3, x.shape[1], x.shape[2]),
        numClasses=4,
        epochs=1,
        batchSize=batch,
        learningRate=1e-3,
        validationFraction=0.0,
        seed=0,
    )
    with strategy.scope():
        model = build_network(config)
        optimizer = keras.optimizers.Adam(1e-3)
    xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    trainer = DataParallelTrainer(strategy, model, optimizer, lambda a, b, t: xent(b, model(a, training=t)), batch)
    size = local_batch_size(batch, info.rank, info.size)
    rng = np.random.default_rng(info.rank)
    losses, warmup, start = [], 5, 0.0
    for step in range(steps + warmup):
        if step == warmup:
            start = time.perf_counter()
        rows = rng.integers(0, len(x), size)
        losses.append(trainer.train_step(x[rows], y[rows]))
    seconds = time.perf_counter() - start
    device = model.trainable_variables[0].value.device if hasattr(model.trainable_variables[0], "value") else "?"
    print(
        f"rank {info.rank}: CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r} "
        f"GPUs seen by TensorFlow={tf.config.list_physical_devices('GPU')} variables on {device}",
        flush=True,
    )
    return {
        "samplesPerSecond": steps * batch / seconds,
        "first": float(np.mean(losses[:5])),
        "last": float(np.mean(losses[-5:])),
        "device": device,
    }


def gpu_count() -> int:
    if shutil.which("nvidia-smi") is None:
        return 0
    done = subprocess.run(
        ["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"], capture_output=True, text=True, check=False
    )
    return len([line for line in done.stdout.splitlines() if line.strip()]) if done.returncode == 0 else 0


def discovery_script(folder: str) -> str:
    path = os.path.join(folder, "gpus.sh")
    with open(path, "w") as f:
        f.write(
            "#!/usr/bin/env bash\nADDRS=$(nvidia-smi --query-gpu=index --format=csv,noheader | "
            'sed \'s/.*/"&"/\' | paste -sd, -)\necho "{\\"name\\": \\"gpu\\", \\"addresses\\": [$ADDRS]}"\n'
        )
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--images", type=int, default=4096)
    parser.add_argument("--dry-run", action="store_true", help="both runs on CPU (no GPU needed)")
    args = parser.parse_args()
    gpus = gpu_count()
    print(f"nvidia-smi GPUs: {gpus}", flush=True)
    if not args.dry_run:
        import tensorflow as tf

        print(f"TensorFlow {tf.__version__}, built with CUDA: {tf.test.is_built_with_cuda()}", flush=True)
        if gpus == 0 or not tf.test.is_built_with_cuda():
            print(
                "gpu_dl_check: nothing to check: no GPU, or this TensorFlow has no CUDA (install "
                "'tensorflow[and-cuda]'); run with --dry-run to check the script on CPU"
            )
            return 0
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.environ.get("PYTHONPATH")])
    )
    from mmlspark_py.core.session import get_spark
    from mmlspark_py.dl import TensorFlowDistributor

    workers = 1 if args.dry_run else min(2, gpus)
    tmp = tempfile.mkdtemp(prefix="gpu_dl_check-")
    conf = {"spark.ui.enabled": "false"}
    if not args.dry_run:
        conf.update(
            {
                "spark.driver.resource.gpu.amount": str(gpus),
                "spark.driver.resource.gpu.discoveryScript": discovery_script(tmp),
            }
        )
    spark = get_spark(f"local[{max(2, workers)}]", "gpu_dl_check", conf)
    x, y = synthetic(args.images)
    try:
        gpu = TensorFlowDistributor(workers, useGpu=not args.dry_run).run(train_steps, x, y, args.steps, args.batch)
        cpu = TensorFlowDistributor(workers, useGpu=False).run(train_steps, x, y, args.steps, args.batch)
    finally:
        spark.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"gpu" if not args.dry_run else "cpu(dry-run)": gpu, "cpu": cpu}))
    learned = gpu["last"] < gpu["first"] and cpu["last"] < cpu["first"]
    label = "GPU" if not args.dry_run else "CPU (dry run, as GPU)"
    print(
        f"gpu_dl_check: {workers} worker(s); {label} {gpu['samplesPerSecond']:.0f} samples/s, CPU "
        f"{cpu['samplesPerSecond']:.0f} samples/s, speed-up {gpu['samplesPerSecond'] / cpu['samplesPerSecond']:.2f}x; "
        f"loss {gpu['first']:.3f} -> {gpu['last']:.3f} ({'learning' if learned else 'NOT learning'})"
    )
    return 0 if learned else 1


if __name__ == "__main__":
    sys.exit(main())
