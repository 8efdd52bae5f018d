"""The fuzzing suite (see tests/harness/fuzzing.py): every public stage's saved folder, corrupted six ways, loaded
as a stranger's folder: a clear error naming the folder or a correct load; nothing imported from outside the
package; no file outside the folder touched. Set MMLSPARK_FUZZ_SUMMARY=path to write the counts as JSON."""

from __future__ import annotations

import json
import os

import pytest

from tests.harness.fuzzing import fuzz_stage, summarize
from tests.harness.stage_harness import built, discover_cases, one_case_per_class
from tests.test_stage_harness import public_stage_classes

CASES = discover_cases()
OUTCOMES = []
FUZZED = set()
RAN = set()


FUZZ_CASES = one_case_per_class(CASES)


@pytest.fixture(scope="module")
def donor(spark, tmp_path_factory):
    """A saved stage of another kind whose payload and folder replace the fuzzed stage's."""
    from mmlspark_py.onnx import ONNXModel
    from tests.onnx.models import mlp_model

    folder = tmp_path_factory.mktemp("donor") / "onnx"
    ONNXModel(modelPayload=mlp_model().SerializeToString(), feedDict={"x": "x"}, fetchDict={"y": "y"}).write().save(
        str(folder)
    )
    return folder


@pytest.mark.parametrize("case", FUZZ_CASES, ids=[c.name for c in FUZZ_CASES])
def test_corrupted_saved_stage(case, spark, tmp_path_factory, tmp_path, donor):
    stage, _, model = built(case, spark, tmp_path_factory.mktemp("case"))
    RAN.add(case.name)
    for index, each in enumerate({id(stage): stage, id(model): model}.values()):
        outcomes = fuzz_stage(each, tmp_path / str(index), donor, type(each).load)
        OUTCOMES.extend(outcomes)
        FUZZED.add(type(each))
        tried = [o for o in outcomes if o.result != "not applicable"]
        assert len(tried) >= 4, f"{type(each).__name__}: only {len(tried)} corruptions applied"
        for o in tried:
            if o.corruption in ("deleted", "truncated", "garbage_json", "foreign_class"):
                assert o.result == "clear error", f"{o.stage}/{o.corruption} loaded from a corrupt folder"


def test_every_public_stage_is_fuzzed():
    if RAN != {c.name for c in FUZZ_CASES}:
        pytest.skip("needs every test_corrupted_saved_stage case in the same run")
    missing = sorted(c.__name__ for c in public_stage_classes() if c not in FUZZED)
    assert not missing, f"public stages the fuzzing suite did not reach: {missing}"
    summary = summarize(OUTCOMES)
    if os.environ.get("MMLSPARK_FUZZ_SUMMARY"):
        with open(os.environ["MMLSPARK_FUZZ_SUMMARY"], "w") as f:
            json.dump(summary, f, indent=2)
    assert summary["outcomes"].get("clear error", 0) > 0
