"""Data-parallel training on a real standalone Spark cluster (a master and a worker, their own processes, from
the installed pyspark): the training processes start in the cluster's executors, exchange gradients, and their
logs reach both the driver and the executor logs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.image.test_standalone_cluster import cluster  # noqa: F401  (the module-scoped cluster fixture)

pytestmark = [pytest.mark.cluster, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


def test_two_worker_training_on_a_standalone_cluster(cluster, tmp_path):  # noqa: F811
    pytest.importorskip("tensorflow")
    url, env, work = cluster
    env = {**env, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("cluster_job.py")), url, str(tmp_path)],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["max_weight_diff"] < 2e-6 and result["rank1_equal"]
    assert result["loss_last"] < result["loss_first"]
    assert result["accuracy"] >= 0.9, result
    assert result["driver_log_lines"] > 0
    # the training processes ran under the cluster's executors, whose logs hold their lines too
    executor_logs = "".join(p.read_text(errors="replace") for p in work.glob("app-*/*/stderr"))
    assert "[worker 1/2]" in executor_logs and "[worker 0/2] epoch {" in executor_logs
