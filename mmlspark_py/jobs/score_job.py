"""The ``score`` job: a registered model applied to a data set, written atomically.

``mmlspark-py score --model models:/income@champion --input people.parquet --output scored [--format csv]``

1. The model's signature is read from its MLmodel file (no Spark job) and the input's schema from the data
   (parquet/orc footers; a csv header) and checked: a missing column, or one whose type cannot become the
   model's, is an error naming the column, before the model is loaded or any data is scored. Numbers are cast
   to the model's numeric types (and csv text to numbers; a value that is no number fails the job, nothing is
   written).
2. The model is loaded (:func:`mmlspark_py.registry.load_model`) and applied.
3. The output is every input column plus the model's output columns (its signature), written to ``--output``
   through :func:`mmlspark_py.core.atomic_output.publish_atomically`: a failed or killed job leaves no
   partial output, an existing output is replaced only with ``overwrite``, and a re-run is safe. Vectors stay
   vectors in parquet/orc; json gets arrays; csv gets arrays and structs as JSON text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DataType, MapType, NumericType, StringType, StructType

from mmlspark_py.core.atomic_output import publish_atomically
from mmlspark_py.core.spec import require
from mmlspark_py.jobs.runner import JobContext, JobError, JobSpec

FORMATS = ("parquet", "csv", "json", "orc")


class ScoreInputError(JobError):
    """The input data does not fit the model's signature; the message names each column at fault."""


def _quoted(name: str) -> Any:
    return F.col("`" + name.replace("`", "``") + "`")


def input_format(path: str, explicit: Optional[str]) -> str:
    """``explicit``, else the path's extension when it is a known format, else parquet."""
    if explicit:
        return explicit
    ext = os.path.splitext(path.rstrip("/"))[1].lstrip(".").lower()
    return ext if ext in FORMATS else "parquet"


def read_data(spark: Any, path: str, fmt: str) -> DataFrame:
    reader = spark.read.option("header", "true") if fmt == "csv" else spark.read
    try:
        return reader.format(fmt).load(path)
    except Exception as e:
        raise JobError(f"cannot read {fmt} input {path!r}: {str(e).splitlines()[0][:300]}") from e


def conform(df: DataFrame, needed: StructType, where: str) -> DataFrame:
    """``df`` with the columns ``needed`` cast to the needed types; raises ScoreInputError naming every column
    that is missing or cannot be converted."""
    problems: List[str] = []
    casts: Dict[str, DataType] = {}
    for field in needed.fields:
        if field.name not in df.columns:
            problems.append(f"missing column {field.name!r} ({field.dataType.simpleString()})")
            continue
        actual = df.schema[field.name].dataType
        if actual.simpleString() == field.dataType.simpleString():
            continue
        if isinstance(field.dataType, NumericType) and isinstance(actual, (NumericType, StringType)):
            casts[field.name] = field.dataType
        elif isinstance(field.dataType, StringType) and isinstance(actual, NumericType):
            casts[field.name] = field.dataType
        else:
            problems.append(
                f"column {field.name!r} is {actual.simpleString()}, the model needs {field.dataType.simpleString()}"
            )
    if problems:
        raise ScoreInputError(f"{where}: " + "; ".join(problems) + f". The input has columns {df.columns}")
    if not casts:
        return df
    return df.select(*[_quoted(c).cast(casts[c]).alias(c) if c in casts else _quoted(c) for c in df.columns])


def writable(df: DataFrame, fmt: str) -> DataFrame:
    """``df`` with the column types ``fmt`` cannot store converted (vectors to arrays; for csv, nested to JSON)."""
    if fmt in ("parquet", "orc"):
        return df
    cols = []
    for field in df.schema.fields:
        col = _quoted(field.name)
        if isinstance(field.dataType, VectorUDT):
            col = vector_to_array(col)
        if fmt == "csv" and isinstance(field.dataType, (VectorUDT, ArrayType, StructType, MapType)):
            col = F.to_json(col)
        cols.append(col.alias(field.name))
    return df.select(*cols)


@dataclass(frozen=True)
class ScoreJob(JobSpec):
    """Score ``input`` with the registered ``model`` into ``output``.

    :param model: ``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``runs:/RUN/model`` or a logged model folder.
    :param input, inputFormat: the data (any Hadoop path); format from the extension, else parquet.
    :param output, format: where to write and as what (parquet, csv, json, orc).
    :param overwrite: replace an existing output.
    """

    kind = "score"
    model: str
    input: str
    output: str
    format: str = "parquet"
    inputFormat: Optional[str] = None
    overwrite: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.format in FORMATS, f"score job: format must be one of {FORMATS}", self.format)
        require(
            self.inputFormat is None or self.inputFormat in FORMATS,
            f"score job: inputFormat must be one of {FORMATS}",
            self.inputFormat,
        )

    def describe(self) -> str:
        return f"{self.model} on {self.input} -> {self.output}"

    def inputs(self) -> List[str]:
        return [self.input]

    def run(self, ctx: JobContext) -> Dict[str, Any]:
        from mmlspark_py.core.atomic_output import check_output_path
        from mmlspark_py.registry import load_model, resolve

        progress = ctx.progress
        progress.step(f"score: reading the signature of {self.model}")
        resolved = resolve(self.model)
        if resolved.io is None:
            raise JobError(
                f"score: {self.model} has no mmlspark-py signature (it was not logged by "
                "mmlspark_py.tracking.log_model / register_model); re-register it with training data"
            )
        check_output_path(ctx.spark, self.output, [self.input], self.overwrite)
        fmt = input_format(self.input, self.inputFormat)
        data = read_data(ctx.spark, self.input, fmt)
        where = f"score: input {self.input!r} does not fit model {self.model}"
        data = conform(data, resolved.io.input_schema, where)
        clashes = [c for c in resolved.io.outputs if c in data.columns]
        if clashes:
            raise ScoreInputError(f"score: input {self.input!r} already has the model's output column(s) {clashes}")
        progress.step(f"score: loading model version {resolved.version or resolved.local_dir}")
        model = load_model(self.model, ctx.spark)
        scored = model.transform(data).select(*[_quoted(c) for c in data.columns + resolved.io.outputs])
        out = writable(scored, self.format)
        progress.step(f"score: scoring and writing {self.output} ({self.format})")

        def write(tmp: str) -> None:
            writer = out.write.option("header", "true") if self.format == "csv" else out.write
            writer.format(self.format).save(tmp)

        publish_atomically(ctx.spark, self.output, write, overwrite=self.overwrite, inputs=[self.input])
        progress.step(f"score: wrote {self.output}")
        return {"model": self.model, "model_version": resolved.version, "output": self.output, "format": self.format}
