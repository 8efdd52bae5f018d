"""The stage harness: one battery of checks every public stage must pass (sklearn's check_estimator idea).

Areas register cases in files named ``stage_cases.py`` anywhere under ``tests/``, each defining ``CASES``, a
list of :class:`StageCase`. A case builds, from the session's SparkSession and a temporary folder, a stage
and an input DataFrame. The checks (run by ``tests/test_stage_harness.py``):

1. params: every param has a doc; ``getX``/``setX`` exist and round-trip every set or default value;
2. schema: ``transformSchema(df.schema)`` equals the schema ``transform(df)`` really produces: exactly for a
   transformer or fitted model; names, types and nullability for an estimator (see :func:`check_schema`);
3. persistence: the stage saved and loaded alone, inside a ``Pipeline`` (with a Spark JVM stage beside it)
   and as a fitted ``PipelineModel`` gives outputs equal to the original's.

Example ``tests/opencv/stage_cases.py``::

    def _flip(spark, tmp):
        return ImageTransformer(inputCol="image").flip(1), small_images_df(spark)
    CASES = [StageCase("ImageTransformer.flip", _flip, covers=(ImageTransformer,))]
"""

from __future__ import annotations

import importlib.util
import math
import pathlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Sequence, Tuple

from pyspark.ml import Estimator, Pipeline, PipelineModel, Transformer
from pyspark.ml.feature import SQLTransformer
from pyspark.ml.linalg import Vector
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql.types import StructType

TESTS_ROOT = pathlib.Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StageCase:
    """One registered stage example.

    :param name: unique case name (shown in test ids).
    :param build: ``build(spark, tmp_path) -> (stage, input_df)``.
    :param covers: the public classes this case exercises (the stage's class and, for an estimator, its model).
    :param sort_by: columns to order outputs by before comparing (when row order is not deterministic).
    :param compare_cols: output columns to compare (default: all); for nondeterministic extra columns.
    """

    name: str
    build: Callable[[SparkSession, pathlib.Path], Tuple[Any, DataFrame]]
    covers: Tuple[type, ...]
    sort_by: Sequence[str] = ()
    compare_cols: Sequence[str] = field(default_factory=tuple)


def discover_cases() -> List[StageCase]:
    """Every StageCase from every ``tests/**/stage_cases.py``; names must be unique."""
    cases: List[StageCase] = []
    for path in sorted(TESTS_ROOT.rglob("stage_cases.py")):
        rel = path.relative_to(TESTS_ROOT.parent).with_suffix("")
        module_name = ".".join(rel.parts)
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.extend(module.CASES)
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate stage case names: {sorted(dupes)}"
    return cases


# ------------------------------------------------------------------------------------------------ comparing
def _normalise(value: Any) -> Any:
    if isinstance(value, Row):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, Vector):
        return ("vector",) + tuple(_normalise(float(v)) for v in value.toArray())
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _normalise(v)) for k, v in value.items()))
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def rows_of(df: DataFrame, case: StageCase) -> List[Any]:
    """The output rows of ``df`` in a comparable, deterministic form."""
    cols = list(case.compare_cols) or df.columns
    if case.sort_by:
        df = df.orderBy(*case.sort_by)
    return [_normalise(r) for r in df.select(*cols).collect()]


def assert_same_output(expected: DataFrame, actual: DataFrame, case: StageCase, what: str) -> None:
    assert expected.schema == actual.schema, f"{case.name}: {what} changed the schema"
    assert rows_of(expected, case) == rows_of(actual, case), f"{case.name}: {what} changed the output"


# ------------------------------------------------------------------------------------------------- checks
def fitted(stage: Any, df: DataFrame) -> Transformer:
    return stage.fit(df) if isinstance(stage, Estimator) else stage


def check_params(stage: Any) -> None:
    """Docs, getters and setters for every param; set(get(x)) keeps x; setters return the stage."""
    for param in stage.params:
        assert param.doc and param.doc.strip(), f"{type(stage).__name__}.{param.name} has no doc"
        cap = param.name[0].upper() + param.name[1:]
        getter, setter = getattr(stage, "get" + cap, None), getattr(stage, "set" + cap, None)
        assert callable(getter), f"{type(stage).__name__} lacks get{cap}"
        assert callable(setter), f"{type(stage).__name__} lacks set{cap}"
        if not stage.isDefined(param):
            continue
        value = getter()
        copy = stage.copy()
        assert getattr(copy, "set" + cap)(value) is copy, f"{type(stage).__name__}.set{cap} must return self"
        assert _normalise(getattr(copy, "get" + cap)()) == _normalise(value), f"{param.name} did not round-trip"
        assert copy.isSet(param)


def without_metadata(schema: StructType) -> List[Tuple[str, str, bool]]:
    """Names, types and nullability of ``schema``'s fields (metadata left out)."""
    return [(f.name, f.dataType.simpleString(), f.nullable) for f in schema]


def check_schema(stage: Any, df: DataFrame) -> None:
    """transformSchema agrees with the real output schema.

    A transformer (and a fitted model) must predict it exactly, metadata included. An estimator must predict
    names, types and nullability: metadata that depends on the data (index levels, label levels) cannot be
    known before fitting, as with Spark's own StringIndexer.
    """
    model = fitted(stage, df)
    real = model.transform(df).schema
    assert model.transformSchema(df.schema) == real, \
        f"{type(model).__name__}.transformSchema:\n{model.transformSchema(df.schema)}\n!= real\n{real}"
    if model is not stage:
        predicted = stage.transformSchema(df.schema)
        assert without_metadata(predicted) == without_metadata(real), \
            f"{type(stage).__name__}.transformSchema:\n{predicted}\n!= real (ignoring metadata)\n{real}"


def check_persistence(stage: Any, df: DataFrame, case: StageCase, tmp: pathlib.Path) -> None:
    """Save/load alone, in a Pipeline with a JVM stage, and as a fitted PipelineModel: equal outputs."""
    model = fitted(stage, df)
    expected = model.transform(df)

    stage.write().overwrite().save(str(tmp / "stage"))
    loaded = type(stage).load(str(tmp / "stage"))
    assert loaded.uid == stage.uid
    assert_same_output(expected, fitted(loaded, df).transform(df), case, "save/load of the stage")
    if model is not stage:
        model.write().overwrite().save(str(tmp / "model"))
        assert_same_output(expected, type(model).load(str(tmp / "model")).transform(df), case,
                           "save/load of the fitted model")

    passthrough = SQLTransformer(statement="SELECT * FROM __THIS__")
    pipeline = Pipeline(stages=[passthrough, stage])
    pipeline.write().overwrite().save(str(tmp / "pipeline"))
    pipeline_model = Pipeline.load(str(tmp / "pipeline")).fit(df)
    assert_same_output(expected, pipeline_model.transform(df), case, "a Pipeline round trip")

    pipeline_model.write().overwrite().save(str(tmp / "pipeline_model"))
    assert_same_output(expected, PipelineModel.load(str(tmp / "pipeline_model")).transform(df), case,
                       "a PipelineModel round trip")


def covered_classes(cases: Sequence[StageCase]) -> Dict[type, List[str]]:
    covered: Dict[type, List[str]] = {}
    for case in cases:
        for cls in case.covers:
            covered.setdefault(cls, []).append(case.name)
    return covered
