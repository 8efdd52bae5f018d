"""Fault tolerance: kill one training process in the middle of an epoch; the barrier stage fails, Spark retries
it (``local[2,4]``), and the retry resumes from the last checkpoint instead of starting over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _children() -> Dict[int, List[int]]:
    tree: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry))
    return tree


def _descendants(pid: int) -> List[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _epochs(folder: Path) -> List[int]:
    return sorted(int(p.name[6:12]) for p in folder.glob("epoch-*.npz")) if folder.exists() else []


def test_killed_worker_fails_the_stage_and_the_retry_resumes_from_the_checkpoint(tmp_path):
    pytest.importorskip("tensorflow")
    ckpt, out, log = tmp_path / "ckpt", tmp_path / "out.json", tmp_path / "driver.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    with open(log, "wb") as sink:
        job = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("fault_job.py")), str(ckpt), str(out)],
            env=env,
            cwd=str(tmp_path),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.time() + 900
            while not _epochs(ckpt):  # the first epoch is done and saved
                assert job.poll() is None, log.read_text()[-3000:]
                assert time.time() < deadline, "no checkpoint after 15 minutes"
                time.sleep(0.2)
            time.sleep(1.0)  # into the next epoch
            victims = [
                p
                for p in _descendants(job.pid)
                if "mmlspark_py.dl.worker_entry" in _cmdline(p) and "--rank 1 " in _cmdline(p)
            ]
            assert len(victims) == 1, [_cmdline(p) for p in _descendants(job.pid)]
            saved_at_kill = _epochs(ckpt)[-1]
            os.kill(victims[0], signal.SIGKILL)
            assert job.wait(timeout=1200) == 0, log.read_text()[-5000:]
        finally:
            if job.poll() is None:
                job.kill()
    text = log.read_text()
    assert saved_at_kill < 4, "training finished before the kill; the test did not interrupt an epoch"
    assert "training worker 1 of 2 was killed by signal 9" in text  # the task failed with the worker's fate
    assert f"resumed from the checkpoint after epoch {saved_at_kill}" in text
    result = json.loads(out.read_text())
    assert [h["epoch"] for h in result["history"]] == [1, 2, 3, 4]
    assert result["accuracy"] >= 0.9
    # no training process outlived the job
    assert not [p for p in _descendants(os.getpid()) if "mmlspark_py.dl.worker_entry" in _cmdline(p)]
