"""Timer: wraps a stage and measures how long it takes to fit and transform (SynapseML's ``Timer``).

``Timer(stage=s)`` is an Estimator; ``fit`` fits ``s`` (when it is an Estimator; a Transformer is used as it
is) and returns a :class:`TimerModel` holding the fitted transformer. Output columns are exactly the wrapped
stage's.

Timings are returned, not hung on the stage: ``timer.fitWithTime(df)`` gives ``(model, message)`` and
``model.transformWithTime(df)`` gives ``(DataFrame, message)``; ``fit``/``transform`` log the message (logger
``mmlspark_py.stages.timer``, level INFO) when ``logToScala`` is on (SynapseML's name; it prints to the
console there).

Spark is lazy: with ``disableMaterialization=True`` (the default, as in SynapseML) a transform's time is only
the time to build its plan. With False, the input is cached and counted first, and the output is cached and
counted inside the timed span, so the time covers the real computation (the message gives the row count).

Example::

    model = Timer(stage=StringIndexer(inputCol="c", outputCol="i"), disableMaterialization=False).fit(df)
    out, message = model.transformWithTime(df)     # "StringIndexerModel... took 0.41s to transform 1000 rows"
"""

from __future__ import annotations

import logging
import time
from typing import Any, Optional, Tuple

from pyspark.ml.base import Estimator as SparkEstimator
from pyspark.sql import DataFrame
from pyspark.sql.types import StructType

from mmlspark_py.core.params import Params, StageParam, TypeConverters, declare
from mmlspark_py.core.schema import stage_schema
from mmlspark_py.core.stage import Estimator, Model

__all__ = ["Timer", "TimerModel"]

LOGGER = logging.getLogger(__name__)


def _message(stage: Any, seconds: float, action: str, rows: Optional[int]) -> str:
    amount = f" {rows} rows" if rows is not None else ""
    return f"{stage} took {seconds:.6f}s to {action}{amount}"


class _TimerParams(Params):
    logToScala = declare(
        "whether to log the time (logger mmlspark_py.stages.timer, INFO)", TypeConverters.toBoolean, default=True
    )
    disableMaterialization = declare(
        "whether to skip caching and counting, so only plan building is timed (turn timing off, e.g. for evaluation)",
        TypeConverters.toBoolean,
        default=True,
    )

    def _log(self, message: str) -> None:
        if message and self.getOrDefault(self.logToScala):
            LOGGER.info(message)

    def _materialize(self, df: DataFrame) -> Tuple[DataFrame, Optional[int]]:
        if self.getOrDefault(self.disableMaterialization):
            return df, None
        cached = df.cache()
        return cached, cached.count()


class Timer(Estimator, _TimerParams):
    """Times fitting ``stage`` (any Spark ML stage); the TimerModel times its transforms."""

    stage = StageParam.declare("the stage to time")

    def _require_stage(self) -> Any:
        if not self.isDefined(self.stage):
            raise ValueError("Timer: param stage (the Spark ML stage to time) is not set")
        return self.getStage()

    def transformSchema(self, schema: StructType) -> StructType:
        return stage_schema(self._require_stage(), schema)

    def fitWithTime(self, dataset: DataFrame) -> Tuple[TimerModel, str]:
        """The fitted TimerModel and a message with the time ``fit`` took ("" for a Transformer stage)."""
        stage = self._require_stage()
        if not isinstance(stage, SparkEstimator):
            return self._model(stage), ""
        dataset, rows = self._materialize(dataset)
        start = time.perf_counter()
        fitted = stage.fit(dataset)
        return self._model(fitted), _message(stage, time.perf_counter() - start, "fit", rows)

    def _model(self, transformer: Any) -> TimerModel:
        return TimerModel(
            transformer=transformer,
            logToScala=self.getOrDefault(self.logToScala),
            disableMaterialization=self.getOrDefault(self.disableMaterialization),
        )

    def _fit(self, dataset: DataFrame) -> TimerModel:
        model, message = self.fitWithTime(dataset)
        self._log(message)
        return model


class TimerModel(Model, _TimerParams):
    """Applies the fitted ``transformer`` and times it (see the module docstring)."""

    transformer = StageParam.declare("the inner transformer to time")

    def transformSchema(self, schema: StructType) -> StructType:
        return stage_schema(self.getTransformer(), schema)

    def transformWithTime(self, dataset: DataFrame) -> Tuple[DataFrame, str]:
        """The transformed DataFrame and a message with the time the transform took."""
        dataset, _ = self._materialize(dataset)
        start = time.perf_counter()
        result, rows = self._materialize(self.getTransformer().transform(dataset))
        return result, _message(self.getTransformer(), time.perf_counter() - start, "transform", rows)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        result, message = self.transformWithTime(dataset)
        self._log(message)
        return result
