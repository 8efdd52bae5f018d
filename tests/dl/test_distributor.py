"""TensorFlowDistributor on the test session's real local[2] Spark: barrier tasks, one process per rank."""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest

from mmlspark_py.dl import DistributorError, TensorFlowDistributor, WorkerFailedError
from tests.dl import train_fns


def test_run_returns_rank0_result_with_cluster_and_streams_logs(spark):
    sink = io.StringIO()
    result = TensorFlowDistributor(numProcesses=2, logSink=sink).run(train_fns.whoami, tag="t1")
    assert result["rank"] == 0 and result["size"] == 2 and result["tag"] == "t1"
    assert len(result["cluster"]) == 2 and len(set(result["cluster"])) == 2
    assert f'"cluster": {{"worker": ["{result["cluster"][0]}", "{result["cluster"][1]}"]}}' in result["tf_config"]
    assert result["tf_config"].endswith('"task": {"type": "worker", "index": 0}}')
    assert result["cuda"] == ""  # no useGpu: GPUs hidden from the worker
    assert result["threads"] == "1"  # spark.task.cpus
    logs = sink.getvalue()
    for rank in (0, 1):
        assert f"[worker {rank}/2] stdout line of rank {rank} tag=t1" in logs
        assert f"[worker {rank}/2] stderr line of rank {rank} tag=t1" in logs


def test_local_mode_runs_processes_on_the_driver():
    sink = io.StringIO()
    result = TensorFlowDistributor(numProcesses=2, localMode=True, logSink=sink).run(train_fns.whoami, "local")
    assert result["rank"] == 0 and result["size"] == 2
    assert all(address.startswith("127.0.0.1:") for address in result["cluster"])
    assert "[worker 1/2] stdout line of rank 1 tag=local" in sink.getvalue()


def test_run_on_dataframe_streams_every_row_to_exactly_one_worker(spark):
    df = spark.range(0, 1001, numPartitions=3).selectExpr("id", "id * 2 AS twice")
    sink = io.StringIO()
    result = TensorFlowDistributor(numProcesses=2, logSink=sink).runOnDataFrame(df, train_fns.shard_summary, "twice")
    assert result["rank"] == 0 and result["columns"] == ["id", "twice"]
    assert sum(result["rowsPerRank"]) == 1001 and result["rows"] == result["rowsPerRank"][0]
    assert abs(result["rowsPerRank"][0] - result["rowsPerRank"][1]) <= 1  # round-robin repartition


@pytest.mark.slow
def test_every_rank_sees_its_partition(spark, tmp_path):
    df = spark.range(0, 500, numPartitions=2)
    out = TensorFlowDistributor(numProcesses=2).runOnDataFrame(df, train_fns.shard_summary, "id")
    # the input already has 2 partitions: worker r gets partition r as it is (no shuffle)
    assert out["rowsPerRank"] == [250, 250] and out["sum"] == sum(range(250))
    # a plan a barrier stage cannot read directly (coalesce) is shuffled first
    coalesced = spark.range(0, 500, numPartitions=4).coalesce(2)
    out = TensorFlowDistributor(numProcesses=2).runOnDataFrame(coalesced, train_fns.shard_summary, "id")
    assert sum(out["rowsPerRank"]) == 500


def test_too_few_slots_fails_fast_instead_of_hanging(spark):
    start = time.monotonic()
    with pytest.raises(DistributorError, match=r"numProcesses=3 needs 3 task slots.*has 2 \(master local\[2\]"):
        TensorFlowDistributor(numProcesses=3, slotWaitSeconds=1).run(train_fns.whoami, "x")
    assert time.monotonic() - start < 15


def test_gpu_requested_but_not_configured_fails_fast(spark):
    with pytest.raises(DistributorError, match="useGpu=True on master local\\[2\\].*driver has 0"):
        TensorFlowDistributor(numProcesses=2, useGpu=True).run(train_fns.whoami, "x")
    with pytest.raises(DistributorError, match="useGpu=True with localMode"):
        TensorFlowDistributor(numProcesses=1, localMode=True, useGpu=True, env={"CUDA_VISIBLE_DEVICES": ""}).run(
            train_fns.whoami, "x"
        )


def test_bad_arguments_fail_where_written(spark):
    with pytest.raises(ValueError, match="numProcesses must be a positive integer"):
        TensorFlowDistributor(numProcesses=0)
    with pytest.raises(TypeError, match="train_fn must be callable"):
        TensorFlowDistributor(1).run("not a function")
    with pytest.raises(ValueError, match="needs localMode=False"):
        TensorFlowDistributor(1, localMode=True).runOnDataFrame(spark.range(3), train_fns.shard_summary, "id")


def test_failing_worker_fails_the_job_with_its_own_error(spark):
    start = time.monotonic()
    logs = io.StringIO()
    # an error of the function itself would repeat on every retry: the job is stopped at once, not retried
    with pytest.raises(
        WorkerFailedError,
        match=r"training worker 1 of 2 failed with ValueError: planned failure on rank 1; the job was stopped "
        r"rather than retried",
    ):
        TensorFlowDistributor(numProcesses=2, logSink=logs).run(train_fns.fail_on_rank, 1)
    assert logs.getvalue().count("about to fail on purpose") == 1  # one attempt
    # local mode: the surviving process is stopped instead of waiting for its peer
    with pytest.raises(WorkerFailedError, match="planned failure on rank 0"):
        TensorFlowDistributor(numProcesses=2, localMode=True, logSink=io.StringIO()).run(train_fns.fail_on_rank, 0)
    assert time.monotonic() - start < 50  # the survivors' 60 s sleeps were cut short


@pytest.mark.slow
def test_two_workers_exchange_gradients_like_one_process_on_whole_batches(spark, tmp_path):
    """A real 2-worker data-parallel run: each worker sees half of every batch, yet both end with the weights
    one process gets from the whole batches (and ranks initialise differently, so rank 0's values were
    broadcast)."""
    pytest.importorskip("tensorflow")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((240, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64) + (x[:, 3] > 1)
    args = dict(steps=8, global_batch=30, out_dir=str(tmp_path))
    single = TensorFlowDistributor(numProcesses=1, logSink=io.StringIO()).run(train_fns.sgd_steps, x, y, **args)
    double = TensorFlowDistributor(numProcesses=2, logSink=io.StringIO()).run(train_fns.sgd_steps, x, y, **args)
    rank1 = np.load(tmp_path / "weights-2-1.npy")
    np.testing.assert_array_equal(double["weights"], rank1)
    np.testing.assert_allclose(double["weights"], single["weights"], atol=2e-6)
    np.testing.assert_allclose(double["losses"], single["losses"], rtol=1e-5)
    assert single["losses"][-1] < single["losses"][0]
    # control: the weights moved far more than the tolerance, so equality is not trivial
    assert np.abs(single["weights"] - np.load(tmp_path / "weights-1-0.npy")).max() == 0
    assert re.match(r"\d", str(len(single["losses"])))
