"""A fitted model's signature: which input columns it needs and which output columns it adds, as Spark schemas.

The input columns of a pipeline are the columns of the training schema that some stage (nested stages
included) names in ``inputCol``, ``inputCols`` or ``featuresCol``; the check is that the model's
output schema can be derived from those columns alone (:func:`mmlspark_py.core.schema.model_schema`: no
Spark job). When
it cannot, every column of the training schema except the label is the input.

The outputs are the columns the model adds that no later stage consumes (``features`` feeding a classifier is
an intermediate, ``prediction`` and ``probability`` are outputs).

The Spark schemas are kept exactly (JSON, in the MLmodel ``metadata``); MLflow's own signature
(:func:`to_mlflow_signature`) is derived from them for MLflow's tools.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set

from pyspark.ml.param import Params
from pyspark.sql.types import StructType

from mmlspark_py.core.schema import model_schema

INPUT_PARAMS = ("inputCol", "inputCols", "featuresCol")
LABEL_PARAMS = ("labelCol", "weightCol")


class SignatureError(ValueError):
    """The model's inputs or outputs cannot be derived; the message names the column or stage."""


@dataclass(frozen=True)
class ModelIO:
    """The exact Spark schemas a model reads and writes; ``outputs`` lists the output columns in order."""

    input_schema: StructType
    output_schema: StructType

    @property
    def inputs(self) -> List[str]:
        return self.input_schema.names

    @property
    def outputs(self) -> List[str]:
        return self.output_schema.names

    def to_json(self) -> Dict[str, Any]:
        return {"input_schema": self.input_schema.jsonValue(), "output_schema": self.output_schema.jsonValue()}

    @staticmethod
    def from_json(value: Dict[str, Any]) -> ModelIO:
        return ModelIO(StructType.fromJson(value["input_schema"]), StructType.fromJson(value["output_schema"]))


def stages_of(stage: Params) -> Iterator[Params]:
    """``stage`` and every stage nested in it (Pipeline stages, StageParam/StageListParam values), depth first."""
    yield stage
    children: List[Any] = list(getattr(stage, "stages", None) or [])
    for param in stage.params:
        value = stage.getOrDefault(param) if stage.isDefined(param) else None
        if isinstance(value, Params):
            children.append(value)
        elif isinstance(value, (list, tuple)):
            children += [v for v in value if isinstance(v, Params)]
    for child in children:
        yield from stages_of(child)


def _named(stage: Params, names: Sequence[str]) -> Set[str]:
    found: Set[str] = set()
    for name in names:
        if stage.hasParam(name) and stage.isDefined(stage.getParam(name)):
            value = stage.getOrDefault(stage.getParam(name))
            found.update([value] if isinstance(value, str) else list(value or []))
    return found


def referenced_columns(model: Params, param_names: Sequence[str] = INPUT_PARAMS) -> Set[str]:
    """Every column name any stage of ``model`` names in ``param_names``."""
    names: Set[str] = set()
    for stage in stages_of(model):
        names |= _named(stage, param_names)
    return names


def model_io(
    model: Any,
    schema: StructType,
    input_cols: Optional[Sequence[str]] = None,
    output_cols: Optional[Sequence[str]] = None,
) -> ModelIO:
    """The :class:`ModelIO` of ``model`` trained on data of ``schema`` (see the module docstring).

    :param input_cols: the input columns, when the inference should not guess them.
    :param output_cols: the output columns to serve (default: the added columns no stage consumes).
    :raises SignatureError: a named column is missing, or the model does not accept its inputs.
    """
    if input_cols is not None:
        missing = [c for c in input_cols if c not in schema.names]
        if missing:
            raise SignatureError(f"input_cols: {missing} are not columns of the training data {schema.names}")
        candidates = [StructType([schema[c] for c in input_cols])]
    else:
        referenced = referenced_columns(model)
        labels = referenced_columns(model, LABEL_PARAMS)
        candidates = [
            StructType([f for f in schema.fields if f.name in referenced]),
            StructType([f for f in schema.fields if f.name not in labels]),
            schema,
        ]
    errors = []
    for candidate in candidates:
        if not candidate.fields:
            continue
        try:
            full = model_schema(model, candidate)
            break
        except Exception as e:  # noqa: BLE001 - any failure means "not enough columns": try the next candidate
            errors.append(f"{candidate.names}: {str(e).splitlines()[0][:300]}")
    else:
        raise SignatureError("the model does not transform its training columns: " + "; ".join(errors))
    added = [f for f in full.fields if f.name not in candidate.names]
    if output_cols is None:
        consumed = referenced_columns(model)
        chosen = [f for f in added if f.name not in consumed] or added
    else:
        by_name = {f.name: f for f in full.fields}
        missing = [c for c in output_cols if c not in by_name]
        if missing:
            raise SignatureError(f"output_cols: {missing} are not produced by the model; it gives {full.names}")
        chosen = [by_name[c] for c in output_cols]
    return ModelIO(candidate, StructType(chosen))


def to_mlflow_signature(io: ModelIO) -> Any:
    """MLflow's ``ModelSignature`` for ``io``, as MLflow's own tools read it.

    Inputs: the input columns (those whose type MLflow cannot express are left out). Outputs: MLflow's Spark
    flavor answers with the ``prediction`` column only (``mlflow models serve``, ``pyfunc.spark_udf``), so the
    MLflow signature declares just that column when the model has it, and no outputs otherwise; the exact
    output schema is in the MLmodel metadata (``ModelIO``).
    """
    from mlflow.models.signature import ModelSignature
    from mlflow.types.schema import ColSpec, Schema
    from mlflow.types.utils import _infer_spark_type

    def schema(struct: StructType) -> Schema:
        cols: List[Any] = []
        for f in struct.fields:
            try:
                cols.append(ColSpec(_infer_spark_type(f.dataType), f.name, required=not f.nullable))
            except Exception:  # noqa: BLE001 - MLflow has no type for it (e.g. maps); the exact schema has it
                continue
        return Schema(cols)

    predictions = StructType([f for f in io.output_schema.fields if f.name == "prediction"])
    return ModelSignature(inputs=schema(io.input_schema), outputs=schema(predictions) if predictions.fields else None)


def schema_from_json(text: str) -> StructType:
    """A StructType from its JSON text."""
    return StructType.fromJson(json.loads(text))
