"""Lambda: a stage that applies a Python function ``DataFrame -> DataFrame`` (SynapseML's ``Lambda``).

The function runs on the driver and builds a Spark plan (it should use the DataFrame API, so the work itself
runs in the JVM). Any callable works in memory, lambdas included (SynapseML's documented
``Lambda().setTransform(lambda df: df.select("numbers"))``). Saving follows
:mod:`mmlspark_py.stages.references`: by reference ``"package.module:function"`` when the function is bound at
module level of an allowed module, by pickling only with ``allowPickle=True``; anything else fails when saved
(not when set) with an error saying what to do.

``transformSchemaFunc`` (optional, ``StructType -> StructType``) gives the output schema without running
anything; without it, ``transformSchema`` applies ``transformFunc`` to an empty DataFrame (no job runs).
``transform`` does not check the schema first, so a stage whose schema function is wrong still transforms.

Example (in ``my_package/features.py``: ``def add_ratio(df): return df.withColumn("r", df.a / df.b)``)::

    allow_function_modules("my_package")
    stage = Lambda(transformFunc=my_package.features.add_ratio)
    stage.transform(df)
    stage.write().save("/tmp/lambda")        # saves 'my_package.features:add_ratio'
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from pyspark.sql import DataFrame
from pyspark.sql.types import StructType

from mmlspark_py.core.schema import planned_schema
from mmlspark_py.core.stage import Transformer
from mmlspark_py.stages.references import FunctionParam, HasFunctionParams

__all__ = ["Lambda"]


def _check_callable(obj: Any) -> None:
    if not callable(obj):
        raise TypeError(f"expected a function, got {type(obj).__name__}: {obj!r}")


class Lambda(HasFunctionParams, Transformer):
    """Applies ``transformFunc`` (a function ``DataFrame -> DataFrame``) to the DataFrame."""

    transformFunc = FunctionParam.declare("function DataFrame -> DataFrame", _check_callable)
    transformSchemaFunc = FunctionParam.declare(
        "optional function StructType -> StructType giving the output schema", _check_callable
    )

    def getTransformFunc(self) -> Callable[[DataFrame], DataFrame]:
        """The function ``transformFunc`` holds."""
        return self._function("transformFunc")

    def getTransformSchemaFunc(self) -> Optional[Callable[[StructType], StructType]]:
        """The function ``transformSchemaFunc`` holds, or None when it is not set."""
        return self._function("transformSchemaFunc") if self.isDefined(self.transformSchemaFunc) else None

    # SynapseML's names
    def setTransform(self, value: Callable[[DataFrame], DataFrame]) -> Lambda:
        """Sets ``transformFunc``; returns this stage (SynapseML's name)."""
        self._set(transformFunc=value)
        return self

    def getTransform(self) -> Callable[[DataFrame], DataFrame]:
        """The function ``transformFunc`` holds (SynapseML's name)."""
        return self.getTransformFunc()

    def setTransformSchema(self, value: Callable[[StructType], StructType]) -> Lambda:
        """Sets ``transformSchemaFunc``; returns this stage (SynapseML's name)."""
        self._set(transformSchemaFunc=value)
        return self

    def getTransformSchema(self) -> Optional[Callable[[StructType], StructType]]:
        """The function ``transformSchemaFunc`` holds (SynapseML's name)."""
        return self.getTransformSchemaFunc()

    def _require_func(self) -> Callable[[DataFrame], DataFrame]:
        if not self.isDefined(self.transformFunc):
            raise ValueError("Lambda: param transformFunc (a function DataFrame -> DataFrame) is not set")
        return self.getTransformFunc()

    def transformSchema(self, schema: StructType) -> StructType:
        func = self._require_func()
        schema_func = self.getTransformSchemaFunc()
        if schema_func is not None:
            return schema_func(schema)
        return planned_schema(func, schema)

    def transform(self, dataset: DataFrame, params: Optional[dict] = None) -> DataFrame:
        # No up-front transformSchema: without transformSchemaFunc it would run the function twice.
        return self._with_params(params)._transform(dataset)

    def _transform(self, df: DataFrame) -> DataFrame:
        func = self._require_func()
        result = func(df)
        if not isinstance(result, DataFrame):
            raise TypeError(f"Lambda: transformFunc {func!r} returned {type(result).__name__}, expected a DataFrame")
        return result
