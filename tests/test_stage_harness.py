"""Runs the stage harness over every registered case, and fails when a public stage is not registered."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil

import pytest
from pyspark.ml.base import Estimator, Transformer

import mmlspark_py
from tests.harness.stage_harness import (
    built,
    check_copy_independent,
    check_degenerate_inputs,
    check_documented,
    check_fit_keeps_params,
    check_params,
    check_persistence,
    check_schema,
    covered_classes,
    discover_cases,
    one_case_per_class,
)

CASES = discover_cases()
if os.environ.get("MMLSPARK_HARNESS_ONE_PER_CLASS"):
    # the Connect and Spark 3.5 runs: every stage once, not every example
    CASES = one_case_per_class(CASES)
BASES = {"mmlspark_py.core.stage"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_stage(case, spark, tmp_path_factory, tmp_path):
    stage, df, model = built(case, spark, tmp_path_factory.mktemp("case"))
    types = {type(stage), type(model)}
    assert types <= set(case.covers), f"{case.name} builds {types} but declares covers={case.covers}"
    for each in {stage, model}:
        check_params(each)
        check_documented(each)
        check_copy_independent(each)
    check_fit_keeps_params(stage, case)
    check_schema(stage, df, model)
    check_persistence(stage, df, case, tmp_path, model)
    check_degenerate_inputs(stage, df)


def public_stage_classes():
    """Concrete public Transformer/Estimator classes defined anywhere in mmlspark_py (outside core's bases)."""
    found = set()
    for info in pkgutil.walk_packages(mmlspark_py.__path__, "mmlspark_py."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, (Transformer, Estimator))
                and not name.startswith("_")
                and obj.__module__ == module.__name__
                and module.__name__ not in BASES
                and not inspect.isabstract(obj)
            ):
                found.add(obj)
    return found


def test_every_public_stage_is_registered():
    covered = covered_classes(CASES)
    missing = sorted(f"{c.__module__}.{c.__name__}" for c in public_stage_classes() if c not in covered)
    assert not missing, f"public stages missing from the stage harness (add them to a stage_cases.py): {missing}"
