"""The training process: what one worker of a :class:`TensorFlowDistributor` job runs, and what it knows.

Each worker is a fresh Python process (``python -m mmlspark_py.dl.worker_entry``) started by a
barrier task (or by the driver in local mode), so TensorFlow's one-per-process state (its collective runtime,
its GPU choice, its thread pools) starts clean on every run and every retry. The launcher prepares ``WORKDIR``:

* ``worker.json``: this worker's :class:`WorkerInfo` (rank, the cluster's ``host:port`` list, GPUs, ...);
* ``payload.pkl``: the training function and its arguments, cloudpickled by the driver that submitted them.

and the environment: ``TF_CONFIG`` (the multi-worker cluster, this task's index), ``CUDA_VISIBLE_DEVICES``
(the task's GPUs, or none), ``TF_NUM_INTRAOP_THREADS``/``OMP_NUM_THREADS`` (the task's CPUs). The worker calls
the function (with a :class:`~mmlspark_py.dl.shard.DataShard` first when the job reads a DataFrame) and rank 0
writes its return value, cloudpickled, to ``result.pkl`` for the driver. Its stdout/stderr are the job's logs.

Inside the training function, :func:`worker_info` tells the worker who it is::

    info = worker_info()
    if info.rank == 0:
        print("chief of", info.size, "workers")
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import List, Optional

WORKER_FILE_ENV = "MMLSPARK_DL_WORKER_FILE"
WORKER_FILE = "worker.json"
PAYLOAD_FILE = "payload.pkl"
RESULT_FILE = "result.pkl"
SHARD_FILE = "shard.arrow"


class WorkerSetupError(RuntimeError):
    """The training process could not start as asked (e.g. useGpu but TensorFlow sees no GPU)."""


@dataclass(frozen=True)
class WorkerInfo:
    """Who this training process is.

    :param rank: index of this worker, 0..size-1 (rank 0's return value goes back to the driver).
    :param cluster: ``host:port`` of every worker's TensorFlow server, by rank (TF_CONFIG holds the same).
    :param gpus: the GPU ids this worker may use (CUDA_VISIBLE_DEVICES), empty without ``useGpu``.
    :param threads: CPU threads this worker should use (the task's ``spark.task.cpus``).
    :param rowsPerRank: with a DataFrame, the row count of every worker's shard; else empty.
    :param shardPath: with a DataFrame, this worker's shard file; else None.
    """

    rank: int
    cluster: List[str]
    gpus: List[str] = field(default_factory=list)
    useGpu: bool = False
    threads: int = 1
    rowsPerRank: List[int] = field(default_factory=list)
    shardPath: Optional[str] = None

    @property
    def size(self) -> int:
        return len(self.cluster)

    def tf_config(self) -> str:
        """The ``TF_CONFIG`` JSON of this worker (empty for a single worker: no cluster to join)."""
        if self.size <= 1:
            return ""
        return json.dumps({"cluster": {"worker": list(self.cluster)}, "task": {"type": "worker", "index": self.rank}})

    def environment(self) -> dict:
        """The environment variables the training process needs, besides the launcher's own."""
        threads = str(max(1, self.threads))
        env = {
            "CUDA_VISIBLE_DEVICES": ",".join(self.gpus) if self.useGpu else "",
            "TF_NUM_INTRAOP_THREADS": threads,
            "TF_NUM_INTEROP_THREADS": threads,
            "OMP_NUM_THREADS": threads,
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            "PYTHONUNBUFFERED": "1",
        }
        tf_config = self.tf_config()
        if tf_config:
            env["TF_CONFIG"] = tf_config
        return env

    def save(self, workdir: str) -> str:
        path = os.path.join(workdir, WORKER_FILE)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(asdict(self), f)
        return path

    @classmethod
    def load(cls, path: str) -> WorkerInfo:
        with open(path, encoding="utf-8") as f:
            return cls(**json.load(f))


def worker_info() -> WorkerInfo:
    """The :class:`WorkerInfo` of the training process this is called in.

    :raises RuntimeError: outside a TensorFlowDistributor worker.
    """
    path = os.environ.get(WORKER_FILE_ENV)
    if not path:
        raise RuntimeError("worker_info() is only available inside a function run by TensorFlowDistributor")
    return WorkerInfo.load(path)
