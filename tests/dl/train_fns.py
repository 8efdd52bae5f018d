"""Training functions the dl tests run in TensorFlowDistributor workers (pickled by value: workers need not
import the tests package)."""

from __future__ import annotations

import os
import sys
import time

import numpy as np
from pyspark import cloudpickle

cloudpickle.register_pickle_by_value(sys.modules[__name__])


def whoami(tag):
    """Rank, cluster and environment of the worker, and a line on stdout and one on stderr."""
    from mmlspark_py.dl import worker_info

    info = worker_info()
    print(f"stdout line of rank {info.rank} tag={tag}", flush=True)
    print(f"stderr line of rank {info.rank} tag={tag}", file=sys.stderr, flush=True)
    return {
        "rank": info.rank,
        "size": info.size,
        "cluster": info.cluster,
        "tag": tag,
        "tf_config": os.environ.get("TF_CONFIG"),
        "cuda": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "threads": os.environ.get("TF_NUM_INTRAOP_THREADS"),
    }


def fail_on_rank(rank_to_fail):
    from mmlspark_py.dl import worker_info

    if worker_info().rank == rank_to_fail:
        print("about to fail on purpose", flush=True)
        raise ValueError(f"planned failure on rank {rank_to_fail}")
    time.sleep(60)  # the others would wait for the failed one; the launcher must stop them
    return "should have been stopped"


def shard_summary(shard, column):
    """Sum and count of ``column`` in this worker's shard; rank 0 returns every rank's, via the files."""
    table = shard.table()
    values = table.column(column).to_pylist()
    return {
        "rank": shard.rank,
        "rows": shard.rows,
        "rowsPerRank": list(shard.rowsPerRank),
        "sum": sum(values),
        "columns": table.schema.names,
    }


def sgd_steps(x, y, steps, global_batch, out_dir, seed=3):
    """Plain SGD on a small dense net; each worker takes its slice of every global batch.

    Ranks seed their initialisation differently: equal final weights on every rank (and equal to a single
    process on the whole batches) show that initial values are broadcast and gradients summed across workers.
    """
    import keras

    from mmlspark_py.dl import local_batch_size, worker_info
    from mmlspark_py.dl.data_parallel import DataParallelTrainer, make_strategy

    strategy = make_strategy()
    info = worker_info()
    keras.utils.set_random_seed(seed + 1000 * info.rank)
    with strategy.scope():
        model = keras.Sequential(
            [
                keras.Input((x.shape[1],)),
                keras.layers.Dense(16, activation="tanh"),
                keras.layers.Dense(int(y.max()) + 1),
            ]
        )
        optimizer = keras.optimizers.SGD(0.2)
    xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    trainer = DataParallelTrainer(
        strategy, model, optimizer, lambda xs, ys, training: xent(ys, model(xs, training=training)), global_batch
    )
    sizes = [local_batch_size(global_batch, r, info.size) for r in range(info.size)]
    offset = sum(sizes[: info.rank])
    losses = []
    for step in range(steps):
        lo = step * global_batch + offset
        losses.append(trainer.train_step(x[lo : lo + sizes[info.rank]], y[lo : lo + sizes[info.rank]]))
    weights = np.concatenate([np.asarray(w).ravel() for w in model.get_weights()])
    np.save(os.path.join(out_dir, f"weights-{info.size}-{info.rank}.npy"), weights)
    return {"weights": weights, "losses": losses}


def keras_logits(archive, x_nchw):
    """Logits of a ``.keras`` archive (channels-last network) on CxHxW tensors, in a fresh TF process."""
    import tempfile

    import keras

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        with open(path, "wb") as f:
            f.write(archive)
        model = keras.models.load_model(path, compile=False)
    return np.asarray(model(x_nchw.transpose(0, 2, 3, 1), training=False))
