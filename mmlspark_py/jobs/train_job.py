"""The ``train`` job: TrainClassifier/TrainRegressor on a data set, evaluated, logged, optionally registered.

``mmlspark-py train JOB.yaml`` with a job file such as::

    kind: train
    experiment: income
    input: data/adult.parquet
    labelCol: income
    learner: {name: LogisticRegression, params: {regParam: 0.01}}
    testFraction: 0.2
    register: income
    alias: candidate

Steps: read and check the columns (before any work), split (``testFraction``, ``seed``), fit, evaluate on the
held-out rows with ComputeModelStatistics (plus its plots when matplotlib is installed), log the model to the
run with its signature and lineage, register it when ``register`` names a model, and save it to
``modelOutput`` (atomically) when given. Params, fit times, metrics and plots reach the run through
autologging (:mod:`mmlspark_py.tracking.autolog`).

Learners are named, never imported from the file: :data:`LEARNERS` lists the Spark ML learners a job may use.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from mmlspark_py.core.spec import require
from mmlspark_py.jobs.runner import JobContext, JobError, JobSpec
from mmlspark_py.jobs.score_job import input_format, read_data

CLASSIFIERS = (
    "LogisticRegression",
    "RandomForestClassifier",
    "GBTClassifier",
    "DecisionTreeClassifier",
    "NaiveBayes",
    "LinearSVC",
    "MultilayerPerceptronClassifier",
)
REGRESSORS = (
    "LinearRegression",
    "RandomForestRegressor",
    "GBTRegressor",
    "DecisionTreeRegressor",
    "GeneralizedLinearRegression",
)
LEARNERS = {"classification": CLASSIFIERS, "regression": REGRESSORS}


def make_learner(task: str, spec: Dict[str, Any]) -> Any:
    """The Spark ML learner ``{"name": ..., "params": {...}}`` names (one of :data:`LEARNERS` for ``task``)."""
    import pyspark.ml.classification as classification
    import pyspark.ml.regression as regression

    name, params = spec.get("name"), spec.get("params") or {}
    unknown = set(spec) - {"name", "params"}
    if unknown:
        raise JobError(f"train job: learner has unknown key(s) {sorted(unknown)}; valid: name, params")
    if name not in LEARNERS[task]:
        raise JobError(f"train job: learner {name!r} is not a {task} learner; valid: {list(LEARNERS[task])}")
    cls = getattr(classification if task == "classification" else regression, name)
    try:
        return cls(**params)
    except (TypeError, ValueError) as e:
        raise JobError(f"train job: learner {name} params {params}: {e}") from e


@dataclass(frozen=True)
class TrainJob(JobSpec):
    """Train a model on ``input``.

    :param input, inputFormat: the training data (any Hadoop path; format from the extension, else parquet).
    :param labelCol: the label column. :param inputCols: feature columns (default: all others).
    :param task: ``classification`` (TrainClassifier) or ``regression`` (TrainRegressor).
    :param learner: ``{"name": "LogisticRegression", "params": {...}}``; see :data:`LEARNERS`.
    :param testFraction: held-out share for evaluation (0: evaluate on the training data). :param seed: split seed.
    :param register, alias: register the model under this name (and set this alias).
    :param modelOutput, overwrite: also save the fitted model folder here.
    :param plots: log the evaluation plots (needs matplotlib).
    """

    kind = "train"
    input: str
    labelCol: str
    inputFormat: Optional[str] = None
    inputCols: Optional[List[str]] = None
    task: str = "classification"
    learner: Dict[str, Any] = field(default_factory=lambda: {"name": "LogisticRegression"})
    testFraction: float = 0.2
    seed: int = 0
    register: Optional[str] = None
    alias: Optional[str] = None
    modelOutput: Optional[str] = None
    overwrite: bool = False
    plots: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.task in LEARNERS, f"train job: task must be one of {sorted(LEARNERS)}", self.task)
        require(0 <= self.testFraction < 1, "train job: testFraction must be in [0, 1)", self.testFraction)
        require(self.alias is None or self.register is not None, "train job: alias needs register (a model name)")

    def describe(self) -> str:
        return f"{self.learner.get('name')} on {self.input} (label {self.labelCol})"

    def inputs(self) -> List[str]:
        return [self.input]

    def _trainer(self) -> Any:
        from mmlspark_py.train import TrainClassifier, TrainRegressor

        cls = TrainClassifier if self.task == "classification" else TrainRegressor
        return cls(model=make_learner(self.task, self.learner), labelCol=self.labelCol, inputCols=self.inputCols)

    def run(self, ctx: JobContext) -> Dict[str, Any]:
        from mmlspark_py.core.atomic_output import check_output_path, publish_atomically

        trainer = self._trainer()
        data = read_data(ctx.spark, self.input, input_format(self.input, self.inputFormat))
        needed = [self.labelCol] + list(self.inputCols or [])
        missing = [c for c in needed if c not in data.columns]
        if missing:
            raise JobError(f"train job: input {self.input!r} has no column(s) {missing}; columns: {data.columns}")
        if self.modelOutput:
            check_output_path(ctx.spark, self.modelOutput, [self.input], self.overwrite)
        train, test = (
            data.randomSplit([1 - self.testFraction, self.testFraction], seed=self.seed)
            if self.testFraction > 0
            else (data, data)
        )
        ctx.progress.step(f"train: fitting {self.describe()}")
        model = trainer.fit(train)
        ctx.progress.step("train: evaluating on the held-out rows" if self.testFraction else "train: evaluating")
        metrics = self._evaluate(model.transform(test))
        results: Dict[str, Any] = {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
        if ctx.run is not None:
            logged = ctx.run.log_model(model, training_data=train, training_data_path=self.input)
            results["model_uri"] = logged.uri
        if self.register:
            from mmlspark_py.registry import register_model

            source = results.get("model_uri", model)
            version = register_model(
                source,
                self.register,
                training_data=None if ctx.run else train,
                training_data_path=self.input,
                alias=self.alias,
            )
            results.update(registered=version.uri, version=version.version)
            ctx.progress.step(f"train: registered {version.uri}" + (f" (alias {self.alias})" if self.alias else ""))
        if self.modelOutput:
            publish_atomically(
                ctx.spark,
                self.modelOutput,
                lambda tmp: model.write().save(tmp),
                overwrite=self.overwrite,
                inputs=[self.input],
            )
            results["model_output"] = self.modelOutput
        return results

    def _evaluate(self, scored: Any) -> Dict[str, Any]:
        if self.plots:
            try:
                from mmlspark_py.plot import quick_report
            except ImportError:
                pass
            else:
                with tempfile.TemporaryDirectory(prefix="mmlspark-train-plots-") as tmp:
                    report = quick_report(scored, tmp)  # its plots reach the run through autologging
                return {k: v for k, v in report.items() if k != "plots"}
        from mmlspark_py.train import ComputeModelStatistics

        return ComputeModelStatistics().compute(scored)
