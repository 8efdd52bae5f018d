"""Training throughput of DeepVisionClassifier on 1 and 2 workers against plain Keras ``model.fit``.

The same data (Fashion-MNIST from Debian's ``dataset-fashion-mnist``, or scikit-learn digits with ``--digits``),
the same network (:func:`mmlspark_py.dl.vision_training.build_network`), optimiser, schedule, global batch and
epochs. The baseline is ``model.fit`` on numpy arrays in this one process (TensorFlow uses every core); ours
runs on ``local[2]`` with one training process per barrier task (``spark.task.cpus=1`` thread each).

Prints, in one run (compare ratios, not absolute figures):

* ``dl_training_1w`` / ``dl_training_2w``: steady-state samples/s (median epoch after the first) vs the
  baseline's, and the 2-worker / 1-worker ratio;
* end-to-end fit time (Spark jobs, image decoding, process start, ONNX export included) vs ``model.fit``;
* time to the target validation accuracy (``--target``) for each.

Usage::

    python benchmarks/dl_training.py                 # 10,000 Fashion-MNIST images, 4 epochs, target 0.85
    python benchmarks/dl_training.py --digits --epochs 8 --target 0.95
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tests.dl.data import digits, fashion, image_df


def baseline(x: np.ndarray, y: np.ndarray, args, classes: int):
    """Plain Keras: model.fit in this process; per-epoch seconds and validation accuracy."""
    import keras

    from mmlspark_py.dl.vision_training import VisionTrainingConfig, build_network

    config = VisionTrainingConfig(
        backbone="cnn",
        inputShape=(1, x.shape[1], x.shape[2]),
        numClasses=classes,
        epochs=args.epochs,
        batchSize=args.batch,
        learningRate=args.lr,
        validationFraction=args.validation,
        seed=1,
    )
    keras.utils.set_random_seed(1)
    order = np.random.default_rng(1).permutation(len(x))
    n_val = int(len(x) * args.validation)
    val, train = order[:n_val], order[n_val:]
    images = (x.astype(np.float32) / 255)[..., None]
    steps = -(-len(train) // args.batch)
    model = build_network(config)
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, args.epochs * steps, alpha=0.01)
    model.compile(
        keras.optimizers.Adam(schedule),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    marks = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            marks.append((time.perf_counter() - self.start, logs["val_accuracy"], time.perf_counter()))

    start = time.perf_counter()
    model.fit(
        images[train],
        y[train],
        batch_size=args.batch,
        epochs=args.epochs,
        verbose=0,
        shuffle=True,
        validation_data=(images[val], y[val]),
        callbacks=[Clock()],
    )
    total = time.perf_counter() - start
    rates = [len(train) / seconds for seconds, _, _ in marks]
    to_target = next((end - start for _, acc, end in marks if acc >= args.target), float("nan"))
    return statistics.median(rates[1:] or rates), total, to_target, marks[-1][1]


def ours(spark, df, workers: int, args, start_wall: float):
    from mmlspark_py.dl import DeepVisionClassifier

    clf = DeepVisionClassifier(
        imageHeight=args.size,
        imageWidth=args.size,
        imageChannels=1,
        epochs=args.epochs,
        batchSize=args.batch,
        learningRate=args.lr,
        numWorkers=workers,
        seed=1,
        validationFraction=args.validation,
    )
    start = time.perf_counter()
    model = clf.fit(df)
    total = time.perf_counter() - start
    history = model.getHistory()
    rates = [h["samplesPerSecond"] for h in history]
    # time to target: the fit's fixed costs (everything but the epochs) plus the epochs up to the target
    fixed = total - sum(h["seconds"] for h in history)
    cumulative, to_target = fixed, float("nan")
    for h in history:
        cumulative += h["seconds"]
        if h.get("val_accuracy", 0.0) >= args.target:
            to_target = cumulative
            break
    return statistics.median(rates[1:] or rates), total, to_target, history[-1].get("val_accuracy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", action="store_true", help="scikit-learn digits instead of Fashion-MNIST")
    parser.add_argument("--train", type=int, default=10_000, help="training images (Fashion-MNIST)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--validation", type=float, default=0.1)
    parser.add_argument("--target", type=float, default=0.85)
    args = parser.parse_args()
    if args.digits:
        x, y = digits()
        args.size = 8
    else:
        x, y = fashion("train", args.train)
        args.size = 28
    classes = int(y.max()) + 1
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.environ.get("PYTHONPATH")])
    )
    from mmlspark_py.core.session import get_spark

    spark = get_spark(
        "local[2]", "dl_training_benchmark", {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"}
    )
    df = image_df(spark, x, y).cache()
    df.count()
    print(
        f"data: {len(x)} images {x.shape[1]}x{x.shape[2]}, {classes} classes, {args.epochs} epochs, "
        f"global batch {args.batch}; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results = {n: ours(spark, df, n, args, time.time()) for n in (1, 2)}
    base_rate, base_total, base_target, base_acc = baseline(x, y, args, classes)
    for n, (rate, total, to_target, acc) in results.items():
        print(
            f"dl_training_{n}w: ratio={rate / base_rate:.2f} (ours {rate:.0f} samples/s, baseline model.fit "
            f"{base_rate:.0f} samples/s); end-to-end fit {total:.1f}s vs {base_total:.1f}s "
            f"(ratio {base_total / total:.2f}); time to val accuracy {args.target}: {to_target:.1f}s vs "
            f"{base_target:.1f}s; final val accuracy {acc:.4f} vs {base_acc:.4f}"
        )
    print(
        f"dl_training_scaling: ratio={results[2][0] / results[1][0]:.2f} (2 workers {results[2][0]:.0f} samples/s, "
        f"1 worker {results[1][0]:.0f} samples/s); load average {os.getloadavg()[0]:.1f}"
    )
    spark.stop()


if __name__ == "__main__":
    main()
