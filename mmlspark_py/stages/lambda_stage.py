"""Lambda: a stage that applies a Python function ``DataFrame -> DataFrame`` (SynapseML's ``Lambda``).

The function runs on the driver and builds a Spark plan (it should use the DataFrame API, so the work itself
runs in the JVM). It is saved *by reference* (``"package.module:function"``) and imported again when the stage
is loaded; it is never pickled. So it must be a module-level function of an importable module: a lambda or a
nested function is rejected when set, with an error saying so.

Params:
    ``transformFunc``: the function ``DataFrame -> DataFrame`` (required).
    ``transformSchemaFunc``: optional function ``StructType -> StructType`` giving the output schema without
    running anything; without it, ``transformSchema`` applies ``transformFunc`` to an empty DataFrame.

Example (in ``my_package/features.py``: ``def add_ratio(df): return df.withColumn("r", df.a / df.b)``)::

    stage = Lambda(transformFunc=my_package.features.add_ratio)
    stage.transform(df)
    stage.write().save("/tmp/lambda")        # saves 'my_package.features:add_ratio'
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from pyspark.ml.param import Param, Params
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from mmlspark_py.core.stage import Transformer
from mmlspark_py.stages.references import resolve, to_reference

__all__ = ["Lambda"]


def _check_callable(obj: Any) -> None:
    if not callable(obj):
        raise TypeError(f"expected a function, got {type(obj).__name__}: {obj!r}")


class Lambda(Transformer):
    """Applies ``transformFunc`` (a module-level function ``DataFrame -> DataFrame``) to the DataFrame."""

    transformFunc = Param(Params._dummy(), "transformFunc", "module-level function DataFrame -> DataFrame, saved "
                          "by reference 'module:name'", typeConverter=to_reference(_check_callable))
    transformSchemaFunc = Param(Params._dummy(), "transformSchemaFunc", "optional module-level function "
                                "StructType -> StructType giving the output schema, saved by reference",
                                typeConverter=to_reference(_check_callable))

    def getTransformFunc(self) -> Callable[[DataFrame], DataFrame]:
        """The function ``transformFunc`` refers to (imported)."""
        return resolve(self.getOrDefault(self.transformFunc))

    def getTransformSchemaFunc(self) -> Optional[Callable[[StructType], StructType]]:
        """The function ``transformSchemaFunc`` refers to, or None when it is not set."""
        if not self.isDefined(self.transformSchemaFunc):
            return None
        return resolve(self.getOrDefault(self.transformSchemaFunc))

    def _require_func(self) -> Callable[[DataFrame], DataFrame]:
        if not self.isDefined(self.transformFunc):
            raise ValueError("Lambda: param transformFunc (a module-level function DataFrame -> DataFrame) is "
                             "not set")
        return self.getTransformFunc()

    def transformSchema(self, schema: StructType) -> StructType:
        func = self._require_func()
        schema_func = self.getTransformSchemaFunc()
        if schema_func is not None:
            return schema_func(schema)
        empty = SparkSession.active().createDataFrame([], schema)
        return func(empty).schema

    def transform(self, dataset: DataFrame, params: Optional[dict] = None) -> DataFrame:
        # No up-front transformSchema: without transformSchemaFunc it would run the function twice.
        return self._with_params(params)._transform(dataset)

    def _transform(self, df: DataFrame) -> DataFrame:
        result = self._require_func()(df)
        if not isinstance(result, DataFrame):
            raise TypeError(f"Lambda: transformFunc {self.getOrDefault(self.transformFunc)} returned "
                            f"{type(result).__name__}, expected a DataFrame")
        return result
