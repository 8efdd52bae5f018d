"""The ``prep`` job: a data-preparation package applied to a data set (``mmlspark-py prep run``).

The work is :func:`mmlspark_py.dataprep.package.run_prep_package` (reading, applying the package, writing the
output atomically); the runner adds the compute target, progress and the run record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from mmlspark_py.jobs.runner import JobContext, JobSpec


@dataclass(frozen=True)
class PrepJob(JobSpec):
    """Apply the prep ``package`` (a saved package folder or a YAML/JSON step file) to ``input``.

    :param output, format: where to write and as what (parquet, csv, json, orc).
    :param inputFormat: the input's format (default: from the extension, else parquet).
    :param overwrite: replace an existing output.
    """

    kind = "prep"
    package: str
    input: str
    output: str
    format: str = "parquet"
    inputFormat: Optional[str] = None
    overwrite: bool = False

    def describe(self) -> str:
        return f"{self.package} on {self.input} -> {self.output}"

    def inputs(self) -> List[str]:
        return [self.input]

    def run(self, ctx: JobContext) -> Dict[str, Any]:
        from mmlspark_py.dataprep.package import run_prep_package

        ctx.progress.step(f"prep: applying {self.package}")
        out = run_prep_package(
            ctx.spark,
            self.package,
            self.input,
            self.output,
            self.format,
            input_format=self.inputFormat,  # type: ignore[arg-type]  # dataprep declares it str = None
            overwrite=self.overwrite,
        )
        ctx.progress.step(f"prep run: wrote {out} ({self.format})")
        return {"output": out, "format": self.format}
