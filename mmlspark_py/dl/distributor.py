"""``TensorFlowDistributor``: run a TensorFlow training function as one multi-worker job on Spark.

``TensorFlowDistributor(numProcesses, localMode, useGpu).run(train_fn, *args, **kwargs)`` runs ``train_fn`` in
``numProcesses`` training processes that form one TensorFlow cluster (``TF_CONFIG``), so
``tf.distribute.MultiWorkerMirroredStrategy`` inside ``train_fn`` all-reduces gradients between them, and
returns rank 0's return value to the driver. The design follows pyspark's ``TorchDistributor``:

* ``localMode=False`` (default): one Spark **barrier task** per process, on the executors. Each task picks a
  free port, the tasks ``allGather`` their ``host:port`` (in partition order = rank), and each starts a fresh
  Python process with its ``TF_CONFIG`` and ``CUDA_VISIBLE_DEVICES`` (the GPUs Spark assigned to the task,
  ``TaskContext.resources()["gpu"]``). See :mod:`mmlspark_py.dl.barrier_task`.
* ``localMode=True``: the processes start on the driver's machine (no Spark job): for debugging a training
  function, or for a driver with GPUs of its own.

:meth:`runOnDataFrame` also streams a DataFrame to the workers: partition *i* (the DataFrame is repartitioned
to ``numProcesses`` partitions when it has another count) is written to worker *i*'s local disk in Arrow
batches, never collected to the driver, and ``train_fn`` receives it as a :class:`~mmlspark_py.dl.DataShard`.
A DataFrame whose plan a barrier stage cannot read directly (through ``coalesce``, ``union``, ``limit``) is
shuffled to ``numProcesses`` partitions first.

Workers' stdout/stderr stream to the driver while they run (each line prefixed ``[worker r/n]``; see
:mod:`mmlspark_py.dl.log_stream`). Inside ``train_fn``, :func:`~mmlspark_py.dl.worker_info` gives the rank.

Keras 3 (what TensorFlow >= 2.16 ships) cannot ``model.fit`` under ``MultiWorkerMirroredStrategy`` (it fails
converting a ``PerReplica`` value); :class:`~mmlspark_py.dl.DataParallelTrainer` is a custom training loop under
the strategy that does train data-parallel, with gradients all-reduced by the optimizer at every step.

Fails fast, in the driver, instead of hanging:

* fewer concurrent task slots than ``numProcesses`` (a barrier stage would wait for them; Spark's own check
  waits minutes by default): waits up to ``slotWaitSeconds`` for executors to register, then raises
  :class:`DistributorError` with the slots found;
* ``useGpu=True`` without GPU scheduling configured (``spark.task.resource.gpu.amount``), or, in local mode,
  fewer driver GPUs than processes; a worker whose TensorFlow sees no GPU fails at start.

A worker that dies (killed, out of memory, its machine lost) or whose TensorFlow loses a peer fails its barrier
task; Spark fails the stage and retries it (``spark.stage.maxConsecutiveAttempts`` times): a training function
that resumes from a checkpoint (as DeepVisionClassifier does) then continues where it was. A worker whose
function raises any other error (a bug, bad data, a checkpoint of another model, no GPU) reports it to the
driver, which stops the job at once and raises :class:`WorkerFailedError` with that error: retrying would only
repeat it.

Example::

    def train(steps):
        import tensorflow as tf
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        ...
        return model.get_weights()

    weights = TensorFlowDistributor(numProcesses=2).run(train, steps=100)
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, TextIO

from pyspark.sql import DataFrame, SparkSession

from mmlspark_py.core.spark_compat import active_session, has_jvm, num_partitions
from mmlspark_py.dl.barrier_task import RESULT_SCHEMA, TaskPlan, run_task
from mmlspark_py.dl.launcher import WorkerFailedError, WorkerProcess, free_port
from mmlspark_py.dl.log_stream import LogServer
from mmlspark_py.dl.worker import WorkerInfo

__all__ = ["TensorFlowDistributor", "DistributorError"]

GPU_TASK_CONF = "spark.task.resource.gpu.amount"


class DistributorError(RuntimeError):
    """The job cannot run as configured (not enough task slots, GPUs asked for but not configured, ...)."""


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


class TensorFlowDistributor:
    """Runs a function as one TensorFlow multi-worker job on Spark (see the module docstring).

    :param numProcesses: number of training processes (one per barrier task; one GPU each with ``useGpu``).
    :param localMode: start the processes on the driver's machine instead of in Spark tasks.
    :param useGpu: give each process its task's GPU(s) (``CUDA_VISIBLE_DEVICES``); without it, processes see
        no GPU.
    :param spark: the session (default: the active one).
    :param threadsPerProcess: CPU threads each process uses (default: ``spark.task.cpus``; in local mode the
        driver's cores divided among the processes).
    :param slotWaitSeconds: how long to wait for enough task slots (executors registering) before failing.
    :param logSink: where worker log lines go on the driver (default: ``sys.stderr``).
    :param env: extra environment variables for the training processes.
    """

    def __init__(
        self,
        numProcesses: int = 1,
        localMode: bool = False,
        useGpu: bool = False,
        *,
        spark: Optional[SparkSession] = None,
        threadsPerProcess: Optional[int] = None,
        slotWaitSeconds: float = 30.0,
        logSink: Optional[TextIO] = None,
        env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.numProcesses = _positive_int("numProcesses", numProcesses)
        self.localMode = bool(localMode)
        self.useGpu = bool(useGpu)
        self.threadsPerProcess = (
            None if threadsPerProcess is None else _positive_int("threadsPerProcess", threadsPerProcess)
        )
        self.slotWaitSeconds = float(slotWaitSeconds)
        self.logSink = logSink
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        self._spark = spark
        self.logLines: List[str] = []

    # ------------------------------------------------------------------------------------------ public
    def run(self, train_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``train_fn(*args, **kwargs)`` in every process; returns rank 0's return value.

        :raises DistributorError: the job cannot run as configured (checked before anything starts).
        :raises WorkerFailedError: (local mode) a process failed; Spark's error wraps it otherwise.
        """
        payload = self._payload(train_fn, args, kwargs)
        if self.localMode:
            return self._run_local(payload)
        spark = self._session()
        df = spark.range(0, self.numProcesses, 1, self.numProcesses)
        return self._run_barrier(df, payload, with_data=False)

    def runOnDataFrame(self, df: DataFrame, train_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``train_fn(shard, *args, **kwargs)`` in every process, ``shard`` being that worker's
        :class:`~mmlspark_py.dl.DataShard` of ``df``; returns rank 0's return value.

        :raises ValueError: in local mode (the data lives on the executors).
        """
        if self.localMode:
            raise ValueError(
                "runOnDataFrame streams partitions to barrier tasks on the executors; it needs localMode=False"
            )
        payload = self._payload(train_fn, args, kwargs)
        if num_partitions(df) != self.numProcesses:  # (unknown on Spark Connect: repartitioned)
            df = df.repartition(self.numProcesses)
        return self._run_barrier(df, payload, with_data=True)

    # ----------------------------------------------------------------------------------------- helpers
    def _session(self) -> SparkSession:
        spark = self._spark or active_session()
        if spark is None:
            raise DistributorError("TensorFlowDistributor with localMode=False needs an active SparkSession")
        return spark

    @staticmethod
    def _payload(train_fn: Callable[..., Any], args: Any, kwargs: Dict[str, Any]) -> bytes:
        if not callable(train_fn):
            raise TypeError(f"train_fn must be callable, got {type(train_fn).__name__}")
        from pyspark import cloudpickle

        return cloudpickle.dumps((train_fn, tuple(args), dict(kwargs)))

    def _sink(self) -> TextIO:
        return self.logSink or sys.stderr

    # ---------------------------------------------------------------------------------- barrier mode
    def _run_barrier(self, df: DataFrame, payload: bytes, with_data: bool) -> Any:
        spark = self._session()
        # A Spark Connect client has no SparkContext: the slot and GPU checks are left to Spark's own barrier
        # checks there, and a fatal worker error fails the job after Spark's retries instead of cancelling it.
        sc = spark.sparkContext if has_jvm(spark) else None
        driver_gpus: List[str] = []
        local_master = sc is not None and str(sc.master).startswith("local")
        if sc is not None:
            check_slots(sc, self.numProcesses, self.slotWaitSeconds)
            if self.useGpu:
                driver_gpus = check_gpu_conf(sc, self.numProcesses)
        threads = self.threadsPerProcess or int(spark.conf.get("spark.task.cpus", "1") or "1")
        arrow_schema = _arrow_schema(df) if with_data else None
        # The log server runs in this process. On a Connect client this process is not the Spark driver, so
        # spark.driver.host is not its address: it listens on the loopback, where executors on this machine
        # stream their lines; executors elsewhere keep them in their own logs.
        host = (spark.conf.get("spark.driver.host", "127.0.0.1") or "127.0.0.1") if sc is not None else "127.0.0.1"
        from pyspark import cloudpickle

        fatal: List[Dict[str, Any]] = []
        group = f"mmlspark-dl-{uuid.uuid4().hex}"

        def stop(report: Dict[str, Any]) -> None:
            # an error every retry would repeat: stop the job now rather than after Spark's stage retries
            if not fatal:
                fatal.append(report)
                if sc is not None:
                    sc.cancelJobGroup(group)

        with LogServer(host, self._sink(), stop) as logs:
            plan = TaskPlan(
                numProcesses=self.numProcesses,
                useGpu=self.useGpu,
                payload=payload,
                threads=threads,
                logAddress=logs.address,
                withData=with_data,
                arrowSchema=arrow_schema,
                driverGpus=tuple(driver_gpus),
                echo=not local_master,
                env=self.env,
            )
            saved = _job_group(sc, group)
            try:
                rows = self._collect(df, plan)
            except Exception as e:
                if fatal:
                    report = fatal[0]
                    raise WorkerFailedError(
                        f"training worker {report.get('rank')} of {self.numProcesses} failed with "
                        f"{report.get('error')}; the job was stopped rather than retried, since the error would "
                        "repeat (the worker's output is in the log lines above)"
                    ) from e
                clear = _worker_error(e)
                if clear is e:
                    raise
                raise clear from e
            finally:
                _job_group(sc, saved)
                time.sleep(0.2)  # the last lines may still be in flight from the tasks' forwarders
                self.logLines = logs.lines
        return cloudpickle.loads(b"".join(r["chunk"] for r in rows if r["rank"] == 0))

    def _collect(self, df: DataFrame, plan: TaskPlan) -> List[Any]:
        def job(frame: DataFrame) -> List[Any]:
            results = frame.mapInArrow(lambda batches: run_task(plan, batches), RESULT_SCHEMA, barrier=True)
            # Spark retries a failed barrier stage only when it is a shuffle map stage (a failed barrier
            # ResultStage aborts the job), so the results cross one (tiny) shuffle before they are collected.
            return results.repartition(1).collect()

        try:
            return job(df)
        except Exception as e:
            # A barrier stage cannot read through coalesce/union/limit (RDDs with other partition counts); a
            # shuffle to numProcesses partitions puts a stage boundary before it.
            if not plan.withData or "BarrierJobUnsupportedRDDChainException" not in str(e):
                raise
        return job(df.repartition(self.numProcesses))

    # ------------------------------------------------------------------------------------ local mode
    def _run_local(self, payload: bytes) -> Any:
        gpus = local_gpus(self._spark or active_session(), self.numProcesses) if self.useGpu else []
        threads = self.threadsPerProcess or max(1, (os.cpu_count() or 1) // self.numProcesses)
        cluster = [f"127.0.0.1:{free_port('127.0.0.1')}" for _ in range(self.numProcesses)]
        root = tempfile.mkdtemp(prefix="mmlspark-dl-local-")
        sink, lock = self._sink(), threading.Lock()
        self.logLines = []

        def writer(rank: int) -> Callable[[str], None]:
            def on_line(line: str) -> None:
                text = f"[worker {rank}/{self.numProcesses}] {line}"
                with lock:
                    self.logLines.append(text)
                    sink.write(text + "\n")
                    sink.flush()

            return on_line

        processes = [
            WorkerProcess(
                WorkerInfo(
                    rank=r, cluster=cluster, gpus=[gpus[r]] if gpus else [], useGpu=self.useGpu, threads=threads
                ),
                os.path.join(root, str(r)),
                payload,
                writer(r),
                self.env,
            )
            for r in range(self.numProcesses)
        ]
        try:
            for p in processes:
                p.start()
            _wait_all(processes)
            return _loads(processes[0].result())
        finally:
            for p in processes:
                p.kill()
            shutil.rmtree(root, ignore_errors=True)


_GROUP_PROPERTIES = ("spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel")


def _job_group(sc: Any, group: Any) -> Any:
    """Put this thread's Spark jobs in ``group`` (a name, or the properties returned before); returns the
    properties it replaced."""
    if sc is None:
        return None
    saved = {name: sc.getLocalProperty(name) for name in _GROUP_PROPERTIES}
    values = (
        group
        if isinstance(group, dict)
        else {
            "spark.jobGroup.id": group,
            "spark.job.description": "TensorFlowDistributor training",
            "spark.job.interruptOnCancel": "true",
        }
    )
    for name, value in values.items():
        sc.setLocalProperty(name, value)
    return saved


_OUR_ERRORS = re.compile(
    r"(WorkerFailedError|TaskSetupError|WorkerSetupError): (.*?)(?=\n\tat |\n\s+at org\.| SQLSTATE|\Z)", re.S
)


def _worker_error(error: Exception) -> Exception:
    """The training error inside Spark's job failure, as a short exception (the original stays its cause)."""
    found = _OUR_ERRORS.findall(str(error))
    if not found:
        return error
    kind, message = found[-1]
    return (WorkerFailedError if kind == "WorkerFailedError" else DistributorError)(message.strip())


def _loads(data: bytes) -> Any:
    from pyspark import cloudpickle

    return cloudpickle.loads(data)


def _wait_all(processes: List[WorkerProcess]) -> None:
    """Wait for every process; when one fails, stop the others (they would wait for it forever) and raise."""
    while True:
        codes = [p.poll() for p in processes]
        failed = [p for p, c in zip(processes, codes) if c not in (None, 0)]
        if failed:
            for p in processes:
                p.kill()
            failed[0].check()
        if all(c == 0 for c in codes):
            for p in processes:
                p.check()
            return
        time.sleep(0.1)


def _arrow_schema(df: DataFrame) -> Optional[bytes]:
    from pyspark.sql.pandas.types import to_arrow_schema

    try:
        return to_arrow_schema(df.schema).serialize().to_pybytes()
    except Exception:  # noqa: BLE001 - types Arrow cannot describe: an empty shard then has no columns
        return None


# --------------------------------------------------------------------------------------------- checks
def check_slots(sc: Any, needed: int, wait_seconds: float) -> None:
    """Raise :class:`DistributorError` unless the application can run ``needed`` tasks at once (barrier)."""
    jsc = sc._jsc.sc()
    profile = jsc.resourceProfileManager().defaultResourceProfile()
    deadline = time.monotonic() + wait_seconds
    while True:
        slots = int(jsc.maxNumConcurrentTasks(profile))
        if slots >= needed:
            return
        if time.monotonic() >= deadline:
            cpus = sc.getConf().get("spark.task.cpus", "1")
            raise DistributorError(
                f"numProcesses={needed} needs {needed} task slots at once (a barrier stage), but this application "
                f"has {slots} (master {sc.master}, spark.task.cpus={cpus}, waited {wait_seconds:.0f} s for "
                "executors); lower numProcesses/numWorkers or give the application more executor cores"
            )
        time.sleep(0.5)


def check_gpu_conf(sc: Any, needed: int) -> List[str]:
    """For ``useGpu`` in barrier mode: the driver's GPU ids to use on a local master (else ``[]``).

    :raises DistributorError: GPU scheduling is not configured.
    """
    conf = sc.getConf()
    amount = float(conf.get(GPU_TASK_CONF, "0") or "0")
    if sc.master.startswith("local") and amount <= 0:
        gpus = _driver_gpus(sc)
        if len(gpus) < needed:
            raise DistributorError(
                f"useGpu=True on master {sc.master}: {needed} processes need {needed} GPUs but the driver has "
                f"{len(gpus)} ({gpus}); configure spark.driver.resource.gpu.amount and "
                "spark.driver.resource.gpu.discoveryScript, or use useGpu=False"
            )
        return gpus
    if amount <= 0:
        raise DistributorError(
            f"useGpu=True needs GPU scheduling: set {GPU_TASK_CONF} (e.g. 1), spark.executor.resource.gpu.amount "
            "and spark.executor.resource.gpu.discoveryScript when starting the application, or use useGpu=False"
        )
    return []


def _driver_gpus(sc: Any) -> List[str]:
    gpu = (sc.resources or {}).get("gpu")
    return list(gpu.addresses) if gpu is not None else []


def local_gpus(spark: Optional[SparkSession], needed: int) -> List[str]:
    """GPU ids for ``needed`` processes on the driver's machine (Spark's driver resources, else
    ``CUDA_VISIBLE_DEVICES``); raises :class:`DistributorError` when there are fewer."""
    gpus: List[str] = _driver_gpus(spark.sparkContext) if spark is not None and has_jvm(spark) else []
    if not gpus and os.environ.get("CUDA_VISIBLE_DEVICES"):
        gpus = [g for g in os.environ["CUDA_VISIBLE_DEVICES"].split(",") if g.strip()]
    if len(gpus) < needed:
        raise DistributorError(
            f"useGpu=True with localMode: {needed} processes need {needed} GPUs on the driver but found {len(gpus)} "
            "(spark.driver.resource.gpu.* or CUDA_VISIBLE_DEVICES); lower numProcesses or use useGpu=False"
        )
    return gpus[:needed]
