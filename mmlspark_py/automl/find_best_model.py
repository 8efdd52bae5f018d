"""FindBestModel: evaluates trained models on one DataFrame and keeps the best (SynapseML's API)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pyspark.sql import DataFrame
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from mmlspark_py.core.params import StageListParam, StageParam, declare, to_json_value, to_one_of
from mmlspark_py.core.schema import active_spark, model_schema
from mmlspark_py.core.stage import Estimator, Model
from mmlspark_py.train import (
    CLASSIFICATION,
    FPR,
    SELECTION_METRICS,
    TPR,
    ComputeModelStatistics,
    ConfusionCells,
    better,
    metric_column,
    roc_curve,
)

MAX_ROC_POINTS = 1000


def model_parameters(model: Any) -> str:
    """The explicitly set params of ``model``'s learner (or of ``model``), ``"name: value"`` sorted and joined
    with ", " (SynapseML's ``parameters`` column)."""
    inner = model.getOrDefault("model") if model.hasParam("model") and model.isDefined("model") else model
    learner = inner.stages[-1] if hasattr(inner, "stages") and inner.stages else inner
    return ", ".join(
        sorted(
            f"{p.name}: {learner.getOrDefault(p)}"
            for p in learner.params
            if learner.isSet(p) and p.name not in ("featuresCol", "labelCol")
        )
    )


class FindBestModel(Estimator):
    """Scores ``dataset`` with each of ``models`` (fitted; e.g. TrainedClassifierModel, TrainedRegressorModel)
    and keeps the one with the best ``evaluationMetric``.

    Metrics: ``accuracy``, ``precision``, ``recall``, ``AUC`` (= ``areaUnderROC``), ``areaUnderPR`` (higher is
    better), ``mse``, ``rmse``, ``mae`` (lower), ``r2`` (higher). ``fit`` evaluates each model once; ties keep the
    earlier model. ``transformSchema`` is the first model's (the winner is known only after fitting).

    Errors: ValueError for no models, or AUC/areaUnderPR on more than two classes; SchemaError from
    ComputeModelStatistics when a model's output lacks a column.

    Example::

        best = FindBestModel(models=[lr_model, rf_model], evaluationMetric="AUC").fit(validation)
        best.getBestModel(); best.getAllModelMetrics().show(); best.getRocCurve().show()
    """

    models = StageListParam.declare("list of models to be evaluated")
    evaluationMetric = declare(
        "metric to evaluate models with: " + ", ".join(SELECTION_METRICS),
        to_one_of(SELECTION_METRICS),
        default="accuracy",
    )

    def transformSchema(self, schema: StructType) -> StructType:
        if not self.isDefined("models") or not self.getModels():
            raise ValueError("FindBestModel: models is empty; give at least one fitted model")
        return model_schema(self.getModels()[0], schema)

    def _fit(self, dataset: DataFrame) -> BestModel:
        metric = self.getEvaluationMetric()
        column = metric_column(metric)
        evaluated: List[Dict[str, Any]] = []
        best = 0
        for i, model in enumerate(self.getModels()):
            metrics = ComputeModelStatistics().compute(model.transform(dataset))
            if column not in metrics:
                raise ValueError(
                    f"evaluationMetric: {metric!r} is not a metric of {metrics['kind'].lower()} model {model.uid}"
                )
            if column in ("AUC", "areaUnderPR") and metrics["cells"].size > 2:
                raise ValueError(
                    f"evaluationMetric: {metric} is defined for two classes; model {model.uid} "
                    f"scores {metrics['cells'].size}"
                )
            evaluated.append(metrics)
            if i and better(metric, metrics[column], evaluated[best][column]):
                best = i
        winner = self.getModels()[best]
        rows = [
            {"model_name": m.uid, "metric": float(e[column]), "parameters": model_parameters(m)}
            for m, e in zip(self.getModels(), evaluated)
        ]
        model = BestModel(
            bestModel=winner,
            allModelMetricsJson=rows,
            bestModelMetricsJson=_plain(evaluated[best]),
            rocCurvePoints=self._roc(winner.transform(dataset), evaluated[best]),
        )
        model._resetUid(self.uid)
        model._evaluated = dataset
        return model

    @staticmethod
    def _roc(scored: DataFrame, metrics: Dict[str, Any]) -> List[List[float]]:
        """The ROC points (at most MAX_ROC_POINTS, evenly thinned, ends kept); empty unless binary."""
        if metrics["kind"] != CLASSIFICATION or metrics["cells"].size != 2:
            return []
        points = [[r[FPR], r[TPR]] for r in roc_curve(scored).limit(100 * MAX_ROC_POINTS).collect()]
        if len(points) > MAX_ROC_POINTS:
            step = (len(points) - 1) / (MAX_ROC_POINTS - 1)
            points = [points[round(i * step)] for i in range(MAX_ROC_POINTS)]
        return points


def _plain(metrics: Dict[str, Any]) -> Dict[str, Any]:
    """JSON-safe metrics (the confusion cells as JSON)."""
    return {k: (v.to_json() if isinstance(v, ConfusionCells) else v) for k, v in metrics.items()}


class BestModel(Model):
    """The best of FindBestModel's models; transforms as that model does.

    ``getScoredDataset()`` is the data the models were evaluated on, scored by the best model (a lazy
    DataFrame, kept in memory: a loaded BestModel has none). The metrics are saved with the model.
    """

    bestModel = StageParam.declare("the best model found")
    allModelMetricsJson = declare("model_name, metric and parameters of every evaluated model", to_json_value)
    bestModelMetricsJson = declare("all the metrics of the best model (ComputeModelStatistics')", to_json_value)
    rocCurvePoints = declare(
        "ROC points [false positive rate, true positive rate] of the best model (binary classification; at most 1,000)",
        to_json_value,
        default=[],
    )

    _evaluated: Optional[DataFrame] = None

    def transformSchema(self, schema: StructType) -> StructType:
        return model_schema(self.getBestModel(), schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return self.getBestModel().transform(dataset)

    def getScoredDataset(self) -> DataFrame:
        """The evaluation data scored by the best model (SynapseML's); recomputed lazily, not saved."""
        if self._evaluated is None:
            raise ValueError(
                "BestModel.getScoredDataset: this model holds no evaluation data (it was loaded, or "
                "built without FindBestModel.fit); score data with transform(df) instead"
            )
        return self.transform(self._evaluated)

    def getAllModelMetrics(self) -> DataFrame:
        """One row per evaluated model: ``model_name``, ``metric`` (the evaluation metric), ``parameters``."""
        schema = StructType(
            [
                StructField("model_name", StringType(), False),
                StructField("metric", DoubleType(), False),
                StructField("parameters", StringType(), False),
            ]
        )
        return active_spark().createDataFrame(
            [(r["model_name"], r["metric"], r["parameters"]) for r in self.getAllModelMetricsJson()], schema
        )

    def getBestModelMetrics(self) -> DataFrame:
        """The best model's metrics, as ComputeModelStatistics gives them (one row)."""
        metrics = dict(self.getBestModelMetricsJson())
        if "cells" in metrics:
            metrics["cells"] = ConfusionCells.from_json(metrics["cells"])
        return ComputeModelStatistics().metrics_frame(metrics)

    def getRocCurve(self) -> DataFrame:
        """The best model's ROC curve: false_positive_rate, true_positive_rate (empty unless binary)."""
        return active_spark().createDataFrame(
            [tuple(p) for p in self.getRocCurvePoints()], f"{FPR} double, {TPR} double"
        )

    def getEvaluationResults(self) -> DataFrame:
        """The ROC curve (SynapseML's older name of :meth:`getRocCurve`)."""
        return self.getRocCurve()
