"""The stage harness both ways: every registered case of an accelerated stage passes the harness on its Python
path too (tests/test_stage_harness.py runs the companion's path, the default on the test session), and the two
paths give the same schema and rows."""

from __future__ import annotations

import pytest

from mmlspark_py.featurize.text import PageSplitter, TextPreprocessor, UnicodeNormalize
from mmlspark_py.image import UnrollImage
from mmlspark_py.train import ComputePerInstanceStatistics
from tests.harness.stage_harness import check_persistence, check_schema, discover_cases, fitted, rows_of
from tests.jvm.paths import python_path, uses

ACCELERATED = {
    PageSplitter: "page_split",
    TextPreprocessor: "text_replace",
    UnicodeNormalize: "unicode_normalize",
    UnrollImage: "unroll_image",
    ComputePerInstanceStatistics: "vector_at",
}
CASES = [c for c in discover_cases() if set(c.covers) & set(ACCELERATED)]


def test_every_accelerated_stage_has_a_case():
    assert {cls for c in CASES for cls in c.covers} >= set(ACCELERATED)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_stage_both_ways(case, spark, companion, tmp_path, request):
    stage, df = case.build(spark, tmp_path)
    model = fitted(stage, df)
    function = next(ACCELERATED[cls] for cls in case.covers if cls in ACCELERATED)
    if function == "unicode_normalize":
        request.getfixturevalue("icu_companion")  # skips where the session has no ICU4J (Spark 3.5)
    on_jvm = model.transform(df)
    assert uses(on_jvm, function), f"{case.name}: the companion path was not taken"
    with python_path(spark):
        on_python = model.transform(df)
        assert not uses(on_python, function)
        assert on_python.schema == on_jvm.schema
        assert rows_of(on_python, case) == rows_of(on_jvm, case)
        check_schema(stage, df)
        check_persistence(stage, df, case, tmp_path)
