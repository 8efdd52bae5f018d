"""The ``deep_vision`` job: a DeepVisionClassifier trained by the runner (``mmlspark-py train JOB.yaml``).

The job file has the keys of :func:`mmlspark_py.dl.run_training_job` (the ``dl`` area's job, which does the
work) and the runner's keys (``experiment``, ``target``, ``runName``)::

    kind: deep_vision                      # or DeepVisionClassifier
    experiment: fashion
    input: /data/fashion/train             # <input>/<class name>/<image files>, or any Spark source
    testInput: /data/fashion/test
    params: {epochs: 5, numWorkers: 2, imageHeight: 28, imageWidth: 28, imageChannels: 1}
    modelOutput: /models/fashion           # written atomically

The runner's MLflow run (not one of the dl job's own) records the spec as params, the per-epoch metrics with
the epoch as step (the learning curve), ``test_accuracy`` and the model folder. Bad keys and bad
DeepVisionClassifier params are rejected when the spec is built, before a session starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from mmlspark_py.core.spec import SpecError
from mmlspark_py.jobs.runner import JobContext, JobSpec


@dataclass(frozen=True)
class DeepVisionJob(JobSpec):
    """Train a DeepVisionClassifier on images.

    :param input: training images: folders ``<input>/<class>/<files>`` (``inputFormat: image_folders``), or any
        Spark source with ``imageCol`` and ``labelCol``.
    :param inputFormat, imageCol, labelCol: as above. :param testInput: held-out images (``test_accuracy``).
    :param params: DeepVisionClassifier params (``epochs``, ``numWorkers``, ``imageHeight``, ...).
    :param modelOutput, overwrite: the fitted model folder (atomic write; an existing one is kept unless
        ``overwrite``).
    """

    kind = "deep_vision"
    input: str
    modelOutput: str
    inputFormat: str = "image_folders"
    imageCol: str = "image"
    labelCol: str = "label"
    testInput: Optional[str] = None
    params: Dict[str, Any] = field(default_factory=dict)
    overwrite: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        from mmlspark_py.dl import DeepVisionClassifier

        try:  # a bad param fails here, not after the session and the data are up
            DeepVisionClassifier(**self.params)
        except (TypeError, ValueError) as e:
            raise SpecError(f"{self.kind} job: params: {e}") from None

    def describe(self) -> str:
        return f"DeepVisionClassifier on {self.input}"

    def inputs(self) -> List[str]:
        return [p for p in (self.input, self.testInput) if p]

    def run(self, ctx: JobContext) -> Dict[str, Any]:
        from mmlspark_py.dl import run_training_job

        spec = {k: v for k, v in self.to_json().items() if v is not None}
        spec["kind"] = "deep_vision"  # no "experiment": the runner's run records it, not a second one
        ctx.progress.step(f"{self.kind}: training {self.describe()}")
        summary = run_training_job(spec, ctx.spark)
        if ctx.run is not None:
            for record in summary["history"]:
                numbers = {k: float(v) for k, v in record.items() if k != "epoch" and isinstance(v, (int, float))}
                ctx.run.log_metrics(numbers, step=int(record["epoch"]))
        return {
            "model_output": summary["modelOutput"],
            "classes": ",".join(summary["classes"]),
            "epochs": len(summary["history"]),
            **summary["metrics"],
        }


@dataclass(frozen=True)
class DeepVisionClassifierJob(DeepVisionJob):
    """The ``deep_vision`` job under its stage's name (``kind: DeepVisionClassifier``)."""

    kind = "DeepVisionClassifier"
