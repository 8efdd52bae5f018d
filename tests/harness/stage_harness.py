"""The stage harness: one battery of checks every public stage must pass (sklearn's check_estimator idea).

Areas register cases in files named ``stage_cases.py`` anywhere under ``tests/``, each defining ``CASES``, a
list of :class:`StageCase`. A case builds, from the session's SparkSession and a temporary folder, a stage
and an input DataFrame. The checks (run by ``tests/test_stage_harness.py``):

1. params: every param has a doc and is listed in the class docstring's generated ``Args:`` section; ``getX``/
   ``setX`` exist and round-trip every set or default value; ``copy(extra)`` is independent of the original
   (params and nested stages); ``fit`` leaves the estimator's own params unchanged (scikit-learn's check);
2. schema: ``transformSchema(df.schema)`` equals the schema ``transform(df)`` really produces: exactly for a
   transformer or fitted model; names, types and nullability for an estimator (see :func:`check_schema`);
3. persistence: the stage saved and loaded alone, inside a ``Pipeline`` (with a Spark JVM stage beside it)
   and as a fitted ``PipelineModel`` gives outputs equal to the original's;
4. degenerate input: an empty DataFrame and one whose columns are all null give an empty/null result or a clear
   error (ours, raised in the driver or naming the row in the worker), never a crash deep in a worker or the JVM.

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


def one_case_per_class(cases: Sequence[StageCase]) -> List[StageCase]:
    """The first case covering each class: every stage once (the Connect and Spark 3.5 runs use this)."""
    seen: set = set()
    chosen = []
    for case in cases:
        if not set(case.covers) <= seen:
            chosen.append(case)
            seen |= set(case.covers)
    return chosen


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


_BUILT: Dict[str, Tuple[Any, DataFrame, Any]] = {}
_PARAMS_BEFORE_FIT: Dict[str, Dict[str, Any]] = {}


def built(case: StageCase, spark: SparkSession, tmp: pathlib.Path) -> Tuple[Any, DataFrame, Any]:
    """``(stage, input df, fitted model or the stage)`` of ``case``, built once per test session (the harness
    and the fuzzing suite share them; fitting some estimators takes a minute on two cores). The stage's params
    before that fit are kept for :func:`check_fit_keeps_params`."""
    if case.name not in _BUILT:
        stage, df = case.build(spark, tmp)
        _PARAMS_BEFORE_FIT[case.name] = _param_snapshot(stage)
        _BUILT[case.name] = (stage, df, fitted(stage, df))
    return _BUILT[case.name]


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


def check_schema(stage: Any, df: DataFrame, model: Any = None) -> None:
    """transformSchema agrees with the real output schema.

    A transformer (and a fitted model) must predict it exactly, metadata included. An estimator must predict
    names, types and nullability: metadata that depends on the data (index levels, label levels) cannot be
    known before fitting, as with Spark's own StringIndexer. ``model``: ``stage`` fitted on ``df`` if the
    caller has it (a fit of the big cases takes a minute), else it is fitted here.
    """
    model = fitted(stage, df) if model is None else model
    real = model.transform(df).schema
    assert model.transformSchema(df.schema) == real, (
        f"{type(model).__name__}.transformSchema:\n{model.transformSchema(df.schema)}\n!= real\n{real}"
    )
    if model is not stage:
        predicted = stage.transformSchema(df.schema)
        assert without_metadata(predicted) == without_metadata(real), (
            f"{type(stage).__name__}.transformSchema:\n{predicted}\n!= real (ignoring metadata)\n{real}"
        )


def check_persistence(stage: Any, df: DataFrame, case: StageCase, tmp: pathlib.Path, model: Any = None) -> None:
    """Save/load alone, in a Pipeline with a JVM stage, and as a fitted PipelineModel: equal outputs.
    ``model`` as in :func:`check_schema`."""
    model = fitted(stage, df) if model is None else model
    expected = model.transform(df)

    stage.write().overwrite().save(str(tmp / "stage"))
    loaded = type(stage).load(str(tmp / "stage"))
    assert loaded.uid == stage.uid
    assert_same_output(expected, fitted(loaded, df).transform(df), case, "save/load of the stage")
    if model is not stage:
        model.write().overwrite().save(str(tmp / "model"))
        assert_same_output(
            expected, type(model).load(str(tmp / "model")).transform(df), case, "save/load of the fitted model"
        )

    passthrough = SQLTransformer(statement="SELECT * FROM __THIS__")
    pipeline = Pipeline(stages=[passthrough, stage])
    pipeline.write().overwrite().save(str(tmp / "pipeline"))
    pipeline_model = Pipeline.load(str(tmp / "pipeline")).fit(df)
    assert_same_output(expected, pipeline_model.transform(df), case, "a Pipeline round trip")

    pipeline_model.write().overwrite().save(str(tmp / "pipeline_model"))
    assert_same_output(
        expected, PipelineModel.load(str(tmp / "pipeline_model")).transform(df), case, "a PipelineModel round trip"
    )


def check_documented(stage: Any) -> None:
    """Every param appears, with its doc, in the class docstring's ``Args:`` section (generated from the
    declarations by :class:`mmlspark_py.core.stage.StageParams`)."""
    doc = type(stage).__doc__ or ""
    assert "Args:" in doc, f"{type(stage).__name__}'s docstring has no Args: section"
    args = doc[doc.index("Args:") :]
    for param in stage.params:
        assert f"{param.name} (" in args, f"{type(stage).__name__}'s docstring does not document {param.name}"


def _param_snapshot(stage: Any) -> Dict[str, Any]:
    return {p.name: _normalise(_plain(v)) for p, v in stage.extractParamMap().items()}


def _plain(value: Any) -> Any:
    if isinstance(value, (Estimator, Transformer)):
        return ("stage", type(value).__name__, value.uid, tuple(sorted(_param_snapshot(value).items(), key=str)))
    if isinstance(value, list) and value and all(isinstance(v, (Estimator, Transformer)) for v in value):
        return tuple(_plain(v) for v in value)
    return value


def check_fit_keeps_params(stage: Any, case: StageCase) -> None:
    """scikit-learn's check: fitting does not change the estimator's own params (nested stages included).
    Compares the params :func:`built` saw before its fit with the params now."""
    if not isinstance(stage, Estimator):
        return
    before = _PARAMS_BEFORE_FIT[case.name]
    assert _param_snapshot(stage) == before, f"{type(stage).__name__}.fit changed the estimator's params"


def check_copy_independent(stage: Any) -> None:
    """``copy(extra)`` gives a stage whose params (and nested stages) are independent of the original's."""
    candidates = [p for p in stage.params if stage.hasDefault(p) and not stage.isSet(p)]
    if candidates:
        param = candidates[0]
        copied = stage.copy({param: stage.getOrDefault(param)})
        assert copied.isSet(copied.getParam(param.name)) and not stage.isSet(param), (
            f"{type(stage).__name__}.copy(extra) changed the original's params"
        )
    copied = stage.copy()
    assert copied.uid == stage.uid and copied._paramMap is not stage._paramMap
    for param in stage.params:
        if not stage.isDefined(param):
            continue
        mine, theirs = stage.getOrDefault(param), copied.getOrDefault(copied.getParam(param.name))
        nested = mine if isinstance(mine, list) else [mine]
        if nested and all(isinstance(v, (Estimator, Transformer)) for v in nested):
            assert mine is not theirs and all(
                a is not b for a, b in zip(nested, theirs if isinstance(theirs, list) else [theirs])
            ), f"{type(stage).__name__}.copy() shares the nested stage in {param.name!r} with the original"


