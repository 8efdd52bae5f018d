"""What each Spark barrier task of a :class:`~mmlspark_py.dl.TensorFlowDistributor` job does (executor side).

1. With a DataFrame, stream the partition's Arrow batches into the worker's shard file on local disk.
2. Pick the task's GPUs (``TaskContext.resources()["gpu"]``; on a local master without task GPU scheduling,
   the driver's GPU of this rank) and a free port on the executor's host.
3. ``allGather`` host, port and shard size: every task learns the whole cluster, in rank (partition) order.
4. Start the training process (:class:`~mmlspark_py.dl.launcher.WorkerProcess`) with ``TF_CONFIG`` for its
   rank and ``CUDA_VISIBLE_DEVICES``; forward its output to the driver's log stream; wait for it.
5. Rank 0 returns the process's pickled result as ``(rank, chunk)`` rows of at most :data:`CHUNK_BYTES`.

A training process that fails makes its task fail with the process's last output lines; Spark then fails the
whole barrier stage (killing the other tasks, whose processes die with them) and retries it when the master
allows task retries.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

import pyarrow as pa

from mmlspark_py.dl.launcher import WorkerProcess, free_port
from mmlspark_py.dl.log_stream import Address, LogForwarder
from mmlspark_py.dl.shard import write_shard
from mmlspark_py.dl.worker import SHARD_FILE, WorkerInfo

CHUNK_BYTES = 1024 * 1024
RESULT_SCHEMA = "rank int, chunk binary"


class TaskSetupError(RuntimeError):
    """A barrier task cannot start its training process (wrong partition count, no GPU assigned, ...)."""


@dataclass(frozen=True)
class TaskPlan:
    """Plain values every barrier task needs (shipped in the task closure; no JVM objects).

    :param payload: the cloudpickled ``(train_fn, args, kwargs)``.
    :param arrowSchema: the DataFrame's Arrow schema (serialized), so an empty partition still writes a shard.
    :param driverGpus: on a local master, the driver's GPU ids, used by rank when Spark assigns tasks none.
    :param echo: also write the worker's lines to the task's stderr (the executor log); off on local masters,
        where that stderr is the driver's own and every line would show twice.
    """

    numProcesses: int
    useGpu: bool
    payload: bytes
    threads: int
    logAddress: Optional[Address] = None
    withData: bool = False
    arrowSchema: Optional[bytes] = None
    driverGpus: Tuple[str, ...] = ()
    echo: bool = True
    env: Dict[str, str] = field(default_factory=dict)


def _local_dir() -> Optional[str]:
    """The executor's own scratch folder (cleaned by Spark when the application ends), if it told us."""
    dirs = os.environ.get("SPARK_LOCAL_DIRS", "")
    first = dirs.split(",")[0] if dirs else ""
    return first if first and os.path.isdir(first) else None


def _task_gpus(ctx, plan: TaskPlan, rank: int) -> List[str]:
    gpu = ctx.resources().get("gpu")
    addresses = list(gpu.addresses) if gpu is not None else []
    if not addresses and plan.driverGpus:
        addresses = [plan.driverGpus[rank % len(plan.driverGpus)]]
    if not addresses:
        raise TaskSetupError(
            f"useGpu=True but Spark assigned no GPU to barrier task {rank}: set "
            "spark.task.resource.gpu.amount, spark.executor.resource.gpu.amount and a GPU "
            "discovery script (spark.executor.resource.gpu.discoveryScript), or useGpu=False"
        )
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible:  # Spark's addresses index the devices this executor was started with
        devices = visible.split(",")
        return [devices[int(a)] for a in addresses]
    return addresses


def _task_host(ctx, rank: int) -> str:
    address = ctx.getTaskInfos()[rank].address
    return address.rsplit(":", 1)[0] if ":" in address else address


def _drain(batches: Iterator[pa.RecordBatch]) -> None:
    for _ in batches:
        pass


def _shard(plan: TaskPlan, batches: Iterator[pa.RecordBatch], path: str) -> int:
    first = next(batches, None)
    if first is None:
        schema = pa.ipc.read_schema(pa.py_buffer(plan.arrowSchema)) if plan.arrowSchema else pa.schema([])
        return write_shard(iter(()), path, schema)
    return write_shard(_prepend(first, batches), path, first.schema)


def _prepend(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest


def run_task(plan: TaskPlan, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow(..., barrier=True)`` function of one barrier task (see the module docstring)."""
    from pyspark import BarrierTaskContext

    ctx = BarrierTaskContext.get()
    rank = ctx.partitionId()
    if ctx.getTaskInfos() and len(ctx.getTaskInfos()) != plan.numProcesses:
        raise TaskSetupError(
            f"the barrier stage has {len(ctx.getTaskInfos())} tasks but numProcesses is "
            f"{plan.numProcesses}; the input must have exactly numProcesses partitions"
        )
    workdir = tempfile.mkdtemp(prefix=f"mmlspark-dl-{ctx.stageId()}-{rank}-", dir=_local_dir())
    forwarder = LogForwarder(plan.logAddress)
    try:
        rows, shard_path = 0, None
        if plan.withData:
            shard_path = os.path.join(workdir, SHARD_FILE)
            rows = _shard(plan, batches, shard_path)
        else:
            _drain(batches)
        gpus = _task_gpus(ctx, plan, rank) if plan.useGpu else []
        host = _task_host(ctx, rank)
        mine = json.dumps({"host": host, "port": free_port(host), "rows": rows})
        everyone = [json.loads(m) for m in ctx.allGather(mine)]
        info = WorkerInfo(
            rank=rank,
            cluster=[f"{w['host']}:{w['port']}" for w in everyone],
            gpus=gpus,
            useGpu=plan.useGpu,
            threads=plan.threads,
            rowsPerRank=[int(w["rows"]) for w in everyone] if plan.withData else [],
            shardPath=shard_path,
        )
        prefix = f"[worker {rank}/{plan.numProcesses}] "

        def on_line(line: str) -> None:
            forwarder.send(prefix + line)
            if plan.echo:
                print(prefix + line, file=sys.stderr, flush=True)

        process = WorkerProcess(info, os.path.join(workdir, "worker"), plan.payload, on_line, plan.env)
        process.start()
        process.check()
        if rank == 0:
            result = process.result()
            chunks = [result[i : i + CHUNK_BYTES] for i in range(0, len(result), CHUNK_BYTES)] or [b""]
            yield pa.record_batch(
                [pa.array([0] * len(chunks), pa.int32()), pa.array(chunks, pa.binary())], names=["rank", "chunk"]
            )
    finally:
        forwarder.close()
        shutil.rmtree(workdir, ignore_errors=True)
