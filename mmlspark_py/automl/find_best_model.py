"""FindBestModel: evaluates trained models on one DataFrame and keeps the best (SynapseML's API)."""

from __future__ import annotations

from typing import Any, List

from pyspark.ml.linalg import DenseMatrix
from pyspark.sql import DataFrame
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from mmlspark_py.automl.selection import SELECTION_METRICS, better, metric_column, plain
from mmlspark_py.core.params import Param, Params, StageListParam, StageParam, to_json_value, to_one_of
from mmlspark_py.core.stage import Estimator, Model
from mmlspark_py.core.schema import active_spark, model_schema
from mmlspark_py.train.compute_model_statistics import CONFUSION_MATRIX, ComputeModelStatistics
from mmlspark_py.train.curves import FPR, TPR, roc_curve

MAX_ROC_POINTS = 1000


class FindBestModel(Estimator):
    """Scores ``dataset`` with each of ``models`` and keeps the one with the best ``evaluationMetric``.

    :param models: fitted models whose output ComputeModelStatistics understands (e.g. TrainedClassifierModel,
        TrainedRegressorModel).
    :param evaluationMetric: ``accuracy``, ``precision``, ``recall``, ``AUC``, ``areaUnderPR`` (higher is
        better) or ``mse``, ``rmse``, ``mae`` (lower), ``r2`` (higher). Default ``accuracy``.

    ``fit`` evaluates each model once (one pass each); ties keep the earlier model. ``transformSchema`` is the
    first model's (the winner is known only after fitting).

    Errors: ValueError for no models; SchemaError from ComputeModelStatistics when a model's output lacks a
    column.

    Example::

        best = FindBestModel(models=[lr_model, rf_model], evaluationMetric="AUC").fit(validation)
        best.getBestModel(); best.getAllModelMetrics().show(); best.getRocCurve().show()
    """

    models = StageListParam(Params._dummy(), "models", "the fitted models to compare")
    evaluationMetric = Param(Params._dummy(), "evaluationMetric", "metric to rank the models by: " +
                             ", ".join(SELECTION_METRICS), typeConverter=to_one_of(SELECTION_METRICS))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._setDefault(evaluationMetric="accuracy")

    def transformSchema(self, schema: StructType) -> StructType:
        if not self.isDefined("models") or not self.getModels():
            raise ValueError("FindBestModel: models is empty; give at least one fitted model")
        return model_schema(self.getModels()[0], schema)

    def _fit(self, dataset: DataFrame) -> "BestModel":
        metric = self.getEvaluationMetric()
        column_name = metric_column(metric)
        evaluated: List[dict] = []
        best_index = 0
        for i, model in enumerate(self.getModels()):
            metrics = ComputeModelStatistics().compute(model.transform(dataset))
            evaluated.append(plain(metrics))
            if i and better(metric, metrics[column_name], evaluated[best_index][column_name]):
                best_index = i
        all_metrics = [{"model_name": m.uid, "model_type": type(m).__name__, **{k: v for k, v in e.items()
                        if k not in (CONFUSION_MATRIX, "levels")}} for m, e in zip(self.getModels(), evaluated)]
        best = self.getModels()[best_index]
        roc = self._roc(best.transform(dataset), evaluated[best_index])
        model = BestModel(bestModel=best, allModelMetricsJson=all_metrics,
                          bestModelMetricsJson=evaluated[best_index], rocCurvePoints=roc)
        model._resetUid(self.uid)
        return model

    @staticmethod
    def _roc(scored: DataFrame, metrics: dict) -> List[List[float]]:
        """The ROC points (at most MAX_ROC_POINTS, evenly thinned, ends kept); empty unless binary."""
        if metrics["evaluation_type"] != "Classification" or len(metrics.get("levels", [])) != 2:
            return []
        points = [[r[FPR], r[TPR]] for r in roc_curve(scored).limit(100 * MAX_ROC_POINTS).collect()]
        if len(points) > MAX_ROC_POINTS:
            step = (len(points) - 1) / (MAX_ROC_POINTS - 1)
            points = [points[round(i * step)] for i in range(MAX_ROC_POINTS)]
        return points


class BestModel(Model):
    """The best of FindBestModel's models; transforms as that model does.

    :param bestModel: the winning fitted model.
    :param allModelMetricsJson: the metrics of every model (``getAllModelMetrics()`` gives them as a DataFrame).
    :param bestModelMetricsJson: the winner's metrics (``getBestModelMetrics()`` gives a DataFrame).
    :param rocCurvePoints: the winner's ROC points, at most 1,000 (``getRocCurve()`` gives a DataFrame).
    """

    bestModel = StageParam(Params._dummy(), "bestModel", "the best fitted model")
    allModelMetricsJson = Param(Params._dummy(), "allModelMetricsJson", "metrics of every evaluated model",
                            typeConverter=to_json_value)
    bestModelMetricsJson = Param(Params._dummy(), "bestModelMetricsJson", "metrics of the best model",
                             typeConverter=to_json_value)
    rocCurvePoints = Param(Params._dummy(), "rocCurvePoints", "ROC points [false positive rate, true positive "
                           "rate] of the best model (binary classification)", typeConverter=to_json_value)

    def transformSchema(self, schema: StructType) -> StructType:
        return model_schema(self.getBestModel(), schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return self.getBestModel().transform(dataset)

    def getScoredDataset(self, dataset: DataFrame) -> DataFrame:
        """``dataset`` scored by the best model (recomputed, not held: a model holds no data)."""
        return self.transform(dataset)

    def getAllModelMetrics(self) -> DataFrame:
        """One row per model: model_name, model_type and each metric."""
        rows = self.getAllModelMetricsJson()
        keys = list(rows[0])
        schema = StructType([StructField(k, StringType() if k in ("model_name", "model_type", "evaluation_type")
                                         else DoubleType(), True) for k in keys])
        return active_spark().createDataFrame([tuple(_number(r[k]) for k in keys) for r in rows], schema)

    def getBestModelMetrics(self) -> DataFrame:
        """The best model's metrics in ComputeModelStatistics' format (one row)."""
        metrics = dict(self.getBestModelMetricsJson())
        stage = ComputeModelStatistics()
        schema = stage._output_schema(metrics["evaluation_type"])
        if CONFUSION_MATRIX in metrics:
            m = metrics[CONFUSION_MATRIX]
            metrics[CONFUSION_MATRIX] = DenseMatrix(len(m), len(m), [v for col in zip(*m) for v in col])
        return active_spark().createDataFrame([tuple(metrics[f.name] for f in schema.fields)], schema)

    def getRocCurve(self) -> DataFrame:
        """The best model's ROC curve: false_positive_rate, true_positive_rate (empty unless binary)."""
        return active_spark().createDataFrame([tuple(p) for p in self.getRocCurvePoints()],
                                              f"{FPR} double, {TPR} double")


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
