"""MultiColumnAdapter: applies a one-column stage to several column pairs (SynapseML's ``MultiColumnAdapter``).

``baseStage`` is any Spark ML stage (ours or Spark's) with ``inputCol``/``outputCol`` params (or
``inputCols``/``outputCols``, then given one column each). ``fit`` makes one copy of it per
(``inputCols[i]``, ``outputCols[i]``) pair, fits the copies that are Estimators in order, like a Pipeline, and
returns a :class:`MultiColumnAdapterModel` holding the fitted stages (SynapseML returns a ``PipelineModel``
of the same stages; this model behaves the same and also knows its output schema).

Errors (in the driver): a base stage without those params (when set), unequal ``inputCols``/``outputCols``
lengths, a missing input column or an existing output column (naming it).

Example::

    adapter = MultiColumnAdapter(baseStage=StringIndexer(), inputCols=["a", "b"], outputCols=["ai", "bi"])
    adapter.fit(df).transform(df)      # df + ai + bi
"""

from __future__ import annotations

from typing import Any, List, Tuple

from pyspark.ml.base import Estimator as SparkEstimator
from pyspark.sql import DataFrame
from pyspark.sql.types import StructType

from mmlspark_py.core.params import Params, StageListParam, StageParam, TypeConverters, declare
from mmlspark_py.core.schema import stage_schema
from mmlspark_py.core.stage import Estimator, Model, SchemaError

__all__ = ["MultiColumnAdapter", "MultiColumnAdapterModel"]


def _single_io(stage: Any) -> Tuple[str, str]:
    """The names of ``stage``'s input/output column params: ("inputCol", "outputCol") or the plural ones."""
    for pair in (("inputCol", "outputCol"), ("inputCols", "outputCols")):
        if all(stage.hasParam(p) for p in pair):
            return pair
    raise TypeError(
        f"baseStage: {type(stage).__name__} has neither inputCol/outputCol nor inputCols/outputCols "
        "params; MultiColumnAdapter needs a one-column stage"
    )


def _to_base_stage(value: Any) -> Any:
    if not isinstance(value, Params):
        raise TypeError(f"baseStage: expected a Spark ML stage, got {type(value).__name__}")
    _single_io(value)
    return value


def _with_columns(base: Any, input_col: str, output_col: str) -> Any:
    stage = base.copy()
    in_param, out_param = _single_io(stage)
    plural = in_param == "inputCols"
    stage.set(stage.getParam(in_param), [input_col] if plural else input_col)
    stage.set(stage.getParam(out_param), [output_col] if plural else output_col)
    return stage


class MultiColumnAdapter(Estimator):
    """Fits a copy of ``baseStage`` per ``inputCols``/``outputCols`` pair (see the module docstring)."""

    baseStage = StageParam.declare("base pipeline stage to apply to every column")
    baseStage.typeConverter = _to_base_stage  # any stage, checked for one-column params
    inputCols = declare("the input column names, one per copy of baseStage", TypeConverters.toListString)
    outputCols = declare("the output column names, one per input column", TypeConverters.toListString)

    def getInputOutputPairs(self) -> List[Tuple[str, str]]:
        """The (input, output) column name pairs."""
        for name in ("baseStage", "inputCols", "outputCols"):
            if not self.isDefined(self.getParam(name)):
                raise ValueError(f"MultiColumnAdapter: param {name} is not set")
        ins, outs = self.getInputCols(), self.getOutputCols()
        if len(ins) != len(outs):
            raise ValueError(f"MultiColumnAdapter: inputCols {ins} and outputCols {outs} differ in length")
        return list(zip(ins, outs))

    def getStages(self) -> List[Any]:
        """The copies of ``baseStage``, one per column pair (unfitted)."""
        return [_with_columns(self.getBaseStage(), i, o) for i, o in self.getInputOutputPairs()]

    def transformSchema(self, schema: StructType) -> StructType:
        for input_col, output_col in self.getInputOutputPairs():
            if input_col not in schema.names:
                raise SchemaError(f"inputCols: column {input_col!r} does not exist; columns are {schema.names}")
            if output_col in schema.names:
                raise SchemaError(f"outputCols: column {output_col!r} already exists; choose another name")
        for stage in self.getStages():
            schema = stage_schema(stage, schema)
        return schema

    def _fit(self, df: DataFrame) -> MultiColumnAdapterModel:
        stages = self.getStages()
        fitted = []
        for i, stage in enumerate(stages):
            model = stage.fit(df) if isinstance(stage, SparkEstimator) else stage
            fitted.append(model)
            if i + 1 < len(stages):  # later stages see earlier outputs, as in a Pipeline (lazily)
                df = model.transform(df)
        return MultiColumnAdapterModel(stages=fitted)


class MultiColumnAdapterModel(Model):
    """Applies the fitted per-column ``stages`` in order."""

    stages = StageListParam.declare("the fitted stage of each column pair, in order")

    def transformSchema(self, schema: StructType) -> StructType:
        for stage in self.getStages():
            schema = stage_schema(stage, schema)
        return schema

    def _transform(self, df: DataFrame) -> DataFrame:
        for stage in self.getStages():
            df = stage.transform(df)
        return df
