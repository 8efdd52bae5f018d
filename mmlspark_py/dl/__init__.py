"""Distributed deep-learning training on Spark executors with TensorFlow (the ``tf`` extra).

- :class:`TensorFlowDistributor`: run a function as one TensorFlow multi-worker job over Spark barrier tasks
  (or on the driver), with data streamed from a DataFrame's partitions (:class:`DataShard`).
- :class:`DataParallelTrainer`: a Keras 3 custom training loop under ``MultiWorkerMirroredStrategy``
  (gradients all-reduced every step), with per-epoch checkpoints (:class:`CheckpointStore`) to resume from.
- :class:`DeepVisionClassifier` / :class:`DeepVisionModel`: image classification trained this way.
- :func:`run_training_job`: a DeepVisionClassifier training job from a plain spec (for job runners).

TensorFlow is imported only inside the training processes (and where a Keras model is used).
"""

from mmlspark_py.dl.checkpoint import CheckpointMismatchError, CheckpointStore
from mmlspark_py.dl.data_parallel import DataParallelTrainer, make_strategy
from mmlspark_py.dl.deep_vision_classifier import DeepVisionClassifier, DeepVisionModel
from mmlspark_py.dl.distributor import DistributorError, TensorFlowDistributor
from mmlspark_py.dl.launcher import WorkerFailedError
from mmlspark_py.dl.shard import DataShard, ShardPart, local_batch_size
from mmlspark_py.dl.training_job import JobSpecError, read_image_folders, run_training_job
from mmlspark_py.dl.worker import WorkerInfo, worker_info

__all__ = [
    "TensorFlowDistributor",
    "DistributorError",
    "WorkerFailedError",
    "DataShard",
    "ShardPart",
    "local_batch_size",
    "WorkerInfo",
    "worker_info",
    "DataParallelTrainer",
    "make_strategy",
    "CheckpointStore",
    "CheckpointMismatchError",
    "DeepVisionClassifier",
    "DeepVisionModel",
    "run_training_job",
    "read_image_folders",
    "JobSpecError",
]
