"""Prep packages: a sequence of prep steps saved as a Spark PipelineModel and run as a job.

A package is either a saved ``PipelineModel`` folder (built in a notebook, or by
``build_package``) or a step file (YAML or JSON) that lists the steps with their examples::

    steps:
      - derive:  {inputCols: [name], outputCol: last, examples: [[["Ada Lovelace"], "Lovelace"]]}
      - split:   {inputCol: sku, outputCols: [maker, item], examples: [["ACM-00421", ["ACM", "00421"]]]}
      - fill:    {inputCols: [team], value: "none"}
      - filter:  {condition: "last IS NOT NULL"}
      - convert: {inputCols: [age], dataType: int}
      - select:  {columns: [last, team, age], renames: {last: surname}}

Each step's keys are the params of its stage (``DeriveColumnByExample``,
``SplitColumnByExample``, ``DataPrepFillMissing``, ``DataPrepFilter``, ``DataPrepConvertType``,
``DataPrepSelect``). A step file is fitted on the job's input (by-example steps learn then).

``run_prep_package(spark, package, input, output, format)`` reads ``input``, applies the package
and writes ``output`` atomically with ``core.atomic_output.publish_atomically``: to a hidden sibling
folder first, swapped into place only when the write has succeeded (an existing ``output`` is an error
unless ``overwrite``, and is kept until the new one is complete); an output that equals, contains or
lies inside the input or the package is refused before any work.

Errors: ``DataPrepError`` naming the step (index and kind) and what is valid.

Example::

    >>> run_prep_package(spark, "prep.yaml", "in.csv", "out", "parquet")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Type, Union

from pyspark.ml import Estimator, Pipeline, PipelineModel, Transformer
from pyspark.sql import DataFrame, SparkSession

from mmlspark_py.core.atomic_output import check_output_path, publish_atomically

from .derive import DeriveColumnByExample
from .errors import DataPrepError
from .split import SplitColumnByExample
from .steps import DataPrepConvertType, DataPrepFillMissing, DataPrepFilter, DataPrepSelect

STEP_KINDS: Dict[str, Type[Union[Estimator[Any], Transformer]]] = {
    "derive": DeriveColumnByExample,
    "split": SplitColumnByExample,
    "fill": DataPrepFillMissing,
    "filter": DataPrepFilter,
    "convert": DataPrepConvertType,
    "select": DataPrepSelect,
}
FORMATS = ("parquet", "csv", "json", "orc")


def _yaml_module() -> Any:
    """PyYAML, imported only for YAML step files (the ``dataprep`` extra); JSON step files need nothing."""
    try:
        import yaml
    except ImportError as e:
        raise ImportError(
            "YAML prep packages need PyYAML: pip install 'mmlspark-py[dataprep]' (or write the steps as a .json file)"
        ) from e
    return yaml


def read_steps(path: str) -> List[dict]:
    """The step list of a YAML (``.yaml``/``.yml``) or JSON step file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    data = json.loads(text) if path.endswith(".json") else _yaml_module().safe_load(text)
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        raise DataPrepError(f"{path}: expected a mapping with a 'steps' list of steps")
    return steps


def build_pipeline(steps: List[dict]) -> Pipeline:
    """A Pipeline of prep stages from step dicts ``{kind: {param: value}}``."""
    stages: List[Union[Estimator[Any], Transformer]] = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or len(step) != 1:
            raise DataPrepError(f"step {i}: {step!r} must be a mapping with one key, one of {sorted(STEP_KINDS)}")
        ((kind, params),) = step.items()
        if kind not in STEP_KINDS:
            raise DataPrepError(f"step {i}: unknown kind {kind!r}; valid kinds: {sorted(STEP_KINDS)}")
        try:
            stages.append(STEP_KINDS[kind](**(params or {})))
        except (TypeError, ValueError) as e:
            raise DataPrepError(f"step {i} ({kind}): {e}") from e
    return Pipeline(stages=stages)


def build_package(steps_path: str, df: DataFrame, output: str) -> PipelineModel:
    """Fit the steps of ``steps_path`` on ``df`` and save the package (a PipelineModel) at ``output``."""
    model = build_pipeline(read_steps(steps_path)).fit(df)
    model.write().overwrite().save(output)
    return model


def load_package(package: str, df: DataFrame) -> PipelineModel:
    """A saved package folder, or a step file fitted on ``df``."""
    if package.endswith((".yaml", ".yml", ".json")) and os.path.isfile(package):
        return build_pipeline(read_steps(package)).fit(df)
    return PipelineModel.load(package)


def read_input(spark: SparkSession, path: str, fmt: str) -> DataFrame:
    if fmt not in FORMATS:
        raise DataPrepError(f"input format {fmt!r} is not supported; valid: {FORMATS}")
    reader = spark.read.option("header", "true") if fmt == "csv" else spark.read
    return reader.format(fmt).load(path)


def run_prep_package(
    spark: SparkSession,
    package: str,
    input: str,
    output: str,
    format: str = "parquet",
    input_format: Optional[str] = None,
    overwrite: bool = False,
) -> str:
    """Apply ``package`` to ``input`` and write ``output`` atomically; returns ``output``.

    The output is checked first (``core.atomic_output``): it may not equal, contain or lie inside the input
    or the package, nor exist unless ``overwrite``. Temporaries of a killed earlier run of the same output are
    removed; the old output stays in place until the new one is complete.

    :raises OutputPathError: an output over an input, before any work.
    :raises DataPrepError: the output exists and ``overwrite`` is not set.
    """
    if format not in FORMATS:
        raise DataPrepError(f"--format {format!r} is not supported; valid: {FORMATS}")
    inputs = [input, package]
    try:
        check_output_path(spark, output, inputs, overwrite)
    except FileExistsError as e:
        raise DataPrepError(f"output {output!r} exists; remove it or pass overwrite") from e
    in_fmt = input_format or _format_of(input)
    df = read_input(spark, input, in_fmt)
    out = load_package(package, df).transform(df)

    def write(tmp: str) -> None:
        writer = out.write.mode("error")
        (writer.option("header", "true") if format == "csv" else writer).format(format).save(tmp)

    publish_atomically(spark, output, write, overwrite=overwrite, inputs=inputs)
    return output


def _format_of(path: str) -> str:
    ext = os.path.splitext(path.rstrip("/"))[1].lstrip(".").lower()
    return ext if ext in FORMATS else "parquet"
