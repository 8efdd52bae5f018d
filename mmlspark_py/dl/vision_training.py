"""The training function of :class:`~mmlspark_py.dl.DeepVisionClassifier`, run in every worker.

Each worker reads its shard (rows of ``x``: a CxHxW float tensor, or a feature vector for the featurizer
backbone; ``y``: the class index), holds out ``validationFraction`` of it, builds the network under the
strategy and trains it with :class:`~mmlspark_py.dl.DataParallelTrainer` (Adam with the learning rate decayed
along a cosine to 1% over the run, softmax cross-entropy),
checkpointing every epoch. Batches are decoded from the memory-mapped shard step by step, so a worker's memory
holds one batch of tensors, not its whole shard. Rank 0 returns the Keras archive, the network as ONNX
(tensor in, ``logits`` out; checked against Keras with onnxruntime) and the metrics history.

Networks (:func:`build_network`):

* ``cnn``: conv(3x3, ReLU) + 2x2 max-pool blocks (32, 64, 128 filters, until the map is at most 8x8; at least
  two), dense 128 (ReLU), dropout 0.3, dense ``numClasses``; channels-last inside, the ONNX graph takes the
  CxHxW tensors that ImageTransformer produces.
* ``featurizer`` (transfer learning): dropout 0.2 and one dense layer over the frozen pretrained features.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from typing import Any, Dict, Iterator, Optional, Tuple

import numpy as np
import pyarrow as pa

from mmlspark_py.dl.shard import DataShard, ShardPart

TENSOR_COL = "x"
LABEL_COL = "y"
NETWORK_VERSION = 1


@dataclass(frozen=True)
class VisionTrainingConfig:
    """Everything a worker needs to train (plain values; shipped to the workers).

    :param inputShape: ``(C, H, W)`` for ``cnn``, ``(D,)`` for ``featurizer``.
    :param checkpointDir: folder every worker can read ('' for no checkpoints).
    :param opset: the ONNX opset of the exported network.
    """

    backbone: str
    inputShape: Tuple[int, ...]
    numClasses: int
    epochs: int
    batchSize: int
    learningRate: float
    validationFraction: float
    seed: int
    checkpointDir: str = ""
    opset: int = 17

    def fingerprint(self) -> str:
        """What a checkpoint must match to be resumed: the network, its input and classes, the optimiser."""
        key = {
            "network": NETWORK_VERSION,
            "backbone": self.backbone,
            "inputShape": list(self.inputShape),
            "numClasses": self.numClasses,
            "optimizer": "adam-cosine",
            "learningRate": self.learningRate,
            "epochs": self.epochs,
        }
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
        return f"{self.backbone}-{'x'.join(map(str, self.inputShape))}-{self.numClasses}-{digest}"


def build_network(config: VisionTrainingConfig) -> Any:
    """The Keras network for ``config`` (call inside the strategy's scope)."""
    import keras

    if config.backbone == "featurizer":
        features = keras.Input(shape=config.inputShape, name="features")
        x = keras.layers.Dropout(0.2)(features)
        return keras.Model(features, keras.layers.Dense(config.numClasses, name="logits")(x))
    channels, height, width = config.inputShape
    image = keras.Input(shape=(height, width, channels), name="image")
    x, filters, size, blocks = image, 32, min(height, width), 0
    while blocks < 2 or (size > 8 and blocks < 5):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(padding="same")(x)
        size, filters, blocks = (size + 1) // 2, min(filters * 2, 128), blocks + 1
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    x = keras.layers.Dropout(0.3)(x)
    return keras.Model(image, keras.layers.Dense(config.numClasses, name="logits")(x))


def decode_inputs(column: pa.Array, config: VisionTrainingConfig) -> np.ndarray:
    """A batch of ``x`` values as the network's input: NHWC float32 images, or [N, D] features.

    :raises ValueError: a row's tensor has another size than ``inputShape``.
    """
    values = column
    for _ in range(len(config.inputShape)):
        values = values.flatten()
    flat = values.to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    per_row = int(np.prod(config.inputShape))
    if flat.size != per_row * len(column):
        raise ValueError(
            f"a batch of {len(column)} rows holds {flat.size} values, not {per_row} per row of shape "
            f"{config.inputShape}: images of different sizes or channel counts reached training"
        )
    batch = flat.reshape((len(column),) + tuple(config.inputShape))
    return batch.transpose(0, 2, 3, 1) if config.backbone == "cnn" else batch


def _batches(
    table: pa.Table, part: ShardPart, config: VisionTrainingConfig, epoch: int
) -> Iterator[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    for rows in part.training_batches(config.batchSize, epoch, config.seed):
        batch = table.take(pa.array(rows))
        x = decode_inputs(batch.column(TENSOR_COL).combine_chunks(), config)
        yield x, batch.column(LABEL_COL).to_numpy().astype(np.int64), np.ones(len(rows), np.float32)


def _eval_batches(
    table: pa.Table, part: ShardPart, config: VisionTrainingConfig
) -> Iterator[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    for rows, weights in part.evaluation_batches(config.batchSize):
        batch = table.take(pa.array(rows))
        x = decode_inputs(batch.column(TENSOR_COL).combine_chunks(), config)
        yield x, batch.column(LABEL_COL).to_numpy().astype(np.int64), weights


def keras_archive(model: Any) -> bytes:
    """The model as ``.keras`` file bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        model.save(path)
        with open(path, "rb") as f:
            return f.read()


def export_onnx(model: Any, config: VisionTrainingConfig, samples: np.ndarray) -> bytes:
    """The trained network as ONNX: ``image`` [N, C, H, W] (or ``features`` [N, D]) -> ``logits`` [N, K]."""
    import tensorflow as tf

    from mmlspark_py.dl.onnx_export import keras_to_onnx

    if config.backbone == "featurizer":
        return keras_to_onnx(
            lambda features: {"logits": model(features, training=False)},
            {"features": ([None] + list(config.inputShape), "float32")},
            {"features": samples},
            opset=config.opset,
        )
    return keras_to_onnx(
        lambda image: {"logits": model(tf.transpose(image, [0, 2, 3, 1]), training=False)},
        {"image": ([None] + list(config.inputShape), "float32")},
        {"image": samples.transpose(0, 3, 1, 2).copy()},
        opset=config.opset,
    )


def train_vision(shard: DataShard, config: VisionTrainingConfig) -> Optional[Dict[str, Any]]:
    """Train on this worker's shard (see the module docstring); rank 0 returns the trained network."""
    from mmlspark_py.dl.checkpoint import CheckpointStore
    from mmlspark_py.dl.data_parallel import DataParallelTrainer, make_strategy

    strategy = make_strategy()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()  # the same seed and data give the same model
    table = shard.table([TENSOR_COL, LABEL_COL])
    train, validation = shard.holdout(config.validationFraction, config.seed)
    total_steps = max(1, config.epochs * train.steps(config.batchSize))
    with strategy.scope():
        model = build_network(config)
        # cosine decay to 1% of the rate: the last epochs settle instead of wandering, so runs that see the data
        # in another order (another worker count) end at the same accuracy
        schedule = keras.optimizers.schedules.CosineDecay(config.learningRate, total_steps, alpha=0.01)
        optimizer = keras.optimizers.Adam(schedule)
    xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    def loss_fn(x: Any, y: Any, training: bool) -> Any:
        return xent(y, model(x, training=training))

    def eval_fn(x: Any, y: Any, w: Any) -> Dict[str, Any]:
        logits = model(x, training=False)
        hits = tf.cast(tf.equal(tf.argmax(logits, axis=-1), tf.cast(y, tf.int64)), tf.float32)
        return {"loss": tf.reduce_sum(xent(y, logits) * w), "accuracy": tf.reduce_sum(hits * w)}

    trainer = DataParallelTrainer(strategy, model, optimizer, loss_fn, config.batchSize, eval_fn=eval_fn)
    store = CheckpointStore(config.checkpointDir, config.fingerprint()) if config.checkpointDir else None
    has_validation = sum(validation.countsPerRank) > 0
    history = trainer.fit(
        config.epochs,
        lambda epoch: _batches(table, train, config, epoch),
        (lambda: _eval_batches(table, validation, config)) if has_validation else None,
        checkpoints=store,
    )
    if shard.rank != 0:
        return None
    rows = train.indices[:32] if len(train.indices) else np.arange(min(32, shard.rows))
    samples = decode_inputs(table.column(TENSOR_COL).take(pa.array(rows)).combine_chunks(), config)
    return {
        "keras": keras_archive(model),
        "onnx": export_onnx(model, config, samples),
        "history": history,
        "rowsPerRank": list(shard.rowsPerRank),
        "config": asdict(config),
    }