def _our_exception_names() -> set:
    names, pending = set(), [Exception]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("mmlspark_py"):
                names.add(sub.__name__)
    return names


def is_clear_error(error: BaseException) -> bool:
    """An error a user can act on: raised by our code in the driver, or in a worker naming our error type.

    A JVM exception (an error Spark's own stages raise on data we passed them) or a Python crash inside a worker
    (KeyError, IndexError, ... from our batch functions) is not clear.
    """
    from py4j.protocol import Py4JJavaError
    from pyspark.errors.exceptions.captured import CapturedException, PythonException

    if isinstance(error, PythonException):
        text = str(error)
        return any(f"{name}:" in text for name in _our_exception_names())
    if isinstance(error, (Py4JJavaError, CapturedException)):
        return False
    return isinstance(error, (ValueError, TypeError, RuntimeError, KeyError, FileNotFoundError)) and type(
        error
    ).__module__.split(".")[0] in ("mmlspark_py", "builtins")


def all_null(df: DataFrame) -> DataFrame:
    """``df`` with every column null (same names and types)."""
    from pyspark.sql import functions as F

    return df.select([F.lit(None).cast(f.dataType).alias(f.name) for f in df.schema])


def check_degenerate_inputs(stage: Any, df: DataFrame) -> None:
    """An empty DataFrame and an all-null one: an empty/null result or a clear error, never a deep crash."""
    for label, data in (("an empty DataFrame", df.limit(0)), ("an all-null DataFrame", all_null(df.limit(3)))):
        try:
            fitted(stage, data).transform(data).collect()
        except Exception as e:
            assert is_clear_error(e), (
                f"{type(stage).__name__} on {label} crashed instead of giving a clear error: "
                f"{type(e).__name__}: {str(e)[:800]}"
            )


def covered_classes(cases: Sequence[StageCase]) -> Dict[type, List[str]]:
    covered: Dict[type, List[str]] = {}
    for case in cases:
        for cls in case.covers:
            covered.setdefault(cls, []).append(case.name)
    return covered
