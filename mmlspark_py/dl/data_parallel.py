"""Data-parallel Keras 3 training under ``MultiWorkerMirroredStrategy``: a custom loop that works.

Keras 3's ``model.fit`` fails under ``tf.distribute.MultiWorkerMirroredStrategy`` (``ValueError: Attempt to
convert a value (PerReplica...)``; keras-team/keras#20585). A custom training loop under the strategy does
work: variables created in ``strategy.scope()`` are mirrored (their initial values broadcast from worker 0),
each worker computes gradients on its own batch inside ``strategy.run``, and the Keras 3 optimizer all-reduces
(sums) them across workers before applying, so every worker takes the same step. With the loss divided by the
*global* batch size, N workers on N slices of a batch take exactly the step one process takes on the whole
batch (tests/dl checks this against a single process).

:class:`DataParallelTrainer` is that loop, plus:

* evaluation summed over every worker's rows (weight-0 padding rows count for nothing);
* per-epoch checkpoints (:mod:`mmlspark_py.dl.checkpoint`) written by rank 0, and resume: every worker loads
  the newest checkpoint and the workers check they all found the same epoch;
* an epoch log line on rank 0 (streamed to the driver): loss, validation metrics, samples/s.

TensorFlow is imported when a trainer is built (inside training processes), not with this module.

Example (inside a function run by :class:`~mmlspark_py.dl.TensorFlowDistributor`)::

    strategy = make_strategy()
    with strategy.scope():
        model = build_model()
        optimizer = keras.optimizers.Adam(1e-3)
    xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    trainer = DataParallelTrainer(strategy, model, optimizer, lambda x, y, training: xent(y, model(x, training=training)),
                                  global_batch_size=64)
    history = trainer.fit(epochs=5, train_batches=lambda epoch: ..., checkpoints=CheckpointStore(dir, "v1"))
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from mmlspark_py.dl.checkpoint import CheckpointStore
from mmlspark_py.dl.worker import worker_info

Batch = Tuple[Any, Any, np.ndarray]  # inputs, targets, per-example weights
LossFn = Callable[[Any, Any, bool], Any]  # (inputs, targets, training) -> per-example losses [batch]
EvalFn = Callable[[Any, Any, Any], Dict[str, Any]]  # (inputs, targets, weights) -> {name: weighted sum}


class ResumeMismatchError(RuntimeError):
    """Workers found different checkpoints: checkpointDir is not one folder all of them see."""


def current_rank_and_size() -> Tuple[int, int]:
    """``(rank, size)`` inside a distributor worker, ``(0, 1)`` elsewhere."""
    try:
        info = worker_info()
    except RuntimeError:
        return 0, 1
    return info.rank, info.size


def make_strategy() -> Any:
    """``MultiWorkerMirroredStrategy`` over the job's workers, or TensorFlow's default strategy for one.

    Call it first in the training function: the strategy must exist before TensorFlow runs any op.
    """
    import tensorflow as tf

    _, size = current_rank_and_size()
    if size <= 1:
        return tf.distribute.get_strategy()
    return tf.distribute.MultiWorkerMirroredStrategy()


def _tensors(*structures: Any) -> Tuple[Any, ...]:
    """numpy structures as tensors, so tf.function traces on shapes and dtypes, never on values."""
    import tensorflow as tf

    return tuple(tf.nest.map_structure(tf.convert_to_tensor, s) for s in structures)


class DataParallelTrainer:
    """A custom Keras training loop under a ``tf.distribute`` strategy (see the module docstring).

    :param strategy: from :func:`make_strategy`; ``model``, ``optimizer`` and ``extra_variables`` must have
        been created in its scope.
    :param loss_fn: ``(inputs, targets, training) -> per-example losses`` (shape [batch]).
    :param global_batch_size: rows per step summed over all workers; the loss is divided by it.
    :param extra_variables: trainable variables outside the Keras model (e.g. CRF transitions).
    :param eval_fn: ``(inputs, targets, weights) -> {name: weighted sum}`` for evaluation; metrics are
        reported as sums divided by the number of (weight-1) rows. Default: the weighted loss only.
    """

    def __init__(
        self,
        strategy: Any,
        model: Any,
        optimizer: Any,
        loss_fn: LossFn,
        global_batch_size: int,
        extra_variables: Sequence[Any] = (),
        eval_fn: Optional[EvalFn] = None,
    ) -> None:
        import tensorflow as tf

        self.strategy = strategy
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.global_batch_size = int(global_batch_size)
        self.extra_variables = list(extra_variables)
        self.eval_fn = eval_fn or self._loss_sum
        self.rank, self.size = current_rank_and_size()
        self.trainable = list(model.trainable_variables) + self.extra_variables
        with strategy.scope():
            optimizer.build(self.trainable)
        # one trace per input structure; reduce_retracing generalises shapes (variable sequence lengths)
        self._train = tf.function(self._train_step, reduce_retracing=True)
        self._eval = tf.function(self._eval_step, reduce_retracing=True)

    # ------------------------------------------------------------------------------------------ steps
    def _loss_sum(self, inputs: Any, targets: Any, weights: Any) -> Dict[str, Any]:
        import tensorflow as tf

        return {"loss": tf.reduce_sum(self.loss_fn(inputs, targets, False) * weights)}

    def _train_step(self, inputs: Any, targets: Any, weights: Any) -> Any:
        import tensorflow as tf

        def replica(x: Any, y: Any, w: Any) -> Any:
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(self.loss_fn(x, y, True) * w) / self.global_batch_size
            grads = tape.gradient(loss, self.trainable)
            self.optimizer.apply_gradients(zip(grads, self.trainable))  # all-reduces (sums) across workers
            return loss

        per_replica = self.strategy.run(replica, args=(inputs, targets, weights))
        return self.strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    def _eval_step(self, inputs: Any, targets: Any, weights: Any) -> Dict[str, Any]:
        import tensorflow as tf

        def replica(x: Any, y: Any, w: Any) -> Dict[str, Any]:
            sums = dict(self.eval_fn(x, y, w))
            sums["count"] = tf.reduce_sum(w)
            return sums

        per_replica = self.strategy.run(replica, args=(inputs, targets, weights))
        return {k: self.strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None) for k, v in per_replica.items()}

    def train_step(self, inputs: Any, targets: Any, weights: Optional[np.ndarray] = None) -> float:
        """One step on this worker's batch (all workers must call it together); returns the global mean loss."""
        if weights is None:
            weights = np.ones(len(np.asarray(targets)), np.float32)
        inputs, targets, weights = _tensors(inputs, targets, np.asarray(weights, np.float32))
        return float(self._train(inputs, targets, weights))

    def evaluate(self, batches: Iterable[Batch]) -> Dict[str, float]:
        """Metrics over every worker's evaluation rows: ``{name: sum / rows}`` plus ``rows``."""
        totals: Dict[str, float] = {}
        for inputs, targets, weights in batches:
            for k, v in self._eval(*_tensors(inputs, targets, np.asarray(weights, np.float32))).items():
                totals[k] = totals.get(k, 0.0) + float(v)
        rows = totals.pop("count", 0.0)
        out = {k: (v / rows if rows else float("nan")) for k, v in totals.items()}
        out["rows"] = rows
        return out

    def gather(self, value: float) -> List[float]:
        """``value`` from every worker (in rank order), for agreeing on something outside a training step."""
        import tensorflow as tf

        if self.size <= 1:
            return [float(value)]
        per_replica = self.strategy.run(lambda: tf.constant([float(value)], tf.float64))
        return [float(v) for v in np.asarray(self.strategy.gather(per_replica, axis=0))]

    # ------------------------------------------------------------------------------------------ state
    def _state_variables(self) -> List[Any]:
        return list(self.model.variables) + self.extra_variables + list(self.optimizer.variables)

    def state(self) -> List[np.ndarray]:
        """Every variable's value (model, extra, optimizer), in a fixed order."""
        return [np.asarray(v.numpy()) for v in self._state_variables()]

    def load_state(self, arrays: Sequence[np.ndarray]) -> None:
        """Assign values saved by :meth:`state` (raises ValueError naming the first mismatching variable)."""
        variables = self._state_variables()
        if len(arrays) != len(variables):
            raise ValueError(
                f"the checkpoint holds {len(arrays)} arrays but the model and optimizer have {len(variables)} variables"
            )
        for v, a in zip(variables, arrays):
            if tuple(v.shape) != tuple(a.shape):
                raise ValueError(
                    f"checkpoint array of shape {a.shape} does not fit variable {v.path if hasattr(v, 'path') else v.name} "
                    f"of shape {tuple(v.shape)}"
                )
            v.assign(a)

    def resume(self, checkpoints: Optional[CheckpointStore]) -> Tuple[int, List[Dict[str, Any]]]:
        """Load the newest checkpoint (if any) on every worker; returns ``(epochs done, history)``.

        :raises ResumeMismatchError: workers found different checkpoints.
        """
        found = checkpoints.latest() if checkpoints is not None else None
        epoch = found.epoch if found is not None else 0
        everyone = self.gather(epoch)
        low, high = min(everyone), max(everyone)
        if low != high:
            raise ResumeMismatchError(
                f"workers found checkpoints of epochs {int(low)}..{int(high)} in checkpointDir "
                f"{checkpoints.directory if checkpoints else None!r}; it must be one folder every worker reads "
                "(a shared file system or HDFS/S3 URI), not a local path on each machine"
            )
        if found is None:
            return 0, []
        self.load_state(found.arrays)
        return found.epoch, list(found.meta.get("history", []))

    # -------------------------------------------------------------------------------------------- fit
    def fit(
        self,
        epochs: int,
        train_batches: Callable[[int], Iterable[Batch]],
        eval_batches: Optional[Callable[[], Iterable[Batch]]] = None,
        checkpoints: Optional[CheckpointStore] = None,
        log: Callable[[str], None] = print,
        samples_per_step: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Train until ``epochs`` epochs are done (resuming from ``checkpoints``); returns the history.

        :param train_batches: ``epoch -> batches`` of this worker (every worker yields as many).
        :param eval_batches: ``() -> batches`` for validation after each epoch (every worker as many).
        :param samples_per_step: rows per step over all workers, for samples/s (default: the global batch).
        """
        done, history = self.resume(checkpoints)
        if done and self.rank == 0 and checkpoints is not None:
            log(f"resumed from the checkpoint after epoch {done} in {checkpoints.directory}")
        for epoch in range(done, epochs):
            start, losses = time.perf_counter(), []
            for inputs, targets, weights in train_batches(epoch):
                losses.append(self.train_step(inputs, targets, weights))
            seconds = time.perf_counter() - start
            record: Dict[str, Any] = {
                "epoch": epoch + 1,
                "loss": float(np.mean(losses)) if losses else float("nan"),
                "steps": len(losses),
                "seconds": round(seconds, 3),
                "samplesPerSecond": round(
                    len(losses) * (samples_per_step or self.global_batch_size) / max(seconds, 1e-9), 1
                ),
            }
            if eval_batches is not None:
                record.update({f"val_{k}": v for k, v in self.evaluate(eval_batches()).items()})
            history.append(record)
            if checkpoints is not None and self.rank == 0:
                checkpoints.save(epoch + 1, self.state(), {"history": history})
            if self.rank == 0:
                log("epoch " + json.dumps(record))
                sys.stdout.flush()
        return history
