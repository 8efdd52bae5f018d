"""The development task set (../shared/dataprep/dev_tasks.jsonl) as test data."""

import json
import pathlib

import pytest

PATH = pathlib.Path(__file__).resolve().parents[3] / "shared" / "dataprep" / "dev_tasks.jsonl"


def load_tasks():
    if not PATH.exists():
        pytest.skip(f"dev task set not found at {PATH}")
    return [json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def rows_of(task):
    return [(tuple(r["in"]), r["out"]) for r in task["examples"]]
