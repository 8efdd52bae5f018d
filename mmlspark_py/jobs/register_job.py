"""The ``register`` job: a saved or logged model registered as a new version, with lineage.

``mmlspark-py register --model PATH_OR_URI --name NAME [--alias A] [--training-data PATH]``
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from mmlspark_py.jobs.runner import JobContext, JobError, JobSpec
from mmlspark_py.jobs.score_job import input_format, read_data


@dataclass(frozen=True)
class RegisterJob(JobSpec):
    """Register ``model`` as a new version of ``name``.

    :param model: a folder where a fitted model was saved (any Hadoop path), or a logged model's URI
        (``runs:/RUN/model``, ``models:/NAME/VERSION``).
    :param trainingData, trainingFormat: the data the model was trained on (signature and data lineage);
        needed for a saved folder.
    :param alias: set this alias to the new version.
    :param inputCols, outputCols: override the inferred signature.
    :param description: the version's description.
    """

    kind = "register"
    model: str
    name: str
    alias: Optional[str] = None
    trainingData: Optional[str] = None
    trainingFormat: Optional[str] = None
    inputCols: Optional[List[str]] = None
    outputCols: Optional[List[str]] = None
    description: Optional[str] = None

    def describe(self) -> str:
        return f"{self.model} as {self.name}" + (f"@{self.alias}" if self.alias else "")

    def inputs(self) -> List[str]:
        return [p for p in (self.model, self.trainingData) if p]

    def run(self, ctx: JobContext) -> Dict[str, Any]:
        from mmlspark_py.registry import register_model

        logged = self.model.startswith(("runs:/", "models:/"))
        if not logged and not self.trainingData:
            raise JobError(
                "register: a saved model folder needs trainingData (--training-data) for its signature and lineage"
            )
        data = None
        if self.trainingData:
            data = read_data(ctx.spark, self.trainingData, input_format(self.trainingData, self.trainingFormat))
        ctx.progress.step(f"register: {self.describe()}")
        version = register_model(
            self.model,
            self.name,
            training_data=data,
            training_data_path=self.trainingData,
            alias=self.alias,
            run_id=ctx.run.run_id if ctx.run else None,
            description=self.description,
            input_cols=self.inputCols,
            output_cols=self.outputCols,
        )
        ctx.progress.step(f"register: {version.uri}" + (f" (alias {self.alias})" if self.alias else ""))
        return {"name": version.name, "version": version.version, "uri": version.uri}
