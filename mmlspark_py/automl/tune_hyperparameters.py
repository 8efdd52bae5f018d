"""TuneHyperparameters: k-fold cross-validated search over models and hyperparameters (SynapseML's API)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from mmlspark_py.core.schema import model_schema
from mmlspark_py.core.spark_compat import in_thread
from mmlspark_py.automl.hyperparams import ParamSpace
from mmlspark_py.automl.selection import SELECTION_METRICS, better, metric_column
from mmlspark_py.core.params import (HasSeed, Param, Params, SpecParam, StageListParam, StageParam, TypeConverters,
                                     to_one_of, to_positive_int)
from mmlspark_py.core.stage import Estimator, Model
from mmlspark_py.train.compute_model_statistics import ComputeModelStatistics


def _stage_uids(estimator: Any) -> List[str]:
    """The uids whose params a space may set on ``estimator``: its own and its learner's (``model`` param)."""
    uids = [estimator.uid]
    if estimator.hasParam("model") and estimator.isDefined("model"):
        uids.append(estimator.getOrDefault("model").uid)
    return uids


def with_settings(estimator: Any, settings: Dict[Tuple[str, str], Any]) -> Any:
    """A copy of ``estimator`` with ``settings`` ({(stage uid, param name): value}) applied to it or its learner."""
    out = estimator.copy()
    if out.hasParam("model") and out.isDefined("model"):
        learner = out.getOrDefault("model")
        own = {learner.getParam(p): v for (uid, p), v in settings.items() if uid == learner.uid}
        if own:
            out.set(out.getParam("model"), learner.copy(own))
    for (uid, name), value in settings.items():
        if uid == out.uid:
            out.set(out.getParam(name), value)
    return out


def describe(estimator: Any, settings: Dict[Tuple[str, str], Any]) -> str:
    learner = estimator.getOrDefault("model") if estimator.hasParam("model") else estimator
    values = ", ".join(f"{p}={v!r}" for (_, p), v in sorted(settings.items()))
    return f"{type(estimator).__name__}({type(learner).__name__}: {values})"


class TuneHyperparameters(Estimator, HasSeed):
    """Tries ``numRuns`` settings from ``paramSpace`` on ``models`` with ``numFolds``-fold cross-validation.

    :param models: estimators to tune (e.g. ``TrainClassifier(model=LogisticRegression())``); the space's
        entries name the estimator or its learner, whose params are set on copies.
    :param paramSpace: a :class:`GridSpace` (every combination) or :class:`RandomSpace` (``numRuns`` samples).
    :param numFolds: folds; each row's fold is ``floor(rand(seed) * numFolds)`` (default 3).
    :param numRuns: settings sampled by a RandomSpace (default 10).
    :param parallelism: candidate/fold fits run at once, in threads sharing the SparkSession (default 1).
    :param seed: seeds the folds and the sampling: the same seed gives the same result (default 0).
    :param evaluationMetric: metric to rank by (see FindBestModel; default ``accuracy``).

    ``fit`` refits the best setting on the whole DataFrame. Ties keep the earlier candidate.

    Errors: ValueError when there are no models or no fold has both training and test rows.

    Example::

        tuned = TuneHyperparameters(models=[TrainClassifier(model=lr, labelCol="y")], paramSpace=space,
                                    evaluationMetric="AUC", numFolds=3, numRuns=8, parallelism=2, seed=7).fit(df)
        tuned.getBestModelInfo(), tuned.getBestMetric()
    """

    models = StageListParam(Params._dummy(), "models", "the estimators to tune")
    paramSpace = SpecParam(Params._dummy(), "paramSpace", "the hyperparameter space (GridSpace or RandomSpace)",
                           ParamSpace)
    numFolds = Param(Params._dummy(), "numFolds", "number of cross-validation folds", typeConverter=to_positive_int)
    numRuns = Param(Params._dummy(), "numRuns", "number of settings a RandomSpace samples",
                    typeConverter=to_positive_int)
    parallelism = Param(Params._dummy(), "parallelism", "number of fits run at once (threads)",
                        typeConverter=to_positive_int)
    evaluationMetric = Param(Params._dummy(), "evaluationMetric", "metric to rank by: " + ", ".join(SELECTION_METRICS),
                             typeConverter=to_one_of(SELECTION_METRICS))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._setDefault(numFolds=3, numRuns=10, parallelism=1, seed=0, evaluationMetric="accuracy")

    def transformSchema(self, schema: StructType) -> StructType:
        """The first model's output schema (the winner is known only after fitting)."""
        if not self.isDefined("models") or not self.getModels():
            raise ValueError("TuneHyperparameters: models is empty; give at least one estimator")
        return self.getModels()[0].transformSchema(schema)

    def _candidates(self) -> List[Tuple[int, Dict]]:
        stage_uids = [_stage_uids(m) for m in self.getModels()]
        space = self.getParamSpace() if self.isDefined("paramSpace") else ParamSpace()
        if not self.isDefined("paramSpace"):
            return [(i, {}) for i in range(len(stage_uids))]
        return space.candidates(stage_uids, self.getNumRuns(), self.getSeed())

    def _fit(self, dataset: DataFrame) -> "TuneHyperparametersModel":
        fold_col = f"__{self.uid}_fold"
        k, metric = self.getNumFolds(), self.getEvaluationMetric()
        data = dataset.withColumn(fold_col, F.floor(F.rand(self.getSeed()) * k).cast("int")).persist()
        try:
            candidates = self._candidates()
            tasks = [(c, fold) for c in range(len(candidates)) for fold in range(k)]

            def run(task: Tuple[int, int]) -> float:
                index, fold = task
                model_index, settings = candidates[index]
                estimator = with_settings(self.getModels()[model_index], settings)
                train = data.where(F.col(fold_col) != fold).drop(fold_col)
                test = data.where(F.col(fold_col) == fold).drop(fold_col)
                scored = estimator.fit(train).transform(test)
                return ComputeModelStatistics().compute(scored)[metric_column(metric)]

            with ThreadPoolExecutor(max_workers=self.getParallelism()) as pool:
                scores = list(pool.map(in_thread(dataset.sparkSession, run), tasks))
        finally:
            data.unpersist()
        means = [sum(scores[c * k:(c + 1) * k]) / k for c in range(len(candidates))]
        best = 0
        for c in range(1, len(candidates)):
            if better(metric, means[c], means[best]):
                best = c
        model_index, settings = candidates[best]
        estimator = with_settings(self.getModels()[model_index], settings)
        model = TuneHyperparametersModel(bestModel=estimator.fit(dataset), bestMetric=float(means[best]),
                                         bestModelInfo=describe(estimator, settings))
        model._resetUid(self.uid)
        return model


class TuneHyperparametersModel(Model):
    """The best setting found by TuneHyperparameters, refitted on the whole DataFrame.

    :param bestModel: the fitted best model (transforms as it does).
    :param bestMetric: its mean cross-validated metric.
    :param bestModelInfo: the estimator, learner and hyperparameter values chosen.
    """

    bestModel = StageParam(Params._dummy(), "bestModel", "the best model, fitted on all the data")
    bestMetric = Param(Params._dummy(), "bestMetric", "mean cross-validated metric of the best model",
                       typeConverter=TypeConverters.toFloat)
    bestModelInfo = Param(Params._dummy(), "bestModelInfo", "the chosen estimator, learner and hyperparameters",
                          typeConverter=TypeConverters.toString)

    def transformSchema(self, schema: StructType) -> StructType:
        return model_schema(self.getBestModel(), schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return self.getBestModel().transform(dataset)
