"""FindBestModel and TuneHyperparameters: the right winner, metrics equal ComputeModelStatistics', determinism."""

from __future__ import annotations

import pytest
from pyspark.ml.classification import LogisticRegression, RandomForestClassifier

from mmlspark_py.automl import (
    BestModel,
    DiscreteHyperParam,
    FindBestModel,
    GridSpace,
    HyperparamBuilder,
    RandomSpace,
    RangeHyperParam,
    TuneHyperparameters,
)
from mmlspark_py.automl.hyperparams import ParamSpace
from mmlspark_py.core.spec import SpecError
from mmlspark_py.train import ComputeModelStatistics, TrainClassifier
from tests.train.data import cancer_df


@pytest.fixture(scope="module")
def data(spark):
    df = cancer_df(spark, 100).cache()
    return df.where("id < 70"), df.where("id >= 70")


@pytest.fixture(scope="module")
def models(data):
    train, _ = data
    good = TrainClassifier(model=LogisticRegression(maxIter=30), labelCol="label").fit(train)
    weak = TrainClassifier(
        model=LogisticRegression(maxIter=1, regParam=5.0), labelCol="label", inputCols=["texture"]
    ).fit(train)
    return weak, good


@pytest.mark.parametrize("metric", ["AUC", "accuracy"])
def test_find_best_model(data, models, metric, tmp_path):
    _, test = data
    best = FindBestModel(models=list(models), evaluationMetric=metric).fit(test)
    stats = [ComputeModelStatistics().transform(m.transform(test)).head() for m in models]
    column = {"AUC": "AUC", "accuracy": "accuracy"}[metric]
    winner = max(range(2), key=lambda i: (stats[i][column], -i))
    assert best.getBestModel().uid == models[winner].uid
    all_metrics = best.getAllModelMetrics()
    assert all_metrics.columns == ["model_name", "metric", "parameters"]  # SynapseML's columns
    table = {r["model_name"]: r for r in all_metrics.collect()}
    for model, stat in zip(models, stats):
        assert table[model.uid]["metric"] == pytest.approx(stat[column], abs=1e-12)
    assert table[models[0].uid]["parameters"] == "maxIter: 1, regParam: 5.0"
    assert best.getBestModelMetrics().head()["AUC"] == pytest.approx(stats[winner]["AUC"], abs=1e-12)
    roc = best.getRocCurve().collect()
    assert roc[0]["false_positive_rate"] == 0.0 and roc[-1]["true_positive_rate"] == 1.0
    scored = best.getScoredDataset()  # SynapseML's: the evaluation data scored by the best model
    assert scored.columns == models[winner].transform(test).columns
    assert sorted(scored.select("prediction").collect()) == sorted(
        models[winner].transform(test).select("prediction").collect()
    )
    best.write().overwrite().save(str(tmp_path / "best"))
    loaded = BestModel.load(str(tmp_path / "best"))
    assert loaded.getAllModelMetricsJson() == best.getAllModelMetricsJson()
    assert loaded.getBestModelMetrics().collect() == best.getBestModelMetrics().collect()
    with pytest.raises(ValueError, match="holds no evaluation data"):
        loaded.getScoredDataset()


def _space():
    lr, rf = LogisticRegression(), RandomForestClassifier(seed=1)
    space = (
        HyperparamBuilder()
        .addHyperparam(lr, lr.regParam, RangeHyperParam(0.0, 0.3))
        .addHyperparam(lr, lr.maxIter, DiscreteHyperParam([5, 20]))
        .addHyperparam(rf, rf.numTrees, RangeHyperParam(3, 12))
        .build()
    )
    return [TrainClassifier(model=lr, labelCol="label"), TrainClassifier(model=rf, labelCol="label")], space


def test_random_space_is_deterministic_and_round_trips():
    models, space = _space()
    uids = [[m.uid, m.getModel().uid] for m in models]
    random = RandomSpace(space).space()
    first, again = random.candidates(uids, 6, 42), random.candidates(uids, 6, 42)
    assert first == again and first != random.candidates(uids, 6, 43)
    assert [i for i, _ in first] == [0, 1, 0, 1, 0, 1]
    for i, settings in first:
        names = {p for _, p in settings}
        assert names == ({"regParam", "maxIter"} if i == 0 else {"numTrees"})
        for (_, p), v in settings.items():
            assert (0.0 <= v < 0.3) if p == "regParam" else (v in (5, 20)) if p == "maxIter" else (3 <= v < 12)
    assert ParamSpace.from_json(random.to_json()) == random
    with pytest.raises(ValueError, match="cannot be enumerated"):
        GridSpace(space).candidates(uids, 1, 0)
    with pytest.raises(SpecError, match="min < max"):
        RangeHyperParam(1.0, 0.5)


def test_tune_hyperparameters_deterministic_and_parallel(data):
    train, _ = data
    models, space = _space()
    results = []
    for parallelism in (1, 2):
        tuned = TuneHyperparameters(
            models=models,
            paramSpace=RandomSpace(space).space(),
            numFolds=2,
            numRuns=2,
            parallelism=parallelism,
            seed=7,
            evaluationMetric="AUC",
        ).fit(train)
        results.append((tuned.getBestModelInfo(), tuned.getBestMetric()))
    assert results[0] == results[1]
    assert 0.5 < results[0][1] <= 1.0
    assert "TrainClassifier(" in results[0][0]


def test_tune_grid_picks_the_better_setting(data):
    train, _ = data
    lr = LogisticRegression()
    space = HyperparamBuilder().addHyperparam(lr, lr.regParam, DiscreteHyperParam([1000.0, 0.0])).build()
    tuned = TuneHyperparameters(
        models=[TrainClassifier(model=lr, labelCol="label")],
        paramSpace=GridSpace(space),
        numFolds=2,
        evaluationMetric="accuracy",
        seed=1,
    ).fit(train)
    assert "regParam=0.0" in tuned.getBestModelInfo()
    assert tuned.getBestModel().getModel().stages[-1].getRegParam() == 0.0
