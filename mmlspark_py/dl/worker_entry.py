"""Entry point of a training process: ``python -m mmlspark_py.dl.worker_entry --rank R --parent-pid P WORKDIR``.

See :mod:`mmlspark_py.dl.worker` for what the launcher prepares in ``WORKDIR`` and the environment. This module
is not imported by the package (running a package's imported module with ``-m`` would load it twice).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Optional, Sequence

from mmlspark_py.dl.log_stream import FATAL_MARKER
from mmlspark_py.dl.worker import PAYLOAD_FILE, RESULT_FILE, WORKER_FILE, WORKER_FILE_ENV, WorkerInfo, WorkerSetupError


def _check_gpus(info: WorkerInfo) -> None:
    """Fail now, clearly, when GPUs were asked for but TensorFlow cannot use them."""
    import tensorflow as tf

    found = tf.config.list_physical_devices("GPU")
    if not found:
        raise WorkerSetupError(
            f"useGpu=True: Spark gave worker {info.rank} GPU(s) {info.gpus} (CUDA_VISIBLE_DEVICES="
            f"{os.environ.get('CUDA_VISIBLE_DEVICES')!r}) but TensorFlow {tf.__version__} sees none; install a "
            "CUDA build of TensorFlow (pip install 'tensorflow[and-cuda]') on the executors, or set useGpu=False"
        )
    for device in found:  # share the GPU with whatever else the executor runs instead of taking all its memory
        tf.config.experimental.set_memory_growth(device, True)


def _run(workdir: str) -> int:
    from pyspark import cloudpickle

    from mmlspark_py.dl.shard import DataShard

    info = WorkerInfo.load(os.path.join(workdir, WORKER_FILE))
    if info.useGpu:
        _check_gpus(info)
    with open(os.path.join(workdir, PAYLOAD_FILE), "rb") as f:
        fn, args, kwargs = cloudpickle.load(f)  # written by the driver that submitted this job
    if info.shardPath is not None:
        args = (DataShard(info.shardPath, info.rank, tuple(info.rowsPerRank)),) + tuple(args)
    result = fn(*args, **kwargs)
    if info.rank == 0:
        tmp = os.path.join(workdir, RESULT_FILE + ".tmp")
        with open(tmp, "wb") as f:
            cloudpickle.dump(result, f)
        os.replace(tmp, os.path.join(workdir, RESULT_FILE))
    return 0


# TensorFlow errors of a failed peer or connection: the job may succeed when Spark retries it.
TRANSIENT_TF_ERRORS = (
    "UnavailableError",
    "AbortedError",
    "CancelledError",
    "DeadlineExceededError",
    "InternalError",
    "UnknownError",
)


def transient(error: BaseException) -> bool:
    """Whether a retry might not see ``error`` again: a TensorFlow collective/connection failure (a peer died),
    or the process being stopped. Other errors (a bug, bad data, a checkpoint of another model, no GPU) would
    repeat on every retry."""
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        return True
    tf = sys.modules.get("tensorflow")
    errors = getattr(tf, "errors", None) if tf is not None else None
    return errors is not None and any(
        isinstance(error, getattr(errors, n)) for n in TRANSIENT_TF_ERRORS if hasattr(errors, n)
    )


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its launcher dies; exit now if it is already gone."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the launcher died before the request took effect
        sys.exit(3)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the training process (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m mmlspark_py.dl.worker_entry")
    parser.add_argument("--rank", type=int, required=True, help="this worker's rank (for process listings)")
    parser.add_argument("--parent-pid", type=int, required=True, help="the launcher's pid")
    parser.add_argument("workdir")
    args = parser.parse_args(argv)
    die_with_parent(args.parent_pid)
    os.environ[WORKER_FILE_ENV] = os.path.join(args.workdir, WORKER_FILE)
    try:
        return _run(args.workdir)
    except BaseException as e:  # noqa: BLE001 - report anything, then exit non-zero for the launcher
        traceback.print_exc()
        if not transient(e):
            report = {"rank": args.rank, "error": f"{type(e).__name__}: {e}"[:4000]}
            print(FATAL_MARKER + json.dumps(report), file=sys.stderr)
        sys.stderr.flush()
        return 2 if isinstance(e, WorkerSetupError) else 1


if __name__ == "__main__":
    sys.exit(main())
