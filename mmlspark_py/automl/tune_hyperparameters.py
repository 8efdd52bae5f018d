"""TuneHyperparameters: k-fold cross-validated search over models and hyperparameters (SynapseML's API)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from mmlspark_py.automl.hyperparams import ParamSpace
from mmlspark_py.core.params import (
    HasSeed,
    SpecParam,
    StageListParam,
    StageParam,
    TypeConverters,
    declare,
    override,
    to_one_of,
    to_positive_int,
)
from mmlspark_py.core.schema import model_schema
from mmlspark_py.core.spark_compat import in_thread
from mmlspark_py.core.stage import Estimator, Model
from mmlspark_py.train import SELECTION_METRICS, ComputeModelStatistics, better, metric_column


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

    ``models`` are estimators (e.g. ``TrainClassifier(model=LogisticRegression())``); the space's entries name
    the estimator or its learner, whose params are set on copies. A :class:`GridSpace` tries every combination,
    a :class:`RandomSpace` ``numRuns`` samples, the models in turn. Each row's fold is
    ``floor(rand(seed) * numFolds)``; fits run ``parallelism`` at once, in threads sharing the SparkSession; the
    same seed gives the same result. SynapseML requires numFolds, numRuns and parallelism; here they default to
    3, 10 and 1.

    ``fit`` refits the best setting on the whole DataFrame. Ties keep the earlier candidate.

    Errors: ValueError when there are no models or no fold has both training and test rows.

    Example::

        tuned = TuneHyperparameters(models=[TrainClassifier(model=lr, labelCol="y")], paramSpace=space,
                                    evaluationMetric="AUC", numFolds=3, numRuns=8, parallelism=2, seed=7).fit(df)
        tuned.getBestModelInfo(), tuned.getBestMetric()
    """

    models = StageListParam.declare("estimators to run")
    paramSpace = SpecParam.declare(
        "parameter space for generating hyperparameters (GridSpace or RandomSpace)", ParamSpace
    )
    numFolds = declare("number of folds", to_positive_int, default=3)
    numRuns = declare(
        "termination criteria for randomized search: the number of settings a RandomSpace samples",
        to_positive_int,
        default=10,
    )
    parallelism = declare("the number of models to run in parallel (threads)", to_positive_int, default=1)
    seed = override(HasSeed.seed, default=0, doc="random number generator seed (folds and sampling)")
    evaluationMetric = declare(
        "metric to evaluate models with: " + ", ".join(SELECTION_METRICS),
        to_one_of(SELECTION_METRICS),
        default="accuracy",
    )

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

    def _fit(self, dataset: DataFrame) -> TuneHyperparametersModel:
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
        means = [sum(scores[c * k : (c + 1) * k]) / k for c in range(len(candidates))]
        best = 0
        for c in range(1, len(candidates)):
            if better(metric, means[c], means[best]):
                best = c
        model_index, settings = candidates[best]
        estimator = with_settings(self.getModels()[model_index], settings)
        model = TuneHyperparametersModel(
            bestModel=estimator.fit(dataset), bestMetric=float(means[best]), bestModelInfo=describe(estimator, settings)
        )
        model._resetUid(self.uid)
        return model


class TuneHyperparametersModel(Model):
    """The best setting found by TuneHyperparameters, refitted on the whole DataFrame; transforms as it does."""

    bestModel = StageParam.declare("the best model found, fitted on all the data")
    bestMetric = declare("the best metric from the runs (mean over the folds)", TypeConverters.toFloat)
    bestModelInfo = declare("the chosen estimator, learner and hyperparameter values", TypeConverters.toString)

    def transformSchema(self, schema: StructType) -> StructType:
        return model_schema(self.getBestModel(), schema)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return self.getBestModel().transform(dataset)
